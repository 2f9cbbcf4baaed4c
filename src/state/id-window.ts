/**
 * The ids seen within a window of event time, kept as 64-bit fingerprints in a ring of time
 * buckets: the eventId dedupe, the emitted-alert guard and the rules' novelty memory. Each
 * bucket spans window / BUCKETS of event time; when the newest time moves past a bucket's reach
 * the whole bucket is dropped, so expiry costs O(1) amortised per id and nothing is scanned.
 *
 * Two bounds hold at once: the time window, and `maxIds`. At 1,000 messages a second a 400-day
 * window would hold 34 billion ids, which no process can, so when the count passes `maxIds`
 * the oldest bucket goes early and `effectiveWindow` says how far back the memory reaches now.
 * A bucket holds at most an eighth of `maxIds`; past it another of the same epoch opens, so the
 * bound drops the oldest eighth, never the newest ids.
 * An id older than the memory is treated as new: a redelivery that late is processed again.
 */
import { fingerprintInto, type Fingerprint } from './fingerprint.js';
import { FingerprintFilter } from './fingerprint-filter.js';
import { FingerprintTable } from './fingerprint-table.js';
import { SealedFingerprints } from './sealed-fingerprints.js';

const BUCKETS = 10;
/** A bucket sealed with fewer ids stays a table: its sorted copy would save little. */
const SEAL_AT_LEAST = 1024;

/**
 * One time bucket: the ids of its epoch. While the epoch is the newest, ids go into a growable
 * table; once a newer epoch opens, the table is sealed into a sorted set (about 9 bytes an id
 * instead of 11–23) and the few ids that still arrive for this epoch, out of order, go into a
 * fresh small table beside it.
 */
export class IdBucket {
  sealed: SealedFingerprints | undefined;

  constructor(readonly epoch: number, public table: FingerprintTable = new FingerprintTable(), sealed?: SealedFingerprints) {
    this.sealed = sealed;
  }

  get size(): number {
    return this.table.size + (this.sealed?.size ?? 0);
  }

  get bytes(): number {
    return this.table.bytes + (this.sealed?.bytes ?? 0);
  }

  has(fp: Fingerprint): boolean {
    return this.table.has(fp) || (this.sealed !== undefined && this.sealed.has(fp));
  }

  /** Adds the fingerprint; false when it was already there. */
  add(fp: Fingerprint): boolean {
    if (this.sealed?.has(fp)) return false;
    return this.table.add(fp);
  }

  /** Adds every fingerprint the bucket holds (its table's and its sealed set's) to `filter`. */
  addAllTo(filter: FingerprintFilter, scratch: Fingerprint): void {
    const slots = this.table.rawSlots;
    for (let i = 0; i < slots.length; i += 2) {
      scratch.lo = slots[i + 1]!;
      if (scratch.lo === 0) continue;
      scratch.hi = slots[i]!;
      filter.add(scratch);
    }
    const pairs = this.sealed?.pairs;
    if (!pairs) return;
    for (let i = 0; i < pairs.length; i += 2) {
      scratch.lo = pairs[i]!;
      scratch.hi = pairs[i + 1]!;
      filter.add(scratch);
    }
  }

  /** Moves the table's ids into the sorted set (once the epoch has passed). */
  seal(): void {
    if (this.sealed || this.table.size < SEAL_AT_LEAST) return;
    this.sealed = SealedFingerprints.fromTable(this.table);
    this.table = new FingerprintTable();
  }
}

export interface IdWindowOptions {
  /** Most ids held at once (about 11–23 bytes each). @defaultValue 32 M */
  maxIds?: number;
}

export class IdWindow {
  private readonly span: number;
  /** Buckets by epoch (floor(time / span)), oldest first: at most BUCKETS + 1 epochs live, an epoch in several buckets when the bound fills it. */
  private readonly buckets: IdBucket[] = [];
  private readonly maxIds: number;
  private readonly scratch: Fingerprint = { hi: 0, lo: 0 };
  private held = 0;
  /**
   * Every held id, and some that left: a look-up it rules out probes no bucket. Undefined when it
   * must be rebuilt (after a restore, or once more ids have left it than remain).
   */
  private filter: FingerprintFilter | undefined;
  /** Ids in the filter whose bucket has gone since it was built. */
  private leftFilter = 0;
  /** Ids dropped early because of `maxIds` (their bucket went before the window passed). */
  droppedEarly = 0;

  constructor(readonly window: number, options: IdWindowOptions = {}) {
    this.span = Math.max(1, Math.ceil(window / BUCKETS));
    this.maxIds = options.maxIds ?? 32_000_000;
    this.chunk = Math.max(1, Math.floor(this.maxIds / 8));
  }

  /** Ids one bucket holds at most before another of its epoch opens: an eighth of the bound. */
  private readonly chunk: number;

  has(id: string): boolean {
    return this.holds(fingerprintInto(id, this.scratch));
  }

  private holds(fp: Fingerprint): boolean {
    if (!this.currentFilter().mayContain(fp)) return false;
    // Newest first: a redelivery is most often recent.
    for (let i = this.buckets.length - 1; i >= 0; i--) if (this.buckets[i]!.has(fp)) return true;
    return false;
  }

  /**
   * `has(id)`, and when it is false `add(id, time)`: the same answer and the same memory as the
   * two calls, with one fingerprint and one filter probe instead of two of each (the dedupe asks
   * this of every message). Returns whether `id` was held before.
   */
  addIfNew(id: string, time: number): boolean {
    const fp = fingerprintInto(id, this.scratch);
    if (this.holds(fp)) return true;
    const bucket = this.bucketFor(Math.floor(time / this.span));
    if (bucket && bucket.add(fp)) this.added(fp);
    return false;
  }

