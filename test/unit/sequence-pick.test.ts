/**
 * `sequence` with `pick: largest` (small-burst v5): of the inflows the follow-ups carry, the one
 * of most USD, an older one read together with every inflow after it, at most `maxGroups` tried.
 * `pick: newest` (every other shipped sequence) settles on the latest inflow that holds.
 */
import { describe, expect, it } from 'vitest';
import { signalSchema, type SignalSpec } from '../../src/engine/rule-schema.js';
import { compileSignal, type SignalResult } from '../../src/engine/signals.js';
import type { TransferEvent } from '../../src/decode/events.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { HOUR, prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';
import { rules } from '../helpers/sample.js';

const T0 = Date.UTC(2025, 2, 6, 9);
const RULES = rules();
const customer = { type: 'individual' as const, kycCountry: 'PH', createdAt: '2024-01-01T00:00:00.000Z' };

/** small-burst's drained sequence, picking as asked (v5; v6 sets othersTakeFirst). */
const drained = (pick: 'newest' | 'largest', maxGroups?: number, othersTakeFirst = false): SignalSpec => signalSchema.parse({
  op: 'sequence',
  first: { kinds: ['deposit'], where: [{ field: 'event.usd', gte: 1000 }] },
  then: { kinds: ['withdrawal'], where: [{ field: 'event.usd', lt: 1000 }] },
  groupWithin: '24h', within: '72h', minRatio: '80%', maxRatio: 10, pick, ...(maxGroups === undefined ? {} : { maxGroups }), othersTakeFirst,
});
/** small-burst v6's drained sequence. */
const drainedV6 = (pick: 'newest' | 'largest' = 'largest'): SignalSpec => drained(pick, undefined, true);

type Move = { id: string; kind: 'deposit' | 'withdrawal'; at: number; usd: number };
const deposit = (id: string, at: number, usd: number): Move => ({ id, kind: 'deposit', at, usd });
const withdrawal = (id: string, at: number, usd: number): Move => ({ id, kind: 'withdrawal', at, usd });
/** `n` withdrawals of `usd` an hour apart from `at`, ids `${prefix}0`… */
const pieces = (prefix: string, at: number, n: number, usd: number): Move[] => Array.from({ length: n }, (_, k) => ({ id: `${prefix}${k}`, kind: 'withdrawal' as const, at: at + k * HOUR, usd }));

/** The signal judged at `triggerId`, after the moves are read in the order given. */
function judge(spec: SignalSpec, moves: readonly Move[], triggerId: string): SignalResult {
  const rand = prng(5);
  const p = new Pipeline({ rules: RULES });
  moves.forEach((m, n) => p.process(transfer({ eventId: m.id, kind: m.kind, ...(m.kind === 'withdrawal' ? { status: 'completed' as const } : {}), time: m.at, accountId: 'acct-pick', chain: 'ethereum', asset: 'USDT', amount: m.usd, from: m.kind === 'deposit' ? [derivedEvm(7, n)] : [], to: m.kind === 'deposit' ? derivedEvm(8, 1) : derivedEvm(9, n), customer }, rand), { line: n + 1 }));
  const trigger = p.state.history('acct-pick').find((e): e is TransferEvent => e.type === 'transfer' && e.eventId === triggerId)!;
  return compileSignal(spec)({ trigger, ctx: {}, graph: p.graph, state: p.state, asOf: trigger.time });
}

const usd = (r: SignalResult, fact: string): string | undefined => (r.facts[fact] as { toString(): string } | undefined)?.toString();

// A 5,000 salary, a 1,200 top-up 25 h later, eight pieces of 700 (5,600) from an hour after it.
const SALARY_TOPUP = [deposit('salary', T0, 5000), deposit('topup', T0 + 25 * HOUR, 1200), ...pieces('w', T0 + 27 * HOUR, 8, 700)];

