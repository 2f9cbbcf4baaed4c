/**
 * Review of session 55's F4 fix (historyAsOf, RuleState.withHistoryAsOf, judgeLaterAgain in
 * event order): the requests put back in a history for one judgement must be gone again before
 * anything else reads the state, whether the judgement returns or throws, and a checkpoint taken
 * between the messages of a stream where that path fires must restore to the same alerts and the
 * same state as a straight read. A hot account read in order never takes the path, and as of an
 * event historyAsOf reads no further than its bounds (SETTLEMENT_READ_LIMIT items after it).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import type { TransferEvent } from '../../src/decode/events.js';
import type { HistoryItem } from '../../src/engine/state.js';
import { historyAsOf, SETTLEMENT_READ_LIMIT } from '../../src/engine/withdrawal-settlement.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, HOUR, prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';
import { Decimal } from '../../src/money/decimal.js';
import { FIXED_TIME, removeTempDirs, tempDir } from '../helpers/checkpoint.js';
import { rules } from '../helpers/sample.js';

afterAll(removeTempDirs);

const ruleSet = rules();
const T0 = Date.UTC(2025, 5, 2);
const account = 'acct-review55-f4';
const to = derivedEvm(84, 1);

// Review 53's F4 stream (withdrawal-pending-as-of.test.ts): in the end c_old<-rC, c_mid<-rB,
// c_new<-rA; at rA's time in event order rC is pending.
const F4 = [
  { id: 'rB', status: 'requested', time: T0, amount: 9_455 }, { id: 'rC', status: 'requested', time: T0 + HOUR, amount: 9_470 },
  { id: 'c_old', status: 'completed', time: T0 + 12 * HOUR, amount: 9_430 },
  { id: 'rA', status: 'requested', time: T0 + 6 * DAY, amount: 9_420 }, { id: 'c_mid', status: 'completed', time: T0 + 6 * DAY + 12 * HOUR, amount: 9_410 },
  { id: 'c_new', status: 'completed', time: T0 + 8 * DAY, amount: 9_400 },
] as const;
const rand = prng(551);
const lines = F4.map((s) => transfer({ eventId: s.id, kind: 'withdrawal', status: s.status, time: s.time, accountId: account, chain: 'ethereum', asset: 'USDT', amount: s.amount, to }, rand));
const idOf = (k: number): string => F4[k]!.id;

/** Arrival orders where the F4 path fires (a withdrawal read behind later ones of its group), plus event order. */
function orders(): number[][] {
  const fixed = [[0, 1, 2, 3, 4, 5], [0, 2, 3, 4, 5, 1], [1, 2, 3, 4, 5, 0], [0, 1, 3, 4, 5, 2], [5, 4, 3, 2, 1, 0], [0, 1, 2, 4, 5, 3], [3, 4, 5, 0, 1, 2]];
  const r = prng(5504);
  for (let n = 0; n < 6; n++) {
    const o = [0, 1, 2, 3, 4, 5];
    for (let i = o.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [o[i], o[j]] = [o[j]!, o[i]!]; }
    fixed.push(o);
  }
  return fixed;
}

const read = (pipeline: Pipeline, order: readonly number[], from: number, to: number): string[] =>
  order.slice(from, to).flatMap((k, i) => pipeline.process(lines[k]!, { file: 'f4', line: from + i + 1 }).alerts.map((a) => JSON.stringify(a)));

/** The account's history as event ids, and the ids of requests its completions settle that are also in it (must be none). */
function historyOf(pipeline: Pipeline): { ids: string[]; settledStillIn: string[] } {
  const list = pipeline.state.history(account);
  const settled = new Set(list.flatMap((i: HistoryItem) => (i.type === 'transfer' && i.settles ? [i.settles] : [])));
  return { ids: list.map((i) => i.eventId), settledStillIn: list.filter((i) => settled.has(i as TransferEvent)).map((i) => i.eventId) };
}

