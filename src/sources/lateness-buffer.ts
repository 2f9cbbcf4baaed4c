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
 * - With `aheadMs` (the monitor's stage: the lateness itself), a message dated more than that past
 *   the newest time read is not placed yet and does not move that time. Once a message read
 *   after it is dated within `aheadMs` before it or later (the stream has followed it: a gap in
 *   event time, a sparse stream), it is held at its own time, as a message read in order is, and
 *   moves the time. If AHEAD_WINDOW messages within the bound come first, the stream does not
 *   follow it (a producer's clock error): it goes at the newest time read then, as a reject
 *   does, and is released once the stream has read the lateness past that. Both depend on the
 *   messages read and their order alone, so a lone message dated a day ahead neither moves the
 *   time a day (nothing would be reordered for a day) nor waits a day of event time (its
 *   partition's applied cut with it: session 59 review).
 *   Following takes a quorum once the stream has shown it did not move on: a message past the
 *   bound follows the ones waiting on its own only if nothing within the bound was read since
 *   the first of them (a gap: the stream went straight on); after such a message it takes
 *   AHEAD_SUPPORT followers in a row. So a skewed producer's second day-ahead message, read among
 *   ordinary traffic, no longer moves the time a day (session 61). At most MAX_AHEAD wait past
 *   the bound; more go at the newest time read.
 *   With sources (the monitor's stage: a message's partition, its producer's stand-in), a quorum
 *   of two producers: once messages of two sources have been read (since the start or the last
 *   cut), a follower admits the messages waiting past the bound only if one of those it follows
 *   is another source's. A producer whose clock runs ahead cannot then move the time on its own
 *   word, however many of its messages come back to back (session 61 left two in a row moving it
 *   a day): its messages go at the newest time read after AHEAD_WINDOW messages within the bound,
 *   as a lone one does. A source that alone goes on past the bound (the only producer still
 *   sending after a gap) is followed after LONE_SUPPORT of its messages in a row. Messages
 *   without a source (a replay, one source) keep the rules above.
 *
 * Only the items and their times are held, in two arrays consumed from the front.
 */

/** Messages held at most; past it the earliest is released at once. */
export const DEFAULT_MAX_BUFFERED = 65_536;

/** Messages in a row dated past the leap bound after which the newest time read follows them. */
export const LEAP_SUPPORT = 8;

/** Messages read within the bound after a message dated past `aheadMs`, after which it is placed at the newest time read. */
export const AHEAD_WINDOW = 8;

/** Followers in a row that admit the messages waiting past the bound once a message within it was read since the first of them. */
export const AHEAD_SUPPORT = 8;

/** Messages waiting past the bound at most; past it they go at the newest time read, as after AHEAD_WINDOW. */
export const MAX_AHEAD = AHEAD_WINDOW * AHEAD_SUPPORT;

/** Followers in a row, of one source alone among several, that admit the messages waiting past the bound (under MAX_AHEAD: they are admitted before they would go at the newest time read). */
export const LONE_SUPPORT = 4 * AHEAD_SUPPORT;

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
  /** A message dated further after the newest time read waits for the stream to follow it (see the module comment); 0 or undefined: no bound. */
  aheadMs?: number;
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
  /** Messages dated past `aheadMs` after the newest time read, in the order read, not yet placed. */
  private ahead: { item: T; time: number; source: string | undefined }[] = [];
  /** The first source read (since the start or the last cut). */
  private firstSource: string | undefined;
  /** Messages of two sources have been read (since the start or the last cut): following past the bound takes two. */
  private manySources = false;
  /** Messages read within the bound since the first of `ahead`. */
  private sinceAhead = 0;
  /** Messages past the bound read in a row, each following one of `ahead` (weighFollower). */
  private followersInRow = 0;
  private readonly aheadMs: number;
  private readonly latenessMs: number;
  private readonly maxBuffered: number;
  private readonly leapMs: number;

  constructor(options: LatenessOptions) {
    this.latenessMs = options.latenessMs;
    this.maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    this.leapMs = options.leapMs !== undefined && options.leapMs > 0 ? options.leapMs : Number.POSITIVE_INFINITY;
    this.aheadMs = options.aheadMs !== undefined && options.aheadMs > 0 ? options.aheadMs : Number.POSITIVE_INFINITY;
  }

  get size(): number {
    return this.items.length - this.head + this.ahead.length;
  }

  /** The newest event time read (leaps and messages waiting past `aheadMs` aside); -Infinity before the first and after a cut. */
  get newestTime(): number {
    return this.clock;
  }

  /**
   * Holds a message dated `time` (undefined: none of its own); take what is now due with `next`.
   * `source`: where it comes from (the monitor's partition), for the quorum past `aheadMs`.
   */
  add(item: T, time: number | undefined, source?: string): void {
    this.noteSource(source);
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
    if (this.ahead.length > 0 && this.isAhead(time)) this.weighFollower(time, source);
    if (this.isAhead(time)) {
      this.ahead.push({ item, time, source });
      if (this.ahead.length > MAX_AHEAD) this.placeAheadAtClock();
      return;
    }
    if (this.ahead.length > 0) {
      this.admitFollowed(time);
      this.followersInRow = 0;
    }
    this.insert(item, time);
    if (time > this.clock) this.moveClock(time);
    if (this.ahead.length > 0 && ++this.sinceAhead >= AHEAD_WINDOW) this.placeAheadAtClock();
  }

  private noteSource(source: string | undefined): void {
    if (source === undefined || this.manySources) return;
    if (this.firstSource === undefined) this.firstSource = source;
    else if (source !== this.firstSource) this.manySources = true;
  }

  /** Whether a message dated `time` is past `aheadMs` after the newest time read. */
  private isAhead(time: number): boolean {
    return this.clock !== Number.NEGATIVE_INFINITY && time - this.clock > this.aheadMs;
  }

  /**
   * A message itself past the bound, read while others wait past it: it admits those it follows
   * when the stream went straight on to it (nothing within the bound read since the first of them:
   * a gap in event time), or as the AHEAD_SUPPORT-th follower in a row (the stream went on after a
   * straggler). After a message within the bound (a skewed producer among ordinary traffic) one
   * follower is not enough: two day-ahead messages no longer move the time a day. Among several
   * sources a follower counts only if it follows another source's message (the quorum of two);
   * one source alone takes LONE_SUPPORT in a row.
   */
  private weighFollower(time: number, source: string | undefined): void {
    if (!this.ahead.some((a) => a.time - time <= this.aheadMs)) {
      this.followersInRow = 0;
      return;
    }
    this.followersInRow++;
    const corroborated = !this.manySources || this.ahead.some((a) => a.time - time <= this.aheadMs && a.source !== source);
    const admitted = corroborated ? this.sinceAhead === 0 || this.followersInRow >= AHEAD_SUPPORT : this.followersInRow >= LONE_SUPPORT;
    if (admitted) this.admitFollowed(time);
  }

  /** The messages waiting past the bound that a message dated `time` follows (dated within `aheadMs` before it or earlier) are held at their own times, and move the time. */
  private admitFollowed(time: number): void {
    const still: { item: T; time: number; source: string | undefined }[] = [];
    let newest = Number.NEGATIVE_INFINITY;
    for (const a of this.ahead) {
      if (a.time - time > this.aheadMs) still.push(a);
      else {
        this.insert(a.item, a.time);
        if (a.time > newest) newest = a.time;
      }
    }
    if (still.length === this.ahead.length) return;
    this.ahead = still;
    if (still.length === 0) {
      this.sinceAhead = 0;
      this.followersInRow = 0;
    }
    if (newest > this.clock) this.moveClock(newest);
  }

  /** The next message due (the stream has read the lateness past it, the bound pushed it out, or a cut), or undefined. */
  next(): T | undefined {
    if (this.head === this.items.length) return undefined;
    if (this.due > 0) this.due--;
    else if (!(this.clock - this.times[this.head]! > this.latenessMs) && this.size <= this.maxBuffered) return undefined;
    return this.take();
  }

  /** The messages dated past the bound that the stream did not follow go at the newest time read, as rejects do. */
  private placeAheadAtClock(): void {
    const waiting = this.ahead;
    this.ahead = [];
    this.sinceAhead = 0;
    this.followersInRow = 0;
    for (const a of waiting) this.insert(a.item, this.clock);
  }

  /** Releases everything held (the end of the input, a checkpoint's cut) and starts afresh: `next` returns it all, earliest first. */
  cut(): void {
    const waiting = this.ahead;
    this.ahead = [];
    this.sinceAhead = 0;
    this.followersInRow = 0;
    for (const a of waiting) this.insert(a.item, a.time);
    this.due = this.size;
    this.clock = Number.NEGATIVE_INFINITY;
    this.leapsInRow = 0;
    this.firstSource = undefined;
    this.manySources = false;
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
