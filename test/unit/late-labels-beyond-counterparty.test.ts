/**
 * A risk label dated after a transfer, on an address a hop or two from its counterparty, gives
 * the transfer the verdict of event order whatever order the three are read in: the label read
 * first, then the transfer (pipeline.judgeAsOfLaterLabels walks with every label read so far), or
 * the label read first and the old hop that reaches it last (the late-evidence gates read labels
 * dated after the edge). QA: both orders raised nothing where event order raised an alert.
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, HOUR, USDT_ETH, evmAddress, label, prng, tokenLog, transfer } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';

const T0 = Date.parse('2025-04-08T00:00:00Z');
const customer = { type: 'individual' as const, kycCountry: 'US', createdAt: '2024-01-01T00:00:00.000Z' };

/** The exposure verdicts the messages raise, read in `order`: rule and severity per account. */
function verdicts(lines: readonly string[], order: readonly number[]): string[] {
  const p = new Pipeline({ rules: rules(), labels: [] });
  const out = new Set<string>();
  order.forEach((i, n) => {
    for (const a of p.process(lines[i]!, { line: n + 1 }).alerts) if (a.typology === 'sanctions-exposure') out.add(`${a.ruleId} ${a.subject.accountId} ${a.severity}`);
  });
  return [...out].sort();
}

describe('a label dated after a transfer, beyond its counterparty', () => {
  it('upstream: the listed address paid two hops before the deposit, its outflow read last', () => {
    const rand = prng(241);
    const [listed, a1, a0] = [evmAddress(rand), evmAddress(rand), evmAddress(rand)];
    const lines = [
      tokenLog('ethereum', USDT_ETH, listed, a1, 5_000, T0, rand),
      label('ethereum', listed, 'dprk-linked', 'Listed later', T0 + 3 * HOUR),
      tokenLog('ethereum', USDT_ETH, a1, a0, 5_000, T0 + 2 * DAY, rand),
      transfer({ eventId: 'ev-up-dep', kind: 'deposit', time: T0 + 4 * DAY, accountId: 'acct-up', chain: 'ethereum', asset: 'USDT', amount: 5_000, from: [a0], to: evmAddress(rand), customer }, rand),
    ];
    const inOrder = verdicts(lines, [0, 1, 2, 3]);
    expect(inOrder).toEqual(['sanctions-exposure.indirect acct-up medium']);
    expect(verdicts(lines, [1, 2, 3, 0])).toEqual(inOrder);
  });

  it('downstream: the withdrawal\'s receiver pays an address listed after the withdrawal, the label read before the withdrawal', () => {
    const rand = prng(242);
    const [x, y] = [evmAddress(rand), evmAddress(rand)];
    const lines = [
      transfer({ eventId: 'ev-down-wd', kind: 'withdrawal', status: 'completed', time: T0, accountId: 'acct-down', chain: 'ethereum', asset: 'USDT', amount: 8_000, to: x, customer }, rand),
      tokenLog('ethereum', USDT_ETH, x, y, 3_000, T0 + HOUR, rand), // not a forward of the whole: no merge
      label('ethereum', y, 'sanctioned', 'Listed later', T0 + 2 * HOUR),
    ];
    const inOrder = verdicts(lines, [0, 1, 2]);
    expect(inOrder.length).toBeGreaterThan(0);
    expect(verdicts(lines, [1, 2, 0])).toEqual(inOrder);
    expect(verdicts(lines, [2, 1, 0])).toEqual(inOrder);
  });
});
