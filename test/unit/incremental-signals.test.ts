/**
 * `sequence`, `cadence` and `fresh` no longer re-scan the account's history per trigger
 * (sequence.ts, cadence.ts, paid-counterparties.ts), and `distinct-payers` counts a failing
 * count by cluster root, its names made only when read (distinct-payers.ts). Each must give exactly what the scanning
 * implementations gave (test/helpers/scanning-signals.ts), for any trigger time: random streams
 * with equal timestamps, split payments, out-of-order arrival, cluster merges, unvalued
 * transfers and a small per-account cap, judged at every retained transfer after every message.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { FIXED_TIME, removeTempDirs, tempDir } from '../helpers/checkpoint.js';
import { signalSchema, type SignalSpec } from '../../src/engine/rule-schema.js';
import { compileSignal, type Env, type Signal, type SignalResult } from '../../src/engine/signals.js';
import type { HistoryItem } from '../../src/engine/state.js';
import type { TransferEvent } from '../../src/decode/events.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { RuleState } from '../../src/engine/state.js';
import { Decimal } from '../../src/money/decimal.js';
import { bitcoinTx, btcAddress, DAY, evmAddress, HOUR, prng, transfer } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';
import { scanningCadence, scanningDistinctPayers, scanningFresh, scanningSequence } from '../helpers/scanning-signals.js';
import { outOfOrder } from '../helpers/out-of-order.js';

afterAll(removeTempDirs);

const T0 = Date.parse('2025-01-01T00:00:00Z');
const RULES = rules();

const spec = (raw: unknown): SignalSpec => signalSchema.parse(raw);
/** Signal specs as the shipped rules write them, and variants that reach the corners (overlapping selectors, a where, no grouping). */
const SPECS: SignalSpec[] = [
  spec({ op: 'sequence', first: { kinds: ['deposit'] }, then: { kinds: ['withdrawal'] }, groupWithin: '24h', within: '24h', minRatio: '90%' }),
  spec({ op: 'sequence', first: { kinds: ['deposit'] }, then: { kinds: ['withdrawal'] }, groupWithin: '24h', within: '7d', minRatio: '70%', maxRatio: 1.5 }),
  spec({ op: 'sequence', first: { kinds: ['deposit'] }, then: { kinds: ['withdrawal'] }, within: '72h', minRatio: '80%', maxRatio: 1.5, differ: ['asset', 'chain'] }),
  spec({ op: 'sequence', first: { kinds: ['deposit', 'withdrawal'] }, then: { kinds: ['withdrawal', 'deposit'] }, groupWithin: '2d', within: '5d', minRatio: '50%', maxRatio: 3, differ: ['asset'] }),
  spec({ op: 'sequence', first: { kinds: ['deposit'], where: [{ field: 'event.usd', gte: 1000 }] }, then: { kinds: ['withdrawal', 'deposit'] }, groupWithin: '12h', within: '3d', minRatio: '20%', maxRatio: 2 }),
  // receiver-side's (v13): regular pay, as the sibling cadence `salary` reads it, joins no inflow.
  spec({ op: 'sequence', first: { kinds: ['deposit'] }, then: { kinds: ['withdrawal'] }, groupWithin: '48h', within: '72h', minRatio: '80%', exceptRegularPay: 'salary' }),
  spec({ op: 'sequence', first: { kinds: ['deposit', 'withdrawal'] }, then: { kinds: ['withdrawal', 'deposit'] }, groupWithin: '2d', within: '5d', minRatio: '50%', maxRatio: 1.2, exceptRegularPay: 'salary' }),
  // small-burst's (v5): the largest inflow the follow-ups carry, an older one read with what came in after it; and corners:
  // overlapping selectors (a later inflow that is also a follow-up), a differ, regular pay apart, a cap the streams reach.
  spec({ op: 'sequence', first: { kinds: ['deposit'], where: [{ field: 'event.usd', gte: 2500 }] }, then: { kinds: ['withdrawal'], where: [{ field: 'event.usd', lt: 9000 }] }, groupWithin: '24h', within: '72h', minRatio: '80%', maxRatio: 10, pick: 'largest' }),
  spec({ op: 'sequence', first: { kinds: ['deposit', 'withdrawal'] }, then: { kinds: ['withdrawal', 'deposit'] }, groupWithin: '12h', within: '5d', minRatio: '30%', maxRatio: 3, differ: ['asset'], pick: 'largest' }),
  spec({ op: 'sequence', first: { kinds: ['deposit'] }, then: { kinds: ['withdrawal'] }, groupWithin: '6h', within: '7d', minRatio: '50%', maxRatio: 4, pick: 'largest', maxGroups: 1 }),
  spec({ op: 'sequence', first: { kinds: ['deposit'] }, then: { kinds: ['withdrawal'] }, groupWithin: '48h', within: '72h', minRatio: '60%', maxRatio: 2, exceptRegularPay: 'salary', pick: 'largest' }),
  // small-burst's (v6): withdrawals that are no pieces (9,000 and more here) take an inflow first; and with `newest`,
  // overlapping kinds (a withdrawal of 9,000+ is an inflow there, not another outflow; one of 3,000 is) and regular pay apart.
  spec({ op: 'sequence', first: { kinds: ['deposit'], where: [{ field: 'event.usd', gte: 2500 }] }, then: { kinds: ['withdrawal'], where: [{ field: 'event.usd', lt: 9000 }] }, groupWithin: '24h', within: '72h', minRatio: '80%', maxRatio: 10, pick: 'largest', othersTakeFirst: true }),
  spec({ op: 'sequence', first: { kinds: ['deposit', 'withdrawal'], where: [{ field: 'event.usd', gte: 9000 }] }, then: { kinds: ['withdrawal', 'deposit'], where: [{ field: 'event.usd', lt: 2700 }] }, groupWithin: '12h', within: '5d', minRatio: '30%', maxRatio: 3, exceptRegularPay: 'salary', othersTakeFirst: true }),
  spec({ op: 'cadence', of: { kinds: ['deposit'] }, within: '200d', mergeWithin: '3d', periods: [{ every: '30d', tolerance: '5d' }, { every: '14d', tolerance: '3d' }, { every: '7d', tolerance: '1d' }], minCount: 3, maxCv: 0.25, usdRange: ['1500 USD', '25000 USD'] }),
  spec({ op: 'cadence', of: { kinds: ['deposit', 'withdrawal'] }, within: '60d', mergeWithin: '1d', periods: [{ every: '7d', tolerance: '2d' }], minCount: 2, maxCv: 2 }),
  spec({ op: 'fresh', within: '14d' }),
  spec({ op: 'fresh', within: '180d' }),
  // The shipped facilitator hub's and aggregator's, and corners: an upper bound, no where, one payer enough.
  spec({ op: 'distinct-payers', within: '45d', where: [{ field: 'event.usd', gte: 1500 }, { field: 'event.usd', lte: 25000 }], pass: { gte: 3 } }),
  spec({ op: 'distinct-payers', within: '30d', where: [{ field: 'event.asset', in: ['USDT', 'USDC'] }], pass: { gte: 2, lte: 3 } }),
  spec({ op: 'distinct-payers', within: '60d', pass: { gte: 1 } }),
];

