/**
 * Evidence dated at the trigger's own instant, read after it, gives the alert an event-time
 * reading gives: the same id, event ids and evidence, whichever of the two came first (session
 * 44 chain QA: a listed address's payout log and the deposit it funded, at one block time,
 * alerted under two ids as the log came first or second).
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, evmAddress, HOUR, label, prng, tokenLog, transfer, USDT_ETH } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';
import type { Alert } from '../../src/contract/schemas.js';

const T = Date.UTC(2025, 2, 2, 10);

describe('a funding log and its deposit at one instant', () => {
  const rand = prng(71);
  const listed = evmAddress(rand);
  const sender = evmAddress(rand);
  const labelLine = label('ethereum', listed, 'sanctioned', 'Listed party', T - 30 * DAY);
  const log = tokenLog('ethereum', USDT_ETH, listed, sender, 5_000, T, rand);
  const deposit = transfer({ eventId: 'ev-tie-dep', kind: 'deposit', time: T, accountId: 'acct-tie', chain: 'ethereum', asset: 'USDT', amount: 4_990, from: [sender], to: evmAddress(rand) }, rand);
  const alertsOf = (lines: string[]): Alert[] => {
    const p = new Pipeline({ rules: rules() });
    return lines.flatMap((l, i) => p.process(l, { line: i + 1 }).alerts).filter((a) => a.typology === 'sanctions-exposure');
  };

  it('alerts with the same bytes whichever arrives first', () => {
    const logFirst = alertsOf([labelLine, log, deposit]);
    const depositFirst = alertsOf([labelLine, deposit, log]);
    expect(logFirst.map((a) => [a.subject.accountId, a.severity])).toEqual([['acct-tie', 'high']]);
    expect(JSON.stringify(depositFirst)).toBe(JSON.stringify(logFirst));
  });
});

describe('earlier-dated evidence that raises a verdict already alerted weaker', () => {
  it('alerts the stronger verdict under its own id, as late evidence (session 44 review: the high was taken for the medium and dropped)', () => {
    const rand = prng(5);
    const [listed, middle, sender] = [evmAddress(rand), evmAddress(rand), evmAddress(rand)];
    const lines = {
      label: label('ethereum', listed, 'sanctioned', 'Listed', T - 30 * DAY),
      twoHops: [tokenLog('ethereum', USDT_ETH, listed, middle, 5_000, T - 3 * HOUR, rand), tokenLog('ethereum', USDT_ETH, middle, sender, 5_000, T - 2 * HOUR, rand)],
      oneHop: tokenLog('ethereum', USDT_ETH, listed, sender, 5_000, T - HOUR, rand),
      deposit: transfer({ eventId: 'ev-dep', kind: 'deposit', time: T, accountId: 'acct-1', chain: 'ethereum', asset: 'USDT', amount: 9_900, from: [sender], to: evmAddress(rand) }, rand),
    };
    const verdicts = (order: string[]) => {
      const p = new Pipeline({ rules: rules() });
      return order.flatMap((l, i) => p.process(l, { line: i + 1 }).alerts).filter((a) => a.typology === 'sanctions-exposure');
    };
    const inOrder = verdicts([lines.label, ...lines.twoHops, lines.oneHop, lines.deposit]);
    expect(inOrder.map((a) => [a.severity, a.evidence.hops])).toEqual([['high', 1]]);
    const late = verdicts([lines.label, ...lines.twoHops, lines.deposit, lines.oneHop]);
    expect(late.map((a) => [a.severity, a.evidence.hops, a.evidence.graphChange !== undefined])).toEqual([['medium', 2, false], ['high', 1, true]]);
    expect(new Set(late.map((a) => a.alertId)).size).toBe(2);
  });
});

