/**
 * Which requested withdrawal a completed one settles is a matter of the events' content and
 * times, not of the order they are read in (session 52 review): a completion read before its
 * request settled nothing (both counted: two 9,500 USDT withdrawals read as four, structuring),
 * and completions read out of event order paired differently (a later one took the oldest
 * request, an earlier one then found none). Each stream here is read in every order: the
 * account's history and the verdicts (each rule's highest severity per account) are event
 * order's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, HOUR, prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm, derivedTron } from '../../src/simulate/derived.js';
import { emptyPipeline, FIXED_TIME, removeTempDirs, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const T0 = Date.UTC(2025, 5, 2);
const account = 'acct-settle-order';
const RANK = ['low', 'medium', 'high', 'critical'];

/** Every order of `items`. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

interface Outcome { held: string[]; verdicts: Record<string, string> }

/** The account's withdrawals held at the end, and each rule's highest severity per account. */
function read(lines: readonly string[]): Outcome {
  const pipeline = new Pipeline({ rules });
  const verdicts: Record<string, string> = {};
  lines.forEach((line, i) => {
    for (const a of pipeline.process(line, { file: 't', line: i + 1 }).alerts) {
      const key = `${a.ruleId} ${a.subject.accountId}`;
      if (verdicts[key] === undefined || RANK.indexOf(a.severity) > RANK.indexOf(verdicts[key]!)) verdicts[key] = a.severity;
    }
  });
  const held = pipeline.state.history(account).filter((i) => i.type === 'transfer' && i.msg.kind === 'withdrawal').map((i) => i.eventId);
  return { held, verdicts };
}

/** Reads the lines (given in event order) in every order; each must end as event order does. */
function expectEventOrderWhateverTheOrder(inEventOrder: readonly string[], held: string[]): Outcome {
  const expected = read(inEventOrder);
  expect(expected.held).toEqual(held);
  for (const order of permutations(inEventOrder.map((_, i) => i))) {
    expect(read(order.map((i) => inEventOrder[i]!)), `read in the order ${order.join(',')}`).toEqual(expected);
  }
  return expected;
}

const TRON = { chain: 'tron', asset: 'USDT', to: derivedTron(82, 1) };
const ETHEREUM = { chain: 'ethereum', asset: 'USDT', to: derivedEvm(82, 2) };

/** One stage of a withdrawal of `amount` at `time`. */
function stage(eventId: string, status: 'requested' | 'completed', time: number, amount: number, rand: ReturnType<typeof prng>, leg = TRON): string {
  return transfer({ eventId, kind: 'withdrawal', status, time, accountId: account, chain: leg.chain, asset: leg.asset, amount, to: leg.to }, rand);
}

