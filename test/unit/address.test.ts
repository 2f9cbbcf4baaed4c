import { describe, expect, it } from 'vitest';
import { addressKey, addressKeyByForm, AddressError, displayAddress } from '../../src/chain/address.js';

describe('address canonicalisation', () => {
  it('accepts upper-case bech32 and keys it like lower case', () => {
    expect(addressKey('bitcoin', 'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4')).toBe('btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4');
  });

  it('accepts every standard Bitcoin type, taproot included', () => {
    for (const a of ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', 'bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3', 'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297']) {
      expect(addressKey('bitcoin', a)).toMatch(/^btc:/);
    }
  });

  it('rejects a Bitcoin address with a broken checksum and mixed-case bech32', () => {
    expect(() => addressKey('bitcoin', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3')).toThrow(AddressError);
    expect(() => addressKey('bitcoin', 'bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4')).toThrow(AddressError);
  });

  it('rejects a mixed-case EVM address with a bad EIP-55 checksum but accepts all lower case', () => {
    expect(() => addressKey('ethereum', '0x52908400098527886E0F7030069857D2E4169Ee7')).toThrow(/invalid ethereum address/);
    expect(addressKey('ethereum', '0x52908400098527886e0f7030069857d2e4169ee7')).toBe('evm:0x52908400098527886e0f7030069857d2e4169ee7');
  });

  it('gives one EVM address one key on every EVM chain', () => {
    const a = '0x52908400098527886E0F7030069857D2E4169EE7';
    expect(addressKey('arbitrum', a)).toBe(addressKey('ethereum', a.toLowerCase()));
    expect(addressKey('bsc', a)).toBe(addressKey('polygon', a));
  });

  it('keys Tron hex 41… and base58 T… forms as one address', () => {
    const base58 = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
    const hex = '41a614f803b6fd780986a42c78ec9c7f77e6ded13c';
    expect(addressKey('tron', hex)).toBe(`tron:${base58}`);
    expect(addressKey('tron', base58)).toBe(`tron:${base58}`);
    expect(() => addressKey('tron', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u')).toThrow(AddressError);
  });

  it('keys a Tron account given as 0x and its 20 bytes (Tron JSON-RPC) as the same address', () => {
    const base58 = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
    expect(addressKey('tron', '0xa614f803b6fd780986a42c78ec9c7f77e6ded13c')).toBe(`tron:${base58}`);
    expect(addressKey('tron', '0xA614F803B6FD780986A42C78EC9C7F77E6DED13C')).toBe(`tron:${base58}`);
    expect(() => addressKey('tron', '0xa614f803b6fd780986a42c78ec9c7f77e6ded1')).toThrow(AddressError);
  });

  it('says a testnet bech32 address is testnet, not that it holds a non-base58 character', () => {
    expect(() => addressKey('bitcoin', 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx')).toThrow(/testnet or regtest bech32/);
  });

  it('checks the EIP-55 checksum of a mixed-case Tron 0x form, as on every EVM chain', () => {
    expect(addressKey('tron', '0x52908400098527886E0F7030069857D2E4169EE7')).toBe(addressKey('tron', '0x52908400098527886e0f7030069857d2e4169ee7'));
    expect(() => addressKey('tron', '0x52908400098527886e0F7030069857D2E4169EE7')).toThrow(AddressError);
  });

  it('keys OFAC entries by address form, not ticker, and shows EVM with its checksum', () => {
    expect(addressKeyByForm('0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c')).toBe('evm:0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c');
    expect(addressKeyByForm('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t')).toMatch(/^tron:/);
    expect(displayAddress('evm:0x52908400098527886e0f7030069857d2e4169ee7')).toBe('0x52908400098527886E0F7030069857D2E4169EE7');
  });
});
