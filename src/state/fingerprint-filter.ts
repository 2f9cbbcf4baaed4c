/**
 * A blocked Bloom filter over 64-bit fingerprints: "certainly not held" in one cache line. An
 * IdWindow holds its ids in up to eleven time buckets, and a new id (the common case) is absent
 * from every one of them, so without a filter each look-up probes every bucket: a cache miss or
 * two apiece, which grew to 3 µs a message after 200 days of a replay. The filter answers that
 * case with one probe; a "maybe" (every held id, and about 2% of the others) still asks the
 * buckets, so answers never change.
 *
 * Each fingerprint picks one 512-bit block by its `lo` word and sets four bits in it, chosen by
 * its `hi` word (and the top bits of `lo`). Ids can only be added: the owner rebuilds the filter
 * when too many of the ids in it have left (their bucket expired).
 */
import type { Fingerprint } from './fingerprint.js';

/** 32-bit words per block: 512 bits, one cache line. */
const BLOCK_WORDS = 16;
/** Bits of filter per id of capacity: about 2% false positives when full. */
const BITS_PER_ID = 10;

export class FingerprintFilter {
  private readonly words: Int32Array;
  private readonly blockMask: number;

  /** @param capacity ids it is sized for; past that its false positives rise. */
  constructor(readonly capacity: number) {
    let blocks = 1;
    while (blocks * BLOCK_WORDS * 32 < capacity * BITS_PER_ID) blocks *= 2;
    this.words = new Int32Array(blocks * BLOCK_WORDS);
    this.blockMask = blocks - 1;
  }

  get bytes(): number {
    return this.words.byteLength;
  }

  add(fp: Fingerprint): void {
    const base = (fp.lo & this.blockMask) * BLOCK_WORDS;
    const hi = fp.hi;
    const w = this.words;
    let bit = hi & 511;
    w[base + (bit >>> 5)]! |= 1 << (bit & 31);
    bit = (hi >>> 9) & 511;
    w[base + (bit >>> 5)]! |= 1 << (bit & 31);
    bit = (hi >>> 18) & 511;
    w[base + (bit >>> 5)]! |= 1 << (bit & 31);
    bit = ((hi >>> 27) | ((fp.lo >>> 23) << 5)) & 511;
    w[base + (bit >>> 5)]! |= 1 << (bit & 31);
  }

  /** False: the fingerprint was never added. True: it may have been. */
  mayContain(fp: Fingerprint): boolean {
    const base = (fp.lo & this.blockMask) * BLOCK_WORDS;
    const hi = fp.hi;
    const w = this.words;
    let bit = hi & 511;
    if ((w[base + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false;
    bit = (hi >>> 9) & 511;
    if ((w[base + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false;
    bit = (hi >>> 18) & 511;
    if ((w[base + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false;
    bit = ((hi >>> 27) | ((fp.lo >>> 23) << 5)) & 511;
    return (w[base + (bit >>> 5)]! & (1 << (bit & 31))) !== 0;
  }
}