/** The signals a spec may name (`exceptRegularPay`): a salary cadence as receiver-side's reads one, weekly pay included. */
const SIBLINGS: Record<string, SignalSpec> = { salary: spec({ op: 'cadence', of: { kinds: ['deposit'], where: [{ field: 'event.usd', lt: 20000 }] }, within: '200d', mergeWithin: '3d', periods: [{ every: '30d', tolerance: '5d' }, { every: '14d', tolerance: '3d' }, { every: '7d', tolerance: '1d' }], minCount: 3, maxCv: 0.25, usdRange: ['1500 USD', '20000 USD'] }) };

const REFERENCE: Partial<Record<SignalSpec['op'], (s: never, siblings: Record<string, SignalSpec>) => Signal>> = { sequence: scanningSequence, cadence: scanningCadence, fresh: scanningFresh, 'distinct-payers': scanningDistinctPayers };

/** What a rule can read of a result: its verdict, value, evidence and facts (lazy ones read here), not how they were made. */
const readable = (r: SignalResult): Pick<SignalResult, 'ok' | 'value' | 'eventIds' | 'facts'> => ({ ok: r.ok, value: r.value, eventIds: r.eventIds, facts: { ...r.facts } });

/** Which inflow a result reads, if any (leftUsd and othersUsd differ wherever an outflow is taken; this asks for a different verdict). */
const verdictOf = (r: SignalResult): [boolean, unknown] => [r.ok, r.facts.firstEventId];

