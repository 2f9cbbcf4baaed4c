/**
 * The benchmark's options: a count of rounds may be 0 (`--hot-labelled-rounds=0` leaves the
 * labelled hot-key pair out, as the README says), while sizes and limits stay positive.
 */
import { describe, expect, it } from 'vitest';
import { BenchArgs } from '../../src/bench/args.js';

describe('BenchArgs', () => {
  it('takes 0 rounds for a count, and its fallback when the option is absent', () => {
    expect(new BenchArgs(['--hot-labelled-rounds=0']).count('hot-labelled-rounds', 1)).toBe(0);
    expect(new BenchArgs(['--hot-labelled-rounds=2']).count('hot-labelled-rounds', 1)).toBe(2);
    expect(new BenchArgs([]).count('hot-labelled-rounds', 1)).toBe(1);
  });

  it('refuses a negative or fractional count, and a size of 0', () => {
    expect(() => new BenchArgs(['--hot-labelled-rounds=-1']).count('hot-labelled-rounds', 1)).toThrow(/0 or more/);
    expect(() => new BenchArgs(['--hot-labelled-rounds=1.5']).count('hot-labelled-rounds', 1)).toThrow(/0 or more/);
    expect(() => new BenchArgs(['--customers=0']).number('customers', 10)).toThrow(/positive/);
  });
});
