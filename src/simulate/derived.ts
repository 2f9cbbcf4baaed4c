/**
 * Addresses derived from numbers instead of drawn and stored: a stream generator for millions of
 * accounts can name an account's own wallet on every chain without keeping a table of them, and
 * the same number always gives the same address.
 */
import * as bitcoin from 'bitcoinjs-lib';
import bs58check from 'bs58check';

/** A 32-bit integer hash (the murmur3 finaliser): well spread, so derived addresses look random. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** `bytes` bytes of hex, a function of (tag, n) only. Tags keep different address families apart. */
export function derivedHex(tag: number, n: number, bytes: number): string {
  let out = '';
  let state = mix(tag * 0x9e3779b1 + mix(n + 0x632be5ab));
  while (out.length < bytes * 2) {
    state = mix(state + 0x6d2b79f5);
    out += state.toString(16).padStart(8, '0');
  }
  return out.slice(0, bytes * 2);
}

/** Lower-case EVM addresses need no EIP-55 checksum, so these decode on every EVM chain. */
export const derivedEvm = (tag: number, n: number): string => `0x${derivedHex(tag, n, 20)}`;
export const derivedTron = (tag: number, n: number): string => bs58check.encode(Buffer.from(`41${derivedHex(tag, n, 20)}`, 'hex'));
export const derivedBtc = (tag: number, n: number): string => bitcoin.payments.p2wpkh({ hash: Buffer.from(derivedHex(tag, n, 20), 'hex') }).address!;
