/**
 * Per-kind retention of the rule state: withdrawals are kept only as long as the rules read them
 * (with the shipped rules as long as deposits, 203 days), a rarely written account is trimmed by
 * the rolling sweep, and the graph's busy edge lists and short touch lists keep their retention.
 */
import { describe, expect, it } from 'vitest';
import { addressKey } from '../../src/chain/address.js';
import { historyRetention } from '../../src/engine/engine.js';
import { transferRetentionByKind } from '../../src/engine/kind-retention.js';
import type { LoadedRule } from '../../src/engine/loader.js';
import { RuleState, type HistoryItem } from '../../src/engine/state.js';
import type { TransferEvent } from '../../src/decode/events.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, evmAddress, login, prng, transfer } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';

const T0 = Date.parse('2025-03-01T00:00:00Z');
const decoder = new Pipeline({ rules: [] });
const rand = prng(41);

function decodeTransfer(eventId: string, kind: 'deposit' | 'withdrawal', time: number, accountId: string): TransferEvent {
  const line = transfer({ eventId, kind, time, accountId, chain: 'ethereum', asset: 'USDT', amount: 50, ...(kind === 'deposit' ? { from: [evmAddress(rand)], to: evmAddress(rand) } : { to: evmAddress(rand) }) }, rand);
  const r = decoder.decode(line);
  if (!r.ok || r.event.type !== 'transfer') throw new Error('not a transfer');
  return r.event;
}

function loginAt(time: number, accountId: string): HistoryItem {
  const r = decoder.decode(login(`login-${time}`, time, accountId, { ip: '10.0.0.1', ipCountry: 'US', vpn: false }));
  if (!r.ok || r.event.type !== 'login') throw new Error('not a login');
  return r.event;
}

function ruleWith(id: string, on: string[], signals: Record<string, unknown>): LoadedRule {
  return { spec: { id, on, where: [], signals }, hash: id } as unknown as LoadedRule;
}

describe('transfer retention by kind, derived from the rules', () => {
  it('keeps deposits for the cadence window and withdrawals for what reads them plus the re-examination reach (shipped rules)', () => {
    const shipped = rules();
    const longest = historyRetention(shipped);
    const byKind = transferRetentionByKind(shipped, longest, 90 * DAY);
    expect(byKind.deposit).toBe(longest);
    expect(longest).toBe(203 * DAY);
    // facilitator-hub's fresh 180 d and cadence-forward's and receiver-side's (since v8) fresh 200 d
    // (when the account first paid the destination), each + 90 d of touches re-examined, exceed the longest look-back, so
    // withdrawals are kept as long as deposits; without those rules, persona-rotation's 30 + 60 d of a
    // predecessor's last transfer + 90 d sets it; without it too, extortion fresh-address's 90 d of
    // the account's usual withdrawals (T9, since v4; its fresh 14 d before) + 90 d, as split-payment's
    // 90 d of large withdrawals (one-off, since v2) + 90 d.
    expect(byKind.withdrawal).toBe(longest);
    const without = (...ids: string[]): typeof shipped => shipped.filter((r) => !ids.includes(r.spec.id));
    expect(transferRetentionByKind(without('dprk-it-payroll.facilitator-hub'), longest, 90 * DAY).withdrawal).toBe(longest);
    expect(transferRetentionByKind(without('dprk-it-payroll.cadence-forward'), longest, 90 * DAY).withdrawal).toBe(longest);
    expect(transferRetentionByKind(without('extortion-payment.receiver-side'), longest, 90 * DAY).withdrawal).toBe(longest);
    const withoutFreshReaders = without('dprk-it-payroll.facilitator-hub', 'dprk-it-payroll.cadence-forward', 'extortion-payment.receiver-side');
    expect(transferRetentionByKind(withoutFreshReaders, longest, 90 * DAY).withdrawal).toBe(180 * DAY);
    const withoutPersona = without('dprk-it-payroll.facilitator-hub', 'dprk-it-payroll.cadence-forward', 'extortion-payment.receiver-side', 'dprk-it-payroll.persona-rotation');
    expect(transferRetentionByKind(withoutPersona, longest, 90 * DAY).withdrawal).toBe(180 * DAY);
    const withoutFreshT9 = without('dprk-it-payroll.facilitator-hub', 'dprk-it-payroll.cadence-forward', 'extortion-payment.receiver-side', 'dprk-it-payroll.persona-rotation', 'extortion-payment.fresh-address');
    expect(transferRetentionByKind(withoutFreshT9, longest, 90 * DAY).withdrawal).toBe(180 * DAY);
    const withoutT9Windows = without('dprk-it-payroll.facilitator-hub', 'dprk-it-payroll.cadence-forward', 'extortion-payment.receiver-side', 'dprk-it-payroll.persona-rotation', 'extortion-payment.fresh-address', 'extortion-payment.split-payment');
    expect(transferRetentionByKind(withoutT9Windows, longest, 90 * DAY).withdrawal).toBeLessThan(180 * DAY);
  });

  it('keeps a kind a graph-dependent rule fires on for the touch retention, even when no signal reads it', () => {
    const exposureOnly = ruleWith('x', ['withdrawal'], { hit: { op: 'exposure', direction: 'downstream', labels: ['sanctioned'], maxHops: 1, hopWithin: DAY, stopAt: [] } });
    const byKind = transferRetentionByKind([exposureOnly], 200 * DAY, 90 * DAY);
    expect(byKind.withdrawal).toBe(90 * DAY);
    expect(byKind.deposit).toBe(DAY);
  });

  it('never keeps a kind longer than the history retention', () => {
    const window = ruleWith('w', ['deposit'], { n: { op: 'window', of: { kinds: ['deposit'], where: [] }, key: 'account', within: 30 * DAY, agg: 'count', pass: { gte: 1 } } });
    expect(transferRetentionByKind([window], 10 * DAY, 90 * DAY).deposit).toBe(10 * DAY);
  });
});

