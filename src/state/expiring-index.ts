/**
 * An index by id of items that expire by event time, such as the transfers the rules may look
 * up again. Items leave in insertion order once older than `retention` behind the newest time:
 * a queue, not a scan, so expiry costs O(1) amortised per item. An item inserted out of order
 * leaves with its insertion neighbours, a little later than its own time would say.
 */
import { ShardedMap } from './sharded-map.js';

const CHUNK = 1 << 16;

export class ExpiringIndex<V extends { time: number }> {
  private readonly map = new ShardedMap<string, V>();
  /** Insertion order as chunks of ids (an array per chunk keeps each array small). */
  private readonly chunks: string[][] = [[]];
  private head = 0;
  private newest = Number.NEGATIVE_INFINITY;
  /** The highest horizon expiry has applied: an item at or after it has never been expired. */
  private expiredBefore = Number.NEGATIVE_INFINITY;
  /** Items taken out other than by expiry, or replaced under their id (see `neverExpired`). */
  removals = 0;
  /** Items the cap (`maxEntries`) took out, all told. */
  capped = 0;
  /**
   * The time of the live item at the head of the queue, known while `headKnownAt` equals
   * `removals` (nothing replaced or taken out since) and the head has not moved (moving it sets
   * `headKnownAt` to -1): every event advances the index, and most find nothing due, which this
   * tells without a look-up of the head's id in a large map.
   */
  private headTime = Number.NaN;
  private headKnownAt = -1;

  /**
   * @param retention ms of event time an item is kept behind the newest (see `setRetention`).
   * @param expired told each item that leaves by expiry or by the cap (not one `delete` removed), as it leaves.
   * @param maxEntries items kept at most: past it the first inserted goes, counted as a removal
   *   (a burst of items within the retention stays bounded).
   */
  constructor(private retentionMs: number, private readonly expired?: (value: V) => void, private readonly maxEntries = Number.POSITIVE_INFINITY) {}

  get retention(): number {
    return this.retentionMs;
  }

  /** A new retention (a new rule set): a shorter one expires what is now past it at once. */
  setRetention(ms: number): void {
    this.retentionMs = ms;
    this.expire();
  }

  get(id: string): V | undefined {
    return this.map.get(id);
  }

  /** Drops an item now; its id leaves the insertion queue when the queue reaches it. */
  delete(id: string): boolean {
    const removed = this.map.delete(id);
    if (removed) this.removals++;
    return removed;
  }

  /**
   * Whether expiry has never reached `time`: an item of that time found here is still here, as
   * long as `removals` has not moved since it was found.
   */
  neverExpired(time: number): boolean {
    return time >= this.expiredBefore;
  }

  /** The earliest time `neverExpired` accepts. */
  get neverExpiredFrom(): number {
    return this.expiredBefore;
  }

  get size(): number {
    return this.map.size;
  }

  set(id: string, value: V): void {
    if (!this.map.has(id)) {
      let tail = this.chunks[this.chunks.length - 1]!;
      if (tail.length === CHUNK) this.chunks.push((tail = []));
      tail.push(id);
    } else this.removals++; // the id's earlier item is replaced
    this.map.set(id, value);
    this.advance(value.time);
    if (this.map.size > this.maxEntries) this.dropFirstInserted();
  }

  /** Takes out the first inserted live items until the cap holds (a removal, not an expiry). */
  private dropFirstInserted(): void {
    for (let id = this.firstQueued(); id !== undefined && this.map.size > this.maxEntries; id = this.firstQueued()) {
      this.head++;
      this.headKnownAt = -1;
      const item = this.map.get(id);
      if (item === undefined) continue;
      this.map.delete(id);
      this.removals++;
      this.capped++;
      this.expired?.(item);
    }
  }

  /** The id at the head of the insertion queue (live or taken out since), dropping spent chunks; undefined when the queue is empty. */
  private firstQueued(): string | undefined {
    for (;;) {
      const chunk = this.chunks[0]!;
      if (this.head < chunk.length) return chunk[this.head];
      this.headKnownAt = -1;
      if (this.chunks.length === 1) { chunk.length = 0; this.head = 0; return undefined; }
      this.chunks.shift();
      this.head = 0;
    }
  }

  /** Moves the newest time to `time` (when later) and expires what is now past the retention. */
  advance(time: number): void {
    if (time <= this.newest) return; // the horizon stands: nothing more is past it
    this.newest = time;
    this.expire();
  }

  private expire(): void {
    const horizon = this.newest - this.retentionMs;
    if (horizon > this.expiredBefore) this.expiredBefore = horizon;
    if (this.headKnownAt === this.removals && this.headTime >= horizon) return;
    for (let id = this.firstQueued(); id !== undefined; id = this.firstQueued()) {
      const item = this.map.get(id);
      if (item && item.time >= horizon) {
        this.headTime = item.time;
        this.headKnownAt = this.removals;
        return;
      }
      this.head++;
      this.headKnownAt = -1;
      if (!item) continue;
      this.map.delete(id);
      this.expired?.(item);
    }
  }
  /** Live entries in insertion order (the order they expire in) and the newest time, for a checkpoint. */
  *entriesInOrder(): Generator<[string, V]> {
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      for (let i = c === 0 ? this.head : 0; i < chunk.length; i++) {
        const id = chunk[i]!;
        const value = this.map.get(id);
        if (value !== undefined) yield [id, value];
      }
    }
  }

  get newestTime(): number {
    return this.newest;
  }

  /**
   * Appends an entry from a checkpoint, in the order entriesInOrder gave, without expiring:
   * the checkpoint holds exactly what was live. `newest` is set once all are in.
   */
  restoreEntry(id: string, value: V): void {
    let tail = this.chunks[this.chunks.length - 1]!;
    if (tail.length === CHUNK) this.chunks.push((tail = []));
    tail.push(id);
    this.map.set(id, value);
    this.headKnownAt = -1;
  }

  restoreNewest(newest: number): void {
    this.newest = newest;
  }
}
