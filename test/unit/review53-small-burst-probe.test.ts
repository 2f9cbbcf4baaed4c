/**
 * Review 53 probes of `op: sequence` `pick: largest` and structuring.small-burst v5 (48e0c72..66475d6).
 * `it`: behaviour that held. `it.fails`: a finding (the assertion is what should hold; HEAD does not).
 * See test/probes/review53/README.md.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import type { Alert } from '../../src/contract/schemas.js';
import { DAY, HOUR, prng, transfer } from '../../src/simulate/builders.js';
import { derivedTron } from '../../src/simulate/derived.js';
import { emptyPipeline, FIXED_TIME, removeTempDirs, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const T0 = Date.UTC(2025, 5, 2, 9);
const RULE = 'structuring.small-burst';

type Rand = ReturnType<typeof prng>;
const deposit = (account: string, id: string, time: number, amount: number, rand: Rand, from = 100): string =>
  transfer({ eventId: id, kind: 'deposit', time, accountId: account, chain: 'tron', asset: 'USDT', amount, from: [derivedTron(from, 1)], to: derivedTron(7, 1) }, rand);
const withdrawal = (account: string, id: string, time: number, amount: number, rand: Rand, to = 200): string =>
  transfer({ eventId: id, kind: 'withdrawal', time, accountId: account, chain: 'tron', asset: 'USDT', amount, to: derivedTron(to, 1) }, rand);

/** The small-burst alerts in the order emitted, each as trigger, severity, deposit named, percent and laterUsd. */
function emitted(alerts: readonly Alert[]): string[] {
  return alerts.filter((a) => a.ruleId === RULE).map((a) => `${a.eventIds[a.eventIds.length - 1]} ${a.severity} ${String(a.evidence.depositEventId)} ${String(a.evidence.percent)}% after=${String(a.evidence.depositedAfterUsd)}`);
}
const burst = (alerts: readonly Alert[]): string[] => emitted(alerts).sort();
/** The last alert emitted for each trigger (a late event's re-judgement may add one). */
function lastPerTrigger(alerts: readonly Alert[]): string[] {
  const byTrigger = new Map<string, string>();
  for (const s of emitted(alerts)) byTrigger.set(s.split(' ')[0]!, s);
  return [...byTrigger.values()].sort();
}

function read(lines: readonly string[], pipeline = new Pipeline({ rules })): { alerts: Alert[]; pipeline: Pipeline } {
  const alerts = lines.flatMap((line, i) => pipeline.process(line, { file: 't', line: i + 1 }).alerts);
  return { alerts, pipeline };
}

/** Fisher-Yates by a seeded generator. */
function shuffled<T>(items: readonly T[], rand: Rand): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [out[i], out[j]] = [out[j]!, out[i]!]; }
  return out;
}

/** The case of the change: a 5,000 salary, a 1,200 top-up 25 h later, eight 700 pieces. */
function salaryTopup(account: string, rand: Rand): string[] {
  return [
    deposit(account, `${account}-d0`, T0, 5_000, rand, 101),
    deposit(account, `${account}-d1`, T0 + 25 * HOUR, 1_200, rand, 102),
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((k) => withdrawal(account, `${account}-w${k}`, T0 + (27 + k) * HOUR, 700, rand, 300 + k)),
  ];
}

