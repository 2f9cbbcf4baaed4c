/**
 * The monitor's reorder buffer: messages fetched from many partitions come out in the order of
 * their order keys (see order-key.ts: the event time, or an earlier one of the next few messages
 * of the partition, so one message dated weeks ahead does not hold the rest of its partition
 * back), each partition as a prefix in offset order, behind two watermarks.
 *
 * - `behind`: over partitions that still owe fetched data (their fetch position is below their
 *   high watermark), the key each has surely reached: its newest settled key, or less while a
 *   message whose key the next messages may still lower waits. Nothing later is released, ever,
 *   so a replay of pre-filled topics sees `replay --from-kafka`'s order.
 * - `all`: the same over every partition; an empty one sits at minus infinity. A message later
 *   than it waits, but only for the hold (wall clock), so a quiet or empty partition delays
 *   alerts by at most that much. The threshold is raised to the newest message that has waited
 *   out the hold, so an aged message never overtakes an older one still waiting.
 *
 * A partition may carry a replay barrier: the offset up to which an earlier run applied it
 * (the slot cursors' cut). While any partition has messages before its barrier left to take,
 * only such messages are taken, merged by order key, and nothing at or after a barrier is: the
 * restarted monitor applies what it had applied before, without publishing, ahead of anything it
 * had not read. Without it, a label read after the crash but dated before the transfers the
 * killed run had applied went first, so the transfer's alert came from the re-applied transfer,
 * whose output the cursor had already passed, and it was never published (session 32 QA).
 *
 * Pure: no Kafka, no clock of its own (callers pass `now`), so it is unit-tested directly.
 */
import { partitionKey, splitKey, type Cut } from './ownership.js';
import { ORDER_LOOKAHEAD } from '../sources/order-key.js';
import { MAX_INSTANT_RUN } from '../sources/instant-order.js';

export interface Entry<T> {
  pk: string;
  topic: string;
  partition: number;
  offset: bigint;
  /** Event time (ms). */
  time: number;
  /** Order key: the least event time of this message and the next ORDER_LOOKAHEAD of its partition (order-key.ts). */
  key: number;
  /** Wall-clock time it was fetched (ms). */
  fetchedAt: number;
  value: T;
}

interface PartitionState<T> {
  /** Its key (partitionKey), topic and number: every entry of the partition shares the one key string. */
  pk: string;
  topic: string;
  partition: number;
  /** The greatest key settled (ORDER_LOOKAHEAD messages fetched after its message). */
  settledKey: number;
  /** Event time given to the message fetched last (what a reject after it takes). */
  previousTime: number;
  /** Next offset to fetch (one past the newest fetched). */
  fetched: bigint;
  high: bigint;
  /** Next offset not yet applied: everything before it is applied. */
  applied: bigint;
  /**
   * Offsets after a fetched message that hold no message to apply (transaction markers, aborted
   * records), [from, to), oldest first: applying the message before one moves `applied` past it.
   */
  gaps: [bigint, bigint][];
  /** Fetched, not yet taken, in offset order from `head`. */
  queue: Entry<T>[];
  head: number;
  /** queue[head..aged) were fetched more than the hold ago; agedMax is their greatest key. */
  aged: number;
  agedMax: number;
  /** Offsets before it were applied by an earlier run: taken before anything at or after any barrier (0: none). */
  barrier: bigint;
}

export function entryOrder<T>(a: Entry<T>, b: Entry<T>): number {
  return a.key - b.key || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0) || a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0);
}

export class EventTimeBuffer<T> {
  private readonly parts = new Map<string, PartitionState<T>>();
  /** Entries fetched and not yet taken. */
  size = 0;
  /** The key of the entry taken last, and how many entries of that key have been taken in a row (the instant's pieces: instant-order.ts). */
  private lastKey = Number.NaN;
  private takenAtKey = 0;
  /** The partition `add` buffered into last: a fetched batch is one partition's, so its messages find it without building and hashing its key each. */
  private lastAdded: PartitionState<T> | undefined;

  /**
   * Starts tracking a partition whose first available offset is `low`. A known partition is left
   * as it is. `barrier`: the offset an earlier run applied the partition up to (at most `high`).
   */
  register(topic: string, partition: number, low: bigint, high: bigint, barrier = 0n): void {
    const pk = partitionKey(topic, partition);
    if (this.parts.has(pk)) return;
    this.parts.set(pk, { pk, topic, partition, settledKey: Number.NEGATIVE_INFINITY, previousTime: Number.NEGATIVE_INFINITY, fetched: low, high, applied: low, gaps: [], queue: [], head: 0, aged: 0, agedMax: Number.NEGATIVE_INFINITY, barrier: barrier < high ? barrier : high });
  }

