/**
 * Interns address keys to dense uint32 ids in first-seen order. The key → id map is a
 * ShardedMap: one plain Map while it fits, split into 64 before it reaches one Map's 2²⁴ limit,
 * so it holds about a billion addresses.
 */
import { ShardedMap } from '../state/sharded-map.js';

export class AddressIndex {
  private readonly ids = new ShardedMap<string, number>();
  private readonly keys: string[][] = [[]];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The id of a key, assigning the next id on first sight. */
  intern(key: string): number {
    const found = this.ids.get(key);
    if (found !== undefined) return found;
    const id = this.count++;
    this.ids.set(key, id);
    // Chunked so no single array grows past V8's fast-elements limits.
    let chunk = this.keys[this.keys.length - 1]!;
    if (chunk.length === 1 << 22) this.keys.push((chunk = []));
    chunk.push(key);
    return id;
  }

  lookup(key: string): number | undefined {
    return this.ids.get(key);
  }

  keyOf(id: number): string {
    return this.keys[id >>> 22]![id & ((1 << 22) - 1)]!;
  }
}