describe('sequence pick: largest', () => {
  it('reads the salary, not the smaller top-up a day after it, when the pieces carry both', () => {
    const r = judge(drained('largest'), SALARY_TOPUP, 'w7');
    expect(r.ok).toBe(true);
    expect(r.facts.firstEventId).toBe('salary');
    expect(usd(r, 'firstUsd')).toBe('5000');
    expect(usd(r, 'laterUsd')).toBe('1200');
    expect(usd(r, 'movedUsd')).toBe('5600');
    expect(r.facts.percent).toBe(112);
    expect(r.facts.hours).toBe(34);
    // Evidence in event-time order: the salary, then the top-up among what followed.
    expect(r.eventIds).toEqual(['salary', 'topup', 'w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7']);
  });

  it('newest settles on the top-up (what small-burst v4 read: 467% of 1,200)', () => {
    const r = judge(drained('newest'), SALARY_TOPUP, 'w7');
    expect(r.facts.firstEventId).toBe('topup');
    expect(usd(r, 'firstUsd')).toBe('1200');
    expect(usd(r, 'laterUsd')).toBe('0');
  });

  it('carries an older inflow only with what came in after it: 80% of 5,000 + 1,200 is 4,960', () => {
    // Seven pieces (4,900) take 98% of the salary but 79% of the two: the top-up, carried 408%, is the inflow.
    expect(judge(drained('largest'), SALARY_TOPUP, 'w6').facts.firstEventId).toBe('topup');
    // The eighth (5,600) takes 90% of the two.
    expect(judge(drained('largest'), SALARY_TOPUP, 'w7').facts.firstEventId).toBe('salary');
  });

  it('a later deposit that stays in the account keeps the pieces off the salary', () => {
    // 5,000, then 3,000 from another sender, then eight pieces of 600 (96% of the salary, 60% of the two).
    const moves = [deposit('salary', T0, 5000), deposit('second', T0 + 25 * HOUR, 3000), ...pieces('w', T0 + 27 * HOUR, 8, 600)];
    const r = judge(drained('largest'), moves, 'w7');
    expect(r.facts.firstEventId).toBe('second');
    expect(usd(r, 'firstUsd')).toBe('3000');
  });

  it('of inflows of equal USD, the newest', () => {
    // Two 3,000 deposits 30 h apart, then ten pieces of 600 (6,000): both are carried.
    const moves = [deposit('older', T0, 3000), deposit('newer', T0 + 30 * HOUR, 3000), ...pieces('w', T0 + 31 * HOUR, 10, 600)];
    const r = judge(drained('largest'), moves, 'w9');
    expect(r.facts.firstEventId).toBe('newer');
    expect(usd(r, 'laterUsd')).toBe('0');
  });

  it('tries at most maxGroups inflows, newest first', () => {
    // The salary, then two top-ups more than a day apart (three groups), then pieces carrying all three (7,200 of 8,400).
    const moves = [deposit('salary', T0, 6000), deposit('topup1', T0 + 25 * HOUR, 1200), deposit('topup2', T0 + 50 * HOUR, 1200), ...pieces('w', T0 + 51 * HOUR, 12, 600)];
    expect(judge(drained('largest', 3), moves, 'w11').facts.firstEventId).toBe('salary');
    // Two tried: the top-ups only, of equal USD, so the newer.
    expect(judge(drained('largest', 2), moves, 'w11').facts.firstEventId).toBe('topup2');
    expect(judge(drained('largest'), moves, 'w11').facts.firstEventId).toBe('salary');
  });

  it('gives the same result whatever order the transfers arrive in (event time decides)', () => {
    const inOrder = judge(drained('largest'), SALARY_TOPUP, 'w7');
    const reversed = judge(drained('largest'), [...SALARY_TOPUP].reverse(), 'w7');
    const piecesFirst = judge(drained('largest'), [...SALARY_TOPUP.slice(2), ...SALARY_TOPUP.slice(0, 2)], 'w7');
    for (const r of [reversed, piecesFirst]) {
      expect(r.eventIds).toEqual(inOrder.eventIds);
      expect(r.facts.firstEventId).toBe('salary');
      expect(usd(r, 'movedUsd')).toBe(usd(inOrder, 'movedUsd'));
    }
  });

  it('refuses maxGroups without pick: largest', () => {
    expect(() => compileSignal({ ...drained('newest'), maxGroups: 4 } as SignalSpec)).toThrow(/maxGroups bounds the inflows pick: largest tries/);
  });
});

// Review 53 F1: 5,000 in, 4,900 out an hour later in one withdrawal (no piece), a 1,200 top-up and seven
// 800 deposits (no inflow: under 1,000) a day on, then eight 700 pieces.
const LEFT_IN_ONE = [
  deposit('salary', T0, 5000), withdrawal('big', T0 + HOUR, 4900), deposit('topup', T0 + 25 * HOUR, 1200),
  ...Array.from({ length: 7 }, (_, k) => deposit(`s${k}`, T0 + 25 * HOUR + (k + 1) * 10 * 60_000, 800)),
  ...pieces('w', T0 + 27 * HOUR, 8, 700),
];

