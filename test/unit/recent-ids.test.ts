import { describe, expect, it } from 'vitest';
import { RecentIds } from '../../src/pipeline/recent-ids.js';

describe('recent ids (bounded dedupe)', () => {
  it('remembers ids inside the event-time window and forgets those older than it', () => {
    const ids = new RecentIds(1000);
    ids.add('old', 0);
    ids.add('mid', 700);
    expect(ids.has('old')).toBe(true);
    for (let t = 600; t <= 1600; t += 50) ids.add(`t${t}`, t);
    expect(ids.has('old')).toBe(false);
    expect(ids.has('mid')).toBe(true);
    expect(ids.has('t1600')).toBe(true);
  });

  it('stays bounded over a long stream', () => {
    const ids = new RecentIds(1000);
    for (let t = 0; t < 100_000; t++) ids.add(`e${t}`, t);
    expect(ids.size).toBeLessThanOrEqual(1100);
  });
});
