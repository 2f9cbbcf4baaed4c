/**
 * payer-risk's median sorts by each value's nearest double and compares exactly only where two
 * doubles tie. It must give what an exact sort gives, to the digit and the scale shown: values
 * that differ past a double's precision, equal values written with different scales, and
 * values far beyond 2^53 units.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median } from '../../src/engine/payer-risk.js';
import { Decimal, sumOf } from '../../src/money/decimal.js';

/** The median by an exact sort alone (the definition the fast one must meet). */
function exactMedian(values: readonly Decimal[]): Decimal {
  const sorted = [...values].sort((a, b) => a.compare(b));
  if (sorted.length === 0) return Decimal.ZERO;
  const mid = sorted.length >> 1;
  if (sorted.length % 2) return sorted[mid]!;
  const pair = sumOf([sorted[mid - 1]!, sorted[mid]!]);
  return pair.dividedBy(2, pair.scale + 1);
}

// Near ties: one base amount with a digit changed far past the 17th significant one, trailing zeros, huge unit counts.
const decimalText = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 99 })).map(([w, f]) => `${w}.${String(f).padStart(2, '0')}`),
  fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 99 })).map(([w, f]) => `${w}.${String(f).padStart(2, '0')}000`),
  fc.tuple(fc.constantFrom('1999', '2000', '123456789012345678'), fc.integer({ min: 0, max: 9 })).map(([w, d]) => `${w}.00000000000000000000${d}`),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map((u) => u.toString()),
);

describe('payer-risk median', () => {
  it('equals an exact sort’s median, digit for digit and scale for scale', () => {
    fc.assert(fc.property(fc.array(decimalText, { maxLength: 25 }), (texts) => {
      const values = texts.map((t) => Decimal.parse(t));
      expect(median(values).toString()).toBe(exactMedian(values).toString());
      expect(median(values).scale).toBe(exactMedian(values).scale);
    }), { numRuns: 2000 });
  });

  it('tells apart two values a double cannot', () => {
    const low = Decimal.parse('2000.000000000000000000001');
    const high = Decimal.parse('2000.000000000000000000002');
    expect(low.toNumber()).toBe(high.toNumber());
    expect(median([high, low, high]).toString()).toBe(high.toString());
    expect(median([low, high, low]).toString()).toBe(low.toString());
  });
});
