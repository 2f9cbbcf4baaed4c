/**
 * An immutable set of 64-bit fingerprints, sorted, for an IdWindow bucket that no longer takes
 * most of its ids (its epoch has passed). A FingerprintTable holds an id in 11–23 bytes because
 * it must leave room to grow; once the set stops growing, 8 bytes an id sorted plus a directory
 * of one word per 4 ids (about 9 bytes an id) answer the same question exactly: the same 64
 * bits are compared, so nothing collides that did not collide before.
 *
 * Layout: `words` holds the fingerprints as [lo, hi] pairs (a little-endian uint64 each, so one
 * native BigUint64Array sort orders them by hi, then lo). `directory[d]` is the first pair whose
 * hi has d as its top `bits` bits: a lookup scans only the pairs of one directory entry.
 */
import type { Fingerprint } from './fingerprint.js';
import type { FingerprintTable } from './fingerprint-table.js';

/** Pairs per directory entry, on average. */
const PER_ENTRY = 4;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class SealedFingerprints {
  private readonly directory: Uint32Array;
  private readonly shift: number;

  private constructor(private readonly words: Uint32Array) {
    const count = words.length / 2;
    let bits = 0;
    while (bits < 24 && 2 ** (bits + 1) * PER_ENTRY <= count) bits++;
    this.shift = 32 - bits;
    this.directory = SealedFingerprints.directoryOf(words, bits);
  }

  /** The table's fingerprints, sorted (the table is left as it was). */
  static fromTable(table: FingerprintTable): SealedFingerprints {
    const slots = table.rawSlots;
    const words = new Uint32Array(table.size * 2);
    let n = 0;
    for (let i = 0; i < slots.length; i += 2) {
      const lo = slots[i + 1]!;
      if (lo === 0) continue;
      words[n++] = lo;
      words[n++] = slots[i]!;
    }
    return SealedFingerprints.fromPairs(words);
  }

  /** A set from [lo, hi] pairs in any order (sorted here, in place). */
  static fromPairs(words: Uint32Array): SealedFingerprints {
    if (words.length % 2 !== 0) throw new Error('sealed fingerprints: an odd number of words');
    if (LITTLE_ENDIAN) new BigUint64Array(words.buffer, words.byteOffset, words.length / 2).sort();
    else sortPairsSlowly(words);
    return new SealedFingerprints(words);
  }

  private static directoryOf(words: Uint32Array, bits: number): Uint32Array {
    const shift = 32 - bits;
    const entries = 2 ** bits;
    const directory = new Uint32Array(entries + 1);
    let pair = 0;
    const count = words.length / 2;
    for (let d = 0; d < entries; d++) {
      directory[d] = pair;
      while (pair < count && (bits === 0 ? 0 : words[2 * pair + 1]! >>> shift) === d) pair++;
    }
    directory[entries] = count;
    return directory;
  }

  get size(): number {
    return this.words.length / 2;
  }

  get bytes(): number {
    return this.words.byteLength + this.directory.byteLength;
  }

  /** The sorted [lo, hi] pairs, for a checkpoint. */
  get pairs(): Uint32Array {
    return this.words;
  }

  has(fp: Fingerprint): boolean {
    const d = this.shift === 32 ? 0 : fp.hi >>> this.shift;
    const words = this.words;
    const end = this.directory[d + 1]!;
    for (let p = this.directory[d]!; p < end; p++) {
      const hi = words[2 * p + 1]!;
      if (hi > fp.hi) return false; // sorted by hi: nothing further can match
      if (hi === fp.hi && words[2 * p] === fp.lo) return true;
    }
    return false;
  }
}

/** The same order as the BigUint64Array sort, for a big-endian machine (none ships today). */
function sortPairsSlowly(words: Uint32Array): void {
  const pairs: [number, number][] = [];
  for (let i = 0; i < words.length; i += 2) pairs.push([words[i]!, words[i + 1]!]);
  pairs.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  pairs.forEach(([lo, hi], i) => {
    words[2 * i] = lo;
    words[2 * i + 1] = hi;
  });
}
