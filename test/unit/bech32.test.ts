/**
 * The segwit address writer and reader (src/chain/bech32.ts) against bitcoinjs-lib, which they
 * stand in for on the hot path: the same address text for every witness version and program
 * length, and a reading only where bitcoinjs-lib accepts, with its version and program length.
 */
import * as bitcoin from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { segwitAddress, segwitProgramLength } from '../../src/chain/bech32.js';
import { addressKey, uncachedAddressKey } from '../../src/chain/address.js';

let seed = 11;
const byte = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24);
const program = (length: number): Uint8Array => Uint8Array.from({ length }, byte);

/** bitcoinjs-lib's reading, or undefined where it throws. */
function reference(address: string): { version: number; prefix: string; length: number } | undefined {
  try {
    const { version, prefix, data } = bitcoin.address.fromBech32(address);
    return { version, prefix, length: data.length };
  } catch {
    return undefined;
  }
}

describe('segwit addresses written in one pass', () => {
  it('are the text bitcoinjs-lib writes, for witness v0 to v16 and programs of 2 to 40 bytes', () => {
    for (let version = 0; version <= 16; version++) {
      for (const length of [2, 20, 32, 33, 40]) {
        for (let k = 0; k < 20; k++) {
          const p = program(length);
          expect(segwitAddress(p, version, 'bc')).toBe(bitcoin.address.toBech32(Buffer.from(p), version, 'bc'));
          expect(segwitAddress(p, version, 'tb')).toBe(bitcoin.address.toBech32(Buffer.from(p), version, 'tb'));
        }
      }
    }
  });

  it('are read back as bitcoinjs-lib reads them, and refused (left to it) wherever it refuses', () => {
    const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
    for (let n = 0; n < 3_000; n++) {
      const version = [0, 0, 1, 1, 2, 16][n % 6]!;
      const good = segwitAddress(program([20, 32, 2, 40][n % 4]!), version, 'bc');
      expect(segwitProgramLength(good, 'bc')).toEqual(reference(good));
      // One character changed, one dropped, or the other encoding's checksum: refused both ways or read alike.
      const i = 3 + (byte() % (good.length - 3));
      const changed = good.slice(0, i) + CHARSET[byte() % 32] + good.slice(i + 1);
      const dropped = good.slice(0, i) + good.slice(i + 1);
      const otherEncoding = segwitAddress(program(20), version === 0 ? 1 : 0, 'bc').replace(/^bc1./, `bc1${CHARSET[version]}`);
      for (const mutated of [changed, dropped, otherEncoding]) {
        const fast = segwitProgramLength(mutated, 'bc');
        if (fast !== undefined) expect(fast).toEqual(reference(mutated));
      }
    }
    expect(segwitProgramLength('bc1qqqqqqqqq', 'bc')).toBeUndefined();
    expect(segwitProgramLength(segwitAddress(program(20), 0, 'tb'), 'bc')).toBeUndefined();
  });

  it('give the address keys bitcoinjs-lib gave, and its refusals in its words', () => {
    const p2wpkh = segwitAddress(program(20), 0, 'bc');
    expect(addressKey('bitcoin', p2wpkh.toUpperCase())).toBe(`btc:${p2wpkh}`);
    const wrongEncoding = segwitAddress(program(32), 1, 'bc').replace(/^bc1p/, 'bc1q');
    expect(() => addressKey('bitcoin', wrongEncoding)).toThrow(/invalid bitcoin address/);
    expect(() => addressKey('bitcoin', segwitAddress(program(20), 1, 'bc'))).toThrow(/invalid witness v1 program of 20 bytes/);
  });
  it('give a lower-case address, read without the key cache, the key or the refusal canonicalisation gives', () => {
    const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
    /** The key, or the refusal's words. */
    const outcome = (f: () => string): string => {
      try {
        return f();
      } catch (err) {
        return `${(err as Error).constructor.name}: ${(err as Error).message}`;
      }
    };
    for (let n = 0; n < 3_000; n++) {
      const version = [0, 0, 1, 1, 2, 16, 1, 0][n % 8]!;
      const good = segwitAddress(program([20, 32, 2, 40, 21, 33][n % 6]!), version, n % 7 === 0 ? 'tb' : 'bc');
      const i = 3 + (byte() % (good.length - 3));
      const changed = good.slice(0, i) + CHARSET[byte() % 32] + good.slice(i + 1);
      const cased = good.slice(0, i) + good[i]!.toUpperCase() + good.slice(i + 1);
      for (const address of [good, changed, good.slice(0, i) + good.slice(i + 1), cased, good.toUpperCase()]) {
        expect(outcome(() => addressKey('bitcoin', address)), address).toBe(outcome(() => uncachedAddressKey('bitcoin', address)));
      }
    }
  });
});