  has(pk: string): boolean {
    return this.parts.has(pk);
  }

  /** The next offset to fetch of a registered partition. */
  position(pk: string): bigint | undefined {
    return this.parts.get(pk)?.fetched;
  }

  /** Buffers one fetched message; false when it was fetched before (a re-fetch). Throws for an unregistered partition. */
  add(topic: string, partition: number, offset: bigint, time: number, value: T, fetchedAt: number): boolean {
    let s = this.lastAdded;
    if (s === undefined || s.partition !== partition || s.topic !== topic) {
      const pk = partitionKey(topic, partition);
      s = this.parts.get(pk);
      if (!s) throw new Error(`message for ${pk}, a partition the reader was not assigned`);
      this.lastAdded = s;
    }
    if (offset < s.fetched) return false;
    // The new message lowers the keys of the ORDER_LOOKAHEAD before it; the one that many back is settled now.
    const q = s.queue;
    for (let i = q.length - 1; i >= s.head && i >= q.length - ORDER_LOOKAHEAD; i--) if (q[i]!.key > time) q[i]!.key = time;
    const settling = q.length - ORDER_LOOKAHEAD;
    if (settling >= s.head && q[settling]!.key > s.settledKey) s.settledKey = q[settling]!.key;
    q.push({ pk: s.pk, topic, partition, offset, time, key: time, fetchedAt, value });
    s.fetched = offset + 1n;
    s.previousTime = time;
    this.size++;
    return true;
  }

  /**
   * The event time of the message fetched last from the partition (-Infinity before the first):
   * the place of a message without an event time (a reject), as `replay --from-kafka` places it.
   */
  previousTime(topic: string, partition: number): number {
    return this.parts.get(partitionKey(topic, partition))?.previousTime ?? Number.NEGATIVE_INFINITY;
  }

  /**
   * The reader's position moved to `next` past offsets that hold no message to apply: the
   * transaction markers a transactional producer writes (one closes every transaction, so such a
   * partition always ends with one) and aborted records. Without this a partition whose last
   * offset is a marker seemed to owe data for ever and held every other partition back (QA: a
   * committed transaction on one topic stopped the monitor).
   */
  advance(topic: string, partition: number, next: bigint): void {
    const s = this.parts.get(partitionKey(topic, partition));
    if (!s || next <= s.fetched) return;
    if (s.applied === s.fetched) s.applied = next; // nothing fetched waits to be applied
    else s.gaps.push([s.fetched, next]);
    s.fetched = next;
  }

  /**
   * The topics with a partition whose fetch position has reached its high watermark (it looks
   * caught up). Only there can a stale high watermark change what is released: every decision
   * reads a high watermark only as "the partition still owes data" (fetched < high), and one
   * that still owes data owes it under any fresher watermark, as watermarks never go down.
   */
  topicsAtHigh(): Set<string> {
    const topics = new Set<string>();
    for (const s of this.parts.values()) if (s.fetched >= s.high) topics.add(s.topic);
    return topics;
  }

  setHigh(topic: string, partition: number, high: bigint): void {
    const s = this.parts.get(partitionKey(topic, partition));
    if (s) s.high = high;
  }

  /**
   * Each partition's waiting messages: all of them (`held`), and those that wait for the other
   * partitions (`ahead`: keys past the one every partition still owing data has surely reached)
   * rather than only for the hold; and whether the next step waits on it (`limiting`: it still
   * owes data and has reached the least key of those that do, so only its next records let the
   * buffer move on, as when a record dated back among its newest holds its key down until more
   * come). While no partition owes data (caught up, live) none is ahead or limiting. Reads only.
   */
  waiting(): { pk: string; held: number; ahead: number; limiting: boolean }[] {
    let behind = Number.POSITIVE_INFINITY;
    let replay = Number.POSITIVE_INFINITY;
    let replaying = false;
    for (const s of this.parts.values()) {
      if (s.fetched < s.high) behind = Math.min(behind, reachedKey(s));
      if (replaysStill(s)) {
        replaying = true;
        if (owesBeforeBarrier(s)) replay = Math.min(replay, reachedKey(s));
      }
    }
    // What the next step waits on: as `take` decides it (replayThreshold while a barrier stands).
    const limit = replaying ? replay : behind;
    const out: { pk: string; held: number; ahead: number; limiting: boolean }[] = [];
    for (const [pk, s] of this.parts) {
      const owes = replaying ? replaysStill(s) && owesBeforeBarrier(s) : s.fetched < s.high;
      out.push({ pk, held: s.queue.length - s.head, ahead: waitingPast(s, behind), limiting: owes && reachedKey(s) <= limit });
    }
    return out;
  }

