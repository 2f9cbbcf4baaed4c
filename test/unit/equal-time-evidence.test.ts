/**
 * Evidence dated at the trigger's own instant, read after it, gives the alert an event-time
 * reading gives: the same id, event ids and evidence, whichever of the two came first (session
 * 44 chain QA: a listed address's payout log and the deposit it funded, at one block time,
 * alerted under two ids as the log came first or second).
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, evmAddress, label, prng, tokenLog, transfer, USDT_ETH } from '../../src/simulate/builders.js';
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
