/**
 * Operations on a cluster's touches (the exchange transfers that paid or were paid by it),
 * kept sorted by event time and bounded in count, so a cluster with a million payers costs the
 * same per event as one with ten.
 */
import type { Touch } from './entity-graph.js';

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
