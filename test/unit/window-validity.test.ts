/**
 * The windows a kept result is reused for (window-validity.ts) must be ones that give the same
 * result: any window start and end inside the bounds that rangeWithValidity and
 * LinkIndex.anotherWithinBounded report selects the same history items and gets the same
 * shared-device answer as the window they were computed for, while the list is unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkIndex } from '../../src/engine/link-index.js';
import { anyWindow, rangeWithValidity, withinValidity } from '../../src/engine/window-validity.js';
import { lowerBound, upperBound } from '../../src/state/sorted-by-time.js';

const times = fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 25 }).map((ts) => ts.sort((a, b) => a - b).map((time) => ({ time })));
const window = fc.record({ from: fc.integer({ min: -5, max: 65 }), span: fc.integer({ min: 0, max: 40 }) });

describe('rangeWithValidity', () => {
  it('gives the range lowerBound/upperBound give, and the same range for every window inside its bounds', () => {
    let reused = 0;
    fc.assert(fc.property(times, window, fc.array(window, { maxLength: 30 }), (list, w, others) => {
      const v = anyWindow();
      const [lo, hi] = rangeWithValidity(list, w.from, w.from + w.span, v);
      expect([lo, hi]).toEqual([lowerBound(list, w.from), upperBound(list, w.from + w.span)]);
      expect(withinValidity(v, w.from, w.from + w.span)).toBe(true);
      for (const o of others) {
        const [from, to] = [o.from, o.from + o.span];
        if (!withinValidity(v, from, to)) continue;
        reused++;
        expect([lowerBound(list, from), upperBound(list, to)]).toEqual([lo, hi]);
      }
    }), { numRuns: 500 });
    expect(reused).toBeGreaterThan(0);
  });
});

describe('LinkIndex.anotherWithinBounded', () => {
  it('answers as anotherWithin does, for every window inside its bounds, and is told of every change to the lists it read', () => {
    let reused = 0;
    let told = 0;
    fc.assert(fc.property(
      fc.array(fc.record({ value: fc.integer({ min: 0, max: 2 }), account: fc.integer({ min: 0, max: 4 }), time: fc.integer({ min: 0, max: 100 }) }), { maxLength: 60 }),
      fc.array(fc.record({ value: fc.integer({ min: 0, max: 3 }), account: fc.integer({ min: 0, max: 5 }), from: fc.integer({ min: -5, max: 105 }), span: fc.integer({ min: 0, max: 60 }) }), { minLength: 1, maxLength: 12 }),
      fc.constantFrom(2, 4, 256),
      (sightings, queries, maxAccounts) => {
        const changed = new Set<string>();
        const index = new LinkIndex(maxAccounts, (last) => last < 10, (accountId) => changed.add(accountId));
        // Kept answers: (value, account) -> bounds and answer, dropped when the account is told.
        const kept = new Map<string, { value: string; account: string; answer: boolean; v: ReturnType<typeof anyWindow> }>();
        sightings.forEach((s, n) => {
          changed.clear();
          index.sight(`v${s.value}`, `a${s.account}`, s.time, `e${n}`);
          for (const [key, k] of kept) if (changed.has(k.account)) { kept.delete(key); told++; }
          for (const q of queries) {
            const [value, account, from, to] = [`v${q.value}`, `a${q.account}`, q.from, q.from + q.span];
            const plain = index.anotherWithin(value, account, from, to);
            const k = kept.get(`${value}/${account}`);
            if (k && withinValidity(k.v, from, to)) {
              reused++;
              expect(k.answer, JSON.stringify({ q, n })).toBe(plain);
              continue;
            }
            const v = anyWindow();
            expect(index.anotherWithinBounded(value, account, from, to, v)).toBe(plain);
            kept.set(`${value}/${account}`, { value, account, answer: plain, v });
          }
        });
      },
    ), { numRuns: 300 });
    expect(reused).toBeGreaterThan(0);
    expect(told).toBeGreaterThan(0);
  });
});

describe('LinkIndex.countWithin', () => {
  it('counts exactly the accounts within() lists, for any sightings and window', () => {
    let nonZero = 0;
    fc.assert(fc.property(
      fc.array(fc.record({ value: fc.integer({ min: 0, max: 2 }), account: fc.integer({ min: 0, max: 4 }), time: fc.integer({ min: 0, max: 100 }) }), { maxLength: 60 }),
      fc.array(fc.record({ value: fc.integer({ min: 0, max: 3 }), from: fc.integer({ min: -5, max: 105 }), span: fc.integer({ min: 0, max: 60 }) }), { minLength: 1, maxLength: 12 }),
      (sightings, queries) => {
        const index = new LinkIndex(3, (last) => last < 10);
        sightings.forEach((s, n) => index.sight(`v${s.value}`, `a${s.account}`, s.time, `e${n}`));
        for (const q of queries) {
          const listed = index.within(`v${q.value}`, q.from, q.from + q.span).length;
          if (listed > 0) nonZero++;
          expect(index.countWithin(`v${q.value}`, q.from, q.from + q.span)).toBe(listed);
        }
      },
    ), { numRuns: 300 });
    expect(nonZero).toBeGreaterThan(0);
  });
});
