/**
 * The monitor applies in steps that hold the event loop about 50 ms: a JIT-cold start applied
 * 2,000 messages at once and /healthz stalled for about a second (session 33 operations QA).
 */
import { describe, expect, it } from 'vitest';
import { nextStepSize } from '../../src/monitor/monitor.js';

describe('the monitor\'s step size', () => {
  it('halves after a slow step, never below 32', () => {
    expect(nextStepSize(2000, 2000, 400, 2000)).toBe(1000);
    expect(nextStepSize(40, 40, 400, 2000)).toBe(32);
  });

  it('doubles after a full quick step, never past the maximum, and stays after a step the buffer could not fill', () => {
    expect(nextStepSize(128, 128, 5, 2000)).toBe(256);
    expect(nextStepSize(1600, 1600, 5, 2000)).toBe(2000);
    expect(nextStepSize(128, 40, 5, 2000)).toBe(128); // fewer were ready: says nothing of the speed
    expect(nextStepSize(512, 512, 40, 2000)).toBe(512); // near the target
  });
});