describe('small-burst v5: what held', () => {
  it('salary then top-up alerts in event order, naming the salary', () => {
    const out = burst(read(salaryTopup('acct-a', prng(1))).alerts);
    expect(out.length).toBeGreaterThan(0);
    expect(out.every((s) => s.includes('acct-a-d0'))).toBe(true);
  });

  it('the verdict (highest small-burst severity of the account) is event order\'s in 30 arrival orders', () => {
    const lines = salaryTopup('acct-b', prng(2));
    const verdict = (alerts: Alert[]): string | undefined => emitted(alerts).map((x) => x.split(' ')[1]!).sort().pop();
    const expected = verdict(read(lines).alerts);
    expect(expected).toBe('medium');
    const rand = prng(22);
    for (let k = 0; k < 30; k++) expect(verdict(read(shuffled(lines, rand)).alerts)).toBe(expected);
  });

  it('a checkpoint between the top-up and the pieces, and one between the pieces, give the same small-burst alerts', async () => {
    const lines = salaryTopup('acct-c', prng(3));
    const straight = burst(read(lines).alerts);
    for (const cut of [2, 5]) {
      const first = read(lines.slice(0, cut), new Pipeline({ rules, labels: [] }));
      const dir = tempDir('tw-review53-');
      await saveCheckpoint(dir, first.pipeline, { rules, positions: { line: cut }, createdAt: FIXED_TIME });
      const restored = await loadNewestValid(dir, { build: emptyPipeline(rules), rules });
      expect(restored?.warnings).toEqual([]);
      const second = read(lines.slice(cut), restored!.pipeline);
      expect([...burst(first.alerts), ...burst(second.alerts)].sort()).toEqual(straight);
    }
  });

  it('two deposits of the same USD a day apart, eight 900 pieces: event order names the newer (the newest of equals)', () => {
    const rand = prng(4);
    const a = 'acct-tie';
    const lines = [deposit(a, 'tie-d0', T0, 3_000, rand, 111), deposit(a, 'tie-d1', T0 + 25 * HOUR, 3_000, rand, 112),
      ...[0, 1, 2, 3, 4, 5, 6, 7].map((k) => withdrawal(a, `tie-w${k}`, T0 + (26 + k) * HOUR, 900, rand, 400 + k))];
    const named = emitted(read(lines).alerts).map((x) => x.split(' ')[2]);
    expect(named.length).toBeGreaterThan(0);
    expect(new Set(named)).toEqual(new Set(['tie-d1']));
  });

  // Measured against v4 in a scratch run (same stream, rules dir with v4's YAML, two passes, a loaded
  // machine): v5 0.88-0.90 ms/event at 600 deposits and 1.14-1.27 at 1,200; v4 1.15-1.17 and 1.15-1.33;
  // without small-burst 0.82-2.5 (noise). Here only a loose absolute bound: the growth is the
  // whole pipeline's (other rules), not the largest pick's.
  it('a hot account (600 deposits >= 1,000 and 1,200 pieces in 72 h): a piece costs a few ms at most', () => {
    const timeFor = (deposits: number): number => {
      const rand = prng(5);
      const a = `acct-hot-${deposits}`;
      const lines: string[] = [];
      const span = 70 * HOUR;
      for (let i = 0; i < deposits * 3; i++) {
        const t = T0 + Math.floor((i * span) / (deposits * 3));
        lines.push(i % 3 === 0 ? deposit(a, `${a}-d${i}`, t, 1_500, rand, 500 + (i % 50)) : withdrawal(a, `${a}-w${i}`, t, 600, rand, 600 + (i % 50)));
      }
      const p = new Pipeline({ rules });
      const warm = lines.length - 200;
      lines.slice(0, warm).forEach((l, i) => p.process(l, { file: 't', line: i + 1 }));
      const start = process.hrtime.bigint();
      lines.slice(warm).forEach((l, i) => p.process(l, { file: 't', line: warm + i + 1 }));
      return Number(process.hrtime.bigint() - start) / 1e6 / 200;
    };
    const small = timeFor(60);
    const big = timeFor(600);
    console.log(`review53 hot account: ${small.toFixed(3)} ms/event at 60 deposits, ${big.toFixed(3)} ms/event at 600`);
    expect(big).toBeLessThan(20);
  }, 120_000);
});

