/**
 * A bounded memo of a value computed from one key's items within a time window, reused while the
 * window holds the very same items. The payers of a hot cluster are judged again at every merge
 * into it, each time over a window a little later; an account's items in it rarely change between
 * two merges, so its history is scanned again only when they do. The check compares the items
 * themselves (by identity), so a hit gives exactly what the computation would.
 */
import { lowerBound, upperBound } from '../state/sorted-by-time.js';

interface Entry<I, T> {
  items: readonly I[];
  value: T;
}

export class WindowMemo<I extends { time: number }, T> {
  private readonly entries = new Map<string, Entry<I, T>>();
  hits = 0;
  misses = 0;

  /** @param maxKeys keys held; past it the memo starts afresh (a cleared memo only costs recomputations). */
  constructor(private readonly maxKeys: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** compute(items of `list` with from <= time <= to), or the value computed before for the same items. */
  get(key: string, list: readonly I[], from: number, to: number, compute: (items: readonly I[]) => T): T {
    const lo = lowerBound(list, from);
    const hi = upperBound(list, to);
    const entry = this.entries.get(key);
    if (entry && sameItems(entry.items, list, lo, hi)) {
      this.hits++;
      return entry.value;
    }
    this.misses++;
    const items = list.slice(lo, hi);
    const value = compute(items);
    if (!entry && this.entries.size >= this.maxKeys) this.entries.clear();
    this.entries.set(key, { items, value });
    return value;
  }
}

function sameItems<I>(kept: readonly I[], list: readonly I[], lo: number, hi: number): boolean {
  if (kept.length !== hi - lo) return false;
  for (let i = 0; i < kept.length; i++) if (kept[i] !== list[lo + i]) return false;
  return true;
}