describe('review 55 of the F4 fix: requests put back for a judgement never outlive it', () => {
  it('after every message of the F4 stream, in 13 arrival orders, no request a completion settles is in the history', () => {
    const bad: string[] = [];
    for (const order of orders()) {
      const pipeline = new Pipeline({ rules: ruleSet });
      order.forEach((k, i) => {
        pipeline.process(lines[k]!, { file: 'f4', line: i + 1 });
        const { settledStillIn } = historyOf(pipeline);
        if (settledStillIn.length > 0) bad.push(`${order.map(idOf).join(' ')} after ${idOf(k)}: ${settledStillIn.join(',')}`);
      });
    }
    expect(bad).toEqual([]);
  });

  it('a rule that throws while requests are put back (rC read last): the message is dead-lettered and the history is as before the judgement', () => {
    const pipeline = new Pipeline({ rules: ruleSet });
    const order = [0, 2, 3, 4, 5, 1];
    order.slice(0, 5).forEach((k, i) => pipeline.process(lines[k]!, { file: 'f4', line: i + 1 }));
    const engine = pipeline.engine;
    const evaluate = engine.evaluate.bind(engine);
    let thrown = 0;
    let putBackSeen = 0;
    engine.evaluate = (trigger) => {
      const before = historyOf(pipeline);
      // Requests put back show as a history longer than the stored one with a settled request in it.
      if (before.settledStillIn.length > 0) {
        putBackSeen++;
        thrown++;
        throw new Error('rule failed mid-judgement');
      }
      return evaluate(trigger);
    };
    const result = pipeline.process(lines[1]!, { file: 'f4', line: 6 });
    expect(putBackSeen).toBeGreaterThan(0);
    expect(thrown).toBe(1);
    expect(result.deadLetter?.code).toBe('TW_INTERNAL');
    expect(historyOf(pipeline).settledStillIn).toEqual([]);
  });

  for (const order of orders()) {
    it(`checkpoint at every cut of ${order.map(idOf).join(' ')}: alerts and final state of a straight read`, async () => {
      const straight = new Pipeline({ rules: ruleSet });
      const straightAlerts = read(straight, order, 0, order.length);
      const straightDir = tempDir('tw-r55f4-straight-');
      // rC read last: the alert only the F4 path gives (withdrawal-pending-as-of.test.ts); it must survive every cut.
      if (order.join() === '0,2,3,4,5,1') expect(straightAlerts.map((a) => (JSON.parse(a) as { eventIds: string[] }).eventIds)).toEqual([['c_old', 'rA', 'rC']]);
      const straightSaved = await saveCheckpoint(straightDir, straight, { rules: ruleSet, positions: { line: order.length }, createdAt: FIXED_TIME });
      for (let cut = 1; cut < order.length; cut++) {
        const dir = tempDir(`tw-r55f4-${cut}-`);
        const first = new Pipeline({ rules: ruleSet });
        const firstAlerts = read(first, order, 0, cut);
        const atCut = historyOf(first);
        expect(atCut.settledStillIn).toEqual([]);
        await saveCheckpoint(dir, first, { rules: ruleSet, positions: { line: cut }, createdAt: FIXED_TIME });
        const restored = await loadNewestValid(dir, { build: () => new Pipeline({ rules: ruleSet, labels: [] }), rules: ruleSet });
        expect(restored?.warnings).toEqual([]);
        expect(historyOf(restored!.pipeline).ids).toEqual(atCut.ids);
        const secondAlerts = read(restored!.pipeline, order, cut, order.length);
        expect([...firstAlerts, ...secondAlerts], `cut ${cut}`).toEqual(straightAlerts);
        const after = await saveCheckpoint(tempDir('tw-r55f4-after-'), restored!.pipeline, { rules: ruleSet, positions: { line: order.length }, createdAt: FIXED_TIME });
        expect(after.sha256, `cut ${cut}: resumed state`).toBe(straightSaved.sha256);
      }
    }, 60_000);
  }
});

describe('review 55 of the F4 fix: historyAsOf reads a bounded part of a hot account', () => {
  // 300 withdrawals to 300 addresses, requested a second apart and completed a day later in the
  // reverse order, read in order: the F4 path does not run on a hot account read in order.
  const G = 300;
  const hot = 'acct-review55-hot';
  const id = (s: string, g: number): string => `${s}${String(g).padStart(3, '0')}`;
  const rows: string[] = [];
  const r = prng(552);
  for (let g = 0; g < G; g++) rows.push(transfer({ eventId: id('r', g), kind: 'withdrawal', status: 'requested', time: T0 + g * 1000, accountId: hot, chain: 'ethereum', asset: 'USDT', amount: 500 + g, to: derivedEvm(85, g + 1) }, r));
  for (let g = G - 1; g >= 0; g--) rows.push(transfer({ eventId: id('c', g), kind: 'withdrawal', status: 'completed', time: T0 + DAY + (G - 1 - g) * 1000, accountId: hot, chain: 'ethereum', asset: 'USDT', amount: 500 + g, to: derivedEvm(85, g + 1) }, r));
  const readInOrder = (pipeline: Pipeline): void => rows.forEach((line, i) => pipeline.process(line, { file: 'hot', line: i + 1 }));

  it('in order, 600 messages of one account to 300 addresses: withHistoryAsOf never runs, and the completions settled their requests as far as the in-order look-back reaches', () => {
    const pipeline = new Pipeline({ rules: ruleSet });
    let calls = 0;
    const original = pipeline.state.withHistoryAsOf.bind(pipeline.state);
    pipeline.state.withHistoryAsOf = (item, judge) => { calls++; return original(item, judge); };
    readInOrder(pipeline);
    expect(calls).toBe(0);
    // 256 settle: a completion read in order looks SETTLEMENT_READ_LIMIT items back for its request (not F4's bound).
    expect(pipeline.state.history(hot).filter((i) => i.type === 'transfer' && i.settles).length).toBe(SETTLEMENT_READ_LIMIT);
  });

  it('a history of 600 completions, each to its own address and holding a request dated before the event: as of the event, the requests of the SETTLEMENT_READ_LIMIT nearest come back, not 600', () => {
    const stage = (eventId: string, status: 'requested' | 'completed', time: number, to: string): TransferEvent =>
      ({ type: 'transfer', eventId, time, amount: Decimal.parse('500'), to, from: [], usd: null, usdSource: null, msg: { kind: 'withdrawal', status, chain: 'ethereum', asset: 'USDT', accountId: hot } }) as unknown as TransferEvent;
    const event = stage('x', 'requested', T0 + HOUR, 'elsewhere');
    const completions = Array.from({ length: 600 }, (_, g) => {
      const c = stage(id('c', g), 'completed', T0 + 2 * HOUR + g * 1000, `dest-${g}`);
      c.settles = stage(id('r', g), 'requested', T0 + g, `dest-${g}`);
      return c;
    });
    const { pending } = historyAsOf([event, ...completions], event);
    expect(pending.length).toBe(SETTLEMENT_READ_LIMIT);
    expect([pending[0]!.eventId, pending[pending.length - 1]!.eventId]).toEqual(['r000', 'r255']);
    // As of the last completion nothing after it holds a request: nothing comes back.
    expect(historyAsOf([event, ...completions], completions[599]!).pending).toEqual([]);
  });

});