describe('sequence othersTakeFirst: outflows that are no follow-up take an inflow first', () => {
  it('a deposit withdrawn in one transfer left 100 for the pieces: the top-up is what they carry', () => {
    expect(judge(drained('largest'), LEFT_IN_ONE, 'w7').facts.firstEventId).toBe('salary');
    const r = judge(drainedV6(), LEFT_IN_ONE, 'w7');
    expect(r.facts.firstEventId).toBe('topup');
    expect(usd(r, 'leftUsd')).toBe('1200');
    expect(usd(r, 'othersUsd')).toBe('0');
    expect(usd(r, 'firstUsd')).toBe('1200');
  });

  it('a deposit part of which left in one transfer is still carried by the pieces, with what it left', () => {
    // 5,000, 1,000 out in one an hour later, six pieces of 700 (4,200: 84% of the deposit).
    const moves = [deposit('salary', T0, 5000), withdrawal('big', T0 + HOUR, 1000), ...pieces('w', T0 + 3 * HOUR, 6, 700)];
    const r = judge(drainedV6(), moves, 'w5');
    expect(r.facts.firstEventId).toBe('salary');
    expect(usd(r, 'firstUsd')).toBe('5000');
    expect(usd(r, 'leftUsd')).toBe('4000');
    expect(usd(r, 'othersUsd')).toBe('1000');
    expect(r.facts.percent).toBe(84);
    // The withdrawal is no follow-up: not in the evidence.
    expect(r.eventIds).toEqual(['salary', 'w0', 'w1', 'w2', 'w3', 'w4', 'w5']);
  });

  it('largest picks by what was left: 6,000 that lost 3,000 to one withdrawal is less than a later 4,000', () => {
    const moves = [deposit('a', T0, 6000), withdrawal('big', T0 + 2 * HOUR, 3000), deposit('b', T0 + 25 * HOUR, 4000), ...pieces('w', T0 + 27 * HOUR, 12, 700)];
    // 8,400 of pieces carry 6,000 with the 4,000 after it (84%), and 4,000 alone.
    expect(judge(drained('largest'), moves, 'w11').facts.firstEventId).toBe('a');
    const r = judge(drainedV6(), moves, 'w11');
    expect(r.facts.firstEventId).toBe('b');
    expect(usd(r, 'leftUsd')).toBe('4000');
  });

  it('an inflow taken whole is none: newest passes on to the older one, read with what it left', () => {
    const moves = [deposit('a', T0, 3000), deposit('b', T0 + 30 * HOUR, 2000), withdrawal('big', T0 + 31 * HOUR, 2000), ...pieces('w', T0 + 32 * HOUR, 5, 700)];
    expect(judge(drained('newest'), moves, 'w4').facts.firstEventId).toBe('b');
    const r = judge(drainedV6('newest'), moves, 'w4');
    expect(r.facts.firstEventId).toBe('a');
    expect(usd(r, 'leftUsd')).toBe('1000');
    expect(usd(r, 'othersUsd')).toBe('2000');
  });

  it('an outflow before the inflow takes nothing of it', () => {
    const moves = [withdrawal('big', T0 - HOUR, 4900), ...SALARY_TOPUP];
    const r = judge(drainedV6(), moves, 'w7');
    expect(r.facts.firstEventId).toBe('salary');
    expect(usd(r, 'leftUsd')).toBe('5000');
    expect(usd(r, 'othersUsd')).toBe('0');
  });

  it('gives the same result whatever order the transfers arrive in', () => {
    const inOrder = judge(drainedV6(), LEFT_IN_ONE, 'w7');
    for (const order of [[...LEFT_IN_ONE].reverse(), [...LEFT_IN_ONE.slice(10), ...LEFT_IN_ONE.slice(0, 10)], [LEFT_IN_ONE[1]!, ...LEFT_IN_ONE.filter((_, i) => i !== 1)]]) {
      const r = judge(drainedV6(), order, 'w7');
      expect(r.eventIds).toEqual(inOrder.eventIds);
      // The helper names destinations by arrival index, so the addresses differ; every other fact is the same.
      expect({ ...r.facts, counterpartyAddresses: undefined }).toEqual({ ...inOrder.facts, counterpartyAddresses: undefined });
    }
  });
});
