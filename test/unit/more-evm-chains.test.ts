/**
 * The contract allows "another EVM chain name" beside its six examples. Stablecoins move on
 * Linea, zkSync, Scroll, Fantom, Gnosis, Mantle, Blast and Celo too, and an SDN address is the
 * same address on each: a withdrawal there was dead-lettered as an unknown chain (QA), so it
 * was never screened. A name outside the list is still refused.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { decodeMessage, DEFAULT_DECODE_OPTIONS } from '../../src/decode/decode.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { label, prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';

const T0 = Date.UTC(2025, 6, 1);
const listed = derivedEvm(101, 1);
const OPTIONS = { ...DEFAULT_DECODE_OPTIONS, maxAheadMs: undefined };

describe('EVM chains beyond the contract\'s examples', () => {
  it.each(['linea', 'zksync', 'scroll', 'fantom', 'gnosis', 'mantle', 'blast', 'celo'])('screens a USDC withdrawal on %s against an address listed on Ethereum', (chain) => {
    const pipeline = new Pipeline({ rules: loadRuleSet(DEFAULT_RULES_DIR) });
    pipeline.process(label('ethereum', listed, 'sanctioned', 'SDN entity', T0 - 1000), { file: 't', line: 1 });
    const r = pipeline.process(transfer({ eventId: `wd-${chain}`, kind: 'withdrawal', time: T0, accountId: `acct-${chain}`, chain, asset: 'USDC', amount: 2_000, to: listed }, prng(1)), { file: 't', line: 2 });
    expect(r.deadLetter).toBeUndefined();
    expect(r.alerts.map((a) => a.ruleId)).toContain('sanctions-exposure.direct');
  });

  it('still refuses a chain it does not know, naming it', () => {
    const line = transfer({ eventId: 'wd-x', kind: 'withdrawal', time: T0, accountId: 'a', chain: 'dogechain', asset: 'USDC', amount: 1, to: listed }, prng(2));
    const r = decodeMessage(line, OPTIONS);
    expect(r.ok ? undefined : r.reject.reason).toMatch(/unknown chain "dogechain"/);
  });
});

describe('stablecoin contracts on each EVM chain', () => {
  const contracts: [string, string, string][] = [
    ['optimism', 'USDC', '0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85'], ['optimism', 'USDT', '0x94b008aA00579c1307B0EF2c499aD98a8ce58e58'],
    ['avalanche', 'USDC', '0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E'], ['avalanche', 'USDT', '0x9702230A8Ea53601f5cD2dc00fDBc13d4dF4A8c7'],
    ['linea', 'USDC', '0x176211869cA2b568f2A7D4EE941E073a821EE1ff'], ['linea', 'USDT', '0xA219439258ca9da29E9Cc4cE5596924745e12B93'],
    ['zksync', 'USDC', '0x1d17CBcF0D6D143135aE902365D2E5e2A16538D4'], ['scroll', 'USDC', '0x06eFdBFf2a14a7c8E15944D1F4A48F9F95F663A4'],
  ];

  it.each(contracts)('values a Transfer log of %s %s at its peg, in whole tokens (a hop there carries traceable value)', (chain, symbol, contract) => {
    const to = derivedEvm(102, 2);
    const topic = (address: string): string => '0x' + address.slice(2).toLowerCase().padStart(64, '0');
    const line = JSON.stringify({
      schema: 'chain.evm.log.v1', chain, txHash: '0x' + 'ab'.repeat(32), logIndex: 3, blockNumber: 100, blockTime: '2025-07-01T00:00:00.000Z', address: contract,
      topics: ['0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef', topic(derivedEvm(102, 1)), topic(to)], data: '0x' + (2_500n * 1_000_000n).toString(16).padStart(64, '0'),
    });
    const r = decodeMessage(line, OPTIONS);
    if (!r.ok || r.event.type !== 'chain') throw new Error(`not decoded: ${JSON.stringify(r)}`);
    const t = r.event.transfers[0]!;
    expect([t.asset, t.amount.toString(), t.usd?.toString()]).toEqual([symbol, '2500', '2500']);
  });
});
