import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlidingAggregate, type WindowAgg } from '../../src/engine/sliding-aggregate.js';
import { coefficientOfVariation } from '../../src/engine/signals.js';
import { Decimal, sumOf } from '../../src/money/decimal.js';

const asNumber = (v: number | Decimal): number => (typeof v === 'number' ? v : v.toNumber());

const AGGS: WindowAgg[] = ['count', 'sum', 'distinct', 'min', 'max', 'mean', 'cv'];

/** The same aggregate computed by scanning, as the signal does for an older trigger. */
function scan(entries: { time: number; value: unknown }[], from: number, to: number, agg: WindowAgg): number {
  const inside = entries.filter((e) => e.time >= from && e.time <= to);
  const nums = inside.map((e) => e.value).filter((v): v is number => typeof v === 'number');
  switch (agg) {
    case 'count': return inside.length;
    case 'sum': return nums.reduce((s, v) => s + v, 0);
    case 'distinct': return new Set(inside.map((e) => String(e.value))).size;
    case 'min': return nums.length ? Math.min(...nums) : 0;
    case 'max': return nums.length ? Math.max(...nums) : 0;
    case 'mean': return nums.length ? nums.reduce((s, v) => s + v, 0) / nums.length : 0;
    case 'cv': return coefficientOfVariation(nums);
  }
}

describe('sliding window aggregate', () => {
  it('equals a scan of the window at every step, for every aggregate', () => {
    const step = fc.record({ gap: fc.integer({ min: 0, max: 50 }), value: fc.oneof(fc.integer({ min: 1, max: 20_000 }), fc.constant(undefined), fc.constantFrom(9_500, 9_999)) });
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 400 }), (steps, within) => {
      const agg = new SlidingAggregate();
      const seen: { time: number; value: unknown }[] = [];
      let time = 0;
      for (const [i, s] of steps.entries()) {
        time += s.gap;
        agg.push(time, `ev-${i}`, s.value);
        seen.push({ time, value: s.value });
        agg.expire(time - within);
        expect(agg.count).toBe(scan(seen, time - within, time, 'count'));
        for (const a of AGGS) expect(asNumber(agg.value(a))).toBeCloseTo(scan(seen, time - within, time, a), 6);
      }
      const ids = seen.flatMap((e, i) => (e.time >= time - within ? [`ev-${i}`] : []));
      expect(agg.eventIds()).toEqual(ids);
    }), { numRuns: 300 });
  });

  it('made for one aggregate, gives it as a scan does, and refuses those it keeps nothing for', () => {
    fc.assert(fc.property(fc.array(fc.record({ gap: fc.integer({ min: 0, max: 50 }), value: fc.integer({ min: 1, max: 20_000 }) }), { minLength: 1, maxLength: 100 }), fc.integer({ min: 1, max: 400 }), (steps, within) => {
      const aggs = AGGS.map((a) => [a, new SlidingAggregate(a)] as const);
      const seen: { time: number; value: unknown }[] = [];
      let time = 0;
      for (const [i, s] of steps.entries()) {
        time += s.gap;
        seen.push({ time, value: s.value });
        for (const [a, agg] of aggs) {
          agg.push(time, `ev-${i}`, s.value);
          agg.expire(time - within);
          expect(asNumber(agg.value(a))).toBeCloseTo(scan(seen, time - within, time, a), 6);
        }
      }
    }), { numRuns: 100 });
    expect(() => new SlidingAggregate('sum').value('distinct')).toThrow(/without what distinct reads/);
    expect(() => { const agg = new SlidingAggregate('count'); agg.push(1, 'e', 5); return agg.value('max'); }).toThrow(/without what max reads/);
    expect(new SlidingAggregate('max').value('count')).toBe(0);
  });

  it('keeps no expired entries past half of a short array (an account that pays a few times a window)', () => {
    const agg = new SlidingAggregate();
    for (let t = 0; t < 3; t++) agg.push(t * 10, `e${t}`, t);
    agg.expire(15);
    expect(agg.count).toBe(1);
    expect((agg as unknown as { entries: unknown[] }).entries).toHaveLength(1);
    expect(asNumber(agg.value('max'))).toBe(2);
    expect(agg.eventIds()).toEqual(['e2']);
  });

  it('costs O(1) amortised per event and keeps only the window', () => {
    const agg = new SlidingAggregate();
    for (let t = 0; t < 200_000; t++) { agg.push(t, `e${t}`, t % 97); agg.expire(t - 100); }
    expect(agg.count).toBe(101);
    expect((agg as unknown as { entries: unknown[] }).entries.length).toBeLessThan(400);
    expect(asNumber(agg.value('max'))).toBe(96);
  });

  it('keeps the sum of decimal amounts exact as entries come and go (no drift at a threshold)', () => {
    const cents = fc.integer({ min: 1, max: 1_000_000_00 }).map((c) => Decimal.parse(`${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`));
    const step = fc.record({ gap: fc.integer({ min: 0, max: 20 }), value: fc.oneof(cents, fc.constantFrom(Decimal.parse('0.1'), Decimal.parse('0.2'), Decimal.parse('0.00012345'))) });
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 100 }), (steps, within) => {
      const agg = new SlidingAggregate();
      const seen: { time: number; value: Decimal }[] = [];
      let time = 0;
      for (const [i, s] of steps.entries()) {
        time += s.gap;
        agg.push(time, `ev-${i}`, s.value);
        seen.push({ time, value: s.value });
        agg.expire(time - within);
        const inside = seen.filter((e) => e.time >= time - within).map((e) => e.value);
        expect((agg.value('sum') as Decimal).compare(sumOf(inside))).toBe(0);
        expect((agg.value('min') as Decimal).toString()).toBe(inside.reduce((m, v) => (v.compare(m) < 0 ? v : m)).toString());
      }
    }), { numRuns: 200 });
    // Three of 3,333.33 and one of 0.01 sum to 10,000 exactly: at the threshold, not a hair under.
    const agg = new SlidingAggregate();
    ['3333.33', '3333.33', '3333.33', '0.01'].forEach((v, i) => agg.push(i, `e${i}`, Decimal.parse(v)));
    expect((agg.value('sum') as Decimal).toString()).toBe('10000');
  });
});
