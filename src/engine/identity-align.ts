/**
 * Where each item of a list stood in an earlier version of it, found by equality alone: a memo
 * keyed by a list (a hot cluster's payers, its evidence ids) reuses what it kept for an item
 * that is still there. Both lists keep one order (the fan-in's), so the earlier position moves
 * forward only: the walk compares each item with the few earlier ones ahead of the cursor. The
 * lists hold the very same string objects from one judgement to the next, so `===` is a
 * pointer comparison that reads no string (a cold string is a cache miss; a hash look-up reads it).
 */

/** Earlier items skipped in one step at most (items dropped between the two versions); past it, an item counts as new. */
const LOOKAHEAD = 8;

/**
 * For each index of `next`, the index of an equal item of `prior` (each used once, in order), or
 * -1: never a wrong match, though a reordered or far-moved item may be reported new. The walk
 * starts where the first of the first few items stands in `prior`, looked for through all of it
 * (a window that moved drops a run from the front; the first item may be a new one).
 */
export function alignByIdentity(next: readonly string[], prior: readonly string[]): number[] {
  // A plain array: a typed one of more than a few items is allocated outside the heap, about
  // five times the cost, and a judgement makes two of these.
  const at = new Array<number>(next.length).fill(-1);
  let p = -1;
  for (let i = 0; i < Math.min(next.length, LOOKAHEAD) && p < 0; i++) p = prior.indexOf(next[i]!);
  if (p < 0) p = 0;
  for (let i = 0; i < next.length && p < prior.length; i++) {
    const item = next[i]!;
    const end = Math.min(prior.length, p + LOOKAHEAD + 1);
    for (let q = p; q < end; q++) {
      if (prior[q] !== item) continue;
      at[i] = q;
      p = q + 1;
      break;
    }
  }
  return at;
}
