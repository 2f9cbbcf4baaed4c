/**
 * Bounded out-of-orderness for a replay: messages wait, sorted by event time, until the stream
 * has read `latenessMs` of event time past them (the newest event time read, less the lateness,
 * is the watermark of Flink's bounded-out-of-orderness, or Kafka Streams' grace). Any arrival
 * order whose messages come at most `latenessMs` after a later-dated message read before them
 * is released in event order; a message later than that is released at once, where it arrives,
 * as it was before (the late path: judged again behind its past, held-rejudgements.ts).
 *
 * - Ties keep their arrival order: the replay's instant order (instant-order.ts) orders them,
 *   as it does for messages read in order. Input already in event order comes out in its own
 *   order, so its outputs are unchanged.
 * - A message without an event time (a reject) goes at the newest time read before it (before
 *   any: with the first message that has one), where it falls in a file read in order.
 * - A message dated more than `leapMs` after the newest time read (a producer's clock error)
 *   does not move that time: it goes at that time, as a reject does, where it falls in a file
 *   read in order (the pipeline then refuses it: EVENT_TIME_MAX_LEAP_DAYS). What is held stays
 *   held (session 58 review: releasing it made the messages read within the lateness around one
 *   bad line late). LEAP_SUPPORT of them in a row move it (the stream goes on after a long gap),
 *   as the pipeline's clock does.
 * - Bounded: past `maxBuffered` messages the earliest is released at once.
 *
 * Only the items and their times are held, in two arrays consumed from the front.
 */

/** Messages held at most; past it the earliest is released at once. */
export const DEFAULT_MAX_BUFFERED = 65_536;

/** Messages in a row dated past the leap bound after which the newest time read follows them. */
export const LEAP_SUPPORT = 8;

/** Consumed entries at the front kept before the arrays are compacted (and at least twice what is held: insertFirst reuses them). */
const COMPACT_AFTER = 4096;

/** The smallest gap insertFirst opens before the entries held. */
const FIRST_GAP = 64;

export interface LatenessOptions {
  latenessMs: number;
  /** @defaultValue DEFAULT_MAX_BUFFERED */
  maxBuffered?: number;
  /** A message dated further after the newest time read is not held (see the module comment); 0 or undefined: no bound. */
  leapMs?: number;
}

export class LatenessBuffer<T> {
  private items: T[] = [];
  private times: number[] = [];
  /** Index of the first entry still held. */
  private head = 0;
  /** Entries from `head` released whatever their time (a cut). */
  private due = 0;
  /** The newest event time read (leaps aside). */
  private clock = Number.NEGATIVE_INFINITY;
  private leapsInRow = 0;
  private readonly latenessMs: number;
  private readonly maxBuffered: number;
  private readonly leapMs: number;

  constructor(options: LatenessOptions) {
    this.latenessMs = options.latenessMs;
    this.maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    this.leapMs = options.leapMs !== undefined && options.leapMs > 0 ? options.leapMs : Number.POSITIVE_INFINITY;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Holds a message dated `time` (undefined: none of its own); take what is now due with `next`. */
  add(item: T, time: number | undefined): void {
    if (time === undefined) {
      this.insert(item, this.clock);
      return;
    }
    if (this.clock !== Number.NEGATIVE_INFINITY && time - this.clock > this.leapMs) {
      if (++this.leapsInRow < LEAP_SUPPORT) {
        this.insert(item, this.clock);
        return;
      }
      this.insert(item, time);
      this.moveClock(time);
      return;
    }
    this.leapsInRow = 0;
    this.insert(item, time);
    if (time > this.clock) this.moveClock(time);
  }

  /** The next message due (the stream has read the lateness past it, the bound pushed it out, or a cut), or undefined. */
  next(): T | undefined {
    if (this.head === this.items.length) return undefined;
    if (this.due > 0) this.due--;
    else if (!(this.clock - this.times[this.head]! > this.latenessMs) && this.size <= this.maxBuffered) return undefined;
    return this.take();
  }

  /** Releases everything held (the end of the input, a checkpoint's cut) and starts afresh: `next` returns it all, earliest first. */
  cut(): void {
    this.due = this.size;
    this.clock = Number.NEGATIVE_INFINITY;
    this.leapsInRow = 0;
  }

  private moveClock(time: number): void {
    this.clock = time;
  }

  /** Inserts after every entry dated at or before `time` (a message read in order: one comparison). */
  private insert(item: T, time: number): void {
    const times = this.times;
    let at = times.length;
    if (at > this.head && times[at - 1]! > time) {
      let lo = this.head + this.due;
      let hi = at;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (times[mid]! <= time) lo = mid + 1;
        else hi = mid;
      }
      at = lo;
    }
    if (at === times.length) {
      times.push(time);
      this.items.push(item);
    } else if (at === this.head) {
      this.insertFirst(item, time);
    } else {
      times.splice(at, 0, time);
      this.items.splice(at, 0, item);
    }
  }

  /**
   * Puts an entry earlier than every one held in the free slot before `head`, first opening a gap
   * as large as what is held when there is none: a stream read backwards costs O(1) an insert,
   * where a splice at the front moved everything held (a full buffer: about 100 µs a message).
   */
  private insertFirst(item: T, time: number): void {
    if (this.head === 0) {
      const gap = Math.max(FIRST_GAP, this.size);
      this.times = new Array<number>(gap).fill(0).concat(this.times);
      this.items = (new Array<T | undefined>(gap).fill(undefined) as T[]).concat(this.items);
      this.head = gap;
    }
    this.head--;
    this.times[this.head] = time;
    this.items[this.head] = item;
  }

  private take(): T {
    const item = this.items[this.head]!;
    (this.items as (T | undefined)[])[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.times.length = 0;
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER && this.head >= 2 * this.size) {
      this.items = this.items.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
