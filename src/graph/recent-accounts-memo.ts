/**
 * A one-entry memo of `recentAccounts` over a cluster's touches. A merge re-examines two transfers
 * of the same cluster right after each other (the absorbed side's and the larger side's newest);
 * their fan-ins walk the same touches up to the same time, and their window starts differ by
 * hours, which usually changes nothing. The memo keeps the range of window ends and starts over
 * which the walk's result cannot differ, so a hit gives exactly what the walk would.
 */
import type { Touch } from './entity-graph.js';
import { recentAccounts, type RecentAccounts } from './touches.js';

/**
 * One walk's result. The sorted account list and the event ids are made on first read: a fan-in
 * whose count already fails its bounds (a hot cluster past the largest `lte`) reads neither.
 */
export class RecentWalk {
  /** Filled by the caller on first need (display forms cost a keccak each). */
  addresses?: string[];
  private sorted: string[] | undefined;
  private ids: string[] | undefined;

  /**
   * @param stopTime when saturated, the time of the touch that brought one account too many: the
   *   window from it to the walk's end already holds more than `limit` accounts.
   */
  constructor(private readonly found: ReadonlySet<string>, readonly touches: Touch[], readonly saturated: boolean, readonly stopTime = Number.NaN) {}

  /** How many distinct accounts the walk found. */
  get count(): number {
    return this.found.size;
  }

  /** Distinct accounts, sorted. */
  get accounts(): string[] {
    return (this.sorted ??= [...this.found].sort());
  }

  /** The event ids of `touches`, oldest first. */
  get eventIds(): string[] {
    return (this.ids ??= this.touches.map((t) => t.eventId));
  }
}

interface Entry {
  list: readonly Touch[];
  length: number;
  first: Touch | undefined;
  last: Touch | undefined;
  limit: number;
  /** The walk is the same for any window end in [toLow, toHigh). */
  toLow: number;
  toHigh: number;
  /** ... and any window start in (fromLow, fromHigh]. */
  fromLow: number;
  fromHigh: number;
  walk: RecentWalk;
}

export class RecentAccountsMemo {
  private entry: Entry | undefined;
  hits = 0;
  misses = 0;

  /** recentAccounts(touches, to, from, limit, kinds), accounts sorted, reused when provably unchanged. */
  walk(touches: readonly Touch[], to: number, from: number, limit: number, kinds?: readonly string[]): RecentWalk {
    const e = this.entry;
    // A touch list changes by insertion, a trim from the front or replacement: each changes its
    // identity, length, first or last touch, so an equal quadruple is an unchanged list.
    if (e && e.list === touches && e.length === touches.length && e.first === touches[0] && e.last === touches[touches.length - 1] && e.limit === limit
      && to >= e.toLow && to < e.toHigh && from > e.fromLow && from <= e.fromHigh) {
      this.hits++;
      return e.walk;
    }
    this.misses++;
    const recent = recentAccounts(touches, to, from, limit, kinds);
    const walk = new RecentWalk(recent.accounts, recent.touches, recent.saturated, recent.saturated ? touches[recent.stop]!.time : Number.NaN);
    this.entry = { list: touches, length: touches.length, first: touches[0], last: touches[touches.length - 1], limit, ...validity(touches, to, recent), walk };
    return walk;
  }
}

/** The ranges of window end and start over which the same walk gives the same result. */
function validity(touches: readonly Touch[], to: number, recent: RecentAccounts): { toLow: number; toHigh: number; fromLow: number; fromHigh: number } {
  // Window end: the same touches lie at or before it while it stays at or after the newest touch
  // at or before `to` and before the oldest one after it.
  let above = touches.length;
  while (above > 0 && touches[above - 1]!.time > to) above--;
  const toLow = above > 0 ? touches[above - 1]!.time : Number.NEGATIVE_INFINITY;
  const toHigh = above < touches.length ? touches[above]!.time : Number.POSITIVE_INFINITY;
  const stopTime = recent.stop >= 0 ? touches[recent.stop]!.time : Number.NEGATIVE_INFINITY;
  // Stopped at the first touch of one account too many: any start at or before it reaches it.
  if (recent.saturated) return { toLow, toHigh, fromLow: Number.NEGATIVE_INFINITY, fromHigh: stopTime };
  // Stopped at a touch older than the start (or at the list's first): a later start must keep
  // the oldest touch taken, an earlier one must not reach the touch the walk stopped at.
  const oldestTaken = recent.touches.length > 0 ? recent.touches[0]!.time : Number.POSITIVE_INFINITY;
  return { toLow, toHigh, fromLow: stopTime, fromHigh: Math.min(oldestTaken, to + 1) };
}
