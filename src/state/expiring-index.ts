/**
 * An index by id of items that expire by event time, such as the transfers the rules may look
 * up again. Items leave in insertion order once older than `retention` behind the newest time:
 * a queue, not a scan, so expiry costs O(1) amortised per item. An item inserted out of order
 * leaves with its insertion neighbours, a little later than its own time would say.
 *
 * The queue holds each id and the item it was set with, side by side. While nothing has been
 * taken out or replaced since an id was queued (`trustedFrom`), that item is the one the map
 * holds, so expiry reads its time from the queue and deletes it without looking it up first: in
 * order, a set costs one map write and each expiry one delete (session 64; they cost a `has`
 * and a look-up or two more, every one a cold key).
 */
import { ShardedMap } from './sharded-map.js';

const CHUNK = 1 << 16;

export class ExpiringIndex<V extends { time: number }> {
  private readonly map = new ShardedMap<string, V>();
  /** Insertion order as chunks of ids (an array per chunk keeps each array small). */
  private readonly chunks: string[][] = [[]];
  /**
   * The item each queued id was set with, in the same chunks and places as `chunks`; a place the
   * head has passed is emptied, so the queue holds no item the map let go of (a chunk holds up to
   * CHUNK of them until the head leaves it).
   */
  private readonly itemChunks: (V | undefined)[][] = [[]];
  private head = 0;
  /** Ids the head has passed, all told: the queue position of the head. */
  private passed = 0;
  /** Ids queued, all told. */
  private queued = 0;
  /**
   * The queue position from which each queued item is the map's live item for its id: ids were
   * queued there after the last change that can make a queued item not the live one (a delete,
   * a replacement, the cap, an id expired at an earlier place of its own).
   */
  private trustedFrom = 0;
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
    if (removed) this.removed();
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
    if (this.map.setIsNew(id, value)) this.enqueue(id, value);
    else this.removed(); // the id's earlier item is replaced
    this.advance(value.time);
    if (this.map.size > this.maxEntries) this.dropFirstInserted();
  }

  private enqueue(id: string, value: V): void {
    let tail = this.chunks[this.chunks.length - 1]!;
    let items = this.itemChunks[this.itemChunks.length - 1]!;
    if (tail.length === CHUNK) {
      this.chunks.push((tail = []));
      this.itemChunks.push((items = []));
    }
    tail.push(id);
    items.push(value);
    this.queued++;
  }

  /** Counts an item taken out or replaced other than by expiry: no queued item is trusted since. */
  private removed(): void {
    this.removals++;
    this.trustedFrom = this.queued;
  }

  /** Takes out the first inserted live items until the cap holds (a removal, not an expiry). */
  private dropFirstInserted(): void {
    for (let id = this.firstQueued(); id !== undefined && this.map.size > this.maxEntries; id = this.firstQueued()) {
      const item = this.liveAtHead(id);
      this.passHead();
      if (item === undefined) continue;
      this.map.delete(id);
      // A removal, but of the head's own item: no other queued place holds its id (one that
      // left and was set again is not trusted already), so the queued items stay trusted.
      this.removals++;
      this.capped++;
      this.expired?.(item);
    }
  }

  private passHead(): void {
    this.itemChunks[0]![this.head] = undefined;
    this.head++;
    this.passed++;
    this.headKnownAt = -1;
  }

  /**
   * The live item of the id at the head (undefined: taken out since it was queued): the queued
   * item itself when it is trusted (`trustedFrom`) or its time known (`headTime`), else the map's.
   * An id that left and was set again is live at its first place, as it was when the queue held
   * only ids; its later place is then not trusted.
   */
  private liveAtHead(id: string): V | undefined {
    const queued = this.itemChunks[0]![this.head]!;
    if (this.passed >= this.trustedFrom || this.headKnownAt === this.removals) return queued;
    const item = this.map.get(id);
    if (item !== undefined && item !== queued) {
      this.itemChunks[0]![this.head] = item;
      this.trustedFrom = this.queued;
    }
    return item;
  }

  /** The id at the head of the insertion queue (live or taken out since), dropping spent chunks; undefined when the queue is empty. */
  private firstQueued(): string | undefined {
    for (;;) {
      const chunk = this.chunks[0]!;
      if (this.head < chunk.length) return chunk[this.head];
      this.headKnownAt = -1;
      if (this.chunks.length === 1) { chunk.length = 0; this.itemChunks[0]!.length = 0; this.head = 0; return undefined; }
      this.chunks.shift();
      this.itemChunks.shift();
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
      const item = this.liveAtHead(id);
      if (item && item.time >= horizon) {
        this.headTime = item.time;
        this.headKnownAt = this.removals;
        return;
      }
      this.passHead();
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
    this.enqueue(id, value);
    this.map.set(id, value);
    this.headKnownAt = -1;
  }

  restoreNewest(newest: number): void {
    this.newest = newest;
  }
}
