/**
 * Review of the all-JavaScript SHA-256 (session 55): the shared running state and the Base58Check
 * scratch buffer must give node:crypto's, bs58check's and bitcoinjs-lib's answers however the
 * input is fed, whatever ran before, and on every real address and transaction the repo holds.
 * (The 2^29-byte length word was checked once by a script: 536,870,911 to 537,919,565 bytes fed in
 * 1 MiB pieces matched node:crypto; too slow for the suite.)
 */
import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as bitcoin from 'bitcoinjs-lib';
import bs58check from 'bs58check';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base58CheckDecode, base58CheckEncode } from '../../src/chain/base58check.js';
import { readRawBitcoinTx } from '../../src/chain/bitcoin-reader.js';
import { sha256dFinishInto, sha256FinishInto, sha256Start, sha256Update } from '../../src/chain/sha256.js';
import { coinjoins, multiInput } from '../helpers/mainnet.js';
import { root, samplePath } from '../helpers/sample.js';

const native = (bytes: Uint8Array): string => hash('sha256', bytes, 'buffer').toString('hex');
const nativeD = (bytes: Uint8Array): string => hash('sha256', hash('sha256', bytes, 'buffer'), 'buffer').toString('hex');
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const patterned = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 167 + n * 13 + 5) & 0xff);

/** SHA-256 fed in the pieces that `cuts` (sorted offsets) mark. */
function fedInPieces(bytes: Uint8Array, cuts: number[], double = false): string {
  const points = [0, ...cuts, bytes.length];
  sha256Start();
  for (let i = 1; i < points.length; i++) sha256Update(bytes, points[i - 1]!, points[i]!);
  const out = new Uint8Array(32);
  if (double) sha256dFinishInto(out);
  else sha256FinishInto(out);
  return hex(out);
}

const mainnetHexes = (): string[] => [...multiInput().cases.flatMap((c) => c.transactions.map((t) => t.hex)), ...coinjoins().transactions.map((t) => t.hex)];
const sampleBitcoinHexes = (): string[] => readFileSync(samplePath, 'utf8').split('\n')
  .filter((l) => l.includes('"chain.bitcoin.tx.v1"'))
  .map((l) => (JSON.parse(l) as { hex: string }).hex);
/** Every run of base-58 characters 25 to 40 long in the OFAC list and the sample stream: real Bitcoin and Tron addresses and much else. */
const base58Tokens = (): string[] => {
  const text = readFileSync(`${root}data/ofac-sdn.json`, 'utf8') + readFileSync(samplePath, 'utf8');
  return [...new Set([...text.matchAll(/[1-9A-HJ-NP-Za-km-z]{25,40}/g)].map((m) => m[0]))];
};

