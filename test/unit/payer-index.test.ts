/**
 * The payer index (payer-index.ts) is a cache of the account's history: after any sequence of
 * transfers and logins (out of order, dropped by retention, by kind and by the per-account cap),
 * the groups it hands out must be the history's transfers grouped by kind and first sender,
 * each group in history order, whether the index was built long ago and fed since or just now.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoginEvent, TransferEvent } from '../../src/decode/events.js';
import { RuleState, type HistoryItem } from '../../src/engine/state.js';
import { Decimal } from '../../src/money/decimal.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function transfer(accountId: string, n: number, time: number, kind: 'deposit' | 'withdrawal', from: string[]): TransferEvent {
  const eventId = `t-${accountId}-${n}`;
  const msg = { schema: 'exchange.transfer.v1', eventId, kind, occurredAt: new Date(time).toISOString(), accountId, chain: 'ethereum', asset: 'USDT', amount: '10', from: [...from], to: 'addr-to' } as unknown as TransferEvent['msg'];
  return { type: 'transfer', eventId, time, msg, from: [...from], to: 'addr-to', amount: Decimal.parse('10'), usd: Decimal.parse('10'), usdSource: null };
}

function login(accountId: string, n: number, time: number): LoginEvent {
  const eventId = `l-${accountId}-${n}`;
  const msg = { schema: 'exchange.login.v1', eventId, occurredAt: new Date(time).toISOString(), accountId, ip: '10.0.0.1', ipCountry: 'DE', vpn: false } as unknown as LoginEvent['msg'];
  return { type: 'login', eventId, time, msg };
}

type Groups = [string, string[]][];

/** Groups as sorted `kind payer` → event ids (the order of groups is not part of the contract, the order within one is). */
function asEntries(groups: Iterable<{ kind: string; payer: string; items: readonly { eventId: string }[] }>): Groups {
  return [...groups].map((g): [string, string[]] => [`${g.kind} ${g.payer}`, g.items.map((e) => e.eventId)]).sort((a, b) => a[0].localeCompare(b[0]));
}

/** The reference: the history's transfers with a first sender, grouped by kind and that sender, in history order. */
function expectedGroups(history: readonly HistoryItem[]): Groups {
  const groups = new Map<string, string[]>();
  for (const item of history) {
    if (item.type !== 'transfer' || item.from[0] === undefined) continue;
    const key = `${item.msg.kind} ${item.from[0]}`;
    groups.set(key, [...(groups.get(key) ?? []), item.eventId]);
  }
  return [...groups].sort((a, b) => a[0].localeCompare(b[0]));
}

describe('the per-account payer index', () => {
  it('hands out exactly the history grouped by kind and first sender, however the history changes', () => {
    const step = fc.record({
      gap: fc.constantFrom(0, 0, HOUR, DAY, 5 * DAY, 20 * DAY),
      late: fc.constantFrom(0, 0, 0, 2 * DAY),
      account: fc.integer({ min: 0, max: 2 }),
      what: fc.constantFrom('deposit', 'deposit', 'withdrawal', 'login', 'nobody'),
      payer: fc.integer({ min: 0, max: 3 }),
      ask: fc.boolean(),
    });
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), (steps) => {
      // Withdrawals kept 15 days, deposits 40, at most 6 items an account: every way of dropping.
      const state = new RuleState({ retention: 40 * DAY, maxHistory: 6, kindRetention: { withdrawal: 15 * DAY } });
      let time = T0;
      steps.forEach((s, n) => {
        time += s.gap;
        const accountId = `acct-${s.account}`;
        const at = time - s.late;
        if (s.what === 'login') state.add(login(accountId, n, at));
        else if (s.what === 'nobody') state.add(transfer(accountId, n, at, 'withdrawal', []));
        else state.add(transfer(accountId, n, at, s.what, [`payer-${s.payer}`, `payer-${(s.payer + 1) % 4}`]));
        // Asking builds (or rebuilds) the index; not asking leaves it to be fed by later messages.
        if (s.ask) expect(asEntries(state.payerGroups(accountId)), `${accountId} after message ${n}`).toEqual(expectedGroups(state.history(accountId)));
      });
      for (let a = 0; a < 3; a++) expect(asEntries(state.payerGroups(`acct-${a}`))).toEqual(expectedGroups(state.history(`acct-${a}`)));
    }), { numRuns: 300 });
  });

  it('keeps a payer\'s deposits and withdrawals apart, and a group in time order when a transfer arrives late', () => {
    const state = new RuleState();
    state.add(transfer('a', 0, T0 + 2 * HOUR, 'deposit', ['p']));
    expect(asEntries(state.payerGroups('a'))).toEqual([['deposit p', ['t-a-0']]]); // built now, fed from here on
    state.add(transfer('a', 1, T0 + 3 * HOUR, 'withdrawal', ['p']));
    state.add(transfer('a', 2, T0 + HOUR, 'deposit', ['p']));
    state.add(transfer('a', 3, T0 + 4 * HOUR, 'deposit', ['p']));
    expect(asEntries(state.payerGroups('a'))).toEqual([['deposit p', ['t-a-2', 't-a-0', 't-a-3']], ['withdrawal p', ['t-a-1']]]);
  });

  it('is not rebuilt from the whole history when the history drops its oldest items by retention (O(1) a transfer, not O(history))', () => {
    // A long-lived account paid daily by new senders, its index read after every transfer: past
    // the 40-day retention each transfer drops the oldest. Before session 61 each drop forgot the
    // index and the next read rebuilt it from all ~40 retained transfers.
    const state = new RuleState({ retention: 40 * DAY });
    const rebuiltAfter: number[] = [];
    for (let n = 0; n < 200; n++) {
      state.add(transfer('a', n, T0 + n * DAY, 'deposit', [`payer-${n % 7}`, 'x']));
      expect(asEntries(state.payerGroups('a'))).toEqual(expectedGroups(state.history('a')));
      rebuiltAfter.push(state.payerItemsRebuilt);
    }
    expect(state.history('a').length).toBeGreaterThan(35); // the retention is reached and items leave
    // The first read builds it (one item); nothing is rebuilt after that, at day 40 or day 199.
    expect(rebuiltAfter[50]).toBe(1);
    expect(rebuiltAfter[199]).toBe(1);
  });

  it('lets a group emptied by the retention go, and keeps the others whole', () => {
    const state = new RuleState({ retention: 10 * DAY });
    state.add(transfer('a', 0, T0, 'deposit', ['once']));
    state.add(transfer('a', 1, T0 + DAY, 'deposit', ['often']));
    expect(asEntries(state.payerGroups('a'))).toEqual([['deposit often', ['t-a-1']], ['deposit once', ['t-a-0']]]);
    state.add(transfer('a', 2, T0 + 10 * DAY + HOUR, 'deposit', ['often'])); // 'once' passes the retention
    expect(asEntries(state.payerGroups('a'))).toEqual([['deposit often', ['t-a-1', 't-a-2']]]);
    expect(state.payerGroup('a', 'deposit', 'once')).toBeUndefined();
    expect(state.payerItemsRebuilt).toBe(2);
  });
});
