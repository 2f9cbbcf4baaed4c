/**
 * Accounts that only log in, under rules whose history keeps no logins (issue #9: every
 * structure bounded, dormant keys evicted): a read for such an account (a window signal on a
 * login trigger, a payer-group read) must leave nothing behind, since only a history's removal
 * forgets what is kept per account beside it, and such an account has no history to remove.
 */
import { describe, expect, it } from 'vitest';
import { parseRuleText } from '../../src/engine/loader.js';
import { RuleState, type AggregatorSpec } from '../../src/engine/state.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, evmAddress, login, prng, transfer } from '../../src/simulate/builders.js';
import type { LoginEvent } from '../../src/decode/events.js';

const T0 = Date.parse('2025-03-01T00:00:00Z');

/** A login trigger with a window over the account's withdrawals: the history keeps no logins. */
const RULE = `
id: test.login-window
version: 1
typology: account-linkage
title: a login by an account that withdrew twice within a day
sources: ["test"]
on: [login]
signals:
  withdrawals:
    op: window
    key: account
    within: 1d
    of: { kinds: [withdrawal] }
    agg: count
    pass: { gte: 2 }
require: [withdrawals]
score: { base: 60 }
severity: { critical: 95, high: 75, medium: 50 }
explain: "{event.accountId} logged in."
`;

const session = (i: number) => ({ ip: `10.${(i >> 8) & 255}.${i & 255}.1`, ipCountry: 'DE', vpn: false, deviceId: `dev-${i}` });

const loginEvent = (accountId: string, time: number, eventId: string): LoginEvent => ({
  type: 'login', eventId, time, msg: { schema: 'exchange.login.v1', eventId, occurredAt: new Date(time).toISOString(), accountId, ip: '10.0.0.1', ipCountry: 'DE', vpn: false, deviceId: `dev-${accountId}` },
});

describe('accounts that only log in', () => {
  it('leave no window aggregate behind when a login trigger reads a window signal (rule set with a window on logins)', () => {
    const { rule, errors } = parseRuleText(RULE, 'test.yaml');
    expect(errors).toEqual([]);
    const p = new Pipeline({ rules: [rule!], maxLeapMs: 0 });
    expect(p.state.options.keepLogins).toBe(false);
    for (let i = 0; i < 2_000; i++) p.process(login(`l-${i}`, T0 + i * 1_000, `acct-${i}`, session(i)), { line: i });
    expect(p.state.sizes.accounts).toBe(0);
    expect(p.state.sizes.aggregates).toBe(0);
    // And past the retention: new login-only accounts still add nothing.
    const later = T0 + 400 * DAY;
    for (let i = 0; i < 2_000; i++) p.process(login(`m-${i}`, later + i * 1_000, `late-${i}`, session(i)), { line: 2_000 + i });
    expect(p.state.sizes.aggregates).toBe(0);
  });

  it('keep no window aggregate for an account without history, and answer with an empty window', () => {
    const state = new RuleState({ retention: 30 * DAY, keepLogins: false });
    const spec: AggregatorSpec = { within: DAY, select: (e) => e.type === 'transfer', valueOf: () => 1, agg: 'count' };
    state.setAggregators([spec]);
    for (let i = 0; i < 1_000; i++) {
      const e = loginEvent(`acct-${i}`, T0 + i, `l-${i}`);
      state.add(e);
      expect(state.aggregate(`acct-${i}`, spec, e.time)?.count).toBe(0);
    }
    expect(state.sizes.accounts).toBe(0);
    expect(state.sizes.aggregates).toBe(0);
  });

  it('keep no payer groups for an account without history', () => {
    const state = new RuleState({ retention: 30 * DAY, keepLogins: false });
    for (let i = 0; i < 1_000; i++) {
      state.add(loginEvent(`acct-${i}`, T0 + i, `l-${i}`));
      expect([...state.payerGroups(`acct-${i}`)]).toEqual([]);
      expect(state.payerGroup(`acct-${i}`, 'deposit', 'evm:0x00')).toBeUndefined();
    }
    expect(state.sizes.payerIndexes).toBe(0);
  });

  it('leave no window aggregate behind for a transfer older than the retention, whose own add let its history go', () => {
    const { rule } = parseRuleText(RULE.replace('on: [login]', 'on: [deposit]'), 'test.yaml');
    const p = new Pipeline({ rules: [rule!], maxLeapMs: 0 });
    const rand = prng(5);
    const deposit = (eventId: string, accountId: string, time: number): string => transfer({ eventId, kind: 'deposit', time, accountId, chain: 'ethereum', asset: 'USDT', amount: 10, from: [evmAddress(rand)], to: evmAddress(rand) }, rand);
    p.process(deposit('now', 'current', T0 + 400 * DAY), { line: 0 });
    for (let i = 0; i < 200; i++) p.process(deposit(`old-${i}`, `old-${i}`, T0 + i * 1_000), { line: 1 + i });
    expect(p.state.sizes.accounts).toBe(1);
    expect(p.state.sizes.aggregates).toBe(1); // the current account's own
  });
});

