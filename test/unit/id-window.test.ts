import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/state/fingerprint.js';
import { FingerprintTable } from '../../src/state/fingerprint-table.js';
import { IdWindow } from '../../src/state/id-window.js';

describe('fingerprint table', () => {
  it('holds what was added, and nothing else, across growth', () => {
    const table = new FingerprintTable();
    for (let i = 0; i < 50_000; i++) expect(table.add(fingerprint(`ev-${i}`))).toBe(true);
    expect(table.size).toBe(50_000);
    expect(table.add(fingerprint('ev-123'))).toBe(false);
    for (let i = 0; i < 50_000; i += 997) expect(table.has(fingerprint(`ev-${i}`))).toBe(true);
    let falseHits = 0;
    for (let i = 0; i < 50_000; i++) if (table.has(fingerprint(`other-${i}`))) falseHits++;
    expect(falseHits).toBe(0);
  });

  it('costs about 11 to 23 bytes an id, not a string each', () => {
    const table = new FingerprintTable();
    for (let i = 0; i < 100_000; i++) table.add(fingerprint(`ev-${i}`));
    expect(table.bytes / table.size).toBeLessThan(24);
  });
});

describe('id window (dedupe, emitted alerts, novelty)', () => {
  it('remembers ids inside the event-time window and forgets those older than it', () => {
    const ids = new IdWindow(1000);
    ids.add('old', 0);
    ids.add('mid', 700);
    expect(ids.has('old')).toBe(true);
    for (let t = 600; t <= 1600; t += 50) ids.add(`t${t}`, t);
    expect(ids.has('old')).toBe(false);
    expect(ids.has('mid')).toBe(true);
    expect(ids.has('t1600')).toBe(true);
  });

  it('does not keep an id whose time is already older than the window', () => {
    const ids = new IdWindow(1000);
    ids.add('now', 10_000);
    ids.add('ancient', 1);
    expect(ids.has('ancient')).toBe(false);
  });

  it('accepts ids out of time order within the window', () => {
    const ids = new IdWindow(1000);
    ids.add('b', 900);
    ids.add('a', 100);
    ids.add('c', 500);
    expect(['a', 'b', 'c'].every((id) => ids.has(id))).toBe(true);
  });

  it('stays bounded by time over a long stream', () => {
    const ids = new IdWindow(1000);
    for (let t = 0; t < 100_000; t++) ids.add(`e${t}`, t);
    expect(ids.size).toBeLessThanOrEqual(1100);
    expect(ids.has('e99999')).toBe(true);
    expect(ids.has('e50000')).toBe(false);
  });

  it('stays bounded by count when the window would hold more, and says how far back it reaches', () => {
    const ids = new IdWindow(1_000_000, { maxIds: 5_000 });
    for (let t = 0; t < 50_000; t++) ids.add(`e${t}`, t * 10);
    expect(ids.size).toBeLessThanOrEqual(5_000);
    expect(ids.droppedEarly).toBeGreaterThan(0);
    expect(ids.effectiveWindow).toBeLessThan(1_000_000);
    expect(ids.has('e49999')).toBe(true);
    expect(ids.has('e0')).toBe(false);
  });

  it('drops the oldest eighth at the bound when every id falls in one time bucket, never the newest (bounds QA: it forgot them all)', () => {
    const ids = new IdWindow(400 * 86_400_000, { maxIds: 8_000 });
    // 20,000 ids within one hour: one 40-day epoch.
    for (let i = 0; i < 20_000; i++) ids.add(`ev-${i}`, i * 100);
    expect(ids.size).toBeLessThanOrEqual(8_000);
    expect(ids.size).toBeGreaterThanOrEqual(7_000);
    for (let i = 19_000; i < 20_000; i += 37) expect(ids.has(`ev-${i}`)).toBe(true);
    expect(ids.has('ev-0')).toBe(false);
  });
});

describe('id window remember (check and add in one)', () => {
  it('says whether an id was seen, and keeps one copy per time bucket', () => {
    const ids = new IdWindow(1000);
    expect(ids.remember('a', 10)).toBe(false);
    expect(ids.remember('a', 20)).toBe(true);
    expect(ids.size).toBe(1);
    expect(ids.remember('a', 950)).toBe(true); // refreshed into a newer bucket
    for (let t = 960; t <= 1500; t += 10) ids.add(`t${t}`, t);
    expect(ids.has('a')).toBe(true); // the refresh outlives the first sighting's bucket
  });
});

describe('id window addIfNew (the dedupe: one fingerprint for the check and the add)', () => {
  it('answers and remembers exactly as has() then add() when it was absent, over buckets, expiry and the count bound', () => {
    const one = new IdWindow(1000, { maxIds: 400 });
    const two = new IdWindow(1000, { maxIds: 400 });
    let seed = 7;
    const next = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    let time = 0;
    for (let i = 0; i < 5_000; i++) {
      time += next(5);
      // Redeliveries of recent and old ids, ids out of time order, and new ids.
      const id = next(3) === 0 ? `ev-${Math.max(0, i - next(600))}` : `ev-${i}`;
      const at = next(10) === 0 ? time - next(1200) : time;
      const expected = two.has(id);
      if (!expected) two.add(id, at);
      expect(one.addIfNew(id, at)).toBe(expected);
      expect(one.size).toBe(two.size);
    }
    for (let i = 0; i < 5_000; i++) expect(one.has(`ev-${i}`)).toBe(two.has(`ev-${i}`));
    expect(one.effectiveWindow).toBe(two.effectiveWindow);
  });
});
