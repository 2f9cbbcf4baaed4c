import * as bitcoin from 'bitcoinjs-lib';
import bs58check from 'bs58check';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitcoinScriptAddress, uncachedAddressKey } from '../../src/chain/address.js';
import { base58CheckDecode, base58CheckEncode } from '../../src/chain/base58check.js';

/** The native-hash Base58Check must be bs58check, only quicker, and vouch for nothing bs58check rejects. */

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const base58ish = fc.array(fc.constantFrom(...ALPHABET, '0', 'O', 'l', ' ', 'é'), { maxLength: 40 }).map((c) => c.join(''));

function bs58Decode(text: string): Uint8Array | 'throws' {
  try {
    return bs58check.decode(text);
  } catch {
    return 'throws';
  }
}

describe('Base58Check with native SHA-256', () => {
  it('encodes every payload as bs58check does, leading zero bytes included', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat({ max: 4 }), (body, zeros) => {
      const payload = new Uint8Array([...new Uint8Array(zeros), ...body]);
      expect(base58CheckEncode(payload)).toBe(bs58check.encode(payload));
    }), { numRuns: 3000 });
  });

  it('decodes what bs58check decodes, to the same bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (payload) => {
      expect(Buffer.from(base58CheckDecode(bs58check.encode(payload))!)).toEqual(Buffer.from(payload));
    }), { numRuns: 2000 });
  });

  it('round-trips long, all-zero and all-0xff payloads as bs58check does (every limb width and carry)', () => {
    const payloads = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      fc.nat({ max: 60 }).map((n) => new Uint8Array(n)),
      fc.nat({ max: 60 }).map((n) => new Uint8Array(n).fill(0xff)),
    );
    fc.assert(fc.property(payloads, (payload) => {
      const text = base58CheckEncode(payload);
      expect(text).toBe(bs58check.encode(payload));
      expect(Buffer.from(base58CheckDecode(text)!)).toEqual(Buffer.from(payload));
    }), { numRuns: 3000 });
  });

  it('never vouches for a string bs58check rejects (bad characters, bad checksums, damaged encodings)', () => {
    const damaged = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 30 }), fc.nat(), fc.constantFrom(...ALPHABET)).map(([p, at, c]) => {
      const text = bs58check.encode(p);
      const i = at % text.length;
      return text.slice(0, i) + c + text.slice(i + 1);
    });
    let checked = 0;
    fc.assert(fc.property(fc.oneof(base58ish, damaged), (text) => {
      const reference = bs58Decode(text);
      const ours = base58CheckDecode(text);
      if (reference === 'throws') expect(ours).toBeUndefined();
      else { checked++; expect(Buffer.from(ours!)).toEqual(Buffer.from(reference)); }
    }), { numRuns: 5000 });
    expect(checked).toBeGreaterThan(0); // unchanged characters keep some checksums valid
  });

  it('gives Bitcoin P2PKH and P2SH output addresses exactly as bitcoinjs-lib does', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (hash) => {
      const p2pkh = bitcoin.payments.p2pkh({ hash }).output!;
      const p2sh = bitcoin.payments.p2sh({ hash }).output!;
      expect(bitcoinScriptAddress(p2pkh, 'p2pkh')).toBe(bitcoin.address.toBase58Check(hash, 0x00));
      expect(bitcoinScriptAddress(p2sh, 'p2sh')).toBe(bitcoin.address.toBase58Check(hash, 0x05));
      const address = bitcoin.address.toBase58Check(hash, 0x00);
      expect(uncachedAddressKey('bitcoin', address)).toBe(`btc:${address}`);
    }), { numRuns: 500 });
  });

  it('leaves the wording of a bad Base58 address to bs58check and bitcoinjs-lib', () => {
    expect(() => uncachedAddressKey('bitcoin', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3')).toThrowError(/invalid bitcoin address .*: Invalid checksum/);
    expect(() => uncachedAddressKey('tron', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u')).toThrowError(/invalid tron address .*: Invalid checksum/);
  });
});
