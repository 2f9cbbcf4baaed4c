/**
 * compileCondition builds one closure per common operator (gte, gt, lte, lt, eq, ne) instead of
 * choosing the operator by name on every call: each must say what the generic `compare` says,
 * for numbers, exact decimals, strings in any case, booleans, null and absent fields.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compare, compileCondition } from '../../src/engine/conditions.js';
import type { Condition } from '../../src/engine/rule-schema.js';
import { parseQuantity } from '../../src/engine/units.js';
import { Decimal } from '../../src/money/decimal.js';

const number = fc.constantFrom(0, 1, 2.5, 999.99, 1000, 1000.01, -3, 10_000, Number.NaN);
const decimal = fc.constantFrom('0', '1', '2.50', '999.99', '1000', '1000.00', '1000.01', '-3', '10000').map((t) => Decimal.parse(t));
const text = fc.constantFrom('US', 'us', 'DE', 'deposit', 'Deposit', '1000', '');
const actual = fc.oneof(number, decimal, text, fc.boolean(), fc.constant(null), fc.constant(undefined));
const expectedRaw = fc.oneof(number, text, fc.boolean(), fc.constantFrom('1000 USD', '2.5 USD', '10%', '24h'));

/** The verdict, or the error it throws (a threshold that is no number throws on a decimal field, both ways). */
function outcome(judge: () => boolean): boolean | string {
  try {
    return judge();
  } catch (err) {
    return `throws ${(err as Error).message}`;
  }
}

describe('per-operator condition closures', () => {
  it('agree with the generic comparison for every operator they cover', () => {
    fc.assert(fc.property(fc.constantFrom('gte', 'gt', 'lte', 'lt', 'eq', 'ne'), actual, expectedRaw, (op, value, raw) => {
      const predicate = compileCondition({ field: 'event.x', [op]: raw } as unknown as Condition);
      const ctx = { event: value === undefined ? {} : { x: value } };
      const expected = parseQuantity(raw);
      const exact = typeof expected === 'number' && Number.isFinite(expected) ? Decimal.fromNumber(expected) : undefined;
      expect(outcome(() => predicate(ctx))).toEqual(outcome(() => compare(op, value, expected, ctx, exact)));
    }), { numRuns: 5000 });
  });
});

describe('field-to-field orderings (gtField, gteField, ltField, lteField)', () => {
  const judge = (op: string, a: unknown, b: unknown): boolean => compileCondition({ field: 'event.a', [op]: 'event.b' } as unknown as Condition)({ event: { a, b } });

  it('order numbers and exact decimals as their values do, whatever mix of the two', () => {
    fc.assert(fc.property(fc.oneof(number, decimal), fc.oneof(number, decimal), (a, b) => {
      const x = typeof a === 'number' ? a : a.toNumber();
      const y = typeof b === 'number' ? b : b.toNumber();
      if (Number.isNaN(x) || Number.isNaN(y)) {
        for (const op of ['gtField', 'gteField', 'ltField', 'lteField']) expect(judge(op, a, b)).toBe(false);
        return;
      }
      expect(judge('gtField', a, b)).toBe(x > y);
      expect(judge('gteField', a, b)).toBe(x >= y);
      expect(judge('ltField', a, b)).toBe(x < y);
      expect(judge('lteField', a, b)).toBe(x <= y);
    }), { numRuns: 2000 });
  });

  it('hold for no ordering when either field is absent or not a number', () => {
    for (const op of ['gtField', 'gteField', 'ltField', 'lteField']) {
      expect(judge(op, undefined, 1)).toBe(false);
      expect(judge(op, 1, undefined)).toBe(false);
      expect(judge(op, '5', 1)).toBe(false);
      expect(judge(op, 5, 'x')).toBe(false);
    }
    expect(judge('gtField', 2, 1)).toBe(true);
    expect(judge('gtField', Decimal.parse('1000.01'), 1000)).toBe(true);
    expect(judge('lteField', Decimal.parse('1000.00'), Decimal.parse('1000'))).toBe(true);
  });

  it('scale the other field by `times` (a sum 5 times the salary or more), numbers and exact decimals alike', () => {
    const scaled = (op: string, a: unknown, b: unknown, times: number): boolean => compileCondition({ field: 'event.a', [op]: 'event.b', times } as unknown as Condition)({ event: { a, b } });
    fc.assert(fc.property(fc.oneof(number, decimal), fc.oneof(number, decimal), fc.constantFrom(0.5, 1, 1.5, 5, 12), (a, b, times) => {
      const x = typeof a === 'number' ? a : a.toNumber();
      const y = (typeof b === 'number' ? b : b.toNumber()) * times;
      if (Number.isNaN(x) || Number.isNaN(y)) return;
      expect(scaled('gteField', a, b, times)).toBe(x >= y);
      expect(scaled('ltField', a, b, times)).toBe(x < y);
    }), { numRuns: 2000 });
    expect(scaled('gteField', Decimal.parse('120000'), 7500, 5)).toBe(true);
    expect(scaled('gteField', Decimal.parse('30000'), 7500, 5)).toBe(false);
    expect(scaled('gteField', Decimal.parse('30000'), 7500, 1)).toBe(true);
  });
});

describe('containsAnyField (a list shares a value with another field\'s list)', () => {
  const judge = (a: unknown, b: unknown): boolean => compileCondition({ field: 'event.a', containsAnyField: 'event.b' } as unknown as Condition)({ event: { a, b } });

  it('holds exactly when some value of the field is among the other field\'s values, case-blind as containsAny', () => {
    const id = fc.constantFrom('ev-1', 'ev-2', 'EV-2', 'ev-3', 'ev-4');
    fc.assert(fc.property(fc.array(id, { maxLength: 4 }), fc.array(id, { maxLength: 4 }), (a, b) => {
      const shared = a.some((x) => b.some((y) => x.toLowerCase() === y.toLowerCase()));
      expect(judge(a, b)).toBe(shared);
    }));
  });

  it('reads a single value as a list of one, and holds for nothing when either field is absent', () => {
    expect(judge('ev-1', ['ev-0', 'ev-1'])).toBe(true);
    expect(judge(['ev-1', 'ev-9'], 'ev-9')).toBe(true);
    expect(judge(['ev-1'], undefined)).toBe(false);
    expect(judge(undefined, ['ev-1'])).toBe(false);
    expect(judge([], [])).toBe(false);
  });

});
