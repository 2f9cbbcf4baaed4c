/**
 * CoinJoin shapes the detectors had wrong (enrichment QA, session 26): a WabiSabi round whose
 * every output fell into a repeated denomination was not a CoinJoin (all 30 inputs merged), and
 * a wallet paying n payees the same sum with one change output was a JoinMarket round (its
 * inputs left apart, its payees labelled mixer); and since session 42, n equal payouts without
 * change from inputs that could not each fund one.
 */
import { describe, expect, it } from 'vitest';
import type { BitcoinInput, BitcoinOutput } from '../../src/chain/bitcoin.js';
import { detectCoinJoin } from '../../src/graph/coinjoin.js';

const inputs = (n: number, value = 10_000_000n): BitcoinInput[] => Array.from({ length: n }, (_, i) => ({ address: `btc:bc1qinput${i}`, value }));
const outputs = (values: bigint[]): BitcoinOutput[] => values.map((value, i) => ({ address: `btc:bc1qoutput${i}`, value, type: 'p2wpkh' }));

describe('CoinJoin shapes', () => {
  it('reads a WabiSabi round with every output in a repeated denomination as a CoinJoin', () => {
    const denominations = [500_000n, 1_000_000n, 1_062_882n, 2_000_000n, 2_097_152n, 3_188_646n, 3_936_600n, 4_194_304n, 5_000_000n, 6_377_292n];
    const verdict = detectCoinJoin(inputs(30), outputs(denominations.flatMap((d) => [d, d, d, d])));
    expect(verdict?.protocol).toBe('wasabi2');
  });

  it('reads n equal payouts with one change output as a payment, not a join', () => {
    expect(detectCoinJoin(inputs(3), outputs([1_000_000n, 1_000_000n, 1_000_000n, 26_543_210n]))).toBeUndefined();
    expect(detectCoinJoin(inputs(4), outputs([5_000_000n, 5_000_000n, 5_000_000n, 5_000_000n, 19_876_543n]))).toBeUndefined();
  });

  it('reads n equal payouts with no change as a payment when the inputs cannot each fund one (session 42 QA)', () => {
    const payer: BitcoinInput[] = [1_100_000n, 1_200_000n, 800_000n].map((value, i) => ({ address: `btc:bc1qpayer${i}`, value }));
    expect(detectCoinJoin(payer, outputs([1_000_000n, 1_000_000n, 1_000_000n]))).toBeUndefined();
    // The same shape where each participant funds its output is a join, and so is one whose values are not known.
    const joined: BitcoinInput[] = [1_100_000n, 1_200_000n, 1_050_000n].map((value, i) => ({ address: `btc:bc1qjoiner${i}`, value }));
    expect(detectCoinJoin(joined, outputs([1_000_000n, 1_000_000n, 1_000_000n]))?.protocol).toBe('equal-outputs');
    expect(detectCoinJoin(payer.map((i) => ({ ...i, value: 0n })), outputs([1_000_000n, 1_000_000n, 1_000_000n]))?.protocol).toBe('equal-outputs');
    // Two inputs of one participant fund its output together.
    const split: BitcoinInput[] = [...joined.slice(0, 2), { address: 'btc:bc1qjoiner2', value: 600_000n }, { address: 'btc:bc1qjoiner2', value: 500_000n }];
    expect(detectCoinJoin(split, outputs([1_000_000n, 1_000_000n, 1_000_000n]))?.protocol).toBe('equal-outputs');
  });

  it('still reads n equal outputs with a change output per maker as JoinMarket', () => {
    expect(detectCoinJoin(inputs(3), outputs([1_000_000n, 1_000_000n, 1_000_000n, 8_765_432n, 8_712_345n]))?.protocol).toBe('joinmarket');
    expect(detectCoinJoin(inputs(4), outputs([2_000_000n, 2_000_000n, 2_000_000n, 2_000_000n, 7_111_111n, 7_222_222n, 7_333_333n]))?.protocol).toBe('joinmarket');
  });
});
