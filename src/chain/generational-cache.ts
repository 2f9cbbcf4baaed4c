/**
 * A bounded memo with O(1) operations and no per-entry bookkeeping: two Maps, a young and an old
 * generation. New entries and hits found in the old generation go to the young one; when the young
 * one reaches its capacity it becomes the old one and the previous old one is dropped whole.
 * What is used often survives every rotation (it is promoted on its next hit), what is not
 * falls out within two generations, and no Map ever holds more than `capacity` entries.
 * Cheaper than an exact LRU, which needs a linked list (an allocation and pointer updates per hit).
 */
export class GenerationalCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  /** @param capacity entries per generation; the cache holds at most twice this many. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 24) throw new RangeError(`cache capacity ${capacity} is not an integer from 1 to 2^24`);
  }

  get(key: string): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(key, aged);
    return aged;
  }

  set(key: string, value: V): void {
    if (this.young.size >= this.capacity) this.rotate();
    this.young.set(key, value);
  }

  /** Entries held now, both generations (an entry promoted from the old one may count twice). */
  get size(): number {
    return this.young.size + this.old.size;
  }

  /** The larger of the two generations: never more than `capacity`. */
  get largestGeneration(): number {
    return Math.max(this.young.size, this.old.size);
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }

  private rotate(): void {
    this.old = this.young;
    this.young = new Map();
  }
}
