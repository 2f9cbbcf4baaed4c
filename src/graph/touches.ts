/**
 * Operations on a cluster's touches (the exchange transfers that paid or were paid by it),
 * kept sorted by event time and bounded in count, so a cluster with a million payers costs the
 * same per event as one with ten.
 */
import type { Touch } from './entity-graph.js';
import { dropFront } from '../state/tight-list.js';

/** The two sorted lists as one sorted list, keeping the newest `cap`. */
export function mergeTouches(a: readonly Touch[], b: readonly Touch[], cap: number): Touch[] {
  const out: Touch[] = new Array<Touch>(Math.min(cap, a.length + b.length));
  let i = a.length - 1;
  let j = b.length - 1;
  // Filled from the newest end, so the cap drops the oldest without a second pass.
  for (let k = out.length - 1; k >= 0; k--) {
    if (j < 0 || (i >= 0 && newerOrSame(a[i]!, b[j]!))) out[k] = a[i--]!;
    else out[k] = b[j--]!;
  }
  return out;
}

/** Sides this short or shorter are inserted one by one; a longer one is merged by a copy. */
const INSERTED_ONE_BY_ONE = 8;

/**
 * What mergeTouches(into, from, cap) gives, made by inserting the shorter list's touches into
 * the longer list in place (a touch whose key equals one of `into`'s goes before it, as in
 * mergeTouches). A hot cluster absorbs a fresh deposit address with one touch at every sweep:
 * a copy of its thousands of touches per merge made the merge cost grow with the cluster.
 * Both lists are the merging clusters' own, and the absorbed one's is dropped after the merge.
 */
export function absorbTouches(into: Touch[], from: Touch[], cap: number): Touch[] {
  const fromShorter = from.length <= into.length;
  const [list, inserted] = fromShorter ? [into, from] : [from, into];
  if (inserted.length > INSERTED_ONE_BY_ONE) return mergeTouches(into, from, cap);
  if (fromShorter) {
    // Newest first, each before the equal keys already there: `from`'s equal touches keep their order, before `into`'s.
    for (let k = inserted.length - 1; k >= 0; k--) list.splice(firstNotOlder(list, inserted[k]!), 0, inserted[k]!);
  } else {
    // Oldest first, each after the equal keys already there: `into`'s equal touches keep their order, after `from`'s.
    for (let k = 0; k < inserted.length; k++) list.splice(firstNewer(list, inserted[k]!), 0, inserted[k]!);
  }
  if (list.length > cap) dropFront(list, list.length - cap);
  return list;
}

/** Whether x sorts before y: by event time, then eventId. */
function older(x: Touch, y: Touch): boolean {
  return x.time < y.time || (x.time === y.time && x.eventId < y.eventId);
}

/** Index of the first touch of the sorted list that does not sort before t (binary search). */
function firstNotOlder(list: readonly Touch[], t: Touch): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (older(list[mid]!, t)) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Index of the first touch of the sorted list that sorts after t (binary search). */
function firstNewer(list: readonly Touch[], t: Touch): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (older(t, list[mid]!)) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/**
 * Touches of other accounts than `accountId` that sort after (time, eventId) in the cluster's
 * order, nearest first, at most `limit`: transfers judged before one dated earlier arrived.
 * Events in order find none at the cost of one binary search.
 */
export function touchesAfter(touches: readonly Touch[], time: number, eventId: string, accountId: string, limit: number): Touch[] {
  const out: Touch[] = [];
  if (touches.length === 0) return out;
  const last = touches[touches.length - 1]!;
  if (last.time < time || (last.time === time && last.eventId <= eventId)) return out;
  for (let i = firstNewer(touches, { eventId, accountId, kind: 'deposit', time, address: -1 }); i < touches.length && out.length < limit; i++) {
    if (touches[i]!.accountId !== accountId) out.push(touches[i]!);
  }
  return out;
}

/**
 * Touches of other accounts than `accountId` dated at or before `time`, nearest to it first, at
 * most `limit`: the transfers a change at `time` re-examines first.
 */
export function touchesUpTo(touches: readonly Touch[], time: number, accountId: string, limit: number): Touch[] {
  const out: Touch[] = [];
  for (let i = touches.length - 1; i >= 0 && out.length < limit; i--) {
    const t = touches[i]!;
    if (t.time <= time && t.accountId !== accountId) out.push(t);
  }
  return out;
}

/** Order of touches: by event time, then eventId, so equal times sort the same in every run. */
function newerOrSame(x: Touch, y: Touch): boolean {
  return x.time > y.time || (x.time === y.time && x.eventId >= y.eventId);
}

export interface RecentAccounts {
  /** Distinct accounts, in the order met walking back from the newest touch. */
  accounts: Set<string>;
  /** The touches of those accounts within the range. */
  touches: Touch[];
  /** True when the walk stopped at `limit` accounts: there may be more. */
  saturated: boolean;
  /** Index of the touch the walk stopped at (too old, or one account too many); -1 when it reached the first. */
  stop: number;
}

/**
 * Distinct accounts among touches with `from <= time <= to`, walking back from the newest and
 * stopping once `limit` accounts are found: O(limit) for a busy cluster, whatever its size.
 */
export function recentAccounts(touches: readonly Touch[], to: number, from: number, limit: number, kinds?: readonly string[]): RecentAccounts {
  const accounts = new Set<string>();
  const found: Touch[] = [];
  let saturated = false;
  let i = touches.length - 1;
  for (; i >= 0; i--) {
    const t = touches[i]!;
    if (t.time > to) continue;
    if (t.time < from) break;
    if (kinds && !kinds.includes(t.kind)) continue;
    if (!accounts.has(t.accountId)) {
      if (accounts.size >= limit) { saturated = true; break; }
      accounts.add(t.accountId);
    }
    found.push(t);
  }
  return { accounts, touches: found.reverse(), saturated, stop: i };
}
