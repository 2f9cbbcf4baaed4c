/**
 * The shortcuts a sweep's re-examinations take (issue #9): a fan-in walk that stops where its
 * upper bound has already failed, a payer list taken as it is when already sorted and distinct,
 * and a device check that builds no list. Each must give exactly what the long way gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Touch } from '../../src/graph/entity-graph.js';
import { recentAccounts } from '../../src/graph/touches.js';
import { RecentAccountsMemo } from '../../src/graph/recent-accounts-memo.js';
import { failingCount } from '../../src/engine/signals.js';
import { distinctSorted } from '../../src/engine/payer-risk.js';
import { LinkIndex } from '../../src/engine/link-index.js';
import { copyWithFactReaders } from '../../src/engine/engine.js';

type Bounds = { gte?: number; gt?: number; lte?: number; lt?: number };
const passes = (t: Bounds, v: number): boolean => (t.gte === undefined || v >= t.gte) && (t.gt === undefined || v > t.gt) && (t.lte === undefined || v <= t.lte) && (t.lt === undefined || v < t.lt);

const touchesArb = fc.array(fc.record({ time: fc.integer({ min: 0, max: 50 }), account: fc.integer({ min: 0, max: 30 }) }), { maxLength: 80 }).map((items) =>
  items.map((t, n): Touch => ({ eventId: `ev-${String(n).padStart(3, '0')}`, accountId: `acct-${t.account}`, kind: 'withdrawal', time: t.time, address: n }))
    .sort((a, b) => a.time - b.time || (a.eventId < b.eventId ? -1 : 1)));
const boundArb = fc.option(fc.double({ min: -2, max: 40, noNaN: true }), { nil: undefined });

describe('fan-in walk cut at the failing count', () => {
  it('gives the verdict, and when it holds the very walk, of the walk to the saturation count (property)', () => {
    fc.assert(fc.property(touchesArb, fc.record({ gte: boundArb, lte: boundArb, lt: boundArb }), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 64 }), (touches, raw, to, back, saturation) => {
      const bounds: Bounds = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
      const full = recentAccounts(touches, to, to - back, saturation);
      const cut = new RecentAccountsMemo().walk(touches, to, to - back, Math.min(saturation, failingCount(bounds)));
      expect(passes(bounds, cut.count)).toBe(passes(bounds, full.accounts.size));
      if (passes(bounds, full.accounts.size)) {
        expect(cut.accounts).toEqual([...full.accounts].sort());
        expect(cut.eventIds).toEqual(full.touches.map((t) => t.eventId));
        expect(cut.saturated).toBe(full.saturated);
      }
    }), { numRuns: 600 });
  });

  it('stops a walk with `lte: 50` at the 51st account, and has no cut without an upper bound', () => {
    expect(failingCount({ gte: 3, lte: 50 })).toBe(51);
    expect(failingCount({ lt: 10.5 })).toBe(11);
    expect(failingCount({ gte: 3 })).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('payer lists', () => {
  it('equal the distinct strings sorted, whether or not they came sorted (property)', () => {
    const item = fc.oneof(fc.constantFrom('a', 'b', 'acct-1', 'acct-10', 'acct-2', 'Z', 'é'), fc.string({ maxLength: 4 }), fc.integer());
    fc.assert(fc.property(fc.array(item, { maxLength: 20 }), fc.boolean(), (raw, presort) => {
      const list = presort ? [...new Set(raw.filter((x): x is string => typeof x === 'string'))].sort() : raw;
      expect(distinctSorted(list)).toEqual([...new Set(list.filter((x): x is string => typeof x === 'string'))].sort());
    }), { numRuns: 500 });
    expect(distinctSorted(['b', 'a', 'b'])).toEqual(['a', 'b']);
    expect(distinctSorted('not a list')).toEqual([]);
  });
});

describe('LinkIndex.anotherWithin', () => {
  it('is whether `within` lists an account other than the one asked about (property)', () => {
    const sighting = fc.record({ value: fc.constantFrom('d1', 'd2'), account: fc.constantFrom('a', 'b', 'c'), time: fc.integer({ min: 0, max: 100 }) });
    fc.assert(fc.property(fc.array(sighting, { maxLength: 30 }), fc.constantFrom('d1', 'd2', 'd3'), fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (sightings, value, account, x, y) => {
      const index = new LinkIndex(2, () => false);
      sightings.forEach((s, n) => index.sight(s.value, s.account, s.time, `ev-${n}`));
      const [from, to] = x <= y ? [x, y] : [y, x];
      expect(index.anotherWithin(value, account, from, to)).toBe(index.within(value, from, to).some((s) => s.accountId !== account));
    }), { numRuns: 500 });
  });
});

describe('a signal result with lazy facts', () => {
  it('copies data facts and turns each getter into one that reads the original only when read, keys in order', () => {
    let reads = 0;
    const facts: Record<string, unknown> = { cluster: 'cl-1', accounts: 2, get addresses() { reads++; return ['0xA', '0xB']; }, labels: [] };
    const copy = copyWithFactReaders(facts);
    const result = Object.assign(copy, { ok: true, value: 2, eventIds: ['ev-1'], facts });
    expect(reads).toBe(0);
    expect(Object.keys(result)).toEqual(['cluster', 'accounts', 'addresses', 'labels', 'ok', 'value', 'eventIds', 'facts']);
    expect(result.addresses).toEqual(['0xA', '0xB']);
    expect(reads).toBe(1);
    // What an alert shows of it is what the old descriptor copy showed.
    const old = Object.assign(Object.defineProperties({}, Object.getOwnPropertyDescriptors(facts)), { ok: true, value: 2, eventIds: ['ev-1'], facts });
    expect(JSON.stringify(result)).toBe(JSON.stringify(old));
  });
});
