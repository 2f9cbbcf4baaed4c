/**
 * A new flow edge re-examines only the transfers it can lie on the path of: an exposure path's
 * hops follow each other in time, so downstream of the edge only what happened at or after it.
 * Before, every edge feeding a hot hub from a labelled cluster re-examined up to 4,096 of the
 * deposits already judged downstream of the hub (a consolidation hub paid by sanctioned
 * addresses, paying out to many that deposit here ran at 37 ms a message and slowing). Chain
 * data that arrives after the deposits it explains must still re-examine them.
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { derivedEvm } from '../../src/simulate/derived.js';
import { HOUR, label, prng, tokenLog, transfer, USDT_ETH } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';

const T0 = Date.UTC(2025, 4, 1);
const MINUTE = 60_000;
const SANCTIONED = derivedEvm(31, 1);
const HUB = derivedEvm(32, 1);
const customer = { type: 'individual' as const, kycCountry: 'US', createdAt: '2024-01-01T00:00:00.000Z' };
const rand = prng(5);

const deposit = (n: number, from: string, time: number): string =>
  transfer({ eventId: `dep-${n}`, kind: 'deposit', time, accountId: `acct-${n}`, chain: 'ethereum', asset: 'USDT', amount: 90, from: [from], to: derivedEvm(34, n), customer }, rand);

describe('a flow edge re-examines only what it can lie on the path of', () => {
  const payees = 40;
  const p = new Pipeline({ rules: rules() });
  const alertsOf = (line: string) => p.process(line, { file: 'flow-time', line: 0 }).alerts;
  // The hub is paid by a sanctioned address, pays 40 addresses, and each deposits here.
  alertsOf(label('ethereum', SANCTIONED, 'sanctioned', 'test-sdn', T0));
  alertsOf(tokenLog('ethereum', USDT_ETH, SANCTIONED, HUB, 10_000, T0 + HOUR, rand));
  const exposedAtArrival: string[] = [];
  for (let k = 0; k < payees; k++) {
    alertsOf(tokenLog('ethereum', USDT_ETH, HUB, derivedEvm(33, k), 100, T0 + 2 * HOUR + k * MINUTE, rand));
    for (const a of alertsOf(deposit(k, derivedEvm(33, k), T0 + 3 * HOUR + k * MINUTE))) exposedAtArrival.push(a.subject.accountId);
  }

  it('an edge feeding the hub, in event-time order, re-examines none of the deposits judged before it', () => {
    expect(new Set(exposedAtArrival).size).toBe(payees); // each deposit was judged exposed when it arrived
    alertsOf(tokenLog('ethereum', USDT_ETH, SANCTIONED, derivedEvm(35, 1), 1_000, T0 + 10 * HOUR, rand));
    const before = p.stats.reevaluations;
    // A second sanctioned-fed address pays the hub a tenth of its inflow (no forwarding merge).
    expect(alertsOf(tokenLog('ethereum', USDT_ETH, derivedEvm(35, 1), HUB, 100, T0 + 11 * HOUR, rand))).toEqual([]);
    expect(p.stats.reevaluations - before).toBe(0);
  });

  it('an edge that arrives after a later deposit from its receiver re-examines that deposit, which is then exposed', () => {
    const late = derivedEvm(36, 1);
    // The deposit from `late` comes first: nothing is known of the address, no exposure.
    expect(alertsOf(deposit(900, late, T0 + 20 * HOUR)).map((a) => a.ruleId)).not.toContain('sanctions-exposure.indirect');
    const before = p.stats.reevaluations;
    // Then the chain data, an hour earlier in event time: the hub paid `late` (a sum matching none
    // of its inflows, so no forwarding merge re-examines it instead; too small to be a funding).
    const alerts = alertsOf(tokenLog('ethereum', USDT_ETH, HUB, late, 77, T0 + 19 * HOUR, rand));
    expect(p.stats.reevaluations - before).toBeGreaterThan(0);
    expect(alerts.filter((a) => a.subject.accountId === 'acct-900').map((a) => a.ruleId)).toContain('sanctions-exposure.indirect');
  });
});

describe('a consolidation address forwarding to a sanctioned one again', () => {
  const CONSOLIDATION = derivedEvm(37, 1);
  const p = new Pipeline({ rules: rules() });
  const alertsOf = (line: string) => p.process(line, { file: 'consolidation', line: 0 }).alerts;
  const withdraw = (n: number, time: number): string =>
    transfer({ eventId: `wd-${n}`, kind: 'withdrawal', status: 'completed', time, accountId: `acct-w${n}`, chain: 'ethereum', asset: 'USDT', amount: 500 + n, to: CONSOLIDATION, customer }, rand);
  // Amounts differ: equal ones to the same address within six hours are taken for one transfer seen
  // twice. Each forward passes on about what came in since the last, as a consolidation address
  // does: exposure traces each withdrawal's share of what the address forwarded (T2's traced value).
  const forward = (time: number, amount: number) => alertsOf(tokenLog('ethereum', USDT_ETH, CONSOLIDATION, SANCTIONED, amount, time, rand));
  alertsOf(label('ethereum', SANCTIONED, 'sanctioned', 'test-sdn', T0));
  for (let n = 0; n < 30; n++) alertsOf(withdraw(n, T0 + HOUR + n * MINUTE));

  it('the first forward re-examines every withdrawal to it, which are then exposed', () => {
    const before = p.stats.reevaluations;
    const exposed = forward(T0 + 2 * HOUR, 15_000).filter((a) => a.ruleId === 'sanctions-exposure.indirect').map((a) => a.subject.accountId);
    expect(p.stats.reevaluations - before).toBe(30);
    expect(new Set(exposed).size).toBe(30);
  });

  it('a later forward re-examines only the withdrawals made since the last one', () => {
    for (let n = 30; n < 35; n++) alertsOf(withdraw(n, T0 + 3 * HOUR + n * MINUTE));
    const before = p.stats.reevaluations;
    const exposed = forward(T0 + 4 * HOUR, 2_700).filter((a) => a.ruleId === 'sanctions-exposure.indirect').map((a) => a.subject.accountId);
    expect(p.stats.reevaluations - before).toBe(5);
    expect(exposed.sort()).toEqual(['acct-w30', 'acct-w31', 'acct-w32', 'acct-w33', 'acct-w34']);
  });
});
