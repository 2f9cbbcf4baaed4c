import { describe, expect, it } from 'vitest';
import { sweepCost } from '../../src/bench/hot-key.js';

const figures = (processed: number, cpuSeconds: number, bareCpu: number) => ({ run: { processed, cpuRate: processed / cpuSeconds }, bareCpu, cpuRatio: processed / cpuSeconds / bareCpu });

describe('the hot-key benchmark\'s cost per sweep message', () => {
  it('is the CPU the sweep stream spends beyond the other, per sweep, and the bar allows what keeps 0.8 of the other ratio', () => {
    // Without sweeps: 80 k messages in 2 s (40 k/s) against a 400 k/s bare parse: ratio 0.1.
    const without = figures(80_000, 2, 400_000);
    // With 20 k sweeps: 100 k messages in 5 s against a 500 k/s bare parse of its own file.
    const withSweeps = figures(100_000, 5, 500_000);
    const cost = sweepCost(withSweeps, without, 20_000);
    expect(cost.spentUs).toBeCloseTo(150, 6); // (5 - 2) s over 20 k sweeps
    // At 0.8 × 0.1 of 500 k/s the 100 k messages take 2.5 s: 0.5 s more than without, 25 µs a sweep.
    expect(cost.allowedUs).toBeCloseTo(25, 6);
    expect(sweepCost(withSweeps, without, 20_000, 0.5).allowedUs).toBeCloseTo(100, 6);
  });
});
