/**
 * Base58Check (Bitcoin's alphabet, a double-SHA-256 checksum) with a lean SHA-256 (sha256.ts): the
 * bs58check package's hashing, and later Node's native hash with its per-call overhead, were a
 * visible share of decoding Tron logs and Bitcoin outputs. Encoding is exact by definition;
 * decoding vouches only for a well-formed string with a good checksum and returns undefined otherwise, so the caller can let bs58check
 * word the error. test/unit/base58check.test.ts compares both ways with bs58check.
 */
import { sha256d } from './sha256.js';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i;

/** Base58 of the payload followed by the first four bytes of its double SHA-256. */
export function base58CheckEncode(payload: Uint8Array): string {
  const bytes = new Uint8Array(payload.length + 4);
  bytes.set(payload);
  bytes.set(sha256d(payload).subarray(0, 4), payload.length);
  return base58(bytes);
}

/** The payload of a Base58Check string, or undefined when it is malformed or its checksum fails. */
export function base58CheckDecode(text: string): Uint8Array | undefined {
  const bytes = unbase58(text);
  if (!bytes || bytes.length < 4) return undefined;
  const payload = bytes.subarray(0, bytes.length - 4);
  const sum = sha256d(payload);
  for (let i = 0; i < 4; i++) if (sum[i] !== bytes[payload.length + i]) return undefined;
  return payload;
}

function base58(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  // Little-endian base-58 digits of the number the bytes spell, grown by multiply-and-add.
  const digits: number[] = [];
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i]!;
    for (let k = 0; k < digits.length; k++) {
      carry += digits[k]! * 256;
      digits[k] = carry % 58;
      carry = (carry / 58) | 0;
    }
    while (carry > 0) { digits.push(carry % 58); carry = (carry / 58) | 0; }
  }
  let out = '1'.repeat(zeros);
  for (let k = digits.length - 1; k >= 0; k--) out += ALPHABET[digits[k]!];
  return out;
}

function unbase58(text: string): Uint8Array | undefined {
  let ones = 0;
  while (ones < text.length && text.charCodeAt(ones) === 49) ones++;
  const bytes: number[] = []; // little-endian base-256 digits
  for (let i = ones; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? DIGIT[code]! : -1;
    if (value < 0) return undefined;
    let carry = value;
    for (let k = 0; k < bytes.length; k++) {
      carry += bytes[k]! * 58;
      bytes[k] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) { bytes.push(carry & 0xff); carry >>= 8; }
  }
  const out = new Uint8Array(ones + bytes.length);
  for (let k = 0; k < bytes.length; k++) out[out.length - 1 - k] = bytes[k]!;
  return out;
}
