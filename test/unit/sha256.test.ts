/** The lean SHA-256 of Base58Check and txids gives node:crypto's digests, at every length around its block and input limits. */
import { hash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256d, sha256Short, SHORT_INPUT } from '../../src/chain/sha256.js';

const native = (bytes: Uint8Array): Buffer => hash('sha256', bytes, 'buffer');

describe('lean SHA-256', () => {
  it('matches node:crypto for every length from 0 to its limit, padding boundaries (55, 56, 64) included', () => {
    for (let n = 0; n <= SHORT_INPUT; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n * 7) & 0xff);
      expect(Buffer.from(sha256Short(bytes)).toString('hex'), `length ${n}`).toBe(native(bytes).toString('hex'));
    }
    expect(Buffer.from(sha256Short(new Uint8Array(0))).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('double-hashes any input as node:crypto does, short ones here and long ones natively', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      expect(Buffer.from(sha256d(bytes)).toString('hex')).toBe(native(native(bytes)).toString('hex'));
    }), { numRuns: 3000 });
  });

  it('keeps no state between calls (a view into a larger buffer hashes only its own bytes)', () => {
    const big = Uint8Array.from({ length: 100 }, (_, i) => i);
    const view = big.subarray(10, 31);
    sha256Short(big.subarray(0, 100));
    expect(Buffer.from(sha256Short(view)).toString('hex')).toBe(native(view).toString('hex'));
    expect(() => sha256Short(new Uint8Array(SHORT_INPUT + 1))).toThrow(RangeError);
  });
});
