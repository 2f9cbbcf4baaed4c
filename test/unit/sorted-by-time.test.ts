/**
 * The one-pass insert and removal of several items in a list sorted by time (used to put a
 * history's pending requests back for one judgement and take them out again, session 56) leave
 * the list as inserting each item in turn at upperBound, and splicing each out, did: an item
 * goes after the list's items of its time, and items of one time keep their order.
 */
import { describe, expect, it } from 'vitest';
import { insertAllAfterEqual, removeAll, upperBound } from '../../src/state/sorted-by-time.js';
import { prng } from '../../src/simulate/builders.js';

interface Item { time: number; id: string }

function sortedItems(rand: () => number, n: number, prefix: string): Item[] {
  return Array.from({ length: n }, (_, i) => ({ time: Math.floor(rand() * 12), id: `${prefix}${i}` })).sort((a, b) => a.time - b.time);
}

describe('insertAllAfterEqual and removeAll on a list sorted by time', () => {
  it('in 500 random cases with many equal times, the list is the one inserting each item at upperBound in turn gives, and removing them gives it back', () => {
    const rand = prng(56);
    for (let round = 0; round < 500; round++) {
      const list = sortedItems(rand, Math.floor(rand() * 30), 'l');
      const items = sortedItems(rand, Math.floor(rand() * 12), 'i');
      const oneByOne = [...list];
      for (const item of items) oneByOne.splice(upperBound(oneByOne, item.time), 0, item);
      const inPlace = [...list];
      insertAllAfterEqual(inPlace, items);
      expect(inPlace.map((x) => x.id)).toEqual(oneByOne.map((x) => x.id));
      removeAll(inPlace, items);
      expect(inPlace.map((x) => x.id)).toEqual(list.map((x) => x.id));
    }
  });

  it('removeAll takes out only the given objects, not other items of their time, and ignores one not in the list', () => {
    const a = { time: 1, id: 'a' };
    const b = { time: 1, id: 'b' };
    const c = { time: 2, id: 'c' };
    const list = [a, b, c];
    removeAll(list, [b, { time: 1, id: 'b' }]);
    expect(list).toEqual([a, c]);
    expect(list[0]).toBe(a);
  });
});
