import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHAINS } from '../../src/contract/primitives.js';
import { bitcoinTxSchema, evmLogSchema, evmTxSchema, LIMITS } from '../../src/contract/schemas.js';
import { decodeMessage, DEFAULT_DECODE_OPTIONS } from '../../src/decode/decode.js';
import { fastParseBitcoinTx, fastParseEvmLog, fastParseEvmTx } from '../../src/decode/chain-fast-path.js';
import { isoTimeText, junk, mostly, nearMiss, textField } from '../helpers/arbitraries.js';
import { agreesWithZod, expectSameValue, newTally } from '../helpers/fast-path-agreement.js';
import { sampleLines } from '../helpers/sample.js';

/**
 * The chain fast paths must be zod, only quicker: on every generated message each accepts exactly
 * what its zod schema accepts, with the same value (keys, key order, stripped extras), and
 * decodeMessage gives the same event or the same reject with and without them.
 */

const hexText = (bytes: fc.Arbitrary<number>): fc.Arbitrary<string> =>
  bytes.chain((n) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 2 * n, maxLength: 2 * n }));
/** Hex of 32 bytes, mostly right, sometimes one character off, a byte short or long, or junk. */
const hash32 = mostly(hexText(fc.constant(32)), fc.oneof(nearMiss(hexText(fc.constant(32))), hexText(fc.constantFrom(31, 33)), junk), 8);
const prefixed = (hex: fc.Arbitrary<unknown>, prefixes: string[]): fc.Arbitrary<unknown> =>
  fc.tuple(fc.constantFrom(...prefixes), hex).map(([p, h]) => (typeof h === 'string' ? p + h : h));
/** Times: a valid one often, so that whole messages are valid often enough; generated ones (often out of range) and near misses otherwise. */
const time = fc.oneof({ arbitrary: fc.constant('2025-01-01T03:43:17.926Z'), weight: 4 }, { arbitrary: isoTimeText, weight: 4 }, { arbitrary: fc.oneof(nearMiss(isoTimeText), junk), weight: 1 });
/** Counts and units also as the 0x quantities a node serves (`eth_getLogs`), and near misses of those. */
const count = mostly(fc.oneof(fc.nat(), fc.constantFrom(0, Number.MAX_SAFE_INTEGER, '0x0', '0x1ac9f3', '0xFFFFFFFFFFFFF')), fc.constantFrom(-1, 1.5, 2 ** 53, -0, '7', null, 1e300, '0x', '0X1', '0x1g', '0x10000000000000', ' 0x1'), 12);
const units = mostly(fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String), fc.constantFrom('0', '9'.repeat(78), '0x0', '0xde0b6b3a7640000', '0x' + 'f'.repeat(64))), fc.constantFrom('01', '-1', '1.5', '', ' 1', '9'.repeat(79), '1e3', 7, null, '0x', '0x' + 'f'.repeat(65), '0xz'), 12);
const chain = mostly(fc.constantFrom(...CHAINS.filter((c) => c !== 'bitcoin')), fc.constantFrom('bitcoin', 'dogechain', 'Ethereum', '', null), 12);
const EVM_ADDRESSES = ['0x52908400098527886e0f7030069857d2e4169ee7', '0x52908400098527886E0F7030069857D2E4169EE7', '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', '41a614f803b6fd780986a42c78ec9c7f77e6ded13c'];
const BTC_ADDRESSES = ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3'];
const address = (valid: string[]): fc.Arbitrary<unknown> => mostly(fc.constantFrom(...valid), textField(1, LIMITS.address), 6);
const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
const topic = mostly(fc.oneof(fc.constant(TRANSFER_TOPIC), prefixed(hexText(fc.constant(32)), ['0x'])), fc.oneof(prefixed(hash32, ['', '0X', '0x']), junk), 12);
/** An optional field: absent most of the time (undefined is dropped by JSON.stringify), now and then null, which decoding reads as absent (src/contract/null-optionals.ts). */
const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined | null> => fc.oneof({ arbitrary: fc.option(arb, { nil: undefined, freq: 2 }), weight: 6 }, { arbitrary: fc.constant(null), weight: 1 });