  /** Messages between the fetch position and the high watermark. */
  lag(topic: string, partition: number): bigint {
    const s = this.parts.get(partitionKey(topic, partition));
    return s ? s.high - s.fetched : 0n;
  }

  /** Every partition's `lag`, with its topic and number. */
  partitionLags(): { topic: string; partition: number; lag: number }[] {
    const out: { topic: string; partition: number; lag: number }[] = [];
    for (const [pk, s] of this.parts) out.push({ ...splitKey(pk), lag: Number(s.high - s.fetched) });
    return out;
  }

  /** Messages on the broker past `cut`, summed over every partition: how far a slot cursor trails. */
  behindCut(cut: Cut): bigint {
    let n = 0n;
    for (const [pk, s] of this.parts) { const d = s.high - (cut.get(pk) ?? 0n); if (d > 0n) n += d; }
    return n;
  }

  /** A step's entries of one instant are applied in the instant order, not in offset order: the cut moves only forward. */
  markApplied(e: Entry<T>): void {
    const s = this.parts.get(e.pk)!;
    if (e.offset + 1n <= s.applied) return;
    s.applied = e.offset + 1n;
    while (s.gaps.length > 0 && s.gaps[0]![0] <= s.applied) {
      if (s.gaps[0]![0] === s.applied) s.applied = s.gaps[0]![1];
      s.gaps.shift();
    }
  }

  /** The applied prefix of every partition: what a slot cursor records. */
  appliedCut(): Cut {
    const cut: Cut = new Map();
    for (const [pk, s] of this.parts) cut.set(pk, s.applied);
    return cut;
  }

  clear(): void {
    this.parts.clear();
    this.lastAdded = undefined;
    this.size = 0;
  }

  /** Up to `maxStep` entries that may be applied now, in (time, topic, partition, offset) order. */
  take(maxStep: number, now: number, holdMs: number): Entry<T>[] {
    const replayed = this.replayThreshold();
    if (replayed !== undefined) return this.merge(maxStep, replayed, true, !this.holdsPiece(replayed));
    let behind = Number.POSITIVE_INFINITY;
    let all = Number.POSITIVE_INFINITY;
    let held = Number.NEGATIVE_INFINITY;
    const heldSince = now - holdMs;
    for (const s of this.parts.values()) {
      const reached = reachedKey(s);
      all = Math.min(all, reached);
      if (s.fetched < s.high) behind = Math.min(behind, reached);
      if (s.aged < s.head) { s.aged = s.head; s.agedMax = Number.NEGATIVE_INFINITY; }
      for (let b = s.queue[s.aged]; b && b.fetchedAt <= heldSince; b = s.queue[++s.aged]) s.agedMax = Math.max(s.agedMax, b.key);
      held = Math.max(held, s.agedMax);
    }
    const released = Math.max(all, held);
    const threshold = Math.min(behind, released);
    // A key some partition still owing data has reached may come again from it: its instant is
    // taken once that partition has moved past it, whole (instant-order.ts), or a piece at a time
    // once a whole piece of it waits (a bulk load at one time must not fill the buffer).
    return this.merge(maxStep, threshold, false, behind <= released && !this.holdsPiece(threshold));
  }

  /** Whether at least a whole piece of an instant (MAX_INSTANT_RUN) waits at `key`. */
  private holdsPiece(key: number): boolean {
    let n = 0;
    for (const s of this.parts.values()) n += waitingPast(s, key, true) - waitingPast(s, key);
    return n >= MAX_INSTANT_RUN;
  }

  /**
   * While a partition still has messages before its barrier to take: the key every such
   * partition that still owes data (not fetched up to its barrier, or up to its high watermark,
   * while later messages can still lower its keys) has surely reached (the data is on the
   * broker: no hold). Undefined once none has: the barriers are passed for good.
   */
  private replayThreshold(): number | undefined {
    let replaying = false;
    let threshold = Number.POSITIVE_INFINITY;
    for (const s of this.parts.values()) {
      if (!replaysStill(s)) continue;
      replaying = true;
      if (owesBeforeBarrier(s)) threshold = Math.min(threshold, reachedKey(s));
    }
    if (!replaying) for (const s of this.parts.values()) s.barrier = 0n; // passed: never read again
    return replaying ? threshold : undefined;
  }

