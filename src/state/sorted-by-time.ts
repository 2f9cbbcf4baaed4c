/** Binary searches over lists kept sorted by event time (histories, cluster touches). */

/** Index of the first item at or after `time`. */
export function lowerBound(list: readonly { time: number }[], time: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.time < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index just past the last item at or before `time`. */
export function upperBound(list: readonly { time: number }[], time: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.time <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Puts `items` (sorted by time) into `list` (sorted by time) in one pass from the back, each
 * after the list's items of its time, as inserting each in turn at upperBound would: one move
 * of the list's tail, not one per item.
 */
export function insertAllAfterEqual<T extends { time: number }>(list: T[], items: readonly T[]): void {
  if (items.length === 0) return;
  let from = list.length - 1;
  for (const item of items) list.push(item); // grows the list without holes
  let next = items.length - 1;
  for (let to = list.length - 1; next >= 0; to--) {
    if (from >= 0 && list[from]!.time > items[next]!.time) list[to] = list[from--]!;
    else list[to] = items[next--]!;
  }
}

/** Takes `items` (each in `list`, sorted by time) out of `list` in one pass from the earliest of them; the rest keep their order. */
export function removeAll<T extends { time: number }>(list: T[], items: readonly T[]): void {
  if (items.length === 0) return;
  const leaving = new Set(items);
  let earliest = items[0]!.time;
  for (const item of items) earliest = Math.min(earliest, item.time);
  let kept = lowerBound(list, earliest);
  for (let at = kept; at < list.length; at++) {
    const item = list[at]!;
    if (!leaving.has(item)) list[kept++] = item;
  }
  list.length = kept;
}
