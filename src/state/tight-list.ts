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
  return list.concat([item]);
}
