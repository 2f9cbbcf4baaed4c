/**
 * A deposit's `from` may be empty when the exchange does not know the sender (events.md). The
 * chain data read before it names the sender of that transaction into the deposit address, and
 * the deposit is screened as if `from` had said so (detection QA F15: a deposit straight from a
 * listed address, with `from: []`, raised nothing).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, HOUR, label, prng, tokenLog, USDT_ETH } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const T0 = Date.UTC(2025, 4, 1);
const SDN = derivedEvm(81, 1);
const depositAddress = derivedEvm(81, 2);

/** An exchange deposit with an empty `from` and the given transaction hash. */
const deposit = (txHash: string): string => JSON.stringify({
  schema: 'exchange.transfer.v1', eventId: 'dep-unknown-sender', kind: 'deposit', occurredAt: new Date(T0 + HOUR).toISOString(), accountId: 'acct-unknown-sender',
  chain: 'ethereum', asset: 'USDT', amount: '2500.00', usdValue: 2500, txHash, from: [], to: depositAddress,
  customer: { type: 'individual', kycCountry: 'US', createdAt: '2024-01-01T00:00:00.000Z' },
});

function sanctionsAlerts(lines: string[]): string[] {
  const pipeline = new Pipeline({ rules });
  return lines.flatMap((line, i) => {
    const r = pipeline.process(line, { file: 't', line: i + 1 });
    expect(r.deadLetter, `line ${i + 1} dead-lettered`).toBeUndefined();
    return r.alerts;
  }).filter((a) => a.typology === 'sanctions-exposure').map((a) => `${a.ruleId} ${a.severity}`);
}

describe('a deposit with an empty from', () => {
  const listed = label('ethereum', SDN, 'sanctioned', 'SDN entity', T0 - DAY);
  const chainLog = tokenLog('ethereum', USDT_ETH, SDN, depositAddress, 2_500, T0, prng(1));
  const hash = (JSON.parse(chainLog) as { txHash: string }).txHash;

  it('takes the sender of its transaction from the chain data, in any spelling of the hash', () => {
    expect(sanctionsAlerts([listed, chainLog, deposit(hash)])).toEqual(['sanctions-exposure.direct critical']);
    expect(sanctionsAlerts([listed, chainLog, deposit(hash.slice(2).toUpperCase())])).toEqual(['sanctions-exposure.direct critical']);
  });

  it('has no sender when no chain data names its transaction', () => {
    expect(sanctionsAlerts([listed, deposit(hash)])).toEqual([]);
    expect(sanctionsAlerts([listed, chainLog, deposit(`0x${'ab'.repeat(32)}`)])).toEqual([]);
  });
});
