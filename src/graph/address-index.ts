/**
 * Interns address keys to dense uint32 ids in first-seen order. One JavaScript Map holds at most
 * 16,777,216 entries, so the index is sharded over SHARDS Maps by a cheap string hash; with 64
 * shards it holds about a billion addresses before any one shard fills.
 */
const SHARDS = 64;

function shardOf(key: string): number {
  let h = 0x811c9dc5;
  // The tail of an address is its most random part (the prefix is the family and version).
  for (let i = key.length - 1, n = 0; i >= 0 && n < 12; i--, n++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % SHARDS;
}

export class AddressIndex {
  private readonly shards: Map<string, number>[] = Array.from({ length: SHARDS }, () => new Map());
  private readonly keys: string[][] = [[]];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The id of a key, assigning the next id on first sight. */
  intern(key: string): number {
    const shard = this.shards[shardOf(key)]!;
    const found = shard.get(key);
    if (found !== undefined) return found;
    const id = this.count++;
    shard.set(key, id);
    // Chunked so no single array grows past V8's fast-elements limits.
    let chunk = this.keys[this.keys.length - 1]!;
    if (chunk.length === 1 << 22) this.keys.push((chunk = []));
    chunk.push(key);
    return id;
  }

  lookup(key: string): number | undefined {
    return this.shards[shardOf(key)]!.get(key);
  }

  keyOf(id: number): string {
    return this.keys[id >>> 22]![id & ((1 << 22) - 1)]!;
  }
}
