import { describe, expect, it } from 'vitest';
import { FirstFeedWindow } from '../../src/monitor/first-feed.js';

const TOPICS = ['deposits', 'withdrawals', 'labels'];
const empty = TOPICS.flatMap((topic) => [0, 1].map((partition) => ({ topic, partition, high: 0n })));
const window = (capMs = 120_000, quietMs = 15_000): FirstFeedWindow => new FirstFeedWindow({ capMs, quietMs, settleMs: 2000 });

describe('first-feed window', () => {
  it('arms only when every input partition is empty at the first assignment', () => {
    const w = window();
    expect(w.assigned(TOPICS, empty)).toBe(true);
    expect(w.state).toBe('armed');
    const prefilled = window();
    expect(prefilled.assigned(TOPICS, empty.map((p, i) => (i === 3 ? { ...p, high: 5n } : p)))).toBe(false);
    expect(prefilled.state).toBe('off');
    prefilled.sawHigh('deposits', 0, 10n, 1000);
    expect(prefilled.holdMs(2000)).toBe(2000);
  });

  it('is off when MONITOR_FIRST_FEED_HOLD_MS is 0', () => {
    const w = window(0);
    expect(w.assigned(TOPICS, empty)).toBe(false);
    w.sawHigh('deposits', 0, 10n, 1000);
    expect(w.holdMs(2000)).toBe(2000);
  });

  it('decides once: a later assignment (a rejoin, a re-read) neither arms nor disarms it', () => {
    const w = window();
    w.assigned(TOPICS, empty.map((p) => ({ ...p, high: 1n })));
    expect(w.assigned(TOPICS, empty)).toBe(false);
    expect(w.state).toBe('off');
  });

  it('keeps the hold while armed and holds without bound from the first record', () => {
    const w = window();
    w.assigned(TOPICS, empty);
    expect(w.holdMs(2000)).toBe(2000);
    w.sawHigh('deposits', 0, 0n, 1000);
    expect(w.holding).toBe(false);
    w.sawHigh('deposits', 0, 40n, 1000);
    expect(w.holding).toBe(true);
    expect(w.holdMs(2000)).toBe(Number.POSITIVE_INFINITY);
  });

  it('closes one hold (settleMs) after every input topic has had a record, however busy the input', () => {
    const w = window();
    w.assigned(TOPICS, empty);
    w.sawHigh('deposits', 1, 40n, 1000);
    w.sawHigh('withdrawals', 0, 3n, 2000);
    expect(w.check(2000)).toBeUndefined();
    w.sawHigh('labels', 1, 1n, 3000);
    w.sawHigh('labels', 1, 500n, 4000); // the last topic's producer still writing
    expect(w.check(4999)).toBeUndefined();
    expect(w.holdMs(2000)).toBe(Number.POSITIVE_INFINITY);
    w.sawHigh('labels', 1, 900n, 5000);
    expect(w.check(5000)).toBe('all-topics-fed');
    expect(w.state).toBe('closed');
    expect(w.holdMs(2000)).toBe(2000);
    expect(w.check(5001)).toBeUndefined(); // said once
    expect(w.status(6000)).toMatchObject({ state: 'closed', endedBy: 'all-topics-fed', topicsFed: 3, topics: 3 });
  });

  it('counts only input topics as fed', () => {
    const w = window();
    w.assigned(TOPICS, empty);
    for (const t of ['deposits', 'withdrawals', 'other']) w.sawHigh(t, 0, 1n, 1000);
    expect(w.check(10_000)).toBeUndefined();
    expect(w.status(10_000)).toMatchObject({ topicsFed: 2, topics: 3 });
  });

  it('closes when no high watermark has grown for the quiet time (a topic never fed)', () => {
    const w = window(120_000, 15_000);
    w.assigned(TOPICS, empty);
    w.sawHigh('deposits', 0, 40n, 1000);
    w.sawHigh('withdrawals', 0, 30n, 9000);
    w.sawHigh('withdrawals', 0, 30n, 20_000); // read again, unchanged: not a new record
    expect(w.check(23_999)).toBeUndefined();
    expect(w.status(23_999)).toMatchObject({ state: 'holding', topicsFed: 2, quietSeconds: 15 });
    expect(w.check(24_000)).toBe('quiet');
  });

  it('does not take a partition whose high watermark grows as quiet, though nothing is fetched from it (paused)', () => {
    const w = window(120_000, 15_000);
    w.assigned(TOPICS, empty);
    // Only refreshes of the high watermark report the paused partition: its producer goes on.
    for (let t = 1000, high = 100n; t <= 60_000; t += 1000, high += 100n) {
      w.sawHigh('deposits', 0, high, t);
      expect(w.check(t)).toBeUndefined();
    }
    expect(w.holding).toBe(true);
    expect(w.check(75_000)).toBe('quiet');
  });

  it('closes at the cap after the first record, however busy the input', () => {
    const w = window(30_000, 15_000);
    w.assigned(TOPICS, empty);
    for (let t = 5000, high = 1n; t < 35_000; t += 1000, high++) {
      w.sawHigh('deposits', 0, high, t);
      expect(w.check(t)).toBeUndefined();
    }
    w.sawHigh('deposits', 0, 1000n, 35_000);
    expect(w.check(35_000)).toBe('cap');
  });

  it('still closes at the cap and on quiet input when the wall clock steps back while it holds', () => {
    const HOUR = 3_600_000;
    const capped = window(120_000, 15_000);
    capped.assigned(TOPICS, empty);
    for (let t = 10 * HOUR, high = 1n; t <= 10 * HOUR + 60_000; t += 1000, high++) {
      capped.sawHigh('deposits', 0, high, t);
      expect(capped.check(t)).toBeUndefined();
    }
    // The clock is set back an hour 60 s into the window; the producer goes on.
    for (let t = 9 * HOUR + 61_000, high = 100n; t < 9 * HOUR + 120_000; t += 1000, high++) {
      capped.sawHigh('deposits', 0, high, t);
      expect(capped.check(t)).toBeUndefined();
    }
    // The second between the last reading before the step and the first after it counts as none.
    expect(capped.check(9 * HOUR + 121_000)).toBe('cap');

    const quiet = window(120_000, 15_000);
    quiet.assigned(TOPICS, empty);
    quiet.sawHigh('deposits', 0, 10n, 10 * HOUR);
    expect(quiet.check(10 * HOUR + 5000)).toBeUndefined();
    expect(quiet.check(9 * HOUR + 5000)).toBeUndefined();
    expect(quiet.check(9 * HOUR + 14_999)).toBeUndefined();
    expect(quiet.check(9 * HOUR + 15_000)).toBe('quiet');
  });
});
