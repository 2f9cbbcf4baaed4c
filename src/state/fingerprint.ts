/**
 * A 64-bit fingerprint of a string as two independent 32-bit hashes, so a compact set can hold
 * ids as two Uint32 words instead of a JavaScript string (about 8 bytes instead of 60 or more).
 * Two ids share a fingerprint with probability about n² / 2⁶⁵: at 50 M ids held at once,
 * roughly 1 in 15,000 windows ever sees one collision.
 */
export interface Fingerprint {
  hi: number;
  lo: number;
}

/** A 32-bit murmur3-style finaliser: spreads the bits of a running hash. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Writes the fingerprint of `text` into `out` (no allocation on the hot path). */
export function fingerprintInto(text: string, out: Fingerprint): Fingerprint {
  let a = 0x811c9dc5 ^ text.length;
  let b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  out.hi = mix(a);
  // Zero marks an empty slot in the tables that hold fingerprints, so `lo` is never zero.
  out.lo = mix(b ^ a) || 1;
  return out;
}

export function fingerprint(text: string): Fingerprint {
  return fingerprintInto(text, { hi: 0, lo: 0 });
}
