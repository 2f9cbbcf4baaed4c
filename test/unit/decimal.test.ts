import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, sumOf } from '../../src/money/decimal.js';

/** Contract-shaped amounts: up to 30 whole digits, up to 18 fraction digits, some far past 2^53 units. */
const wholeDigits = fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9]\d{0,29}$/));
const fractionDigits = fc.oneof(fc.constant(''), fc.stringMatching(/^\d{1,18}$/));
const amountText = fc.tuple(wholeDigits, fractionDigits).map(([w, f]) => (f ? `${w}.${f}` : w));
const signedText = fc.tuple(fc.boolean(), amountText).map(([neg, t]) => (neg && /[1-9]/.test(t) ? `-${t}` : t));

/** The reference: the same value as a bigint count of 10^-36 (every operand here has at most 18 places). */
const SCALE = 36;
function reference(text: string): bigint {
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  const units = BigInt(whole! + fraction.padEnd(SCALE, '0'));
  return negative ? -units : units;
}
function canonical(text: string): string {
  const negative = text.startsWith('-');
  let [whole, fraction = ''] = text.replace('-', '').split('.');
  whole = whole!.replace(/^0+(?=\d)/, '');
  fraction = fraction.replace(/0+$/, '');
  const body = fraction ? `${whole}.${fraction}` : whole;
  return negative && body !== '0' ? `-${body}` : body;
}