describe('rule state with per-kind retention', () => {
  it('drops withdrawals past their retention from the history and the index while deposits of the same age stay', () => {
    const state = new RuleState({ retention: 200 * DAY, kindRetention: { withdrawal: 20 * DAY }, keepLogins: false });
    state.add(decodeTransfer('dep-old', 'deposit', T0, 'a'));
    state.add(decodeTransfer('wd-old', 'withdrawal', T0 + 1_000, 'a'));
    state.add(decodeTransfer('other-old', 'deposit', T0 + 2_000, 'b'));
    // Thirty days later account b keeps writing; a is never written again.
    for (let i = 0; i < 50; i++) state.add(decodeTransfer(`b-${i}`, 'deposit', T0 + 30 * DAY + i, 'b'));
    expect(state.transfer('wd-old')).toBeUndefined();
    expect(state.transfer('dep-old')).toBeDefined();
    expect(state.history('a').map((e) => e.eventId)).toEqual(['dep-old']);
  });

  it('takes a withdrawal out of its history as soon as the clock passes its retention (a login moves that clock too), before the sweep reaches its account', () => {
    const state = new RuleState({ retention: 200 * DAY, kindRetention: { withdrawal: 20 * DAY }, keepLogins: false });
    state.add(decodeTransfer('dep-a', 'deposit', T0, 'a'));
    state.add(decodeTransfer('wd-a', 'withdrawal', T0 + 1_000, 'a'));
    state.add(decodeTransfer('wd-b', 'withdrawal', T0 + 2_000, 'b'));
    // Forty other accounts ahead of the sweep's cursor: one event moves it one account on.
    for (let i = 0; i < 40; i++) state.add(decodeTransfer(`c-${i}`, 'deposit', T0 + 10 * DAY + i, `c-${i}`));
    const accounts = state.sizes.accounts;
    state.add(loginAt(T0 + 21 * DAY, 'z'));
    expect(state.history('a').map((e) => e.eventId)).toEqual(['dep-a']);
    expect(state.transfer('wd-a')).toBeUndefined();
    // b held only its withdrawal: the account goes with it.
    expect(state.history('b')).toEqual([]);
    expect(state.sizes.accounts).toBe(accounts - 1);
  });

  it('drops the withdrawals past a shorter retention at once when a new rule set shortens it', () => {
    const state = new RuleState({ retention: 200 * DAY, kindRetention: { withdrawal: 60 * DAY }, keepLogins: false });
    state.add(decodeTransfer('wd-old', 'withdrawal', T0, 'a'));
    state.add(decodeTransfer('dep-new', 'deposit', T0 + 30 * DAY, 'a'));
    expect(state.history('a').map((e) => e.eventId)).toEqual(['wd-old', 'dep-new']);
    state.reconfigure({ kindRetention: { withdrawal: 20 * DAY } });
    expect(state.history('a').map((e) => e.eventId)).toEqual(['dep-new']);
    expect(state.transfer('wd-old')).toBeUndefined();
  });

  it('finds each transfer by id whichever kind was found last, and an id reused by the other kind names the newer transfer', () => {
    const state = new RuleState({ retention: 200 * DAY, keepLogins: false });
    const kinds = ['withdrawal', 'withdrawal', 'deposit', 'withdrawal', 'deposit', 'deposit'] as const;
    kinds.forEach((kind, i) => state.add(decodeTransfer(`t-${i}`, kind, T0 + i, 'a')));
    // Runs of one kind and switches between them, in both directions.
    for (const i of [0, 1, 2, 3, 4, 5, 4, 1, 0, 5]) expect(state.transfer(`t-${i}`)?.msg.kind).toBe(kinds[i]);
    expect(state.transfer('t-none')).toBeUndefined();
    // An id the dedupe window no longer remembers, arriving again as the other kind.
    state.add(decodeTransfer('t-2', 'withdrawal', T0 + 10, 'b'));
    expect(state.transfer('t-2')?.msg.accountId).toBe('b');
    state.transfer('t-5'); // a deposit found last: the look-up of t-2 starts at the deposits
    expect(state.transfer('t-2')?.msg.kind).toBe('withdrawal');
    expect(state.sizes.transfers).toBe(kinds.length);
  });

  it('trims a rarely written account past the retention without a write to it, and evicts it once empty', () => {
    const state = new RuleState({ retention: 10 * DAY, keepLogins: false });
    state.add(decodeTransfer('quiet-1', 'deposit', T0, 'quiet'));
    state.add(decodeTransfer('quiet-2', 'deposit', T0 + 8 * DAY, 'quiet'));
    for (let i = 0; i < 20; i++) state.add(decodeTransfer(`busy-${i}`, 'deposit', T0 + 12 * DAY + i, 'busy'));
    expect(state.history('quiet').map((e) => e.eventId)).toEqual(['quiet-2']);
    for (let i = 20; i < 40; i++) state.add(decodeTransfer(`busy-${i}`, 'deposit', T0 + 30 * DAY + i, 'busy'));
    expect(state.sizes.accounts).toBe(1);
  });
});

describe('address graph retention under steady traffic', () => {
  it('keeps only the edges and touches inside their retention on an address paid all year', () => {
    const p = new Pipeline({ rules: rules() });
    const r = prng(5);
    const payer = evmAddress(r);
    const deposit = evmAddress(r);
    // One customer pays in from the same wallet every ten days for a year: the lists stay busy.
    for (let d = 0; d < 365; d += 10) {
      p.process(transfer({ eventId: `pay-${d}`, kind: 'deposit', time: T0 + d * DAY, accountId: 'steady', chain: 'ethereum', asset: 'USDT', amount: 100, from: [payer], to: deposit }, r), { line: d });
    }
    const graph = p.graph;
    const newest = T0 + 360 * DAY;
    const payerId = graph.id(addressKey('ethereum', payer));
    const out = graph.edgesOut(payerId);
    expect(out.length).toBeGreaterThan(0);
    expect(Math.min(...out.map((e) => e.time))).toBeGreaterThanOrEqual(newest - graph.options.edgeRetention);
    const touches = graph.touches(payerId);
    expect(touches.length).toBeGreaterThan(0);
    expect(Math.min(...touches.map((t) => t.time))).toBeGreaterThanOrEqual(newest - graph.options.touchRetention);
  });
});