describe('a withdrawal settled whatever order its stages are read in (session 52)', () => {
  it('a completion read before its request settles it: two withdrawals near the threshold are two, not four (no structuring)', () => {
    const rand = prng(31);
    const lines = [
      stage('w1-req', 'requested', T0, 9_500, rand), stage('w1-done', 'completed', T0 + HOUR, 9_500, rand),
      stage('w2-req', 'requested', T0 + DAY, 9_500, rand), stage('w2-done', 'completed', T0 + DAY + HOUR, 9_500, rand),
    ];
    const outcome = expectEventOrderWhateverTheOrder(lines, ['w1-done', 'w2-done']);
    expect(Object.keys(outcome.verdicts)).not.toContain(`structuring.just-under ${account}`);
  });

  it('three withdrawals near the threshold are structuring in every order', () => {
    const rand = prng(32);
    const lines = [0, 1, 2].flatMap((n) => [stage(`w${n}-req`, 'requested', T0 + n * DAY, 9_500, rand), stage(`w${n}-done`, 'completed', T0 + n * DAY + HOUR, 9_500, rand)]);
    const inOrder = read(lines);
    expect(inOrder.held).toEqual(['w0-done', 'w1-done', 'w2-done']);
    expect(Object.keys(inOrder.verdicts)).toContain(`structuring.just-under ${account}`);
    // The completions read first, then the requests, newest first.
    for (const order of [[1, 3, 5, 4, 2, 0], [5, 4, 3, 2, 1, 0], [1, 0, 5, 3, 2, 4]]) expect(read(order.map((i) => lines[i]!)), order.join(',')).toEqual(inOrder);
  });

  it('completions read out of event order pair as event order does: an earlier one read last still settles its request', () => {
    const rand = prng(33);
    // r1, then ca (settles r1), then r2, then cb (settles r2). Read r1, r2, cb, ca, cb took r1 and ca found none: r2 stayed.
    const lines = [
      stage('r1', 'requested', T0, 9_500, rand), stage('ca', 'completed', T0 + HOUR, 9_500, rand),
      stage('r2', 'requested', T0 + 2 * HOUR, 9_500, rand), stage('cb', 'completed', T0 + 3 * HOUR, 9_500, rand),
    ];
    expectEventOrderWhateverTheOrder(lines, ['ca', 'cb']);
  });

  it('a fee-deducted pair and an exact one: the same pairing in every order', () => {
    const rand = prng(34);
    // c1 (a fee of 1) settles r1; c2 (a fee of 2) settles r2, dated after c1.
    const lines = [
      stage('r1', 'requested', T0, 9_500, rand, ETHEREUM), stage('c1', 'completed', T0 + HOUR, 9_499, rand, ETHEREUM),
      stage('r2', 'requested', T0 + 2 * HOUR, 9_500, rand, ETHEREUM), stage('c2', 'completed', T0 + 3 * HOUR, 9_498, rand, ETHEREUM),
    ];
    expectEventOrderWhateverTheOrder(lines, ['c1', 'c2']);
  });

  it('the exact amount before a fee, in every order: the request that is no match for the first completion waits for the second', () => {
    const rand = prng(35);
    const lines = [
      stage('near', 'requested', T0, 9_500, rand), stage('exact', 'requested', T0 + HOUR, 9_499, rand),
      stage('first', 'completed', T0 + 2 * HOUR, 9_499, rand), stage('second', 'completed', T0 + 3 * HOUR, 9_497, rand),
    ];
    expectEventOrderWhateverTheOrder(lines, ['first', 'second']);
  });

  it('two requests of the same amount and one completion: the older is settled in every order; at one instant, the smaller event id', () => {
    const rand = prng(36);
    expectEventOrderWhateverTheOrder([stage('older', 'requested', T0, 9_500, rand), stage('newer', 'requested', T0 + HOUR, 9_500, rand), stage('done', 'completed', T0 + 2 * HOUR, 9_500, rand)], ['newer', 'done']);
    const x = stage('x', 'requested', T0, 9_500, rand);
    const y = stage('y', 'requested', T0, 9_500, rand);
    const done = stage('done', 'completed', T0 + HOUR, 9_500, rand);
    for (const order of permutations([x, y, done])) expect(read(order).held, 'held').toEqual(['y', 'done']);
  });

  it('a withdrawal of 48% of a deposit is not 96% when its completion is read first (no pass-through)', () => {
    const rand = prng(37);
    const deposit = transfer({ eventId: 'dep', kind: 'deposit', time: T0 - HOUR, accountId: account, chain: 'ethereum', asset: 'USDT', amount: 10_000, from: [derivedEvm(82, 9)], to: derivedEvm(82, 8) }, rand);
    const lines = [deposit, stage('w-req', 'requested', T0, 4_800, rand, ETHEREUM), stage('w-done', 'completed', T0 + HOUR, 4_788, rand, ETHEREUM)];
    const outcome = expectEventOrderWhateverTheOrder(lines, ['w-done']);
    expect(Object.keys(outcome.verdicts)).not.toContain(`pass-through.quick-out ${account}`);
  });

  it('a deposit read after both stages of the withdrawal forwarding it: the request is judged as event order judged it (medium, not the completion\'s low)', () => {
    const rand = prng(39);
    const astrill = { ip: '45.134.42.11', ipCountry: 'CN', vpn: true, vpnProvider: 'Astrill VPN', deviceId: 'dev-settle-order' };
    const deposit = transfer({ eventId: 'dep', kind: 'deposit', time: T0, accountId: account, chain: 'ethereum', asset: 'USDT', amount: 10_000, from: [derivedEvm(82, 9)], to: derivedEvm(82, 8) }, rand);
    const spec = { kind: 'withdrawal' as const, accountId: account, chain: 'ethereum', asset: 'USDT', amount: 9_800, to: ETHEREUM.to, session: astrill };
    const request = transfer({ ...spec, eventId: 'w-req', time: T0 + 2 * HOUR, status: 'requested' }, rand);
    const completion = transfer({ ...spec, eventId: 'w-done', time: T0 + 10 * HOUR, status: 'completed' }, rand);
    const outcome = expectEventOrderWhateverTheOrder([deposit, request, completion], ['w-done']);
    expect(outcome.verdicts[`pass-through.quick-out ${account}`]).toBe('medium');
  });
});