/** One generated message: an exchange transfer or a Bitcoin spend that merges two payers' clusters. */
interface Step {
  gap: number;
  kind: 'deposit' | 'withdrawal' | 'merge';
  account: number;
  party: number;
  coin: number;
  amount: number;
  valued: boolean;
}

const step: fc.Arbitrary<Step> = fc.record({
  // Equal timestamps, hours (split payments, forwards), and the payroll periods.
  gap: fc.constantFrom(0, 0, HOUR, 5 * HOUR, 20 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY),
  kind: fc.constantFrom('deposit', 'deposit', 'withdrawal', 'withdrawal', 'merge'),
  account: fc.integer({ min: 0, max: 1 }),
  party: fc.integer({ min: 0, max: 4 }),
  coin: fc.integer({ min: 0, max: 2 }),
  amount: fc.constantFrom(100, 2_000, 2_500, 2_600, 3_000, 9_000, 30_000),
  valued: fc.integer({ min: 0, max: 4 }).map((n) => n > 0), // one in five has no USD value
});

/** A salary: payer 0 pays account 0 about every `period`, sometimes late or early by a day, sometimes in two parts. */
interface Payroll {
  period: number;
  jitter: number[];
  split: boolean[];
}

const payroll: fc.Arbitrary<Payroll> = fc.record({
  period: fc.constantFrom(7 * DAY, 14 * DAY, 30 * DAY),
  jitter: fc.array(fc.constantFrom(0, 0, DAY, -DAY, 3 * DAY), { maxLength: 7 }),
  split: fc.array(fc.boolean(), { maxLength: 7 }),
});

/** The stream's messages in event-time order, then moved by `swaps` (out-of-order arrival). */
function messages(steps: Step[], pay: Payroll, swaps: number[]): string[] {
  const rand = prng(7);
  const payers = Array.from({ length: 5 }, () => btcAddress(rand));
  const evmPayers = Array.from({ length: 5 }, () => evmAddress(rand));
  const destinations = Array.from({ length: 5 }, () => evmAddress(rand));
  const timed: { time: number; line: string }[] = [];
  pay.jitter.forEach((jitter, k) => {
    const time = T0 + (k + 1) * pay.period + jitter;
    const parts = pay.split[k] ? [1_200, 1_800] : [3_000];
    parts.forEach((sats, j) => timed.push({ time: time + j * 5 * HOUR, line: transfer({ eventId: `pay-${k}-${j}`, kind: 'deposit', time: time + j * 5 * HOUR, accountId: 'acct-0', chain: 'bitcoin', asset: 'BTC', amount: sats / 95_000, from: [payers[0]!], to: btcAddress(rand), decimals: 8 }, rand) }));
  });
  const lines = { push: (line: string): void => { timed.push({ time, line }); } };
  let time = T0;
  steps.forEach((s, i) => {
    time += s.gap;
    const accountId = `acct-${s.account}`;
    if (s.kind === 'merge') {
      // A multi-input spend: the two payers' addresses become one cluster (its name changes).
      lines.push(bitcoinTx([{ address: payers[s.party]!, sats: 50_000 }, { address: payers[(s.party + 1) % 5]!, sats: 50_000 }], [{ address: btcAddress(rand), sats: 90_000 }], time, rand));
      return;
    }
    const [chain, asset] = ([['bitcoin', 'BTC'], ['ethereum', 'USDT'], ['ethereum', 'USDC']] as const)[s.coin]!;
    const amount = asset === 'BTC' ? s.amount / 95_000 : s.amount;
    if (s.kind === 'deposit') {
      const from = chain === 'bitcoin' ? [payers[s.party]!] : [evmPayers[s.party]!];
      lines.push(transfer({ eventId: `ev-${i}`, kind: 'deposit', time, accountId, chain, asset, amount, from, to: chain === 'bitcoin' ? btcAddress(rand) : evmAddress(rand), usd: s.valued, decimals: asset === 'BTC' ? 8 : 2 }, rand));
    } else {
      const to = chain === 'bitcoin' ? payers[s.party]! : destinations[s.party]!;
      lines.push(transfer({ eventId: `ev-${i}`, kind: 'withdrawal', time, accountId, chain, asset, amount, to, usd: s.valued, decimals: asset === 'BTC' ? 8 : 2 }, rand));
    }
  });
  const ordered = timed.sort((a, b) => a.time - b.time).map((t) => t.line);
  return outOfOrder(ordered, swaps);
}

