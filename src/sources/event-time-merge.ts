/**
 * A streaming k-way merge of partitions into one event-time order, for `replay --from-kafka`.
 *
 * Each partition is read in offset order and the merge always emits the smallest head, ordered by
 * (order key, topic, partition, offset): the order in which the monitor's reorder buffer applies
 * pre-filled topics (`entryOrder` in monitor/event-time-buffer.ts). The order key is the least
 * event time of the record and the next ORDER_LOOKAHEAD of its partition (order-key.ts), so each
 * partition is read that many records ahead. A partition whose event times go backwards is still
 * emitted as a prefix in offset order, as the monitor does.
 *
 * A record without an event time (a reject) takes the time of the record before it in its
 * partition (minus infinity at the start), so it comes out right after its neighbour. It never
 * holds back the rest of its partition, and its place depends only on the partition's content.
 *
 * Holds ORDER_LOOKAHEAD + 1 records per partition: memory is bounded by what the sources buffer.
 */
import { ORDER_LOOKAHEAD } from './order-key.js';

export interface PartitionStream<T> {
  topic: string;
  partition: number;
  records: AsyncIterable<{ offset: bigint; value: T }>;
}

export interface Merged<T> {
  topic: string;
  partition: number;
  offset: bigint;
  /** Event time (ms); for a reject, the time of its partition neighbour before it. */
  time: number;
  /** Order key: the least `time` of this record and the next ORDER_LOOKAHEAD of its partition. */
  key: number;
  value: T;
}

/**
 * Event time, then topic, partition and offset: a total order, so the output never depends on read
 * timing. The records of one order key are then applied in the instant order (instant-order.ts),
 * which does not depend on the partitions either.
 */
export function mergeOrder(a: Merged<unknown>, b: Merged<unknown>): number {
  return a.key - b.key || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0) || a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0);
}

interface Cursor<T> {
  stream: PartitionStream<T>;
  iterator: AsyncIterator<{ offset: bigint; value: T }>;
  /** Time given to the last record read from this partition. */
  lastTime: number;
  /** The records read and not yet emitted, oldest first: the head and up to ORDER_LOOKAHEAD after it. */
  ahead: Merged<T>[];
  done: boolean;
  head?: Merged<T>;
}

/** Reads the partition until ORDER_LOOKAHEAD records follow the head (or it ends), and sets the head's key; false when nothing is left. */
async function advance<T>(cursor: Cursor<T>, timeOf: (value: T) => number | undefined): Promise<boolean> {
  while (!cursor.done && cursor.ahead.length <= ORDER_LOOKAHEAD) {
    const next = await cursor.iterator.next();
    if (next.done) { cursor.done = true; break; }
    const time = timeOf(next.value.value) ?? cursor.lastTime;
    cursor.lastTime = time;
    cursor.ahead.push({ topic: cursor.stream.topic, partition: cursor.stream.partition, offset: next.value.offset, time, key: time, value: next.value.value });
  }
  const head = cursor.ahead[0];
  if (!head) return false;
  let key = head.time;
  for (let i = 1; i < cursor.ahead.length; i++) if (cursor.ahead[i]!.time < key) key = cursor.ahead[i]!.time;
  head.key = key;
  cursor.head = head;
  return true;
}

/**
 * Merges the partitions by event time. `timeOf` gives a record's event time, or undefined for a
 * reject. Stopping early (break out of the loop) closes every partition's iterator.
 */
export async function* mergeByEventTime<T>(streams: readonly PartitionStream<T>[], timeOf: (value: T) => number | undefined): AsyncGenerator<Merged<T>> {
  const cursors: Cursor<T>[] = streams.map((stream) => ({ stream, iterator: stream.records[Symbol.asyncIterator](), lastTime: Number.NEGATIVE_INFINITY, ahead: [], done: false }));
  const heap = new MinHeap<Cursor<T>>((a, b) => mergeOrder(a.head!, b.head!));
  try {
    const started = await Promise.all(cursors.map((c) => advance(c, timeOf)));
    cursors.forEach((c, i) => { if (started[i]) heap.push(c); });
    for (let top = heap.peek(); top; top = heap.peek()) {
      yield top.ahead.shift()!;
      if (await advance(top, timeOf)) heap.replaceTop(top);
      else heap.pop();
    }
  } finally {
    await Promise.all(cursors.map((c) => c.iterator.return?.()));
  }
}

/** A binary min-heap: the merge's cost per record is O(log partitions), not O(partitions). */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    this.items.push(item);
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(this.items[i]!, this.items[parent]!) >= 0) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length > 0) this.replaceTop(last);
  }

  /** Puts `item` at the top (typically the top itself, with a new head) and sifts it down. */
  replaceTop(item: T): void {
    this.items[0] = item;
    const n = this.items.length;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.compare(this.items[l]!, this.items[m]!) < 0) m = l;
      if (r < n && this.compare(this.items[r]!, this.items[m]!) < 0) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(i: number, j: number): void {
    const t = this.items[i]!;
    this.items[i] = this.items[j]!;
    this.items[j] = t;
  }
}
