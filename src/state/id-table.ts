/**
 * A table keyed by dense ids (the address index's, 0 … n − 1): one array slot per id, in chunks.
 * A Map keyed by numbers costs a hash, a probe and two or three cache misses per look-up in a
 * table of half a million lists (160 ns against 40 for a slot, measured on this machine); the
 * graph reads its flow-edge lists and cluster records several times per chain message, and the
 * edge expiry twice per expired edge. No Map holds it, so there is no 2²⁴ limit either; ids are
 * bounded by the address index (GraphOptions.maxAddresses).
 *
 * It offers what the graph, its compaction and its checkpoint use of a ShardedMap, with one
 * difference: entries iterate in id order, not in insertion order, and the rolling sweep goes
 * through the ids in order (its place is the last id it visited).
 */
import type { KeyedTable, SweepPosition } from './sharded-map.js';

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;
/** Slots a sweep call reads at most per entry it may visit: a sparse table costs a bounded read per call. */
const SLOTS_PER_VISIT = 8;

export class IdTable<V> implements KeyedTable<number, V> {
  private chunks: ((V | undefined)[] | undefined)[] = [];
  private count = 0;
  /** One past the highest id ever set (since the last rekey): where the rolling sweep wraps. */
  private top = 0;
  /** The next id the rolling sweep reads. */
  private sweepAt = 0;

  get(id: number): V | undefined {
    const chunk = this.chunks[id >>> CHUNK_BITS];
    return chunk === undefined ? undefined : chunk[id & MASK];
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  set(id: number, value: V): this {
    if (!(id >= 0 && id <= 0xffffffff && Number.isInteger(id))) throw new RangeError(`IdTable ids are whole numbers from 0, not ${id}`);
    const c = id >>> CHUNK_BITS;
    let chunk = this.chunks[c];
    if (chunk === undefined) {
      while (this.chunks.length < c) this.chunks.push(undefined);
      chunk = this.chunks[c] = new Array<V | undefined>(CHUNK).fill(undefined);
    }
    if (chunk[id & MASK] === undefined) this.count++;
    chunk[id & MASK] = value;
    if (id >= this.top) this.top = id + 1;
    return this;
  }

  delete(id: number): boolean {
    const chunk = this.chunks[id >>> CHUNK_BITS];
    if (chunk === undefined || chunk[id & MASK] === undefined) return false;
    chunk[id & MASK] = undefined;
    this.count--;
    return true;
  }

  get size(): number {
    return this.count;
  }

  /** Never split: kept for the checkpoint's map layout (always one part). */
  get sharded(): boolean {
    return false;
  }

  /** Entries in id order. A value set or deleted at an id not yet reached shows as it then stands. */
  *entries(): IterableIterator<[number, V]> {
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c];
      if (chunk === undefined) continue;
      for (let i = 0; i < CHUNK; i++) {
        const value = chunk[i];
        if (value !== undefined) yield [(c << CHUNK_BITS) + i, value];
      }
    }
  }

  /**
   * Visits up to `count` entries from where the rolling sweep stands, in id order, and deletes
   * those `dormant` says to; it reads at most SLOTS_PER_VISIT slots per entry it may visit (a
   * chunk never made counts as one), and wraps to id 0 past the highest id set (one full pass per call at
   * most). Returns how many it deleted.
   */
  sweepSome(count: number, dormant: (value: V, key: number) => boolean): number {
    const end = this.top;
    if (this.count === 0) return 0;
    let removed = 0;
    let visited = 0;
    for (let read = 0; visited < count && read < count * SLOTS_PER_VISIT; read++) {
      if (this.sweepAt >= end) {
        this.sweepAt = 0;
        break; // one full pass per call at most
      }
      const chunk = this.chunks[this.sweepAt >>> CHUNK_BITS];
      if (chunk === undefined) {
        this.sweepAt = ((this.sweepAt >>> CHUNK_BITS) + 1) << CHUNK_BITS; // a chunk never made holds nothing
        continue;
      }
      const id = this.sweepAt++;
      const value = chunk[id & MASK];
      if (value === undefined) continue;
      visited++;
      if (dormant(value, id)) {
        this.delete(id);
        removed++;
      }
    }
    return removed;
  }

  /** Where the rolling sweep stands, for a checkpoint: the last id it read (undefined at the start). */
  sweepPosition(): SweepPosition<number> {
    return this.sweepAt === 0 ? { shard: 0 } : { shard: 0, after: this.sweepAt - 1 };
  }

  /** Puts the rolling sweep where `sweepPosition` said it stood. */
  seekSweep(position: SweepPosition<number>): void {
    this.sweepAt = position.after === undefined ? 0 : position.after + 1;
  }

  /** The table has one part only: nothing to split (see ShardedMap.splitNow). */
  splitNow(): void {}

  /**
   * Moves every entry to the id `rekey` gives it, or drops it when that is undefined (a
   * compaction's renumbering, which keeps the ids' order: anything else is refused). The table
   * is built afresh; the rolling sweep starts over.
   */
  rekey(rekey: (key: number, value: V) => number | undefined): void {
    const moves: [number, V][] = [];
    let previous = -1;
    for (const [id, value] of this.entries()) {
      const to = rekey(id, value);
      if (to !== undefined) {
        if (to <= previous) throw new Error(`IdTable.rekey keeps the ids' order: ${id} -> ${to} after ${previous}`);
        previous = to;
        moves.push([to, value]);
      }
    }
    this.chunks = [];
    this.count = 0;
    this.top = 0;
    for (const [to, value] of moves) this.set(to, value);
    this.sweepAt = 0;
  }
}
