/** AddressIndex: dense ids in first-seen order, the same id for a key however often and in whatever order it is asked for. */
import { describe, expect, it } from 'vitest';
import { AddressIndex } from '../../src/graph/address-index.js';
import { prng } from '../../src/simulate/builders.js';

describe('address index', () => {
  it('gives each key one id, dense in first-seen order, whether the key was asked for just now or long ago', () => {
    const index = new AddressIndex();
    const rand = prng(7);
    const keys = Array.from({ length: 40 }, (_, i) => `eth:0x${i.toString(16).padStart(40, '0')}`);
    const expected = new Map<string, number>();
    // Runs of repeats (what one message asks) between jumps to keys not asked for in a while.
    for (let n = 0; n < 5_000; n++) {
      const key = keys[Math.floor(rand() * (n % 3 === 0 ? keys.length : 3))]!;
      // A copy of the text, not the same string object, must find the same id.
      const asked = rand() < 0.5 ? key : `eth:${key.slice(4)}`;
      if (!expected.has(key)) expected.set(key, expected.size);
      expect(index.intern(asked)).toBe(expected.get(key));
      expect(index.lookup(key)).toBe(expected.get(key));
    }
    expect(index.size).toBe(expected.size);
    for (const [key, id] of expected) expect(index.keyOf(id)).toBe(key);
    expect(index.lookup('eth:0xnever')).toBeUndefined();
  });

  it('keeps every key exactly as given, a key that Unicode normalization would change too', () => {
    const index = new AddressIndex();
    // The index keeps a flat copy of each new key; a key not in NFC must not be normalized.
    const keys = ['btc:' + 'bc1q'.repeat(3), 'self:cafe\u0301', 'self:caf\u00e9', 'self:\u212b'];
    const ids = keys.map((k) => index.intern(k));
    expect(new Set(ids).size).toBe(keys.length);
    keys.forEach((k, i) => {
      expect(index.keyOf(ids[i]!)).toBe(k);
      expect(index.lookup(k)).toBe(ids[i]);
    });
  });
});
