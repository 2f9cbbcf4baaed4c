/**
 * The window starts and ends over which a result computed for one window [from, to] is still
 * what the computation would give, as long as what it read does not change: any start in
 * (fromAfter, fromAtMost] and any end in [toAtLeast, toBefore). A memo that keeps it beside its
 * value may reuse the value for a later window inside these bounds (payer-risk's account scans,
 * judged again at every merge into a hot cluster over a window a little later).
 */
import { lowerBound, upperBound } from '../state/sorted-by-time.js';

export interface WindowValidity {
  fromAfter: number;
  fromAtMost: number;
  toAtLeast: number;
  toBefore: number;
}

/** Bounds that any window meets: narrowed by each thing the result read. */
export function anyWindow(): WindowValidity {
  return { fromAfter: Number.NEGATIVE_INFINITY, fromAtMost: Number.POSITIVE_INFINITY, toAtLeast: Number.NEGATIVE_INFINITY, toBefore: Number.POSITIVE_INFINITY };
}

export function withinValidity(v: WindowValidity, from: number, to: number): boolean {
  return from > v.fromAfter && from <= v.fromAtMost && to >= v.toAtLeast && to < v.toBefore;
}

/**
 * The index range [lo, hi) of a time-sorted list's items with from <= time <= to, narrowing `v`
 * to the windows that select the very same range: a start after the item before `lo` and at or
 * before the item at `lo`, an end at or after the item before `hi` and before the item at `hi`.
 */
export function rangeWithValidity(list: readonly { time: number }[], from: number, to: number, v: WindowValidity): [number, number] {
  const lo = lowerBound(list, from);
  const hi = upperBound(list, to);
  if (lo > 0) v.fromAfter = Math.max(v.fromAfter, list[lo - 1]!.time);
  if (lo < list.length) v.fromAtMost = Math.min(v.fromAtMost, list[lo]!.time);
  if (hi > 0) v.toAtLeast = Math.max(v.toAtLeast, list[hi - 1]!.time);
  if (hi < list.length) v.toBefore = Math.min(v.toBefore, list[hi]!.time);
  return [lo, hi];
}
