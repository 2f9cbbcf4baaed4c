/**
 * Interns address keys to dense uint32 ids in first-seen order. The key → id map is a
 * ShardedMap: one plain Map while it fits, split into 64 before it reaches one Map's 2²⁴ limit,
 * so it holds about a billion addresses.
 */
import { ShardedMap } from '../state/sharded-map.js';

const CHUNK_BITS = 22;
const CHUNK = 1 << CHUNK_BITS;

export class AddressIndex {
  private readonly ids = new ShardedMap<string, number>();
  private keys: string[][] = [[]];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The id of a key, assigning the next id on first sight. */
  intern(key: string): number {
    const found = this.ids.get(key);
    if (found !== undefined) return found;
    const id = this.count++;
    const kept = flatCopy(key);
    this.ids.set(kept, id);
    this.append(kept);
    return id;
  }

  /** Chunked so no single array grows past V8's fast-elements limits. */
  private append(key: string): void {
    let chunk = this.keys[this.keys.length - 1]!;
    if (chunk.length === CHUNK) this.keys.push((chunk = []));
    chunk.push(key);
  }

  /**
   * Keeps the keys whose id `remap` maps (-1 forgets one), each under its new id: ids stay dense
   * and in the same order. The map is rebuilt shard by shard with the kept keys (deleting a
   * forgotten key costs more than setting a kept one); a forgotten key is interned afresh if seen
   * again.
   */
  remap(remap: Int32Array, live: number): void {
    this.ids.revalue((id) => {
      const to = remap[id]!;
      return to >= 0 ? to : undefined;
    });
    const old = this.keys;
    const count = this.count;
    this.keys = [[]];
    this.count = 0;
    for (let id = 0; id < count; id++) {
      if (remap[id]! < 0) continue;
      this.append(old[id >>> CHUNK_BITS]![id & (CHUNK - 1)]!);
      this.count++;
    }
    if (this.count !== live || this.ids.size !== live) throw new Error(`address index remap kept ${this.count} keys and ${this.ids.size} ids, ${live} expected`);
  }

  lookup(key: string): number | undefined {
    return this.ids.get(key);
  }

  keyOf(id: number): string {
    return this.keys[id >>> CHUNK_BITS]![id & (CHUNK - 1)]!;
  }
}

/**
 * The key as one flat string: a key built by concatenation (a family prefix and an address) is a
 * node over its parts, 32 bytes more for as long as the index keeps it. `normalize` returns a
 * flat string; a key it would change (not in NFC: no address, but the key must stay exact) is
 * kept as it came.
 */
function flatCopy(key: string): string {
  const flat = key.normalize();
  return flat === key ? flat : key;
}
