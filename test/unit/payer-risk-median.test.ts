/**
 * payer-risk's median (`medianUsd`, which rules compare with thresholds and alerts show) must be
 * exact, to the digit and the scale shown: values that differ past a double's precision, equal
 * values written with different scales (the first of them in the input is shown), and values far
 * beyond 2^53 units. Since session 18 the judgement orders sums by their doubles and reads the
 * decimals only for near ties (the decimals are cold in memory); this keeps that shortcut honest
 * (an order by doubles alone fails it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median } from '../../src/engine/payer-risk.js';
import { Decimal, sumOf } from '../../src/money/decimal.js';

/**
 * The k-th smallest value (0-based) by its definition, without sorting: the value with at most k
 * values below it and more than k at or below it.
 */
function kthSmallest(values: readonly Decimal[], k: number): Decimal {
  return values.find((v) => values.filter((w) => w.compare(v) < 0).length <= k && values.filter((w) => w.compare(v) <= 0).length > k)!;
}

/** The median by that definition: the middle value, or the mean of the two middle ones. */
function definedMedian(values: readonly Decimal[]): Decimal {
  const n = values.length;
  if (n === 0) return Decimal.ZERO;
  if (n % 2) return kthSmallest(values, n >> 1);
  const pair = sumOf([kthSmallest(values, n / 2 - 1), kthSmallest(values, n / 2)]);
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
  it('equals the median by its definition, exactly, for near ties, mixed scales and huge units', () => {
    fc.assert(fc.property(fc.array(decimalText, { maxLength: 25 }), (texts) => {
      const values = texts.map((t) => Decimal.parse(t));
      expect(median(values).compare(definedMedian(values))).toBe(0);
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
