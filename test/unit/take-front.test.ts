/**
 * takeFront and dropFront trim the front of the lists the state keeps (touches, histories, edge
 * lists, a device's accounts) in place, by shift for a few items and by splice for many: whichever
 * way they take, the list and the items taken must be what `splice(0, n)` gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dropFront, takeFront } from '../../src/state/tight-list.js';

describe('takeFront and dropFront', () => {
  it('leave the list and return the items that splice(0, n) would, for any length and count', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: -2, max: 320 }), (length, n) => {
      const make = (): { id: number }[] => Array.from({ length }, (_, id) => ({ id }));
      const expected = make();
      const removed = expected.splice(0, Math.max(0, n));
      const taken = make();
      const out = takeFront(taken, n);
      expect(out.map((x) => x.id)).toEqual(removed.map((x) => x.id));
      expect(taken.map((x) => x.id)).toEqual(expected.map((x) => x.id));
      const dropped = make();
      dropFront(dropped, n);
      expect(dropped.map((x) => x.id)).toEqual(expected.map((x) => x.id));
    }), { numRuns: 500 });
  });

  it('keep the very list (trimmed in place), so whoever holds it sees it trimmed', () => {
    const list = Array.from({ length: 4096 }, (_, i) => i);
    const held = list;
    takeFront(list, 3);
    dropFront(list, 2);
    expect(held).toBe(list);
    expect(held.length).toBe(4091);
    expect(held[0]).toBe(5);
  });
});
