import { getAddress } from 'ethers';
import bs58check from 'bs58check';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADDRESS_CACHE_GENERATION, addressCacheStats, addressKey, AddressError, displayAddress, tronFromEvmBytes, uncachedAddressKey } from '../../src/chain/address.js';
import { accountFromTopic } from '../../src/chain/evm.js';
import { GenerationalCache } from '../../src/chain/generational-cache.js';
import { CHAINS } from '../../src/contract/primitives.js';

const CHECKSUMMED = '0x52908400098527886E0F7030069857D2E4169EE7';
const BAD_CHECKSUM = '0x52908400098527886E0F7030069857D2E4169Ee7';

/** The nth distinct lower-case EVM address (cheap to canonicalise: no checksum to verify). */
const evmAddress = (n: number): string => `0x${n.toString(16).padStart(40, '0')}`;
/** The same in upper case: still no checksum, but not its own canonical form, so it goes through the cache. */
const upperEvmAddress = (n: number): string => `0x${n.toString(16).padStart(40, '0').toUpperCase()}`;

describe('GenerationalCache', () => {
  it('never lets a generation pass its capacity, and holds at most twice the capacity in all', () => {
    const cache = new GenerationalCache<number>(100);
    for (let i = 0; i < 1_000; i++) {
      cache.set(`k${i}`, i);
      expect(cache.largestGeneration).toBeLessThanOrEqual(100);
      expect(cache.size).toBeLessThanOrEqual(200);
    }
  });

  it('keeps an entry that is read between rotations and forgets one that is not', () => {
    const cache = new GenerationalCache<number>(10);
    cache.set('hot', 1);
    cache.set('cold', 2);
    for (let i = 0; i < 100; i++) {
      cache.set(`filler${i}`, i);
      expect(cache.get('hot')).toBe(1);
    }
    expect(cache.get('cold')).toBeUndefined();
  });

  it('refuses a capacity a Map could not hold', () => {
    expect(() => new GenerationalCache(0)).toThrow(RangeError);
    expect(() => new GenerationalCache(2 ** 24 + 1)).toThrow(RangeError);
  });
});

describe('address caches', () => {
  it('gives on a hit exactly what a fresh canonicalisation gives, for every chain', () => {
    const samples: Record<string, string[]> = {
      bitcoin: ['BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'],
      tron: ['TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', '41a614f803b6fd780986a42c78ec9c7f77e6ded13c'],
      evm: [CHECKSUMMED, CHECKSUMMED.toLowerCase(), CHECKSUMMED.toUpperCase().replace('0X', '0x')],
    };
    for (const chain of CHAINS) {
      for (const address of samples[chain] ?? samples.evm!) {
        const miss = addressKey(chain, address);
        expect(addressKey(chain, address)).toBe(miss);
        expect(miss).toBe(uncachedAddressKey(chain, address));
      }
    }
  });

  it('still rejects a bad EIP-55 checksum after the good form of the same address was cached', () => {
    expect(addressKey('ethereum', CHECKSUMMED)).toBe(`evm:${CHECKSUMMED.toLowerCase()}`);
    expect(() => addressKey('ethereum', BAD_CHECKSUM)).toThrow(AddressError);
    // and again: a failure is not cached as a success either
    expect(() => addressKey('ethereum', BAD_CHECKSUM)).toThrow(/invalid ethereum address/);
    expect(() => addressKey('polygon', BAD_CHECKSUM)).toThrow(/invalid polygon address/);
  });

  it('does not let a Bitcoin or Tron cache entry answer for another chain family', () => {
    const tron = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
    expect(addressKey('tron', tron)).toBe(`tron:${tron}`);
    expect(() => addressKey('bitcoin', tron)).toThrow(AddressError);
    expect(() => addressKey('ethereum', tron)).toThrow(AddressError);
  });

  it('shows a cached EVM key with the same EIP-55 checksum ethers computes', () => {
    const key = `evm:${CHECKSUMMED.toLowerCase()}`;
    expect(displayAddress(key)).toBe(getAddress(CHECKSUMMED.toLowerCase()));
    expect(displayAddress(key)).toBe(CHECKSUMMED);
    expect(displayAddress('tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t')).toBe('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t');
  });

  it(`stays within ${ADDRESS_CACHE_GENERATION} entries per generation after more than two generations of distinct addresses`, () => {
    const count = 2 * ADDRESS_CACHE_GENERATION + 1_000;
    for (let i = 0; i < count; i++) {
      addressKey('ethereum', upperEvmAddress(i));
      if (i % 64 === 0) displayAddress(`evm:${evmAddress(i)}`);
    }
    const stats = addressCacheStats();
    expect(stats.largestGeneration).toBeLessThanOrEqual(ADDRESS_CACHE_GENERATION);
    expect(stats.keys.evm).toBeLessThanOrEqual(2 * ADDRESS_CACHE_GENERATION);
    expect(stats.keys.evm).toBeGreaterThan(ADDRESS_CACHE_GENERATION); // it is really caching
    // The earliest addresses were evicted, and come back the same.
    expect(addressKey('ethereum', upperEvmAddress(0xabc))).toBe(`evm:${evmAddress(0xabc)}`);
  });

  it('takes lower-case EVM hex as its own key without the cache, and exactly as a fresh canonicalisation would', () => {
    const before = addressCacheStats().keys.evm;
    for (let i = 0; i < 1_000; i++) expect(addressKey('ethereum', evmAddress(0xfeed00 + i))).toBe(`evm:${evmAddress(0xfeed00 + i)}`);
    expect(addressCacheStats().keys.evm).toBe(before);
    // Mostly lower-case hex (about one body in seven is valid lower case), sometimes not.
    const char = fc.oneof({ arbitrary: fc.constantFrom(...'0123456789abcdef'), weight: 20 }, { arbitrary: fc.constantFrom(...'ABCDEFgx:/'), weight: 1 });
    fc.assert(fc.property(fc.array(char, { minLength: 39, maxLength: 41 }), fc.constantFrom('0x', '0x', '0x', '0X', '1x', ''), (body, prefix) => {
      const address = prefix + body.join('');
      const fresh = (): string => uncachedAddressKey('ethereum', address);
      let expected: string | Error;
      try { expected = fresh(); } catch (err) { expected = err as Error; }
      if (expected instanceof Error) expect(() => addressKey('ethereum', address)).toThrow(AddressError);
      else expect(addressKey('ethereum', address)).toBe(expected);
    }), { numRuns: 2_000 });
  });
});

