/**
 * `sequence` with `match: fifo` (facilitator-hub v10): follow-ups matched to inflows first in,
 * first out, an inflow leaving once `minRatio` of it has left, the trigger read against the inflow
 * it took most from. The hub of session 61's open item (1): two salaries three days apart, the
 * first forwarded after the second arrived, the second forwarded once the first was out of the
 * 7-day window.
 */
import { describe, expect, it } from 'vitest';
import { signalSchema, type SignalSpec } from '../../src/engine/rule-schema.js';
import { compileSignal, makeSelector, type SignalResult } from '../../src/engine/signals.js';
import type { TransferEvent } from '../../src/decode/events.js';
import type { HistoryItem } from '../../src/engine/state.js';
import { Decimal } from '../../src/money/decimal.js';
import { fifoHolds, fifoMatch, type FifoMatch } from '../../src/engine/sequence-fifo.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { HOUR, prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';
import { rules } from '../helpers/sample.js';

const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 2, 10);
const RULES = rules();
const customer = { type: 'individual' as const, kycCountry: 'US', createdAt: '2024-01-01T00:00:00.000Z' };

/** facilitator-hub's `forwarded`, matching as asked (v10: fifo). */
const forwarded = (match: 'latest' | 'fifo', groupWithin = '24h'): SignalSpec => signalSchema.parse({
  op: 'sequence', first: { kinds: ['deposit'] }, then: { kinds: ['withdrawal'] }, groupWithin, within: '7d', minRatio: '70%', maxRatio: 1.5, match,
});

type Move = { id: string; kind: 'deposit' | 'withdrawal'; at: number; usd: number; sender?: number };
/** A deposit, from its own sender address unless `sender` names one. */
const deposit = (id: string, at: number, usd: number, sender?: number): Move => ({ id, kind: 'deposit', at, usd, ...(sender === undefined ? {} : { sender }) });
const withdrawal = (id: string, at: number, usd: number): Move => ({ id, kind: 'withdrawal', at, usd });

/** The account's history after the moves, and the trigger. */
function replay(moves: readonly Move[], triggerId: string): { history: readonly HistoryItem[]; trigger: TransferEvent; p: Pipeline } {
  const rand = prng(9);
  const p = new Pipeline({ rules: RULES });
  moves.forEach((m, n) => p.process(transfer({ eventId: m.id, kind: m.kind, ...(m.kind === 'withdrawal' ? { status: 'completed' as const } : {}), time: m.at, accountId: 'acct-fifo', chain: 'ethereum', asset: 'USDC', amount: m.usd, from: m.kind === 'deposit' ? [derivedEvm(3, m.sender ?? 1000 + n)] : [], to: m.kind === 'deposit' ? derivedEvm(4, 1) : derivedEvm(5, n), customer }, rand), { line: n + 1 }));
  const history = p.state.history('acct-fifo');
  const trigger = history.find((e): e is TransferEvent => e.type === 'transfer' && e.eventId === triggerId)!;
  return { history, trigger, p };
}

function judge(spec: SignalSpec, moves: readonly Move[], triggerId: string): SignalResult {
  const { trigger, p } = replay(moves, triggerId);
  return compileSignal(spec)({ trigger, ctx: {}, graph: p.graph, state: p.state, asOf: trigger.time });
}

/** The ledger's match for the trigger, ratios as facilitator-hub's. */
function match(moves: readonly Move[], triggerId: string, groupWithin = DAY): FifoMatch | undefined {
  const { history, trigger } = replay(moves, triggerId);
  return fifoMatch(history, trigger, { within: 7 * DAY, groupWithin, minRatio: Decimal.fromNumber(0.7), maxRatio: Decimal.fromNumber(1.5), first: makeSelector({ kinds: ['deposit'], where: [] }), then: makeSelector({ kinds: ['withdrawal'], where: [] }) });
}

const usd = (r: SignalResult, fact: string): string | undefined => (r.facts[fact] as { toString(): string } | undefined)?.toString();

// oos2 seed 1's S11 hub in round numbers: 6,500 on day 0, 4,000 on day 3, 5,400 out on day 4, 3,440 on day 7.5.
const TWO_SALARIES = [deposit('pay-1', T0, 6500), deposit('pay-2', T0 + 3 * DAY + 4 * HOUR, 4000), withdrawal('fwd-1', T0 + 4 * DAY + 8 * HOUR, 5400), withdrawal('fwd-2', T0 + 7 * DAY + 14 * HOUR, 3440)];

