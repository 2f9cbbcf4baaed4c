import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Touch } from '../../src/graph/entity-graph.js';
import { RecentAccountsMemo } from '../../src/graph/recent-accounts-memo.js';
import { absorbTouches, mergeTouches, recentAccounts } from '../../src/graph/touches.js';

const touch = (time: number, account: number, kind: 'deposit' | 'withdrawal', n: number): Touch => ({ eventId: `ev-${String(n).padStart(4, '0')}`, accountId: `acct-${account}`, kind, time, address: account });

/** A touch list sorted as the graph keeps it: by time, then eventId. */
function sorted(list: Touch[]): Touch[] {
  return list.sort((a, b) => a.time - b.time || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
}

const touchArb = fc.record({ time: fc.integer({ min: 0, max: 60 }), account: fc.integer({ min: 0, max: 12 }), withdrawal: fc.boolean() });

/** A query, or a change to the list in one of the ways the graph changes it. */
const stepArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('query' as const), to: fc.integer({ min: -5, max: 70 }), back: fc.integer({ min: 0, max: 70 }), limit: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('insert' as const), t: touchArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('trim' as const), keep: fc.integer({ min: 0, max: 30 }) }) },
);

describe('RecentAccountsMemo', () => {
  it('gives exactly what a fresh recentAccounts walk gives, over queries and list changes (property)', () => {
    fc.assert(fc.property(fc.array(touchArb, { maxLength: 40 }), fc.array(stepArb, { minLength: 1, maxLength: 60 }), fc.option(fc.constantFrom(['withdrawal'], ['deposit', 'withdrawal'])), (initial, steps, kinds) => {
      let n = 0;
      let list = sorted(initial.map((t) => touch(t.time, t.account, t.withdrawal ? 'withdrawal' : 'deposit', n++)));
      const memo = new RecentAccountsMemo();
      for (const step of steps) {
        if (step.op === 'insert') {
          // In place, as a merge of a small side does: same array, one longer.
          const t = touch(step.t.time, step.t.account, step.t.withdrawal ? 'withdrawal' : 'deposit', n++);
          let i = list.length;
          while (i > 0 && (list[i - 1]!.time > t.time || (list[i - 1]!.time === t.time && list[i - 1]!.eventId > t.eventId))) i--;
          list.splice(i, 0, t);
          // ...sometimes with a trim from the front in place that keeps the length.
          if (list.length > 20) list.splice(0, 1);
        } else if (step.op === 'trim') {
          list = list.slice(Math.max(0, list.length - step.keep));
        } else {
          const from = step.to - step.back;
          const got = memo.walk(list, step.to, from, step.limit, kinds ?? undefined);
          const want = recentAccounts(list, step.to, from, step.limit, kinds ?? undefined);
          expect(got.accounts).toEqual([...want.accounts].sort());
          expect(got.eventIds).toEqual(want.touches.map((t) => t.eventId));
          expect(got.saturated).toBe(want.saturated);
        }
      }
    }), { numRuns: 400 });
  });

  it('reuses the walk for two window starts between which no touch lies, and for any start of a saturated walk', () => {
    const list = sorted([touch(10, 1, 'withdrawal', 1), touch(20, 2, 'withdrawal', 2), touch(30, 3, 'withdrawal', 3), touch(40, 4, 'withdrawal', 4)]);
    const memo = new RecentAccountsMemo();
    memo.walk(list, 50, 15, 64);
    memo.walk(list, 50, 12, 64); // nothing between 12 and 15
    expect(memo.hits).toBe(1);
    memo.walk(list, 50, 5, 64); // reaches the touch at 10: another walk
    expect(memo.misses).toBe(2);
    const hot = new RecentAccountsMemo();
    hot.walk(list, 50, 0, 2); // saturated at the touch at 20
    hot.walk(list, 50, 20, 2);
    expect(hot.hits).toBe(1);
    hot.walk(list, 50, 21, 2); // a start past the stop: not saturated any more
    expect(hot.misses).toBe(2);
  });
});

describe('mergeTouches', () => {
  it('equals sorting both lists together and keeping the newest cap (property)', () => {
    fc.assert(fc.property(fc.array(touchArb, { maxLength: 30 }), fc.array(touchArb, { maxLength: 30 }), fc.integer({ min: 1, max: 70 }), (a, b, cap) => {
      let n = 0;
      const la = sorted(a.map((t) => touch(t.time, t.account, 'withdrawal', n++)));
      const lb = sorted(b.map((t) => touch(t.time, t.account, 'withdrawal', n++)));
      const want = sorted([...la, ...lb]);
      expect(mergeTouches(la, lb, cap).map((t) => t.eventId)).toEqual(want.slice(Math.max(0, want.length - cap)).map((t) => t.eventId));
    }), { numRuns: 300 });
  });
});

describe('absorbTouches', () => {
  // Few times and few eventIds, so equal keys (one transfer touching two merging clusters) are common.
  const keyed = fc.record({ time: fc.integer({ min: 0, max: 6 }), n: fc.integer({ min: 0, max: 4 }), address: fc.integer({ min: 0, max: 1000 }) });
  const listOf = (items: { time: number; n: number; address: number }[]): Touch[] => sorted(items.map((t) => ({ ...touch(t.time, t.address, 'withdrawal', t.n), address: t.address })));

  it('gives the very touches, in the very order, that mergeTouches gives, equal keys included (property)', () => {
    fc.assert(fc.property(fc.array(keyed, { maxLength: 30 }), fc.array(keyed, { maxLength: 30 }), fc.integer({ min: 1, max: 70 }), (a, b, cap) => {
      const into = listOf(a);
      const from = listOf(b);
      const want = mergeTouches(into, from, cap);
      const got = absorbTouches([...into], [...from], cap);
      expect(got.length).toBe(want.length);
      got.forEach((t, i) => expect(t).toBe(want[i]));
    }), { numRuns: 500 });
  });

  it('inserts a short side into the longer list in place instead of copying it', () => {
    const into = listOf(Array.from({ length: 20 }, (_, i) => ({ time: i, n: i % 5, address: i })));
    const from = listOf([{ time: 7, n: 2, address: 99 }]);
    const merged = absorbTouches(into, from, 4096);
    expect(merged).toBe(into);
    expect(merged.length).toBe(21);
    const grown = absorbTouches(from, listOf(Array.from({ length: 3 }, (_, i) => ({ time: i, n: 0, address: i }))), 2);
    expect(grown.map((t) => t.time)).toEqual([2, 7]);
  });
});
