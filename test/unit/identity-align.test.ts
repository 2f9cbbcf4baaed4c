/**
 * alignByIdentity lets payer-risk's cluster memo reuse what it kept for a payer or an evidence
 * transfer that is still in the list: every match it reports must be an equal item, each earlier
 * item used once and in order; and the usual change between two judgements of a hot cluster (a
 * run dropped from the front, a few items dropped or added) must be found, not reported new.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignByIdentity } from '../../src/engine/identity-align.js';

describe('alignByIdentity', () => {
  it('matches only equal items, each earlier one at most once and in order, whatever the lists', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 30 }).map((n) => `id-${n}`), { maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 30 }).map((n) => `id-${n}`), { maxLength: 40 }), (next, prior) => {
      const at = alignByIdentity(next, prior);
      expect(at.length).toBe(next.length);
      let last = -1;
      at.forEach((q, i) => {
        if (q < 0) return;
        expect(prior[q]).toBe(next[i]);
        expect(q).toBeGreaterThan(last);
        last = q;
      });
    }), { numRuns: 500 });
  });

  it('finds every kept item when a run is dropped from the front and a few items come and go', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 60 }), fc.array(fc.nat(199), { maxLength: 6 }), fc.array(fc.nat(199), { maxLength: 4 }), (size, front, dropped, added) => {
      const prior = Array.from({ length: size }, (_, i) => `e-${String(i).padStart(4, '0')}`);
      const drop = new Set(dropped.filter((d) => d < size));
      const kept = prior.slice(Math.min(front, size)).filter((_, i) => !drop.has(i + Math.min(front, size)));
      // New items go between kept ones, in order.
      const next: string[] = [];
      kept.forEach((item, i) => { if (added.includes(i)) next.push(`new-${i}`); next.push(item); });
      const at = alignByIdentity(next, prior);
      next.forEach((item, i) => expect(at[i], item).toBe(item.startsWith('new-') ? -1 : prior.indexOf(item)));
    }), { numRuns: 300 });
  });
});
