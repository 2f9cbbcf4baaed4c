/**
 * A read cut by the deadline shared by a start's reads names the time it had, not its own
 * timeoutMs (as waitForTopics and retryStartup do).
 */
import { describe, expect, it } from 'vitest';
import { NoWholeAnswer, readComplete } from '../../src/kafka/complete-answers.js';

describe('a whole-answer read past the shared start-up deadline', () => {
  it('names the time the shared deadline left it, not its own timeout', async () => {
    const read = readComplete('offsets of t', async () => [], () => 'partition 0 missing', { timeoutMs: 60_000, deadline: Date.now() - 1 });
    await expect(read).rejects.toThrow(NoWholeAnswer);
    await expect(read).rejects.toThrow(/^offsets of t: no whole answer within 0 ms: partition 0 missing$/);
  });
});
