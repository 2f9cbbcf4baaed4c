/**
 * A Map that splits itself over SHARDS Maps by a hash of the key once it grows large. One
 * JavaScript Map throws at 2²⁴ entries (16,777,216); split, the limit is about a billion. Below
 * SPLIT_AT entries it is one plain Map, because 64 small Maps cost a hash of the key and a cache
 * miss more per lookup, which at a few hundred thousand keys is most of the lookup's cost.
 *
 * It also sweeps itself: `sweepSome` visits a few entries per call in a rolling cursor, so the
 * owner can evict dormant keys at O(1) cost per call instead of stopping to scan everything.
 */
const SHARDS = 64;
/** Entries at which the single Map splits: half of one Map's limit, well before it throws. */
const SPLIT_AT = 1 << 23;

function shardOf(key: string | number): number {
  if (typeof key === 'number') return (key ^ (key >>> 6)) & (SHARDS - 1);
  let h = 0x811c9dc5;
  // The tail of an id or address is its most random part.
  for (let i = key.length - 1, n = 0; i >= 0 && n < 16; i--, n++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) & (SHARDS - 1);
}

/** Where a rolling sweep stands: its part (shard) and the key it read last (undefined at the part's start). */
export type SweepPosition<K> = { shard: number; after?: K };

/**
 * What the graph's tables, their compaction and the checkpoint's map sections read and write: a
 * ShardedMap, or an IdTable where the keys are dense ids.
 */
export interface KeyedTable<K, V> {
  get(key: K): V | undefined;
  has(key: K): boolean;
  set(key: K, value: V): unknown;
  delete(key: K): boolean;
  readonly size: number;
  readonly sharded: boolean;
  entries(): IterableIterator<[K, V]>;
  sweepSome(count: number, dormant: (value: V, key: K) => boolean): number;
  sweepPosition(): SweepPosition<K>;
  seekSweep(position: SweepPosition<K>): void;
  splitNow(): void;
  rekey(rekey: (key: K, value: V) => K | undefined): void;
}

export class ShardedMap<K extends string | number, V> implements KeyedTable<K, V> {
  private shards: Map<K, V>[] = [new Map<K, V>()];
  private sweepShard = 0;
  private sweepIterator: Iterator<[K, V]> | undefined;

  /** @param splitAt entries at which the single Map splits (tests lower it). */
  constructor(private readonly splitAt = SPLIT_AT) {}

  private shard(key: K): Map<K, V> {
    return this.shards.length === 1 ? this.shards[0]! : this.shards[shardOf(key)]!;
  }

  get(key: K): V | undefined {
    return this.shard(key).get(key);
  }

  has(key: K): boolean {
    return this.shard(key).has(key);
  }

  set(key: K, value: V): this {
    const shard = this.shard(key);
    shard.set(key, value);
    if (this.shards.length === 1 && shard.size >= this.splitAt) this.split();
    return this;
  }

  /** `set`, telling whether the key is new (one look-up, where `has` and then `set` take two). */
  setIsNew(key: K, value: V): boolean {
    const shard = this.shard(key);
    const before = shard.size;
    shard.set(key, value);
    const isNew = shard.size > before; // read before a split moves the entries to new shards
    if (this.shards.length === 1 && shard.size >= this.splitAt) this.split();
    return isNew;
  }

  delete(key: K): boolean {
    return this.shard(key).delete(key);
  }

  get size(): number {
    let n = 0;
    for (const s of this.shards) n += s.size;
    return n;
  }

  get sharded(): boolean {
    return this.shards.length > 1;
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
        this.sweepShard = (this.sweepShard + 1) % this.shards.length;
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

  private split(): void {
    const whole = this.shards[0]!;
    this.shards = Array.from({ length: SHARDS }, () => new Map<K, V>());
    for (const [k, v] of whole) this.shards[shardOf(k)]!.set(k, v);
    this.sweepShard = 0;
    this.sweepIterator = undefined;
  }

  /**
   * Where the rolling sweep stands, for a checkpoint: its shard and the live key it passed last
   * (undefined at the shard's start). A Map iterator cannot be copied, so the cursor is
   * re-created at the same place (see seekSweep) and the sweep goes on exactly as before.
   */
  sweepPosition(): { shard: number; after?: K } {
    const shard = this.sweepShard;
    if (!this.sweepIterator) return { shard };
    const next = this.sweepIterator.next();
    let after: K | undefined;
    for (const key of this.shards[shard]!.keys()) {
      if (!next.done && key === next.value[0]) break;
      after = key;
    }
    this.seekSweep({ shard, ...(after !== undefined ? { after } : {}) });
    return after === undefined ? { shard } : { shard, after };
  }

  /** Puts the rolling sweep where `sweepPosition` said it stood (on a map restored in the same order). */
  seekSweep(position: { shard: number; after?: K }): void {
    this.sweepShard = position.shard % this.shards.length;
    this.sweepIterator = this.shards[this.sweepShard]!.entries();
    if (position.after === undefined) return;
    for (let step = this.sweepIterator.next(); !step.done && step.value[0] !== position.after; step = this.sweepIterator.next());
  }

  /**
   * Moves every entry to the key `rekey` gives it, or drops it when that is undefined (address
   * ids renumbered when the graph forgets addresses). Built shard by shard into fresh maps, each
   * old shard let go once moved: the map holds about its own size throughout, not twice it.
   * Entries keep their relative order within a shard; the rolling sweep starts over.
   */
  rekey(rekey: (key: K, value: V) => K | undefined): void {
    const old = this.shards;
    this.shards = old.length === 1 ? [new Map<K, V>()] : Array.from({ length: SHARDS }, () => new Map<K, V>());
    for (let i = 0; i < old.length; i++) {
      for (const [key, value] of old[i]!) {
        const to = rekey(key, value);
        if (to !== undefined) this.shard(to).set(to, value);
      }
      old[i]!.clear();
    }
    this.sweepShard = 0;
    this.sweepIterator = undefined;
  }

  /**
   * Gives every entry the value `revalue` returns, or drops it when that is undefined: each shard
   * built afresh with what it keeps (setting the kept entries costs less than deleting the
   * dropped ones one by one, when many go), then let go. The rolling sweep starts over.
   */
  revalue(revalue: (value: V, key: K) => V | undefined): void {
    this.shards = this.shards.map((shard) => {
      const kept = new Map<K, V>();
      for (const [key, value] of shard) {
        const to = revalue(value, key);
        if (to !== undefined) kept.set(key, to);
      }
      shard.clear();
      return kept;
    });
    this.sweepShard = 0;
    this.sweepIterator = undefined;
  }

  /** Splits now, as a restored map whose original had split must be (its iteration order depends on it). */
  splitNow(): void {
    if (this.shards.length === 1) this.split();
  }
}

/** A set over a ShardedMap: past one Set's 2²⁴ entries (a Set throws there, as a Map does). */
export class ShardedSet<K extends string | number> {
  private readonly map: ShardedMap<K, true>;

  constructor(splitAt?: number) {
    this.map = splitAt === undefined ? new ShardedMap<K, true>() : new ShardedMap<K, true>(splitAt);
  }

  add(key: K): this {
    this.map.set(key, true);
    return this;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}