/** Every transfer the state can hand a signal: each account's history and the transfer index (late re-examination reads it). */
function triggers(p: Pipeline): TransferEvent[] {
  const { accounts, byEventId } = p.state.checkpointParts();
  const out = new Set<TransferEvent>();
  for (const [, list] of accounts.entries()) for (const item of list as HistoryItem[]) if (item.type === 'transfer') out.add(item);
  for (const kind of ['deposit', 'withdrawal'] as const) for (const [, item] of byEventId[kind].entriesInOrder()) out.add(item);
  return [...out];
}

const envOf = (p: Pipeline, trigger: TransferEvent): Env => ({ trigger, ctx: {}, graph: p.graph, state: p.state, asOf: trigger.time });

describe('incremental sequence, cadence and fresh equal the scans they replace', () => {
  it('for every retained transfer as trigger, after every message, whatever the arrival order', () => {
    const held = new Map<string, number>();
    const compiled = SPECS.map((s) => ({ s, fast: compileSignal(s, SIBLINGS), slow: REFERENCE[s.op]!(s as never, SIBLINGS) }));
    // Each sequence that sets regular pay apart, and the same without: the streams must give cases where that changes the result.
    const twins = SPECS.filter((s) => s.op === 'sequence' && s.exceptRegularPay !== undefined).map((s) => ({ apart: compileSignal(s, SIBLINGS), together: compileSignal({ ...s, exceptRegularPay: undefined } as SignalSpec) }));
    let apartMattered = 0;
    // Each sequence that picks the largest inflow, and the same picking the newest: the streams must give cases where they differ.
    const picks = SPECS.filter((s) => s.op === 'sequence' && s.pick === 'largest').map((s) => ({ largest: compileSignal(s, SIBLINGS), newest: compileSignal({ ...s, pick: 'newest', maxGroups: undefined } as SignalSpec, SIBLINGS) }));
    let pickMattered = 0;
    // Each sequence whose other outflows take an inflow first, and the same without: the streams must give cases where they differ.
    const takers = SPECS.filter((s) => s.op === 'sequence' && s.othersTakeFirst).map((s) => ({ taken: compileSignal(s, SIBLINGS), untaken: compileSignal({ ...s, othersTakeFirst: false } as SignalSpec, SIBLINGS) }));
    let takenMattered = 0;
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), payroll, fc.array(fc.nat(200), { maxLength: 12 }), fc.constantFrom(6, 12, 5_000), (steps, pay, swaps, maxHistory) => {
      const p = new Pipeline({ rules: RULES, state: { maxHistory, counterpartyIndexFrom: maxHistory === 12 ? 0 : undefined } });
      messages(steps, pay, swaps).forEach((line, n) => {
        p.process(line, { line: n + 1 });
        for (const trigger of triggers(p)) {
          for (const { s, fast, slow } of compiled) {
            const expected = slow(envOf(p, trigger));
            expect(readable(fast(envOf(p, trigger))), `${s.op} at ${trigger.eventId}`).toEqual(readable(expected));
            if (expected.ok) held.set(JSON.stringify(s), (held.get(JSON.stringify(s)) ?? 0) + 1);
          }
          for (const { apart, together } of twins) if (!isDeepStrictEqual(readable(apart(envOf(p, trigger))), readable(together(envOf(p, trigger))))) apartMattered++;
          for (const { largest, newest } of picks) if (!isDeepStrictEqual(readable(largest(envOf(p, trigger))), readable(newest(envOf(p, trigger))))) pickMattered++;
          for (const { taken, untaken } of takers) if (!isDeepStrictEqual(verdictOf(taken(envOf(p, trigger))), verdictOf(untaken(envOf(p, trigger))))) takenMattered++;
        }
      });
      // A fixed seed: the counts below need streams that reach rare cases (an outflow that takes an
      // inflow first), and an unseeded run missed them once in CI (session 54).
    }), { numRuns: 120, seed: 54 });
    // Not vacuous: every spec held somewhere (and so did its negation, in the many triggers that fail).
    for (const s of SPECS) expect(held.get(JSON.stringify(s)) ?? 0, JSON.stringify(s)).toBeGreaterThan(0);
    expect(apartMattered).toBeGreaterThan(0);
    expect(pickMattered).toBeGreaterThan(0);
    expect(takenMattered).toBeGreaterThan(0);
  });
});

