/**
 * The order a value's accounts are kept in (link-index.ts, busy-sightings.ts): by latest
 * sighting, least recent first, an account seen at the same time as others after them.
 */
import type { AccountSighting } from './link-index.js';

/**
 * Moves the entry at `at`, whose latest sighting just changed, to its place in the list's order
 * of latest sighting: the end for a sighting in order (the usual case, no search), else among the
 * later ones (a sighting read out of order), so the newest is always last.
 */
export function placeLast(linked: AccountSighting[], at: number): void {
  const entry = linked[at]!;
  const last = linked.length - 1;
  if (at === last && (last === 0 || linked[last - 1]!.lastTime <= entry.lastTime)) return; // in order, already last
  if (at < last && linked[last]!.lastTime <= entry.lastTime) {
    // In order: to the end, the entries after it moved up one place each (no splice, which
    // allocates an array of what it removes: on a busy block this runs at every sighting).
    for (let i = at; i < last; i++) linked[i] = linked[i + 1]!;
    linked[last] = entry;
    return;
  }
  linked.splice(at, 1);
  let lo = 0;
  let hi = linked.length; // the first entry seen later than `entry`: it goes before that one
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (linked[mid]!.lastTime <= entry.lastTime) lo = mid + 1; else hi = mid;
  }
  linked.splice(lo, 0, entry);
}
