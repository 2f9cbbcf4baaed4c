/**
 * The monitor's lateness stage (MONITOR_LATENESS_MS): messages the reorder buffer has released,
 * each partition as a prefix in offset order, wait here, sorted by event time, until the merged
 * stream has read `latenessMs` of event time past them (lateness-buffer.ts, as `replay` does), so
 * a partition whose own messages are out of event time within the bound is applied in event
 * order. What is released is a function of the messages put here and their order alone (each
 * `add` followed by its own `release`, lateness-step.ts), never of the wall clock, so every
 * instance releases the same messages at the same input positions (session 60). The one
 * exception is the quiet drain: everything waiting goes at once when the input is quiet (nothing
 * fetched for the hold: a finished stream drains). Checkpoints of either kind wait until nothing
 * is held (checkpointing.ts): a checkpoint never holds a message of this stage, and the stage is
 * then fresh, as a restored instance's is.
 *
 * Cut points (`cutEveryMs`, session 60): so that a stream never quiet is checkpointed too, the
 * stage also drains where its input alone says. Event time is divided into a fixed grid of cells
 * `cutEveryMs` long (from the Unix epoch); the message after which the stage's clock (the newest
 * time read, lateness-buffer.ts) is in a later cell than the stage's own is followed by a drain of
 * everything held, itself included, in event order (`cutDue`, then `releaseAll`). A drain of
 * either kind leaves the stage fresh, as a restored instance's is, so the cells count again from
 * the next message: its clock plus the lateness gives the stage's cell (a straggler dated just
 * before the boundary just crossed, read first after the drain, does not make the next message
 * cut again). Messages read after a cut and dated before what it released are late, as any
 * message read more than the lateness late.
 *
 * Exactly-once stays the slot cursors' rule ("an output is published iff the message whose
 * application produced it lies beyond the cursor", ownership.ts): a message waiting here is not
 * applied, so the applied cut of its partition stays at it (`lowWater`) while later messages of
 * that partition may already be applied. Their outputs wait in their slot until the cut passes
 * them (commit.ts, publishable), and a restart re-reads from the cursor: what was applied past
 * it is applied again, and published then.
 *
 * Pure: no Kafka and no clock of its own (callers pass `now`), so it is unit-tested directly.
 */
import { LatenessBuffer } from '../sources/lateness-buffer.js';
import type { Cut } from './ownership.js';

/** What the stage needs of a message: where it comes from, its event time and when it was fetched. */
export interface StagedMessage {
  pk: string;
  offset: bigint;
  /** Event time (ms): a reject carries the one before it in its partition (ordering.ts). */
  time: number;
  /** Wall-clock time it was fetched (ms). */
  fetchedAt: number;
}

/**
 * A partition's offsets waiting here, in offset order, and those released out of turn. They come
 * as a prefix of the partition, but a step's instant is in the instant order (instant-order.ts),
 * not in offset order, so an offset may come after a later one of its partition.
 */
interface Waiting {
  offsets: bigint[];
  head: number;
  released: Set<bigint>;
}

export interface LatenessStageOptions {
  latenessMs: number;
  /** A message dated further past the newest time read does not move the stage's clock (lateness-buffer.ts); 0: no bound. */
  leapMs?: number;
  /** Messages held at most (lateness-buffer.ts DEFAULT_MAX_BUFFERED when absent). */
  maxBuffered?: number;
  /** The event-time grid of cut points (ms; see the module comment); 0 or absent: the stage drains only when the input is quiet. */
  cutEveryMs?: number;
}

export class LatenessStage<T extends StagedMessage> {
  private buffer: LatenessBuffer<T>;
  private readonly waiting = new Map<string, Waiting>();
  /** When the reader last fetched a message (ms): one put here, or one the reader told of (`fetched`). */
  private newestFetch = Number.NEGATIVE_INFINITY;
  /** The grid cell the stage is in (undefined: fresh, set by the next message read). */
  private cell: number | undefined;
  /** The clock has reached a later cell: everything held is due (`releaseAll`). */
  private cutReached = false;

  constructor(private readonly options: LatenessStageOptions) {
    this.buffer = this.freshBuffer();
  }