const evmLog = fc.record({
  schema: mostly(fc.constant('chain.evm.log.v1'), fc.constantFrom('chain.evm.tx.v1', null)),
  chain,
  txHash: prefixed(hash32, ['0x', '0x', '', '0X']),
  logIndex: count,
  blockNumber: count,
  blockTime: time,
  address: address(EVM_ADDRESSES),
  topics: mostly(fc.array(topic, { maxLength: 5 }), junk, 12),
  data: mostly(prefixed(hexText(fc.nat({ max: 40 })), ['0x']), fc.constantFrom('0x0', '', 'ab', '0xzz', 1, null), 12),
  removed: optional(fc.constantFrom(true, false, 'true', 0, null)),
  extra: optional(junk),
}, { requiredKeys: ['schema', 'chain', 'txHash', 'logIndex', 'blockNumber', 'blockTime', 'address', 'topics', 'data'] });

const evmTx = fc.record({
  schema: mostly(fc.constant('chain.evm.tx.v1'), fc.constantFrom('chain.evm.log.v1', null)),
  chain,
  hash: prefixed(hash32, ['0x', '0x', '', '0X']),
  blockNumber: count,
  blockTime: time,
  from: address(EVM_ADDRESSES),
  to: fc.oneof(address(EVM_ADDRESSES), fc.constant(null)),
  value: units,
  extra: optional(junk),
}, { requiredKeys: ['schema', 'chain', 'hash', 'blockNumber', 'blockTime', 'from', 'to', 'value'] });

const prevout = mostly(
  fc.record({ address: fc.oneof(address(BTC_ADDRESSES), fc.constant(null)), value: units, extra: optional(junk) }, { requiredKeys: ['address', 'value'] }),
  junk, 20,
);
const bitcoinTx = fc.record({
  schema: mostly(fc.constant('chain.bitcoin.tx.v1'), fc.constantFrom('chain.evm.tx.v1', null)),
  txid: hash32,
  hex: mostly(hexText(fc.integer({ min: 1, max: 120 })), fc.constantFrom('', 'a', 'abc', '0x00', 'zz', 5, null), 12),
  blockHeight: optional(count),
  blockTime: time,
  prevouts: mostly(fc.array(prevout, { maxLength: 3 }), junk, 12),
  extra: optional(junk),
}, { requiredKeys: ['schema', 'txid', 'hex', 'blockTime', 'prevouts'] });

/** A required key dropped now and then, as damage the generators above cannot produce. */
const withDropped = (message: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> =>
  fc.tuple(message, fc.option(fc.nat(), { freq: 4, nil: undefined })).map(([m, drop]) => {
    const copy: Record<string, unknown> = { ...m };
    if (drop !== undefined) delete copy[Object.keys(copy)[drop % Object.keys(copy).length]!];
    return JSON.stringify(copy);
  });

const RUNS = 4000;
const CASES = [
  { name: 'chain.evm.log.v1', text: withDropped(evmLog), schema: evmLogSchema, fast: fastParseEvmLog },
  { name: 'chain.evm.tx.v1', text: withDropped(evmTx), schema: evmTxSchema, fast: fastParseEvmTx },
  { name: 'chain.bitcoin.tx.v1', text: withDropped(bitcoinTx), schema: bitcoinTxSchema, fast: fastParseBitcoinTx },
] as const;

describe('chain decode fast paths', () => {
  for (const [i, c] of CASES.entries()) {
    it(`accepts and rejects exactly the ${c.name} messages zod does, with the identical parsed value (${RUNS} generated)`, () => {
      const tally = newTally();
      fc.assert(fc.property(c.text, (text) => agreesWithZod(text, c.schema, c.fast, tally)), { numRuns: RUNS, seed: 20261201 + i });
      // Both verdicts must be well exercised, or the agreement proves little (many fields, each
      // sometimes invalid, make whole valid messages the rarer verdict).
      expect(tally.accepted).toBeGreaterThan(RUNS * 0.06);
      expect(tally.rejected).toBeGreaterThan(RUNS * 0.15);
    });
  }

  it('gives decodeMessage the same event or reject as zod alone, for generated chain messages and the bundled sample', () => {
    // Generated times reach far past today: the clock bound (decode.test.ts) is left out of this comparison.
    const fast = { ...DEFAULT_DECODE_OPTIONS, maxAheadMs: undefined };
    const zodOnly = { ...fast, fastPath: false };
    const same = (text: string): void => expectSameValue(decodeMessage(text, fast), decodeMessage(text, zodOnly));
    fc.assert(fc.property(fc.oneof(...CASES.map((c) => c.text)), same), { numRuns: RUNS, seed: 20261204 });
    for (const line of sampleLines()) same(line);
  });
});
