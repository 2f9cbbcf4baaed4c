import { describe, expect, it } from 'vitest';
import { learnedPeriod } from '../../src/engine/learned-period.js';

const DAY = 86_400_000;
const days = (...d: number[]): number[] => d.map((x) => x * DAY);

describe('learnedPeriod (T10: the payroll gap in the learned cadence)', () => {
  it('is the median gap of the run, not the nominal period that found it', () => {
    expect(learnedPeriod(days(0, 13, 26, 39, 52), 14 * DAY, 3 * DAY)).toBe(13 * DAY);
    expect(learnedPeriod(days(0, 34, 68, 102), 30 * DAY, 5 * DAY)).toBe(34 * DAY);
  });
  it('counts a gap that skipped one payment as two periods', () => {
    expect(learnedPeriod(days(0, 31, 93, 124), 30 * DAY, 5 * DAY)).toBe(31 * DAY);
  });
  it('takes the middle two of an even number of gaps, and the nominal period without any gap', () => {
    expect(learnedPeriod(days(0, 28, 58, 90, 122), 30 * DAY, 5 * DAY)).toBe(31 * DAY);
    expect(learnedPeriod(days(5), 30 * DAY, 5 * DAY)).toBe(30 * DAY);
  });
});