  private freshBuffer(): LatenessBuffer<T> {
    const { latenessMs, leapMs, maxBuffered } = this.options;
    // A message dated more than the lateness past the newest time read waits for the stream to
    // follow it, or goes where it was read (lateness-buffer.ts, aheadMs): a rule of the input alone.
    return new LatenessBuffer<T>({ latenessMs, aheadMs: latenessMs, ...(leapMs ? { leapMs } : {}), ...(maxBuffered ? { maxBuffered } : {}) });
  }

  /** Messages waiting. */
  get size(): number {
    return this.buffer.size;
  }

  /** Puts a released message here; call `release` for what is due then. */
  add(m: T): void {
    this.buffer.add(m, m.time, m.pk);
    let w = this.waiting.get(m.pk);
    if (!w) this.waiting.set(m.pk, (w = { offsets: [], head: 0, released: new Set() }));
    insertSorted(w, m.offset);
    if (m.fetchedAt > this.newestFetch) this.newestFetch = m.fetchedAt;
    this.passCell();
  }

  /** Whether the last message put here reached a later cell of the grid: call `releaseAll` now (an input-defined cut point). */
  get cutDue(): boolean {
    return this.cutReached;
  }

  /** Notes the cell the clock is in after a message: the first after a fresh start sets the stage's, a later cell makes a cut due. */
  private passCell(): void {
    const every = this.options.cutEveryMs ?? 0;
    const clock = this.buffer.newestTime;
    if (every <= 0 || clock === Number.NEGATIVE_INFINITY) return;
    if (this.cell === undefined) this.cell = Math.floor((clock + this.options.latenessMs) / every);
    else if (Math.floor(clock / every) > this.cell) this.cutReached = true;
  }

  /** The messages due now, in event order (ties in the order they came). */
  release(): T[] {
    const out: T[] = [];
    for (let m = this.buffer.next(); m !== undefined; m = this.buffer.next()) {
      this.forget(m);
      out.push(m);
    }
    return out;
  }

  /** Everything waiting, in event order, and a fresh start (a quiet input, a cut point). */
  releaseAll(): T[] {
    this.buffer.cut();
    this.cell = undefined;
    this.cutReached = false;
    return this.release();
  }

  /** The reader fetched messages at `at` (ms), wherever they wait: the input is not quiet. */
  fetched(at: number): void {
    if (at > this.newestFetch) this.newestFetch = at;
  }

  /**
   * Whether nothing has been fetched for `quietMs` while messages wait here: they are then all due
   * (the caller also waits until nothing fetched waits before the stage: it may be dated earlier).
   */
  quiet(now: number, quietMs: number): boolean {
    return this.size > 0 && now - this.newestFetch >= quietMs;
  }

  /** The first offset of the partition still waiting here, or undefined. */
  lowWater(pk: string): bigint | undefined {
    const w = this.waiting.get(pk);
    return w && w.head < w.offsets.length ? w.offsets[w.head] : undefined;
  }

  /** `cut` with each partition held back to its first offset waiting here: the applied prefix. */
  appliedCut(cut: Cut): Cut {
    if (this.size === 0) return cut;
    const out: Cut = new Map(cut);
    for (const pk of this.waiting.keys()) {
      const low = this.lowWater(pk);
      if (low !== undefined && low < (out.get(pk) ?? 0n)) out.set(pk, low);
    }
    return out;
  }

  /** Forgets everything waiting (a re-read from a checkpoint or the first offsets). */
  clear(): void {
    this.buffer = this.freshBuffer();
    this.waiting.clear();
    this.newestFetch = Number.NEGATIVE_INFINITY;
    this.cell = undefined;
    this.cutReached = false;
  }

  private forget(m: T): void {
    const w = this.waiting.get(m.pk)!;
    if (w.offsets[w.head] === m.offset) w.head++;
    else w.released.add(m.offset);
    while (w.head < w.offsets.length && w.released.delete(w.offsets[w.head]!)) w.head++;
    if (w.head === w.offsets.length) this.waiting.delete(m.pk);
    else if (w.head >= 1024 && w.head * 2 >= w.offsets.length) {
      w.offsets = w.offsets.slice(w.head);
      w.head = 0;
    }
  }
}

/** Puts `offset` among the partition's waiting offsets in order: at the end, or a few places back (an instant's order). */
function insertSorted(w: Waiting, offset: bigint): void {
  const o = w.offsets;
  let at = o.length;
  while (at > w.head && o[at - 1]! > offset) at--;
  if (at === o.length) o.push(offset);
  else o.splice(at, 0, offset);
}