  /**
   * A k-way merge of the partitions' heads at or before the threshold (before it when
   * `exclusive`; only heads before their barrier when `beforeBarrier`): each partition gives a
   * prefix, and no step rescans the whole buffer. A step that reaches `maxStep` goes on to the end
   * of its last key's run, so no instant is split between steps; an instant of more than
   * MAX_INSTANT_RUN is, in pieces of that many counted from its start, whatever the step sizes.
   */
  private merge(maxStep: number, threshold: number, beforeBarrier: boolean, exclusive: boolean): Entry<T>[] {
    const parts = [...this.parts.values()];
    const ready: Entry<T>[] = [];
    for (;;) {
      let best: PartitionState<T> | undefined;
      for (const p of parts) {
        const b = p.queue[p.head];
        if (b && beforeBarrier && b.offset >= p.barrier) continue;
        if (b && (exclusive ? b.key < threshold : b.key <= threshold) && settled(p, p.head) && (!best || entryOrder(b, best.queue[best.head]!) < 0)) best = p;
      }
      if (!best) break;
      const sameInstant = best.queue[best.head]!.key === this.lastKey;
      if (sameInstant ? this.takenAtKey % MAX_INSTANT_RUN === 0 && ready.length > 0 : ready.length >= maxStep) break;
      const taken = best.queue[best.head++]!;
      if (taken.key > best.settledKey) best.settledKey = taken.key; // taken: its key is final
      if (taken.key === this.lastKey) this.takenAtKey++;
      else { this.lastKey = taken.key; this.takenAtKey = 1; }
      ready.push(taken);
    }
    this.size -= ready.length;
    for (const p of parts) {
      if (p.head === 0) continue;
      if (p.head === p.queue.length) { p.queue = []; p.head = 0; p.aged = 0; p.agedMax = Number.NEGATIVE_INFINITY; }
      else if (p.head > 4096) { p.aged = Math.max(0, p.aged - p.head); p.queue = p.queue.slice(p.head); p.head = 0; }
    }
    return ready;
  }
}

/**
 * Whether the partition still has a message before its barrier to take: one queued, or one not
 * yet fetched (a reader moved past deleted records, `fetched` beyond the barrier, has none).
 */
function replaysStill<T>(s: PartitionState<T>): boolean {
  const head = s.queue[s.head];
  return head !== undefined ? head.offset < s.barrier : s.fetched < s.barrier && s.fetched < s.high;
}

/** Whether a partition still replaying has records to fetch before its barrier or its high watermark (what holds a replay step). */
function owesBeforeBarrier<T>(s: PartitionState<T>): boolean {
  return s.fetched < s.barrier || s.fetched < s.high;
}

/** Whether queue[i]'s key is final: ORDER_LOOKAHEAD messages came after it, or nothing more is on the broker yet. */
function settled<T>(s: PartitionState<T>, i: number): boolean {
  return i < s.queue.length - ORDER_LOOKAHEAD || s.fetched >= s.high;
}

/**
 * How many of the partition's waiting messages have keys past `key` (or at it, `orAt`): a binary search, as a
 * partition's keys rise with its offsets (one whose event times go backwards is counted
 * approximately: the count only steers fetching, and a partition the next step waits on is
 * fetched whatever it counts).
 */
function waitingPast<T>(s: PartitionState<T>, key: number, orAt = false): number {
  const q = s.queue;
  if (key === Number.POSITIVE_INFINITY || q.length === s.head) return 0;
  let lo = s.head;
  let hi = q.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (q[mid]!.key > key || (orAt && q[mid]!.key === key)) hi = mid; else lo = mid + 1;
  }
  return q.length - lo;
}

/**
 * The key a partition has surely reached. Caught up: the greatest key it holds. Still owing
 * data: its greatest settled key, or less while an unsettled message's key is below it (the
 * messages yet to come can lower such a key, never below what they carry, and are taken to come
 * in order after the settled ones, as a partition's messages do).
 */
function reachedKey<T>(s: PartitionState<T>): number {
  const q = s.queue;
  const from = Math.max(s.head, q.length - ORDER_LOOKAHEAD);
  if (s.fetched >= s.high) {
    let max = s.settledKey;
    for (let i = from; i < q.length; i++) if (q[i]!.key > max) max = q[i]!.key;
    return max;
  }
  let min = s.settledKey;
  for (let i = from; i < q.length; i++) if (q[i]!.key < min) min = q[i]!.key;
  return min;
}
