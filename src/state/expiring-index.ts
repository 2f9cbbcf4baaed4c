/**
 * An index by id of items that expire by event time, such as the transfers the rules may look
 * up again. Items leave in insertion order once older than `retention` behind the newest time:
 * a queue, not a scan, so expiry costs O(1) amortised per item. An item inserted out of order
 * leaves with its insertion neighbours, a little later than its own time would say.
 */
import { ShardedMap } from './sharded-map.js';

const CHUNK = 1 << 16;

export class ExpiringIndex<V extends { time: number }> {
  private readonly map = new ShardedMap<string, V>();
  /** Insertion order as chunks of ids (an array per chunk keeps each array small). */
  private readonly chunks: string[][] = [[]];
  private head = 0;
  private newest = Number.NEGATIVE_INFINITY;

  constructor(private readonly retention: number) {}

  get(id: string): V | undefined {
    return this.map.get(id);
  }

  get size(): number {
    return this.map.size;
  }

  set(id: string, value: V): void {
    if (!this.map.has(id)) {
      let tail = this.chunks[this.chunks.length - 1]!;
      if (tail.length === CHUNK) this.chunks.push((tail = []));
      tail.push(id);
    }
    this.map.set(id, value);
    if (value.time > this.newest) this.newest = value.time;
    this.expire();
  }

  private expire(): void {
    const horizon = this.newest - this.retention;
    for (;;) {
      const chunk = this.chunks[0]!;
      if (this.head === chunk.length) {
        if (this.chunks.length === 1) { chunk.length = 0; this.head = 0; return; }
        this.chunks.shift();
        this.head = 0;
        continue;
      }
      const id = chunk[this.head]!;
      const item = this.map.get(id);
      if (item && item.time >= horizon) return;
      this.map.delete(id);
      this.head++;
    }
  }
}
