/**
 * A Map split over SHARDS Maps by a hash of the key. One JavaScript Map throws at 2²⁴ entries
 * (16,777,216); 64 shards lift that to about a billion before any shard fills, with one hash
 * of the key's tail as the only extra cost.
 *
 * It also sweeps itself: `sweepSome` visits a few entries per call in a rolling cursor, so the
 * owner can evict dormant keys at O(1) cost per event instead of stopping to scan everything.
 */
const SHARDS = 64;

function shardOf(key: string | number): number {
  if (typeof key === 'number') return (key ^ (key >>> 6)) & (SHARDS - 1);
  let h = 0x811c9dc5;
  // The tail of an id or address is its most random part.
  for (let i = key.length - 1, n = 0; i >= 0 && n < 16; i--, n++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) & (SHARDS - 1);
}

export class ShardedMap<K extends string | number, V> {
  private readonly shards: Map<K, V>[] = Array.from({ length: SHARDS }, () => new Map<K, V>());
  private sweepShard = 0;
  private sweepIterator: Iterator<[K, V]> | undefined;

  get(key: K): V | undefined {
    return this.shards[shardOf(key)]!.get(key);
  }

  has(key: K): boolean {
    return this.shards[shardOf(key)]!.has(key);
  }

  set(key: K, value: V): this {
    this.shards[shardOf(key)]!.set(key, value);
    return this;
  }

  delete(key: K): boolean {
    return this.shards[shardOf(key)]!.delete(key);
  }

  get size(): number {
    let n = 0;
    for (const s of this.shards) n += s.size;
    return n;
  }

  *entries(): IterableIterator<[K, V]> {
    for (const s of this.shards) yield* s;
  }

  /**
   * Visits up to `count` entries where the rolling cursor stands and deletes those `dormant`
   * says to. A Map iterator survives deletions, so a full pass takes size / count calls.
   */
  sweepSome(count: number, dormant: (value: V, key: K) => boolean): number {
    let removed = 0;
    for (let visited = 0; visited < count; ) {
      if (!this.sweepIterator) this.sweepIterator = this.shards[this.sweepShard]!.entries();
      const next = this.sweepIterator.next();
      if (next.done) {
        this.sweepIterator = undefined;
        this.sweepShard = (this.sweepShard + 1) % SHARDS;
        if (this.sweepShard === 0) return removed; // one full pass per call at most
        continue;
      }
      visited++;
      const [key, value] = next.value;
      if (dormant(value, key)) {
        this.shards[this.sweepShard]!.delete(key);
        removed++;
      }
    }
    return removed;
  }
}