describe('sequence match: fifo', () => {
  it('reads the second forward against the second salary once the first forward settled the first (latest read 221%)', () => {
    const r = judge(forwarded('fifo'), TWO_SALARIES, 'fwd-2');
    expect(r.ok).toBe(true);
    expect(r.facts.firstEventId).toBe('pay-2');
    expect(usd(r, 'firstUsd')).toBe('4000');
    expect(usd(r, 'movedUsd')).toBe('3440');
    expect(r.facts.percent).toBe(86);
    expect(r.facts.hours).toBe(106);
    expect(r.eventIds).toEqual(['pay-2', 'fwd-2']);
    expect(judge(forwarded('latest'), TWO_SALARIES, 'fwd-2').ok).toBe(false);
  });

  it('reads a forward made after a later salary arrived against the earlier salary', () => {
    const r = judge(forwarded('fifo'), TWO_SALARIES, 'fwd-1');
    expect(r.ok).toBe(true);
    expect(r.facts.firstEventId).toBe('pay-1');
    expect(r.facts.percent).toBe(83);
    expect(usd(r, 'laterUsd')).toBe('4000');
  });

  it('does not let what a forwarded inflow kept take the next forward (the hub keeps its cut)', () => {
    // pay-1 kept 1,100 after fwd-1; strict first in, first out would take that first and leave pay-2 at 58%.
    const m = match(TWO_SALARIES, 'fwd-2')!;
    expect(m.inflow.parts.map((e) => e.eventId)).toEqual(['pay-2']);
    expect(m.inflow.out.toString()).toBe('3440');
  });

  it('reads a withdrawal larger than every open inflow against the last it reaches, with the rest, so it does not hold', () => {
    const moves = [deposit('old', T0 - 40 * DAY, 30000), deposit('pay-1', T0, 3000), deposit('pay-2', T0 + 2 * DAY, 3500), withdrawal('big', T0 + 4 * DAY, 14000)];
    const m = match(moves, 'big')!;
    expect(m.inflow.parts.map((e) => e.eventId)).toEqual(['pay-2']);
    expect(m.inflow.out.toString()).toBe('11000');
    expect(judge(forwarded('fifo'), moves, 'big').ok).toBe(false);
  });

  it('takes what is left of the oldest inflow first and counts the trigger against the inflow it took most from', () => {
    const moves = [deposit('pay-1', T0, 5000), deposit('pay-2', T0 + 2 * DAY, 3000), withdrawal('out', T0 + 3 * DAY, 5200)];
    const r = judge(forwarded('fifo'), moves, 'out');
    expect(r.ok).toBe(true);
    expect(r.facts.firstEventId).toBe('pay-1');
    expect(usd(r, 'movedUsd')).toBe('5000');
    expect(r.facts.percent).toBe(100);
  });

  it('drops an inflow more than `within` older than the withdrawal: it was kept, not forwarded', () => {
    const moves = [deposit('held', T0, 5000), deposit('pay', T0 + 6 * DAY, 4000), withdrawal('out', T0 + 8 * DAY, 3600)];
    const r = judge(forwarded('fifo'), moves, 'out');
    expect(r.ok).toBe(true);
    expect(r.facts.firstEventId).toBe('pay');
    expect(r.facts.percent).toBe(90);
  });

  it('reads an inflow forwarded before the window by a withdrawal inside twice the window', () => {
    // pay-1 is 9 days before the trigger: only the ledger's reach (14 days) sees that fwd-1 settled it.
    const moves = [deposit('pay-1', T0, 6000), deposit('pay-2', T0 + 3 * DAY, 4000), withdrawal('fwd-1', T0 + 4 * DAY, 5000), withdrawal('fwd-2', T0 + 9 * DAY, 3200)];
    expect(match(moves, 'fwd-2')!.inflow.parts.map((e) => e.eventId)).toEqual(['pay-2']);
  });

  it('joins parts from one sender within groupWithin of an inflow\'s oldest part into one inflow', () => {
    const moves = [deposit('part-a', T0, 2000, 1), deposit('part-b', T0 + 20 * HOUR, 2500, 1), deposit('next', T0 + 30 * HOUR, 3000, 1), withdrawal('out', T0 + 2 * DAY, 4000)];
    const r = judge(forwarded('fifo'), moves, 'out');
    expect(r.ok).toBe(true);
    expect(r.eventIds).toEqual(['part-a', 'part-b', 'out']);
    expect(usd(r, 'firstUsd')).toBe('4500');
    expect(usd(r, 'laterUsd')).toBe('3000');
  });

  it('keeps three payers\' salaries within a day apart: the first, forwarded in two withdrawals, holds (oos2 seed 4)', () => {
    const moves = [deposit('pay-a', T0, 7338, 1), deposit('pay-b', T0 + 7 * HOUR, 4318, 2), deposit('pay-c', T0 + 21 * HOUR, 3594, 3), withdrawal('fwd-1', T0 + 34 * HOUR, 3723), withdrawal('fwd-2', T0 + 47 * HOUR, 2958)];
    const r = judge(forwarded('fifo'), moves, 'fwd-2');
    expect(r.ok).toBe(true);
    expect(r.eventIds).toEqual(['pay-a', 'fwd-1', 'fwd-2']);
    expect(r.facts.percent).toBe(91);
  });

  it('reads at most the newest 256 items: a salary behind 300 later deposits is not read', () => {
    const dust = Array.from({ length: 300 }, (_, k) => deposit(`dust${k}`, T0 + HOUR + k * 60_000, 1));
    const moves = [deposit('salary', T0, 5000), ...dust, withdrawal('out', T0 + 2 * DAY, 4500)];
    const m = match(moves, 'out', 0)!;
    expect(m.inflow.parts[0]!.eventId).not.toBe('salary');
    expect(judge(forwarded('fifo', '0s'), moves, 'out').ok).toBe(false);
  });
});

describe('fifo match on an inflow of no USD value', () => {
  it('does not hold: an unpriced inflow has no forward ratio (0 of 0 would read as NaN%)', () => {
    const unpriced: FifoMatch = { inflow: { parts: [], usd: Decimal.ZERO, out: Decimal.ZERO, follows: [], since: T0 }, later: Decimal.ZERO };
    const bounds = { minRatio: Decimal.fromNumber(0.7), maxRatio: Decimal.fromNumber(1.5) };
    expect(fifoHolds(unpriced, bounds)).toBe(false);
    const priced: FifoMatch = { inflow: { parts: [], usd: Decimal.fromNumber(100), out: Decimal.fromNumber(90), follows: [], since: T0 }, later: Decimal.ZERO };
    expect(fifoHolds(priced, bounds)).toBe(true);
  });
});
