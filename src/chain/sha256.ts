/**
 * SHA-256 (FIPS 180-4) in JavaScript, for the short inputs of Base58Check: a 21-byte payload and
 * its 32-byte digest. A call into Node's native hash costs microseconds of binding overhead, many
 * times the work of compressing one or two blocks here. Longer inputs go to Node's native hash
 * (see sha256d); test/unit/sha256.test.ts checks both against node:crypto.
 */
import { hash } from 'node:crypto';

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

/** Inputs up to this many bytes are hashed here (two blocks with padding); longer ones natively. */
export const SHORT_INPUT = 119;

// Signed words, so every read stays a small integer for the JIT. Scratch space, reused: hashing is synchronous and never re-entered.
const state = new Int32Array(8);
const w = new Int32Array(64);
const block = new Uint8Array(128);

function compress(offset: number): void {
  for (let t = 0; t < 16; t++) {
    const i = offset + 4 * t;
    w[t] = (block[i]! << 24) | (block[i + 1]! << 16) | (block[i + 2]! << 8) | block[i + 3]!;
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

/** SHA-256 of at most SHORT_INPUT bytes, computed here. */
export function sha256Short(input: Uint8Array): Uint8Array {
  const n = input.length;
  if (n > SHORT_INPUT) throw new RangeError(`sha256Short takes at most ${SHORT_INPUT} bytes, not ${n}`);
  const blocks = n + 9 <= 64 ? 1 : 2;
  const end = blocks * 64;
  block.fill(0, 0, end);
  block.set(input);
  block[n] = 0x80;
  // The message length in bits, big-endian, in the last 8 bytes (it fits in 32 bits here).
  const bits = n * 8;
  block[end - 4] = bits >>> 24; block[end - 3] = (bits >>> 16) & 0xff; block[end - 2] = (bits >>> 8) & 0xff; block[end - 1] = bits & 0xff;
  state.set(INITIAL);
  for (let i = 0; i < blocks; i++) compress(i * 64);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = state[i]!;
    out[4 * i] = v >>> 24; out[4 * i + 1] = (v >>> 16) & 0xff; out[4 * i + 2] = (v >>> 8) & 0xff; out[4 * i + 3] = v & 0xff;
  }
  return out;
}

/** SHA-256 applied twice (Bitcoin's checksum and txid hash): here for short inputs, natively for long ones. */
export function sha256d(input: Uint8Array): Uint8Array {
  const first = input.length <= SHORT_INPUT ? sha256Short(input) : hash('sha256', input, 'buffer');
  return sha256Short(first);
}
