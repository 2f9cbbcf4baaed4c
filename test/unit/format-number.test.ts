import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../src/engine/conditions.js';

const intl = (v: number): string => v.toLocaleString('en-US', { maximumFractionDigits: 2 });

describe('explanation numbers', () => {
  it('write exactly what en-US toLocaleString with two decimals writes', () => {
    for (const v of [0, 1, -1, 0.5, 0.125, 1.005, 2.675, 999.995, 1000, 1234567.891, -0.004, -0.005, -1234.5, 9999.999, 0.1 + 0.2, 1e14 + 0.5]) expect(formatNumber(v), String(v)).toBe(intl(v));
    fc.assert(fc.property(fc.oneof(fc.double({ min: -1e12, max: 1e12, noNaN: true }), fc.integer({ min: -1e9, max: 1e9 }).map((n) => n / 1000), fc.integer().map((n) => n / 8)), (v) => {
      expect(formatNumber(v)).toBe(intl(v));
    }), { numRuns: 20_000 });
  });
});
