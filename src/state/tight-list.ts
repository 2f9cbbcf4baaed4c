/**
 * Appending to the many short lists the state keeps (a cluster's touches, an address's flow
 * edges, a device's accounts, an account's history). `push` grows an array's storage by at least
 * 16 slots, so a list of one or two items held about 185 bytes; most of these lists stay that
 * short. Up to `TIGHT` items a list is instead copied at its exact length (a copy of a few
 * pointers), and past that it grows by `push` as usual.
 */
const TIGHT = 8;

/** The list with `item` appended: a new exact-length array while short (store it), else `list` itself. */
export function appended<T>(list: T[], item: T): T[] {
  if (list.length >= TIGHT) {
    list.push(item);
    return list;
  }
  return copiedWith(list, item);
}

/**
 * A copy of a short list with `item` after it, at its exact length. Written as array literals,
 * one per length: `list.concat([item])` made the same array about ten times slower (a generic
 * builtin call and a throw-away one-item array per append, on every edge, touch and history item).
 * The lists are never sparse, so reading each element is copying it.
 */
function copiedWith<T>(l: T[], item: T): T[] {
  switch (l.length) {
    case 0: return [item];
    case 1: return [l[0]!, item];
    case 2: return [l[0]!, l[1]!, item];
    case 3: return [l[0]!, l[1]!, l[2]!, item];
    case 4: return [l[0]!, l[1]!, l[2]!, l[3]!, item];
    case 5: return [l[0]!, l[1]!, l[2]!, l[3]!, l[4]!, item];
    case 6: return [l[0]!, l[1]!, l[2]!, l[3]!, l[4]!, l[5]!, item];
    case 7: return [l[0]!, l[1]!, l[2]!, l[3]!, l[4]!, l[5]!, l[6]!, item];
    default: return l.concat([item]);
  }
}

/**
 * The list (sorted by `time`) with `item` inserted after every item of its time or earlier, so
 * equal times keep their arrival order. The usual item is the newest and is appended as
 * `appended` does; an older one is inserted in place in a long list, or into a new exact-length
 * copy of a short one. Returns the list to store (`list` itself or its copy).
 */
export function insertedByTime<T extends { readonly time: number }>(list: T[], item: T): T[] {
  let at = list.length;
  while (at > 0 && list[at - 1]!.time > item.time) at--;
  if (at === list.length) return appended(list, item);
  if (list.length >= TIGHT) {
    list.splice(at, 0, item);
    return list;
  }
  return list.slice(0, at).concat([item], list.slice(at)); // concat sizes its result exactly
}

/** A shift costs about as much as a splice's copy of this many items (measured: 44 ns against 3 to 5 µs for 4,096). */
const SHIFT_FACTOR = 32;

/**
 * Removes the list's first `n` items in place, and returns them. V8 moves an array's start for
 * `shift()` in constant time, but `splice(0, n)` copies every item after the removed ones: taking
 * one item off a list of 4,096 cost 3 to 5 µs by splice and 44 ns by shift on this machine. The
 * lists trimmed from the front (a busy cluster's touches, an account's history, an address's flow
 * edges, a shared IP's accounts) lose one or a few items at a time once their oldest pass the
 * retention, so a few go one by one; a share large enough that one copy is cheaper goes by splice.
 */
export function takeFront<T>(list: T[], n: number): T[] {
  if (n <= 0) return [];
  if (n * SHIFT_FACTOR > list.length) return list.splice(0, n);
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = list.shift()!;
  return out;
}

/** takeFront without the removed items. */
export function dropFront<T>(list: T[], n: number): void {
  if (n <= 0) return;
  if (n * SHIFT_FACTOR > list.length) list.splice(0, n);
  else for (let i = 0; i < n; i++) list.shift();
}

/**
 * One shared, frozen empty list, for a record's list that is usually empty (a cluster's labelled
 * members and merge causes): an empty array of its own costs 32 bytes a record. A writer
 * replaces it with an array of its own before adding; an emptied list goes back to it (ownOrNone).
 */
export const NO_ENTRIES: readonly never[] = Object.freeze([]);

/** The list itself, or NO_ENTRIES when it is empty. */
export function ownOrNone<T>(list: readonly T[]): readonly T[] {
  return list.length === 0 ? NO_ENTRIES : list;
}
