/**
 * The ids seen within a window of event time, kept as 64-bit fingerprints in a ring of time
 * buckets: the eventId dedupe, the emitted-alert guard and the rules' novelty memory. Each
 * bucket spans window / BUCKETS of event time; when the newest time moves past a bucket's reach
 * the whole bucket is dropped, so expiry costs O(1) amortised per id and nothing is scanned.
 *
 * Two bounds hold at once: the time window, and `maxIds`. At 1,000 messages a second a 400-day
 * window would hold 34 billion ids, which no process can, so when the count passes `maxIds`
 * the oldest bucket goes early and `effectiveWindow` says how far back the memory reaches now.
 * An id older than the memory is treated as new: a redelivery that late is processed again.
 */
import { fingerprintInto, type Fingerprint } from './fingerprint.js';
import { FingerprintTable } from './fingerprint-table.js';

const BUCKETS = 10;

export interface IdWindowOptions {
  /** Most ids held at once (about 11–23 bytes each). @defaultValue 32 M */
  maxIds?: number;
}

export class IdWindow {
  private readonly span: number;
  /** Buckets by epoch (floor(time / span)), oldest first. At most BUCKETS + 1 live. */
  private readonly buckets: { epoch: number; table: FingerprintTable }[] = [];
  private readonly maxIds: number;
  private readonly scratch: Fingerprint = { hi: 0, lo: 0 };
  private held = 0;
  /** Ids dropped early because of `maxIds` (their bucket went before the window passed). */
  droppedEarly = 0;

  constructor(readonly window: number, options: IdWindowOptions = {}) {
    this.span = Math.max(1, Math.ceil(window / BUCKETS));
    this.maxIds = options.maxIds ?? 32_000_000;
  }

  has(id: string): boolean {
    const fp = fingerprintInto(id, this.scratch);
    // Newest first: a redelivery is most often recent.
    for (let i = this.buckets.length - 1; i >= 0; i--) if (this.buckets[i]!.table.has(fp)) return true;
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
    for (let i = this.buckets.length - 1; i >= 0; i--) {
      const b = this.buckets[i]!;
      if (!b.table.has(fp)) continue;
      seen = true;
      if (b.epoch === epoch) inTarget = true;
      break;
    }
    if (!inTarget) {
      const hi = fp.hi;
      const lo = fp.lo;
      const bucket = this.bucketFor(epoch);
      if (bucket && bucket.table.add({ hi, lo })) {
        this.held++;
        this.enforceBound();
      }
    }
    return seen;
  }

  /** Remembers `id` as seen at event time `time`. Ids older than the window are not kept. */
  add(id: string, time: number): void {
    const epoch = Math.floor(time / this.span);
    const bucket = this.bucketFor(epoch);
    if (!bucket) return;
    if (bucket.table.add(fingerprintInto(id, this.scratch))) {
      this.held++;
      this.enforceBound();
    }
  }

  private enforceBound(): void {
    while (this.held > this.maxIds) {
      // The oldest bucket goes first; a single bucket past the bound starts over (a hard cap).
      const dropped = this.buckets.length > 1 ? this.buckets.shift()! : this.restart(this.buckets[0]!);
      this.held -= dropped.table.size;
      this.droppedEarly += dropped.table.size;
    }
  }

  get size(): number {
    return this.held;
  }

  get bytes(): number {
    return this.buckets.reduce((s, b) => s + b.table.bytes, 0);
  }

  /** How far back (ms of event time) the memory reaches now: the window, unless `maxIds` cut it. */
  get effectiveWindow(): number {
    const newest = this.buckets[this.buckets.length - 1];
    const oldest = this.buckets[0];
    if (!newest || !oldest || this.droppedEarly === 0) return this.window;
    return Math.min(this.window, (newest.epoch - oldest.epoch + 1) * this.span);
  }

  private bucketFor(epoch: number): { epoch: number; table: FingerprintTable } | undefined {
    const newest = this.buckets[this.buckets.length - 1];
    if (!newest || epoch > newest.epoch) {
      const bucket = { epoch, table: new FingerprintTable() };
      this.buckets.push(bucket);
      this.expire(epoch);
      return bucket;
    }
    if (epoch <= newest.epoch - BUCKETS) return undefined; // older than the window
    for (let i = this.buckets.length - 1; i >= 0; i--) {
      const b = this.buckets[i]!;
      if (b.epoch === epoch) return b;
      if (b.epoch < epoch) {
        const bucket = { epoch, table: new FingerprintTable() };
        this.buckets.splice(i + 1, 0, bucket);
        return bucket;
      }
    }
    // Older than every live bucket but still inside the window (after an early drop or a start).
    const bucket = { epoch, table: new FingerprintTable() };
    this.buckets.unshift(bucket);
    return bucket;
  }

  private restart(bucket: { epoch: number; table: FingerprintTable }): { epoch: number; table: FingerprintTable } {
    const old = { epoch: bucket.epoch, table: bucket.table };
    bucket.table = new FingerprintTable();
    return old;
  }

  private expire(newestEpoch: number): void {
    while (this.buckets.length > 0 && this.buckets[0]!.epoch <= newestEpoch - BUCKETS) {
      this.held -= this.buckets.shift()!.table.size;
    }
  }
  /** The buckets (oldest first) and the held count, for a checkpoint. */
  checkpointParts(): { buckets: readonly { epoch: number; table: FingerprintTable }[]; held: number } {
    return { buckets: this.buckets, held: this.held };
  }

  /** Replaces the whole memory with a checkpoint's buckets. */
  restoreParts(buckets: { epoch: number; table: FingerprintTable }[], held: number, droppedEarly: number): void {
    this.buckets.splice(0, this.buckets.length, ...buckets);
    this.held = held;
    this.droppedEarly = droppedEarly;
  }
}