describe('Tron accounts from log topics', () => {
  it('gives on a cache hit the same key as a fresh base58check encoding, whatever the hex case', () => {
    const hex20 = 'a614f803b6fd780986a42c78ec9c7f77e6ded13c';
    const topic = `0x${'0'.repeat(24)}${hex20}`;
    const expected = `tron:${tronFromEvmBytes(hex20)}`;
    expect(accountFromTopic('tron', topic)).toBe(expected);
    expect(accountFromTopic('tron', topic)).toBe(expected);
    expect(accountFromTopic('tron', topic.toUpperCase().replace('0X', '0x'))).toBe(expected);
    expect(accountFromTopic('ethereum', topic)).toBe(`evm:0x${hex20}`);
    expect(accountFromTopic('tron', `0x${'0'.repeat(23)}1${hex20}`)).toBeUndefined();
  });

  it('encodes a 20-byte account as bs58check does, from hex of either case, with or without 0x', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.boolean(), fc.boolean(), (bytes, upper, prefixed) => {
      const hex = Buffer.from(bytes).toString('hex');
      const expected = bs58check.encode(Buffer.concat([Buffer.from([0x41]), Buffer.from(bytes)]));
      expect(tronFromEvmBytes(`${prefixed ? '0x' : ''}${upper ? hex.toUpperCase() : hex}`)).toBe(expected);
    }), { numRuns: 2_000 });
  });

  it('gives the key of a fresh encoding for an account an exchange message named first, in base58 or in hex, and for one never named', () => {
    const bytes = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('hex'));
    fc.assert(fc.property(bytes, fc.constantFrom('base58', 'hex', 'none'), fc.boolean(), (hex20, namedAs, upperTopic) => {
      const base58 = tronFromEvmBytes(hex20); // a fresh base58check encoding, no cache
      if (namedAs === 'base58') expect(addressKey('tron', base58)).toBe(`tron:${base58}`);
      if (namedAs === 'hex') expect(addressKey('tron', `41${hex20.toUpperCase()}`)).toBe(`tron:${base58}`);
      const body = upperTopic ? hex20.toUpperCase() : hex20;
      expect(accountFromTopic('tron', `0x${'0'.repeat(24)}${body}`)).toBe(`tron:${base58}`);
    }), { numRuns: 1_000 });
  });
});
