import { describe, expect, it } from 'vitest';
import { median, orderBalancedQuotients } from '../../src/bench/ab-stats.js';

describe('bench:ab figures', () => {
  it('leave out the order of the two runs in a round: a build pair that alternates 0.9 and 1.1 by order reads as equal', () => {
    // A build 5% faster, and the second run of every round 10% dearer: rounds A-first give 0.95*1.1, B-first 0.95/1.1.
    const quotients = [0.95 * 1.1, 0.95 / 1.1, 0.95 * 1.1, 0.95 / 1.1, 0.95 * 1.1];
    const balanced = orderBalancedQuotients(quotients);
    expect(balanced).toHaveLength(2); // the fifth round has no partner
    for (const q of balanced) expect(q).toBeCloseTo(0.95, 10);
    expect(median(balanced)).toBeCloseTo(0.95, 10);
  });
});
