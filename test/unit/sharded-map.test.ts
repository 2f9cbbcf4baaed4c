import { describe, expect, it } from 'vitest';
import { ShardedMap, ShardedSet } from '../../src/state/sharded-map.js';

describe('sharded map', () => {
  it('behaves as a Map for string and number keys', () => {
    const byName = new ShardedMap<string, number>();
    const byId = new ShardedMap<number, string>();
    for (let i = 0; i < 10_000; i++) { byName.set(`acct-${i}`, i); byId.set(i, `v${i}`); }
    expect(byName.size).toBe(10_000);
    expect(byName.get('acct-4242')).toBe(4242);
    expect(byId.get(9999)).toBe('v9999');
    expect(byName.delete('acct-1')).toBe(true);
    expect(byName.has('acct-1')).toBe(false);
    expect([...byId.entries()].length).toBe(10_000);
  });

  it('setIsNew tells a new key from a replaced one, the key whose set splits the map included', () => {
    const map = new ShardedMap<string, number>(100);
    for (let i = 0; i < 99; i++) expect(map.setIsNew(`k${i}`, i)).toBe(true);
    expect(map.sharded).toBe(false);
    expect(map.setIsNew('k99', 99)).toBe(true); // the hundredth entry splits the single Map
    expect(map.sharded).toBe(true);
    expect(map.setIsNew('k99', 100)).toBe(false);
    expect(map.setIsNew('k0', 1)).toBe(false);
    expect(map.get('k99')).toBe(100);
    expect(map.size).toBe(100);
  });

  it('is one Map while small, and splits into shards that spread keys evenly once large', () => {
    const map = new ShardedMap<number, number>(10_000);
    for (let i = 0; i < 9_999; i++) map.set(i * 64, i); // ids that share their low bits
    expect(map.sharded).toBe(false);
    for (let i = 9_999; i < 64_000; i++) map.set(i * 64, i);
    expect(map.sharded).toBe(true);
    const shards = (map as unknown as { shards: Map<number, number>[] }).shards;
    expect(Math.max(...shards.map((s) => s.size))).toBeLessThan(4_000);
    expect(map.size).toBe(64_000);
    expect(map.get(63_999 * 64)).toBe(63_999);
    const names = new ShardedMap<string, number>(100);
    for (let i = 0; i < 1_000; i++) names.set(`acct-${i}`, i);
    expect(names.sharded).toBe(true);
    expect(names.get('acct-777')).toBe(777);
  });

  it('sweeps a few entries per call and evicts, over passes, every dormant one', () => {
    const map = new ShardedMap<string, number>();
    for (let i = 0; i < 1_000; i++) map.set(`k${i}`, i);
    let calls = 0;
    while (map.size > 500 && calls < 10_000) { map.sweepSome(4, (v) => v < 500); calls++; }
    expect(map.size).toBe(500);
    expect(calls).toBeGreaterThan(100); // a few per call, never a stop-the-world scan
    expect(map.get('k999')).toBe(999);
  });

  for (const splitAt of [1 << 23, 100]) {
    it(`moves entries to new keys and gives them new values, dropping the ones told to (${splitAt === 100 ? 'split into shards' : 'one Map'})`, () => {
      const map = new ShardedMap<number, string>(splitAt);
      const reference = new Map<number, string>();
      for (let i = 0; i < 1_000; i++) { map.set(i * 3, `v${i}`); reference.set(i * 3, `v${i}`); }
      expect(map.sharded).toBe(splitAt === 100);
      // Keys move down (as a compaction's renumbering does) onto keys still waiting to move.
      map.rekey((key) => (key % 2 === 0 ? key / 2 : undefined));
      const moved = new Map([...reference].filter(([k]) => k % 2 === 0).map(([k, v]) => [k / 2, v]));
      expect(new Map(map.entries())).toEqual(moved);
      expect(map.size).toBe(moved.size);
      map.revalue((value, key) => (key % 3 === 0 ? `${value}@${key}` : undefined));
      const revalued = new Map([...moved].filter(([k]) => k % 3 === 0).map(([k, v]) => [k, `${v}@${k}`]));
      expect(new Map(map.entries())).toEqual(revalued);
      for (const [k, v] of revalued) expect(map.get(k)).toBe(v);
      // The rolling sweep starts over and still reaches every entry.
      const seen = new Set<number>();
      for (let calls = 0; calls < 100 && seen.size < revalued.size; calls++) map.sweepSome(7, (_, key) => { seen.add(key); return false; });
      expect(seen.size).toBe(revalued.size);
    });
  }
});

describe('sharded set', () => {
  it('behaves as a Set past its split point (the labelled-cluster roots use it: a Set throws at 2^24)', () => {
    const set = new ShardedSet<number>(1_000);
    for (let i = 0; i < 5_000; i++) set.add(i * 3);
    expect(set.size).toBe(5_000);
    expect(set.has(4_999 * 3)).toBe(true);
    expect(set.has(1)).toBe(false);
    expect(set.delete(3)).toBe(true);
    expect(set.delete(3)).toBe(false);
    expect(set.has(3)).toBe(false);
    expect(set.size).toBe(4_999);
  });
});
