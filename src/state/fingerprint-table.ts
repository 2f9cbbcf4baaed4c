/**
 * An open-addressing set of 64-bit fingerprints in one Uint32Array (two words a slot, linear
 * probing). About 11–23 bytes an entry depending on fill, against 80 or more for a Set of
 * strings, and no limit of 2²⁴ entries as a Map or Set has. Entries are never deleted one by one:
 * the owner drops a whole table when its time bucket expires.
 */
import type { Fingerprint } from './fingerprint.js';

const MIN_SLOTS = 1 << 10;
const MAX_LOAD = 0.7;

export class FingerprintTable {
  private slots: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(initialSlots = MIN_SLOTS) {
    let n = MIN_SLOTS;
    while (n < initialSlots) n <<= 1;
    this.slots = new Uint32Array(n * 2);
    this.mask = n - 1;
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  has(fp: Fingerprint): boolean {
    const slots = this.slots;
    for (let i = fp.hi & this.mask; ; i = (i + 1) & this.mask) {
      const lo = slots[2 * i + 1]!;
      if (lo === 0) return false;
      if (lo === fp.lo && slots[2 * i] === fp.hi) return true;
    }
  }

  /** Adds the fingerprint; false when it was already there. */
  add(fp: Fingerprint): boolean {
    if ((this.count + 1) > (this.mask + 1) * MAX_LOAD) this.grow();
    const added = this.insert(this.slots, this.mask, fp.hi, fp.lo);
    if (added) this.count++;
    return added;
  }

  private insert(slots: Uint32Array, mask: number, hi: number, lo: number): boolean {
    for (let i = hi & mask; ; i = (i + 1) & mask) {
      const at = slots[2 * i + 1]!;
      if (at === 0) {
        slots[2 * i] = hi;
        slots[2 * i + 1] = lo;
        return true;
      }
      if (at === lo && slots[2 * i] === hi) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    const n = (this.mask + 1) * 2;
    this.slots = new Uint32Array(n * 2);
    this.mask = n - 1;
    for (let i = 0; i < old.length; i += 2) {
      const lo = old[i + 1]!;
      if (lo !== 0) this.insert(this.slots, this.mask, old[i]!, lo);
    }
  }
  /** The slot array itself (two words a slot, zero = empty), for a checkpoint. */
  get rawSlots(): Uint32Array {
    return this.slots;
  }

  /** A table from a checkpoint's slot array (a power of two of slots) and its entry count. */
  static fromSlots(slots: Uint32Array, count: number): FingerprintTable {
    const table = new FingerprintTable();
    table.slots = slots;
    table.mask = slots.length / 2 - 1;
    table.count = count;
    return table;
  }
}
