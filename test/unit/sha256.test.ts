/** The lean SHA-256 of Base58Check and txids gives node:crypto's digests, whole or fed in pieces, at every length around its block boundaries. */
import { hash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256dFinishInto, sha256dInto, sha256FinishInto, sha256Into, sha256Short, sha256Start, sha256Update, SHORT_INPUT } from '../../src/chain/sha256.js';

const native = (bytes: Uint8Array): Buffer => hash('sha256', bytes, 'buffer');
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const patterned = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 131 + n * 7) & 0xff);

describe('lean SHA-256', () => {
  it('matches node:crypto for every length from 0 to 300, padding boundaries (55, 56, 64, 119, 120) included', () => {
    for (let n = 0; n <= 300; n++) {
      const bytes = patterned(n);
      const out = new Uint8Array(32);
      sha256Into(bytes, out);
      expect(hex(out), `length ${n}`).toBe(native(bytes).toString('hex'));
      if (n <= SHORT_INPUT) expect(hex(sha256Short(bytes)), `sha256Short, length ${n}`).toBe(native(bytes).toString('hex'));
    }
    expect(hex(sha256Short(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('double-hashes any input as node:crypto does, long ones included', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
      const out = new Uint8Array(32);
      sha256dInto(bytes, out);
      expect(hex(out)).toBe(native(native(bytes)).toString('hex'));
    }), { numRuns: 1500, seed: 55 });
  });

  it('gives the same digest whatever pieces the input is fed in, and hashes only the range it is given', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
      const points = [0, ...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
      sha256Start();
      for (let i = 1; i < points.length; i++) sha256Update(bytes, points[i - 1]!, points[i]!);
      const pieces = new Uint8Array(32);
      sha256dFinishInto(pieces);
      expect(hex(pieces)).toBe(native(native(bytes)).toString('hex'));
      const [from, to] = [Math.min(points[1]!, points[points.length - 2]!), Math.max(points[1]!, points[points.length - 2]!)];
      const range = new Uint8Array(32);
      sha256dInto(bytes, range, from, to);
      expect(hex(range)).toBe(native(native(bytes.subarray(from, to))).toString('hex'));
    }), { numRuns: 800, seed: 55 });
  });

  it('writes its 32 bytes at the offset given and nowhere else', () => {
    const out = new Uint8Array(40).fill(0xee);
    sha256Start();
    sha256Update(patterned(70));
    sha256FinishInto(out, 4);
    expect(hex(out.subarray(4, 36))).toBe(native(patterned(70)).toString('hex'));
    expect([...out.subarray(0, 4), ...out.subarray(36)]).toEqual(new Array(8).fill(0xee));
  });

  it('keeps no state between calls and refuses a range outside its input', () => {
    const big = Uint8Array.from({ length: 100 }, (_, i) => i);
    const view = big.subarray(10, 31);
    sha256Short(big.subarray(0, 100));
    expect(hex(sha256Short(view))).toBe(native(view).toString('hex'));
    expect(() => sha256Short(new Uint8Array(SHORT_INPUT + 1))).toThrow(RangeError);
    sha256Start();
    expect(() => sha256Update(big, 50, 101)).toThrow(RangeError);
    expect(() => sha256Update(big, 60, 50)).toThrow(RangeError);
  });
});