describe('two requests closer together than the fee: both completions settle, in every order (session 53)', () => {
  // 9,500 and 9,475 requested, completed as 9,470 and 9,445 (30 short each; the cap is 50 on Ethereum).
  // The first completion's best request is the 9,475 (5 short): it moves to the 9,500 so that the
  // second, 55 short of the 9,500, settles the 9,475. Before, r1 stayed: three withdrawals, structuring.
  const pair = (rand: ReturnType<typeof prng>): string[] => [
    stage('r1', 'requested', T0, 9_500, rand, ETHEREUM), stage('r2', 'requested', T0 + HOUR, 9_475, rand, ETHEREUM),
    stage('c1', 'completed', T0 + 2 * HOUR, 9_470, rand, ETHEREUM), stage('c2', 'completed', T0 + 3 * HOUR, 9_445, rand, ETHEREUM),
  ];

  it('two withdrawals, no structuring, with a later deposit read before either completion', () => {
    const rand = prng(40);
    const deposit = transfer({ eventId: 'dep', kind: 'deposit', time: T0 + 4 * HOUR, accountId: account, chain: 'ethereum', asset: 'USDT', amount: 500, from: [derivedEvm(82, 9)], to: derivedEvm(82, 8) }, rand);
    const outcome = expectEventOrderWhateverTheOrder([...pair(rand), deposit], ['c1', 'c2']);
    expect(Object.keys(outcome.verdicts)).not.toContain(`structuring.just-under ${account}`);
  });

  it('a request read late that fits the second completion exactly gives the first its first choice back: r1 stays', () => {
    const rand = prng(41);
    const [r1, r2, c1, c2] = pair(rand);
    const exact = stage('rp', 'requested', T0 + 2 * HOUR + 30 * 60_000, 9_445, rand, ETHEREUM);
    expectEventOrderWhateverTheOrder([r1!, r2!, c1!, exact, c2!], ['r1', 'c1', 'c2']);
  });
});

describe('a settlement across a checkpoint (format 9)', () => {
  it('the request a completion settled is restored with it: a better request read late frees it as without the checkpoint', async () => {
    const rand = prng(38);
    // cb (9,499) settles r1 (9,500, a fee of 1); r2 (9,499, the same amount) read late is its own: r1 counts again.
    const [r1, r2, cb] = [stage('r1', 'requested', T0, 9_500, rand), stage('r2', 'requested', T0 + 2 * HOUR, 9_499, rand), stage('cb', 'completed', T0 + 3 * HOUR, 9_499, rand)];
    expect(read([r1!, r2!, cb!]).held).toEqual(['r1', 'cb']);
    expect(read([r1!, cb!, r2!]).held).toEqual(['r1', 'cb']);
    const first = new Pipeline({ rules, labels: [] });
    [r1!, cb!].forEach((line, i) => first.process(line, { file: 't', line: i + 1 }));
    const dir = tempDir('tw-settle-order-');
    await saveCheckpoint(dir, first, { rules, positions: { line: 2 }, createdAt: FIXED_TIME });
    const restored = await loadNewestValid(dir, { build: emptyPipeline(rules), rules });
    expect(restored?.warnings).toEqual([]);
    const pipeline = restored!.pipeline;
    pipeline.process(r2!, { file: 't', line: 3 });
    expect(pipeline.state.history(account).map((i) => i.eventId)).toEqual(['r1', 'cb']);
  });
});