describe('after a checkpoint round-trip', () => {
  it('the signals give what they gave without one: the counterparty index is rebuilt from the restored history', async () => {
    const compiled = SPECS.map((s) => compileSignal(s, SIBLINGS));
    /** Every signal at every trigger, by eventId: comparable across two pipelines holding equal copies of the events. */
    const judged = (p: Pipeline): Map<string, unknown[]> => new Map(triggers(p).map((t) => [t.eventId, compiled.map((signal) => signal(envOf(p, t)))]));
    const streams = fc.sample(fc.tuple(fc.array(step, { minLength: 20, maxLength: 40 }), payroll, fc.array(fc.nat(200), { maxLength: 12 })), { seed: 11, numRuns: 6 });
    for (const [i, [steps, pay, swaps]] of streams.entries()) {
      const lines = messages(steps, pay, swaps);
      const cut = Math.floor(lines.length / 2);
      const build = (): Pipeline => new Pipeline({ rules: RULES, labels: [], state: { maxHistory: 12, counterpartyIndexFrom: 0 } });
      const straight = build();
      lines.slice(0, cut).forEach((line, n) => { straight.process(line, { line: n + 1 }); judged(straight); }); // indexes built and fed
      expect(straight.state.sizes.paidIndexes).toBeGreaterThan(0);
      const dir = tempDir(`tw-incremental-${i}-`);
      await saveCheckpoint(dir, straight, { rules: RULES, positions: { line: cut }, createdAt: FIXED_TIME });
      const restored = (await loadNewestValid(dir, { build, rules: RULES }))!.pipeline;
      expect(restored.state.sizes.paidIndexes).toBe(0); // nothing of it is in the checkpoint
      expect(judged(restored)).toEqual(judged(straight));
      lines.slice(cut).forEach((line, n) => {
        straight.process(line, { line: cut + n + 1 });
        restored.process(line, { line: cut + n + 1 });
        expect(judged(restored)).toEqual(judged(straight));
      });
    }
  });
});

/** A withdrawal as the state keeps it (only what the index and the history read). */
function withdrawal(accountId: string, n: number, time: number, to: string): TransferEvent {
  const eventId = `w-${accountId}-${n}`;
  const msg = { schema: 'exchange.transfer.v1', eventId, kind: 'withdrawal', occurredAt: new Date(time).toISOString(), accountId, chain: 'ethereum', asset: 'USDT', amount: '10', from: [], to } as unknown as TransferEvent['msg'];
  return { type: 'transfer', eventId, time, msg, from: [], to, amount: Decimal.parse('10'), usd: Decimal.parse('10'), usdSource: null };
}

/** Turns a test withdrawal into a deposit from these senders. */
function makeDeposit(event: TransferEvent, from: string[]): void {
  event.msg = { ...event.msg, kind: 'deposit', from };
  event.from = from;
}

type CounterpartyLists = Map<string, TransferEvent[]>;

function counterpartyIndex(state: RuleState, accountId: string): CounterpartyLists | undefined {
  return (state as unknown as { paid: { accounts: { get(k: string): { byAddress: CounterpartyLists } | undefined } } }).paid.accounts.get(accountId)?.byAddress;
}

/** The index's lists as plain sorted entries, for comparison. */
function listsOf(index: CounterpartyLists): [string, string[]][] {
  return [...index].map(([key, list]): [string, string[]] => [key, list.map((e) => e.eventId)]).sort((a, b) => a[0].localeCompare(b[0]));
}

