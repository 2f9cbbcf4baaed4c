/**
 * SHA-256 (FIPS 180-4) in JavaScript, for Base58Check (a 21-byte payload and its 32-byte digest)
 * and the txids of Bitcoin transactions under 2 KB (bitcoin-reader.ts), written into buffers the
 * caller owns: no call allocates a byte array.
 *
 * Why not Node's native hash: each call costs microseconds of binding overhead, and it returns a
 * new Buffer whose bytes live outside V8's heap. Measured in session 55 on the 10x longer
 * benchmark stream, timing each call: with Node's default young generation, the native txid hash
 * grew from 3 to 25 µs a call and a Tron address's Base58Check (a `subarray` view of a small
 * array, which moves its bytes off the heap) from 5 to 54 µs as the live state grew past 0.5 GB,
 * against 1.5 and 3 µs in a loop of their own in the same process; with the shipped
 * `--max-semi-space-size=64`, 3 and 8 µs. Hashing is synchronous and never re-entered, so the
 * scratch state below is shared. test/unit/sha256.test.ts checks every entry point against
 * node:crypto.
 */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** sha256Short's limit, kept for callers that chose between it and a native hash. */
export const SHORT_INPUT = 119;

// Signed words, so every read stays a small integer for the JIT.
const state = new Int32Array(8);
const w = new Int32Array(64);
/** The partial block of a running hash (bytes not yet compressed) and how many it holds. */
const block = new Uint8Array(64);
let filled = 0;
/** Bytes fed to the running hash: its bit length goes into the padding. */
let length = 0;
/** The first pass of a double hash. */
const inner = new Uint8Array(32);

/** Compresses the 64 bytes of `src` from `offset` into the running state. */
function compress(src: Uint8Array, offset: number): void {
  for (let t = 0; t < 16; t++) {
    const i = offset + 4 * t;
    w[t] = (src[i]! << 24) | (src[i + 1]! << 16) | (src[i + 2]! << 8) | src[i + 3]!;
  }
  for (let t = 16; t < 64; t++) {
    const a = w[t - 15]!;
    const b = w[t - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
  }
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!, e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[t]! + w[t]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0; state[1] = (state[1]! + b) | 0; state[2] = (state[2]! + c) | 0; state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0; state[5] = (state[5]! + f) | 0; state[6] = (state[6]! + g) | 0; state[7] = (state[7]! + h) | 0;
}

/** Starts a hash; feed it with sha256Update and end it with sha256FinishInto. */
export function sha256Start(): void {
  state.set(INITIAL);
  filled = 0;
  length = 0;
}

/** Feeds bytes `from` to `to` (exclusive) of `bytes` to the running hash. */
export function sha256Update(bytes: Uint8Array, from = 0, to = bytes.length): void {
  if (from < 0 || to > bytes.length || from > to) throw new RangeError(`sha256Update: bytes ${from} to ${to} of ${bytes.length}`);
  length += to - from;
  let i = from;
  if (filled > 0) {
    while (filled < 64 && i < to) block[filled++] = bytes[i++]!;
    if (filled < 64) return;
    compress(block, 0);
    filled = 0;
  }
  for (; to - i >= 64; i += 64) compress(bytes, i);
  while (i < to) block[filled++] = bytes[i++]!;
}

/** Pads and ends the running hash, writing its 32 bytes into `out` at `at`. */
export function sha256FinishInto(out: Uint8Array, at = 0): void {
  block[filled++] = 0x80;
  if (filled > 56) {
    block.fill(0, filled, 64);
    compress(block, 0);
    filled = 0;
  }
  block.fill(0, filled, 56);
  // The message length in bits, big-endian, in the last 8 bytes (above 2^32 bits as two words).
  const high = Math.floor(length / 0x20000000);
  const low = (length * 8) >>> 0;
  block[56] = high >>> 24; block[57] = (high >>> 16) & 0xff; block[58] = (high >>> 8) & 0xff; block[59] = high & 0xff;
  block[60] = low >>> 24; block[61] = (low >>> 16) & 0xff; block[62] = (low >>> 8) & 0xff; block[63] = low & 0xff;
  compress(block, 0);
  for (let i = 0; i < 8; i++) {
    const v = state[i]!;
    out[at + 4 * i] = v >>> 24; out[at + 4 * i + 1] = (v >>> 16) & 0xff; out[at + 4 * i + 2] = (v >>> 8) & 0xff; out[at + 4 * i + 3] = v & 0xff;
  }
}

/** SHA-256 of bytes `from` to `to` of `input`, written into `out` at `at`. */
export function sha256Into(input: Uint8Array, out: Uint8Array, from = 0, to = input.length, at = 0): void {
  sha256Start();
  sha256Update(input, from, to);
  sha256FinishInto(out, at);
}

/** SHA-256 of the running hash's digest (the second pass of Bitcoin's double SHA-256), into `out`. */
export function sha256dFinishInto(out: Uint8Array, at = 0): void {
  sha256FinishInto(inner);
  sha256Into(inner, out, 0, 32, at);
}

/** Double SHA-256 (Bitcoin's checksum and txid hash) of bytes `from` to `to` of `input`, into `out` at `at`. */
export function sha256dInto(input: Uint8Array, out: Uint8Array, from = 0, to = input.length, at = 0): void {
  sha256Start();
  sha256Update(input, from, to);
  sha256dFinishInto(out, at);
}

/** SHA-256 of at most SHORT_INPUT bytes, as a new array (where a digest is kept). */
export function sha256Short(input: Uint8Array): Uint8Array {
  if (input.length > SHORT_INPUT) throw new RangeError(`sha256Short takes at most ${SHORT_INPUT} bytes, not ${input.length}`);
  const out = new Uint8Array(32);
  sha256Into(input, out);
  return out;
}