describe('Decimal', () => {
  it('parses a literal by char codes exactly as by its pattern: the same units and scale, the same refusal', () => {
    // Contract amounts, short and long, with leading zeros and signs, and near misses of every kind.
    const digits = fc.stringMatching(/^\d{0,20}$/);
    const near = fc.tuple(fc.constantFrom('', '-', '+', '--', ' '), digits, fc.constantFrom('', '.', '..', 'e', ',', '٣'), digits, fc.constantFrom('', '.', '.5', ' ', 'x'))
      .map(([sign, whole, point, fraction, tail]) => sign + whole + point + fraction + tail);
    const outcome = (f: () => Decimal): string => {
      try {
        const d = f();
        return `${typeof d.units} ${String(d.units)} ${d.scale} ${Object.is(d.units, -0)}`;
      } catch (err) {
        return `${(err as Error).constructor.name}: ${(err as Error).message}`;
      }
    };
    fc.assert(fc.property(fc.oneof(signedText, near), (t) => { expect(outcome(() => Decimal.parse(t))).toBe(outcome(() => Decimal.parsePlain(t))); }), { numRuns: 5000 });
  });

  it('prints back exactly what it parsed, trailing zeros dropped', () => {
    fc.assert(fc.property(signedText, (t) => { expect(Decimal.parse(t).toString()).toBe(canonical(t)); }), { numRuns: 2000 });
    expect(Decimal.parse('0.00012345').toString()).toBe('0.00012345');
    expect(Decimal.parse('2500.00').toString()).toBe('2500');
  });

  it('sums exactly, whatever the magnitudes and scales (checked against a bigint reference)', () => {
    fc.assert(fc.property(fc.array(signedText, { maxLength: 12 }), (texts) => {
      const exact = texts.reduce((s, t) => s + reference(t), 0n);
      expect(reference(sumOf(texts.map(Decimal.parse)).toString())).toBe(exact);
    }), { numRuns: 1000 });
  });

  it('compares by value, not by text or scale', () => {
    fc.assert(fc.property(signedText, signedText, (a, b) => {
      const want = Math.sign(Number(reference(a) - reference(b)));
      expect(Decimal.parse(a).compare(Decimal.parse(b))).toBe(want);
    }), { numRuns: 2000 });
    expect(Decimal.parse('1.10').compare(Decimal.parse('1.1'))).toBe(0);
  });

  it('multiplies exactly and subtracts back to the start', () => {
    fc.assert(fc.property(signedText, signedText, (a, b) => {
      const product = Decimal.parse(a).times(Decimal.parse(b));
      const [wa, fa = ''] = a.replace('-', '').split('.');
      const [wb, fb = ''] = b.replace('-', '').split('.');
      const digits = BigInt(wa! + fa) * BigInt(wb! + fb);
      const sign = (a.startsWith('-') ? -1n : 1n) * (b.startsWith('-') ? -1n : 1n);
      expect(reference(product.toString()) * 1n).toBe(sign * digits * 10n ** BigInt(SCALE - fa.length - fb.length));
      expect(Decimal.parse(a).plus(Decimal.parse(b)).minus(Decimal.parse(b)).compare(Decimal.parse(a))).toBe(0);
    }), { numRuns: 1000 });
  });

  it('lands a sum near a threshold on the right side, where doubles do not', () => {
    // 0.1 + 0.2 as doubles is 0.30000000000000004, above 0.3; exactly it is 0.3.
    expect(0.1 + 0.2 > 0.3).toBe(true);
    expect(Decimal.parse('0.1').plus(Decimal.parse('0.2')).compare(Decimal.parse('0.3'))).toBe(0);
    // Three deposits of 3333.33 and one of 0.01 make 10,000.00 exactly: at the threshold, not under it.
    const sum = sumOf(['3333.33', '3333.33', '3333.33', '0.01'].map(Decimal.parse));
    expect(sum.compare(Decimal.fromNumber(10_000))).toBe(0);
    // 90% of 1e18 wei plus one wei is above 90%, though as doubles both sides are equal.
    const inflow = Decimal.fromUnits(10n ** 18n, 18);
    const moved = Decimal.fromUnits(9n * 10n ** 17n + 1n, 18);
    expect(moved.compare(inflow.times(Decimal.parse('0.9')))).toBe(1);
    expect(0.9 * 1e18 + 1 > 0.9 * 1e18).toBe(false);
  });

  it('reads a JSON number as the shortest decimal that names it, exponents included', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
      expect(Decimal.fromNumber(n).toNumber()).toBe(n === 0 ? 0 : n);
    }), { numRuns: 2000 });
    expect(Decimal.fromNumber(9999.99).toString()).toBe('9999.99');
    expect(Decimal.fromNumber(1e-7).toString()).toBe('0.0000001');
    expect(Decimal.fromNumber(1.5e21).toString()).toBe('1500000000000000000000');
  });

  it('reads a number with few fraction digits (cents, prices) exactly as the shortest-text reference does', () => {
    // Short decimals near every magnitude, the doubles between them, and the 2^50 edge of the quick path.
    const short = fc.tuple(fc.integer({ min: -(2 ** 53), max: 2 ** 53 }), fc.integer({ min: 0, max: 12 })).map(([units, k]) => units / 10 ** k);
    const edge = fc.tuple(fc.integer({ min: 2 ** 49, max: 2 ** 51 }), fc.integer({ min: 1, max: 9 }), fc.boolean()).map(([u, k, neg]) => (neg ? -u : u) / 10 ** k);
    const any = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(fc.property(fc.oneof(short, edge, any), (n) => {
      const quick = Decimal.fromNumber(n);
      const reference = Decimal.fromNumberText(n);
      expect([quick.units, quick.scale]).toEqual([reference.units, reference.scale]);
    }), { numRuns: 20_000 });
    for (const n of [0.1, 0.3, -0.07, 9999.99, 1234.5678, 0.00000001, 123456.78, 1e-9, 2 ** 50 / 100 + 0.01]) {
      expect(Decimal.fromNumber(n).toString()).toBe(Decimal.fromNumberText(n).toString());
    }
  });

  it('turns base units into whole units with the asset decimals', () => {
    expect(Decimal.fromUnits(12_345n, 8).toString()).toBe('0.00012345');
    expect(Decimal.fromUnits(1n, 18).toString()).toBe('0.000000000000000001');
    expect(Decimal.fromUnits(2n ** 200n, 0).toString()).toBe((2n ** 200n).toString());
  });

  it('reads as the double its text names (what decode bounds a chain amount by, without printing it)', () => {
    const units = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 53n }), fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }));
    fc.assert(fc.property(units, fc.integer({ min: 0, max: 30 }), (u, decimals) => {
      const amount = Decimal.fromUnits(u, decimals);
      expect(amount.toNumber()).toBe(Number(amount.toString()));
    }), { numRuns: 5_000 });
  });

  it('formats for reading with separators and every significant digit', () => {
    expect(Decimal.parse('0.00012345').format()).toBe('0.00012345');
    expect(Decimal.parse('3006.70').format()).toBe('3,006.7');
    expect(Decimal.parse('-1234567.5').format()).toBe('-1,234,567.5');
    expect(JSON.stringify({ amount: Decimal.parse('12.50') })).toBe('{"amount":"12.5"}');
  });

  it('tests whole multiples exactly and divides toward zero at a given scale', () => {
    expect(Decimal.parse('25000.00').isMultipleOf(Decimal.fromNumber(1000))).toBe(true);
    expect(Decimal.parse('25000.01').isMultipleOf(Decimal.fromNumber(1000))).toBe(false);
    expect(Decimal.parse('10').dividedBy(3, 4).toString()).toBe('3.3333');
    expect(() => Decimal.parse('1e5')).toThrow(/not a decimal/);
  });
});
