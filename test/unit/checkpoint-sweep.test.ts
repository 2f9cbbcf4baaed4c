/**
 * A ShardedMap's rolling sweep decides which dormant keys go when; a restored map must sweep on
 * from the same place. Copies of a map, one restored through sweepPosition/seekSweep, must
 * evict the same keys in the same calls, split or not.
 */
import { describe, expect, it } from 'vitest';
import { ShardedMap } from '../../src/state/sharded-map.js';

function copyOf(map: ShardedMap<string, number>, splitAt: number): ShardedMap<string, number> {
  const position = map.sweepPosition();
  const copy = new ShardedMap<string, number>(splitAt);
  if (map.sharded) copy.splitNow();
  for (const [k, v] of map.entries()) copy.set(k, v);
  copy.seekSweep(position);
  return copy;
}

/** Sweeps both maps the same way, adding the same keys between sweeps; returns what each still holds. */
function sweepBoth(a: ShardedMap<string, number>, b: ShardedMap<string, number>): [string[], string[]] {
  const odd = (v: number): boolean => v % 2 === 1;
  const removed: [number[], number[]] = [[], []];
  for (let round = 0; round < 40; round++) {
    removed[0].push(a.sweepSome(3, odd));
    removed[1].push(b.sweepSome(3, odd));
    a.set(`new-${round}`, round);
    b.set(`new-${round}`, round);
  }
  expect(removed[1]).toEqual(removed[0]);
  return [[...a.entries()].map(([k]) => k), [...b.entries()].map(([k]) => k)];
}

describe('the sweep cursor survives a checkpoint', () => {
  for (const splitAt of [1 << 23, 16]) {
    it(`mid-sweep, ${splitAt === 16 ? 'split into shards' : 'one Map'}: the restored map evicts exactly what the original does`, () => {
      const map = new ShardedMap<string, number>(splitAt);
      for (let i = 0; i < 100; i++) map.set(`key-${i}`, i);
      map.sweepSome(7, (v) => v % 5 === 0); // the cursor now stands inside the map, past deletions
      const copy = copyOf(map, splitAt);
      const [kept, keptByCopy] = sweepBoth(map, copy);
      expect(keptByCopy).toEqual(kept);
      expect(kept.length).toBeLessThan(140);
    });
  }

  it('a cursor at the end of a shard and a fresh map both restore', () => {
    const map = new ShardedMap<string, number>();
    for (let i = 0; i < 10; i++) map.set(`k${i}`, i);
    map.sweepSome(10, () => false); // visited all ten: the iterator stands after the last key
    const [kept, keptByCopy] = sweepBoth(map, copyOf(map, 1 << 23));
    expect(keptByCopy).toEqual(kept);
    const empty = new ShardedMap<string, number>();
    expect(empty.sweepPosition()).toEqual({ shard: 0 });
  });
});
