/**
 * The integration tests' one-off reads of the broker's state (test/helpers/kafka.ts `answered`): a
 * read that throws, as a fresh group's offsets do while its coordinator loads, is made again
 * instead of failing the test (session 64: monitor.test.ts's crash test failed on one at a load of 40).
 */
import { describe, expect, it } from 'vitest';
import { answered } from '../helpers/kafka.js';

const coordinatorLoading = (): Error => Object.assign(new Error("The coordinator is loading and hence can't process requests for this group"), { retriable: true, code: 14 });

describe('answered', () => {
  it('makes a read that throws again until it answers, and gives its answer', async () => {
    let calls = 0;
    const read = async (): Promise<number> => {
      calls++;
      if (calls < 3) throw coordinatorLoading();
      return 42;
    };
    await expect(answered(read, 'the slot cursors')).resolves.toBe(42);
    expect(calls).toBe(3);
  });

  it('gives a read that answers at once its answer after one call', async () => {
    let calls = 0;
    await expect(answered(async () => { calls++; return false; }, 'whether the cursors reached the end')).resolves.toBe(false);
    expect(calls).toBe(1);
  });

  it('fails, naming what it waited for and the last error, when the read never answers within its limit', async () => {
    await expect(answered(async () => { throw coordinatorLoading(); }, 'the slot cursors', 1200)).rejects.toThrow(/waiting for the slot cursors \(last error: The coordinator is loading/);
  });
});
