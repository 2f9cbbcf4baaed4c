/**
 * Base58Check (Bitcoin's alphabet, a double-SHA-256 checksum) with a lean SHA-256 (sha256.ts): the
 * bs58check package's hashing, and later Node's native hash with its per-call overhead, were a
 * visible share of decoding Tron logs and Bitcoin outputs. Encoding is exact by definition;
 * decoding vouches only for a well-formed string with a good checksum and returns undefined otherwise, so the caller can let bs58check
 * word the error. Neither way takes a view (`subarray`) of a small array: that moves its bytes off
 * V8's heap, which cost up to tens of µs a call once the live state is large (sha256.ts). test/unit/base58check.test.ts
 * compares both ways with bs58check.
 */
import { sha256dInto } from './sha256.js';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i;

/** Scratch for the bytes being encoded or decoded and a checksum; encoding and decoding are synchronous. */
let scratch = new Uint8Array(128);
const checksum = new Uint8Array(32);

function scratchOf(size: number): Uint8Array {
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, 2 * scratch.length));
  return scratch;
}

/** Base58 of the payload followed by the first four bytes of its double SHA-256. */
export function base58CheckEncode(payload: Uint8Array): string {
  const n = payload.length;
  const bytes = scratchOf(n + 4);
  for (let i = 0; i < n; i++) bytes[i] = payload[i]!;
  sha256dInto(payload, checksum);
  for (let i = 0; i < 4; i++) bytes[n + i] = checksum[i]!;
  return base58(bytes, n + 4);
}

/** The payload of a Base58Check string (a new array), or undefined when it is malformed or its checksum fails. */
export function base58CheckDecode(text: string): Uint8Array | undefined {
  const size = unbase58(text);
  if (size < 4) return undefined;
  const bytes = scratch;
  const n = size - 4;
  sha256dInto(bytes, checksum, 0, n);
  for (let i = 0; i < 4; i++) if (checksum[i] !== bytes[n + i]) return undefined;
  const payload = new Uint8Array(n);
  for (let i = 0; i < n; i++) payload[i] = bytes[i]!;
  return payload;
}

/*
 * Both conversions multiply-and-add in wide limbs rather than one digit at a time: four base-58
 * digits (58^4 < 2^24) against three bytes, so a 25-byte address takes about a tenth of the
 * steps. Every intermediate stays below 2^53, exact in a double.
 */
const FOUR_DIGITS = 58 ** 4;
const THREE_DIGITS = 58 ** 3;
const THREE_BYTES = 1 << 24;
const PAIR = 58 * 58;
/** Every two-digit base-58 string, so a limb is written with two look-ups. */
const DIGIT_PAIRS: readonly string[] = Array.from({ length: PAIR }, (_, i) => ALPHABET[Math.floor(i / 58)]! + ALPHABET[i % 58]!);

/** limbs = limbs × radix + carry, for little-endian limbs in base `limbBase` (growing as needed). */
function multiplyAdd(limbs: number[], radix: number, carry: number, limbBase: number): void {
  for (let k = 0; k < limbs.length; k++) {
    const x = limbs[k]! * radix + carry;
    carry = Math.floor(x / limbBase);
    limbs[k] = x - carry * limbBase;
  }
  while (carry > 0) {
    const q = Math.floor(carry / limbBase);
    limbs.push(carry - q * limbBase);
    carry = q;
  }
}

/** Base58 of the first `size` bytes of `bytes`. */
function base58(bytes: Uint8Array, size: number): string {
  let zeros = 0;
  while (zeros < size && bytes[zeros] === 0) zeros++;
  // Little-endian limbs of four base-58 digits of the number the bytes spell, fed three bytes at a
  // time (the first group takes the one or two bytes left over).
  const limbs: number[] = [];
  let i = zeros;
  let take = (size - zeros) % 3 || 3;
  while (i < size) {
    let carry = 0;
    let radix = 1;
    for (let j = 0; j < take; j++) { carry = carry * 256 + bytes[i++]!; radix *= 256; }
    take = 3;
    multiplyAdd(limbs, radix, carry, FOUR_DIGITS);
  }
  let out = '1'.repeat(zeros);
  for (let k = limbs.length - 1; k >= 0; k--) {
    const v = limbs[k]!;
    const high = Math.floor(v / PAIR);
    const four = DIGIT_PAIRS[high]! + DIGIT_PAIRS[v - high * PAIR]!;
    // The top limb without its leading zero digits ('1's); every other limb with all four.
    out += k < limbs.length - 1 ? four : four.slice(v < 58 ? 3 : v < PAIR ? 2 : v < THREE_DIGITS ? 1 : 0);
  }
  return out;
}

/** Writes the bytes `text` spells into the scratch array and returns how many, or -1 when it is not base-58. */
function unbase58(text: string): number {
  let ones = 0;
  while (ones < text.length && text.charCodeAt(ones) === 49) ones++;
  // Little-endian limbs of three bytes, fed three digits at a time (the first group takes the rest).
  const limbs: number[] = [];
  let i = ones;
  let take = (text.length - ones) % 3 || 3;
  while (i < text.length) {
    let carry = 0;
    for (let j = 0; j < take; j++) {
      const code = text.charCodeAt(i++);
      const value = code < 128 ? DIGIT[code]! : -1;
      if (value < 0) return -1;
      carry = carry * 58 + value;
    }
    const radix = take === 3 ? THREE_DIGITS : take === 2 ? PAIR : 58;
    take = 3;
    multiplyAdd(limbs, radix, carry, THREE_BYTES);
  }
  // The number's bytes, most significant first, the top limb without its leading zero bytes.
  const top = limbs.length === 0 ? 0 : limbs[limbs.length - 1]!;
  const topBytes = top >= 1 << 16 ? 3 : top >= 1 << 8 ? 2 : top > 0 ? 1 : 0;
  const length = limbs.length === 0 ? 0 : (limbs.length - 1) * 3 + topBytes;
  const size = ones + length;
  const out = scratchOf(size);
  out.fill(0, 0, ones);
  let at = size;
  for (let k = 0; k < limbs.length; k++) {
    const v = limbs[k]!;
    out[--at] = v & 0xff;
    if (at > ones) out[--at] = (v >>> 8) & 0xff;
    if (at > ones) out[--at] = v >>> 16;
  }
  return size;
}