describe('review: lean SHA-256 and Base58Check against their references', () => {
  it('matches node:crypto at every length from 0 to 1100 fed whole, and fed one byte at a time up to 300', () => {
    for (let n = 0; n <= 1100; n++) {
      const bytes = patterned(n);
      expect(fedInPieces(bytes, []), `length ${n}`).toBe(native(bytes));
      if (n <= 300) expect(fedInPieces(bytes, Array.from({ length: Math.max(0, n - 1) }, (_, i) => i + 1)), `bytewise, length ${n}`).toBe(native(bytes));
    }
  });

  it('matches node:crypto at every two-piece split of the lengths around each padding boundary', () => {
    for (const n of [55, 56, 57, 63, 64, 65, 119, 120, 121, 127, 128, 129, 183, 184, 191, 192]) {
      const bytes = patterned(n);
      for (let k = 0; k <= n; k++) {
        expect(fedInPieces(bytes, [k]), `length ${n} cut at ${k}`).toBe(native(bytes));
        expect(fedInPieces(bytes, [k], true), `double, length ${n} cut at ${k}`).toBe(nativeD(bytes));
      }
    }
  });

  it('gives every txid bitcoinjs-lib gives, mainnet and sample-stream transactions alike, with Base58Check work before and after each', () => {
    const hexes = [...mainnetHexes(), ...sampleBitcoinHexes()];
    const tron = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
    let segwit = 0;
    for (const txHex of hexes) {
      const before = base58CheckDecode(tron);
      const raw = readRawBitcoinTx(Buffer.from(txHex, 'hex'));
      const after = base58CheckEncode(before!);
      expect(raw?.txid, txHex.slice(0, 40)).toBe(bitcoin.Transaction.fromHex(txHex).getId());
      expect(after).toBe(tron);
      if (txHex.slice(8, 12) === '0001') segwit++;
    }
    expect(hexes.length).toBeGreaterThan(250);
    expect(segwit).toBeGreaterThan(5);
  });

  it('decodes every base-58 run in the OFAC list and the sample stream as bs58check does, and encodes each back', () => {
    let vouched = 0;
    for (const text of base58Tokens()) {
      const ours = base58CheckDecode(text);
      let reference: string | undefined;
      try { reference = hex(bs58check.decode(text)); } catch { reference = undefined; }
      if (ours === undefined) { expect(reference, text).toBeUndefined(); continue; }
      vouched++;
      expect(hex(ours), text).toBe(reference);
      expect(base58CheckEncode(ours)).toBe(text);
    }
    expect(vouched).toBeGreaterThan(100);
  });

  it('returns a payload of its own: decodes and encodes after it, growing the scratch buffer included, leave it unchanged', () => {
    const tron = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
    const first = base58CheckDecode(tron)!;
    const kept = hex(first);
    expect(base58CheckDecode('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2')).toBeDefined();
    expect(base58CheckEncode(patterned(21))).toBe(bs58check.encode(patterned(21)));
    expect(hex(first)).toBe(kept);
    const long = patterned(600);
    const longText = base58CheckEncode(long);
    expect(longText).toBe(bs58check.encode(long));
    expect(hex(base58CheckDecode(longText)!)).toBe(hex(long));
    expect(base58CheckDecode('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2')).toBeDefined();
    expect(hex(first)).toBe(kept);
    expect(hex(base58CheckDecode(tron)!)).toBe(kept);
  });

  it('round-trips payloads long enough to grow the scratch buffer (up to 700 bytes, leading zeros included) as bs58check does', () => {
    fc.assert(fc.property(fc.nat({ max: 6 }), fc.uint8Array({ minLength: 100, maxLength: 700 }), (zeros, body) => {
      const payload = new Uint8Array([...new Uint8Array(zeros), ...body]);
      const text = base58CheckEncode(payload);
      expect(text).toBe(bs58check.encode(payload));
      expect(hex(base58CheckDecode(text)!)).toBe(hex(payload));
      const damaged = text.slice(0, -1) + (text.endsWith('2') ? '3' : '2');
      expect(base58CheckDecode(damaged)).toBeUndefined();
    }), { numRuns: 200, seed: 55 });
  });

  it('agrees with bs58check on empty, all-"1" and non-alphabet strings, and on all-zero payloads', () => {
    const odd = ['', '1', '11', '111', '1111', '11111', '1'.repeat(40), ' ', '0', 'O', 'l', 'I', 'é', '1é', 'T\u{1F600}', '\u0000'];
    for (const text of odd) {
      let reference: string | undefined;
      try { reference = hex(bs58check.decode(text)); } catch { reference = undefined; }
      const ours = base58CheckDecode(text);
      expect(ours === undefined ? undefined : hex(ours), JSON.stringify(text)).toBe(reference);
    }
    for (let n = 0; n <= 40; n++) {
      const zeros = new Uint8Array(n);
      const text = base58CheckEncode(zeros);
      expect(text).toBe(bs58check.encode(zeros));
      expect(hex(base58CheckDecode(text)!)).toBe(hex(zeros));
    }
  });
});