/** The reference: the history's transfers grouped by counterparty, in history order. */
function expectedLists(history: readonly HistoryItem[]): [string, string[]][] {
  const lists = new Map<string, string[]>();
  for (const item of history) {
    if (item.type !== 'transfer') continue;
    const keys = item.msg.kind === 'deposit' ? [...new Set(item.from)] : [item.to];
    for (const key of keys) lists.set(key, [...(lists.get(key) ?? []), item.eventId]);
  }
  return [...lists].sort((a, b) => a[0].localeCompare(b[0]));
}

describe('the per-account counterparty index', () => {
  it('holds at most twice its history (plus a few) however many transfers a hot account makes, and answers from what the history still holds', () => {
    const state = new RuleState({ retention: 365 * DAY, maxHistory: 100, counterpartyIndexFrom: 0 });
    const indexed = (): number => (state as unknown as { paid: { accounts: { get(k: string): { items: number } | undefined } } }).paid.accounts.get('hot')!.items;
    for (let n = 0; n < 5_000; n++) {
      state.add(withdrawal('hot', n, T0 + n * 60_000, `addr-${n % 1_000}`));
      if (n === 0) expect(state.dealtWithBefore('hot', ['addr-0'], T0 + 1)).toBe(true); // builds the index
      expect(indexed()).toBeLessThanOrEqual(2 * state.history('hot').length + 16);
    }
    const newest = T0 + 5_000 * 60_000;
    // The cap keeps the newest 100 to 125 transfers: addresses 875-999 were paid within them, 0-99 (paid at n = 4,000-4,099) no longer are.
    expect(state.dealtWithBefore('hot', ['addr-999'], newest)).toBe(true);
    expect(state.dealtWithBefore('hot', ['addr-50'], newest)).toBe(false);
    expect(state.dealtWithBefore('hot', ['addr-999'], T0 + 4_999 * 60_000)).toBe(false); // not before its own time
  });

  it('holds exactly the transfers its history holds, by counterparty and in history order, however the history drops them (retention, kind, cap, out of order)', () => {
    const arrival = fc.record({ gap: fc.constantFrom(0, HOUR, DAY, 5 * DAY, 20 * DAY), late: fc.constantFrom(0, 0, 0, 3 * DAY), account: fc.integer({ min: 0, max: 2 }), party: fc.integer({ min: 0, max: 3 }), ask: fc.boolean() });
    fc.assert(fc.property(fc.array(arrival, { minLength: 1, maxLength: 120 }), (steps) => {
      // Withdrawals kept 15 days, deposits 40 (the history's retention), at most 6 items an account.
      const state = new RuleState({ retention: 40 * DAY, maxHistory: 6, kindRetention: { withdrawal: 15 * DAY }, counterpartyIndexFrom: 0 });
      let time = T0;
      steps.forEach((s, n) => {
        time += s.gap;
        const accountId = `acct-${s.account}`;
        const event = withdrawal(accountId, n, time - s.late, `addr-${s.party}`);
        if (n % 3 === 0) makeDeposit(event, [`addr-${s.party}`, `addr-${(s.party + 1) % 4}`]);
        state.add(event);
        if (s.ask) state.dealtWithBefore(accountId, [`addr-${s.party}`], time); // builds the account's index
        for (let a = 0; a < 3; a++) {
          const index = counterpartyIndex(state, `acct-${a}`);
          if (index) expect(listsOf(index), `acct-${a} after message ${n}`).toEqual(expectedLists(state.history(`acct-${a}`)));
        }
      });
    }), { numRuns: 300 });
  });

  it('goes with the account when the account goes dormant', () => {
    const state = new RuleState({ retention: 30 * DAY, counterpartyIndexFrom: 0 });
    state.add(withdrawal('quiet', 0, T0, 'addr-q'));
    expect(state.dealtWithBefore('quiet', ['addr-q'], T0 + 1)).toBe(true);
    expect(state.sizes.paidIndexes).toBe(1);
    for (let n = 0; n < 8; n++) state.add(withdrawal(`later-${n}`, 0, T0 + 100 * DAY + n, 'addr-l'));
    expect(state.sizes.accounts).toBe(8);
    expect(state.sizes.paidIndexes).toBe(0);
  });
});