  /**
   * Remembers `id` as seen at `time` and says whether it had been seen before: one fingerprint
   * for both, and no second copy when the id is already in the bucket of `time`.
   */
  remember(id: string, time: number): boolean {
    const fp = fingerprintInto(id, this.scratch);
    const epoch = Math.floor(time / this.span);
    let seen = false;
    let inTarget = false;
    const maybe = this.currentFilter().mayContain(fp);
    for (let i = this.buckets.length - 1; maybe && i >= 0; i--) {
      const b = this.buckets[i]!;
      if (!b.has(fp)) continue;
      seen = true;
      if (b.epoch === epoch) inTarget = true;
      break;
    }
    if (!inTarget) {
      const hi = fp.hi;
      const lo = fp.lo;
      const bucket = this.bucketFor(epoch);
      if (bucket && bucket.add({ hi, lo })) this.added({ hi, lo });
    }
    return seen;
  }

  /** Remembers `id` as seen at event time `time`. Ids older than the window are not kept. */
  add(id: string, time: number): void {
    const epoch = Math.floor(time / this.span);
    const bucket = this.bucketFor(epoch);
    if (!bucket) return;
    const fp = fingerprintInto(id, this.scratch);
    if (bucket.add(fp)) this.added(fp);
  }

  private added(fp: Fingerprint): void {
    this.held++;
    const filter = this.filter;
    if (filter) {
      if (this.held + this.leftFilter > filter.capacity) this.filter = undefined; // rebuilt larger on the next look-up
      else filter.add(fp);
    }
    this.enforceBound();
  }

  /** The filter, rebuilt from the buckets when it is missing or more of its ids have left than remain. */
  private currentFilter(): FingerprintFilter {
    if (this.filter && this.leftFilter <= this.held) return this.filter;
    const filter = new FingerprintFilter(Math.max(1 << 16, 2 * this.held));
    const scratch: Fingerprint = { hi: 0, lo: 0 };
    for (const b of this.buckets) b.addAllTo(filter, scratch);
    this.leftFilter = 0;
    return (this.filter = filter);
  }

  /** A bucket's ids left the window: the filter keeps them (a "maybe" that the buckets then deny) until it is rebuilt. */
  private left(count: number): void {
    this.held -= count;
    this.leftFilter += count;
  }

  private enforceBound(): void {
    while (this.held > this.maxIds) {
      // The oldest bucket goes first; a single bucket past the bound starts over (a hard cap).
      const dropped = this.buckets.length > 1 ? this.buckets.shift()! : this.restart(this.buckets[0]!);
      this.left(dropped.size);
      this.droppedEarly += dropped.size;
    }
  }

  get size(): number {
    return this.held;
  }

  get bytes(): number {
    return this.buckets.reduce((s, b) => s + b.bytes, 0) + (this.filter?.bytes ?? 0);
  }

  /** How far back (ms of event time) the memory reaches now: the window, unless `maxIds` cut it. */
  get effectiveWindow(): number {
    const newest = this.buckets[this.buckets.length - 1];
    const oldest = this.buckets[0];
    if (!newest || !oldest || this.droppedEarly === 0) return this.window;
    return Math.min(this.window, (newest.epoch - oldest.epoch + 1) * this.span);
  }

  private bucketFor(epoch: number): IdBucket | undefined {
    const newest = this.buckets[this.buckets.length - 1];
    if (!newest || epoch > newest.epoch) {
      newest?.seal();
      const bucket = new IdBucket(epoch);
      this.buckets.push(bucket);
      this.expire(epoch);
      return bucket;
    }
    if (epoch <= newest.epoch - BUCKETS) return undefined; // older than the window
    // The newest epoch's bucket full for the bound: another bucket of the same epoch opens, so
    // that the bound drops an eighth of the ids, the oldest, not the whole epoch (bounds QA: at
    // 1,000 messages a second 32 M ids fill one 40-day bucket in 9 hours, and the bound then
    // forgot every id, the newest included).
    if (epoch === newest.epoch && newest.size >= this.chunk) {
      newest.seal();
      const bucket = new IdBucket(epoch);
      this.buckets.push(bucket);
      return bucket;
    }
    for (let i = this.buckets.length - 1; i >= 0; i--) {
      const b = this.buckets[i]!;
      if (b.epoch === epoch) return b;
      if (b.epoch < epoch) {
        const bucket = new IdBucket(epoch);
        this.buckets.splice(i + 1, 0, bucket);
        return bucket;
      }
    }
    // Older than every live bucket but still inside the window (after an early drop or a start).
    const bucket = new IdBucket(epoch);
    this.buckets.unshift(bucket);
    return bucket;
  }

  private restart(bucket: IdBucket): IdBucket {
    const old = new IdBucket(bucket.epoch, bucket.table, bucket.sealed);
    bucket.table = new FingerprintTable();
    bucket.sealed = undefined;
    return old;
  }

  private expire(newestEpoch: number): void {
    while (this.buckets.length > 0 && this.buckets[0]!.epoch <= newestEpoch - BUCKETS) {
      this.left(this.buckets.shift()!.size);
    }
  }
  /** The buckets (oldest first) and the held count, for a checkpoint. */
  checkpointParts(): { buckets: readonly IdBucket[]; held: number } {
    return { buckets: this.buckets, held: this.held };
  }

  /** Replaces the whole memory with a checkpoint's buckets. */
  restoreParts(buckets: IdBucket[], held: number, droppedEarly: number): void {
    this.buckets.splice(0, this.buckets.length, ...buckets);
    this.held = held;
    this.droppedEarly = droppedEarly;
    this.filter = undefined;
  }
}