describe('small-burst v5: findings', () => {
  // F1. An older deposit that left in ONE withdrawal (not a piece) is still read as "drained in pieces":
  // the pieces since it are counted against it, and withdrawals of 1,000 USD or more are invisible to
  // the ratio. With a top-up after it (v4 settled on the top-up and failed the half), v5 now names the
  // older deposit. Here a P2P-style account: 5,000 in, 4,900 out in one transfer an hour later; a day on
  // 1,200 in plus small buyers' payments (< 1,000, not read by the rule), then eight 700 payouts.
  // The rule header's own "Not": "one who withdraws a deposit in one or two transfers".
  function leftInOne(account: string, rand: Rand): string[] {
    return [
      deposit(account, `${account}-d0`, T0, 5_000, rand, 121),
      withdrawal(account, `${account}-big`, T0 + HOUR, 4_900, rand, 221),
      deposit(account, `${account}-d1`, T0 + 25 * HOUR, 1_200, rand, 122),
      ...[0, 1, 2, 3, 4, 5, 6].map((k) => deposit(account, `${account}-s${k}`, T0 + (25 * HOUR) + (k + 1) * 10 * 60_000, 800, rand, 130 + k)),
      ...[0, 1, 2, 3, 4, 5, 6, 7].map((k) => withdrawal(account, `${account}-w${k}`, T0 + (27 + k) * HOUR, 700, rand, 320 + k)),
    ];
  }
  // Fixed in small-burst v6 (sequence othersTakeFirst): the 4,900 withdrawal took the 5,000 first, which
  // left 100 for the pieces; the top-up (1,200) is what they carry, under half the 6,200 received.
  it('F1: a deposit withdrawn in one transfer is not "withdrawn in pieces" (no small-burst alert; v4 raised none here)', () => {
    expect(burst(read(leftInOne('acct-f1', prng(6))).alerts)).toEqual([]);
  });
  it('F1, without the 4,900 withdrawal: the pieces carry the 5,000 (the alert names it), so the withdrawal is what v6 reads', () => {
    const out = burst(read(leftInOne('acct-f1a', prng(6)).filter((l) => !l.includes('"acct-f1a-big"'))).alerts);
    expect(out.length).toBeGreaterThan(0);
    expect(out.every((s) => s.includes('acct-f1a-d0'))).toBe(true);
  });
  // Orders that read a piece before a deposit of 1,000+ alert on the top-up alone (F3's kind: pieces
  // judged before the deposit that is read late; v4 and v5 alike), so here only the small deposits,
  // the pieces and the 4,900 withdrawal move: the withdrawal anywhere before the first piece.
  it('F1: no alert in 30 arrival orders that read the deposits of 1,000+ and the 4,900 withdrawal before the pieces', () => {
    const lines = leftInOne('acct-f1o', prng(7));
    const isPiece = (l: string): boolean => l.includes('"acct-f1o-w');
    const isSmall = (l: string): boolean => l.includes('"acct-f1o-s');
    const deposits = lines.filter((l) => l.includes('"acct-f1o-d'));
    const big = lines.find((l) => l.includes('"acct-f1o-big"'))!;
    const rand = prng(77);
    for (let k = 0; k < 30; k++) {
      const order = [...shuffled(deposits, rand), ...shuffled(lines.filter((l) => isPiece(l) || isSmall(l)), rand)];
      const firstPiece = order.findIndex(isPiece);
      order.splice(Math.floor(rand() * (firstPiece + 1)), 0, big);
      expect(burst(read(order).alerts)).toEqual([]);
    }
  });

  // F3 (generic, pre-existing: v4 emits the same four alerts in this order, and none in event order).
  // The salary read after everything else: the pieces read before it alert naming the 1,200 top-up at
  // 292% to 467% (the reading v5 exists to avoid; alerts are never withdrawn, so those stay). The late
  // salary re-judged only the 8 items after it (the top-up and w0..w6), so w7, the piece that event
  // order alerts on naming the salary at 112%, was never judged with it. Fixed (session 55): an
  // account's own later items are judged again within the rules' look-back, the nearest 32
  // (LATER_OWN_ITEMS_JUDGED): w7 is reached and gives event order's alert, byte for byte.
  const alertLines = (alerts: readonly Alert[]): string[] => alerts.filter((a) => a.ruleId === RULE).map((a) => JSON.stringify(a));
  it('F3: the salary read last gives event order\'s alert on w7 (naming the salary at 112%), byte for byte, after the four on the top-up', () => {
    const lines = salaryTopup('acct-f3', prng(2));
    const inOrder = read(lines).alerts;
    expect(emitted(inOrder).map((x) => x.split(' ').slice(1).join(' '))).toEqual(['medium acct-f3-d0 112% after=1200']);
    const salaryLast = read([...lines.slice(1), lines[0]!]).alerts;
    expect(lastPerTrigger(salaryLast).find((s) => s.startsWith('acct-f3-w7 '))).toBe('acct-f3-w7 medium acct-f3-d0 112% after=1200');
    expect(alertLines(salaryLast)).toEqual(expect.arrayContaining(alertLines(inOrder)));
    // What stays: the pieces w4..w7 judged before the salary arrived alerted on the top-up alone.
    expect(emitted(salaryLast).filter((s) => s.includes('acct-f3-d1')).length).toBe(4);
  });

  it('F3: in 40 arrival orders (salary last, first, random) every alert event order gives is given, byte for byte, and the verdict is the same', () => {
    const lines = salaryTopup('acct-f3o', prng(9));
    const inOrder = alertLines(read(lines).alerts);
    expect(inOrder.length).toBe(1);
    const rand = prng(99);
    const orders = [
      [...lines.slice(1), lines[0]!],
      [...lines.slice(2), lines[0]!, lines[1]!],
      [...lines.slice(2).reverse(), lines[1]!, lines[0]!],
      ...Array.from({ length: 37 }, () => shuffled(lines, rand)),
    ];
    for (const order of orders) {
      const got = read(order).alerts;
      expect(alertLines(got)).toEqual(expect.arrayContaining(inOrder));
      expect(emitted(got).map((x) => x.split(' ')[1]!).sort().pop()).toBe('medium');
    }
  });
});
