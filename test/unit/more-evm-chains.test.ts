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
