/**
 * A merge as a factor crossing (FactorCrossings.judgeOnMerge, session 61): workers' own addresses
 * that each sweep into one address join its cluster by forwarding, so no withdrawal to the
 * cluster ever brings its count of paying accounts up. The merge that does judges again, as of
 * itself, the withdrawals after other accounts' deposits from the cluster: a T8 aggregator paid
 * by the address weeks before it became a consolidation (typologies.md T8, S7; issue #9).
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contract/schemas.js';
import type { Touch } from '../../src/graph/entity-graph.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { mergeCrossing } from '../../src/pipeline/factor-crossings.js';
import { DAY, HOUR, USDC_ETH, evmAddress, label, prng, tokenLog, transfer } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';
import { RuleState } from '../../src/engine/state.js';
import { RuleEngine } from '../../src/engine/engine.js';
import { FactorCrossings } from '../../src/pipeline/factor-crossings.js';
import { WINDOW_READ_LIMIT } from '../../src/engine/read-limits.js';

const T0 = Date.UTC(2025, 1, 1);
const old = { type: 'individual' as const, kycCountry: 'US', createdAt: '2023-01-01T00:00:00Z' };
const young = { type: 'individual' as const, kycCountry: 'AE', createdAt: '2025-01-20T00:00:00Z' };
const session = (account: string): { ip: string; ipCountry: string; vpn: boolean; deviceId: string } => ({ ip: `198.51.${account.length}.${[...account].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) % 250, 7)}`, ipCountry: 'US', vpn: false, deviceId: `dev-${account}` });

interface Shape {
  /** Workers whose own addresses sweep into the address, 30 days after the aggregator's first deposit. */
  workers: number;
  /** A payer funded by a DPRK-linked address pays it twice (the T8 aggregator); without, an OTC trader with one later-suspect payer. */
  exposed?: boolean;
  /** worker-0 paid again 2 days on, through a second address of its own that sweeps into `cons` too. */
  secondSweep?: boolean;
  /** Accounts `cons` paid 10 days before the sweeps, each then paid `deposits` times by others (busy, no withdrawal). */
  busyPayees?: { accounts: number; deposits: number };
}

/** The aggregator `agg`, paid 14 times over 13 days (twice by `cons`), and then the workers' sweeps into `cons`. */
function stream(s: Shape): string[] {
  const rand = prng(11);
  const lines: { time: number; line: string }[] = [];
  const add = (time: number, line: string): void => { lines.push({ time, line }); };
  const dprk = evmAddress(rand);
  add(T0 - 30 * DAY, label('ethereum', dprk, 'dprk-linked', 'DPRK launderer', T0 - 30 * DAY));
  const cons = evmAddress(rand);
  const exposed = s.exposed === false ? undefined : evmAddress(rand);
  if (exposed) add(T0 - 2 * DAY, tokenLog('ethereum', USDC_ETH, dprk, exposed, 20_000, T0 - 2 * DAY, rand));
  let received = 0;
  for (let i = 0; i < 14; i++) {
    const t = T0 + i * DAY;
    const payer = i === 1 || i === 7 ? cons : i === 2 || i === 8 ? exposed : undefined;
    const usd = 3000 + ((i * 977) % 5000);
    received += usd;
    add(t, transfer({ eventId: `agg-in-${i}`, kind: 'deposit', time: t, accountId: 'agg', chain: 'ethereum', asset: 'USDC', amount: usd, from: [payer ?? evmAddress(rand)], to: evmAddress(rand), customer: young }, rand));
    if (i % 2 === 1) {
      add(t + 6 * HOUR, transfer({ eventId: `agg-out-${i}`, kind: 'withdrawal', time: t + 6 * HOUR, accountId: 'agg', chain: 'ethereum', asset: 'USDC', amount: Math.round(received * 0.95), to: evmAddress(rand), session: session('agg'), customer: young }, rand));
      received = 0;
    }
  }
  for (let w = 0; w < s.workers; w++) {
    const t = T0 + 30 * DAY + w * 10 * HOUR;
    const worker = `worker-${w}`;
    const mine = evmAddress(rand);
    add(t, transfer({ eventId: `${worker}-pay`, kind: 'deposit', time: t, accountId: worker, chain: 'ethereum', asset: 'USDC', amount: 5000, from: [evmAddress(rand)], to: evmAddress(rand), customer: old }, rand));
    add(t + 2 * HOUR, transfer({ eventId: `${worker}-own`, kind: 'withdrawal', time: t + 2 * HOUR, accountId: worker, chain: 'ethereum', asset: 'USDC', amount: 4900, to: mine, session: session(worker), customer: old }, rand));
    add(t + 5 * HOUR, tokenLog('ethereum', USDC_ETH, mine, cons, 4899, t + 5 * HOUR, rand));
  }
  if (s.secondSweep) {
    const t = T0 + 32 * DAY;
    const again = evmAddress(rand);
    add(t, transfer({ eventId: 'worker-0-pay-2', kind: 'deposit', time: t, accountId: 'worker-0', chain: 'ethereum', asset: 'USDC', amount: 5000, from: [evmAddress(rand)], to: evmAddress(rand), customer: old }, rand));
    add(t + 2 * HOUR, transfer({ eventId: 'worker-0-own-2', kind: 'withdrawal', time: t + 2 * HOUR, accountId: 'worker-0', chain: 'ethereum', asset: 'USDC', amount: 4900, to: again, session: session('worker-0'), customer: old }, rand));
    add(t + 5 * HOUR, tokenLog('ethereum', USDC_ETH, again, cons, 4899, t + 5 * HOUR, rand));
  }
  if (s.busyPayees) {
    for (let k = 0; k < s.busyPayees.accounts; k++) {
      const t = T0 + 20 * DAY + k * HOUR;
      add(t, transfer({ eventId: `busy-${k}-cons`, kind: 'deposit', time: t, accountId: `busy-${k}`, chain: 'ethereum', asset: 'USDC', amount: 2000, from: [cons], to: evmAddress(rand), customer: old }, rand));
      for (let d = 0; d < s.busyPayees.deposits; d++) {
        const td = t + 1000 + d * 60_000;
        add(td, transfer({ eventId: `busy-${k}-in-${d}`, kind: 'deposit', time: td, accountId: `busy-${k}`, chain: 'ethereum', asset: 'USDC', amount: 50, from: [evmAddress(rand)], to: evmAddress(rand), customer: old }, rand));
      }
    }
  }
  return lines.sort((a, b) => a.time - b.time).map((l) => l.line);
}

function run(lines: string[]): { aggregator: Alert[]; laterRejudged: number } {
  const p = new Pipeline({ rules: rules() });
  const alerts = lines.flatMap((l, i) => p.process(l, { file: 't', line: i + 1 }).alerts);
  return { aggregator: alerts.filter((a) => a.ruleId === 'dprk-it-payroll.aggregator'), laterRejudged: p.stats.laterRejudged };
}

describe('a merge that makes a payer a consolidation judges the aggregator again (T8 paid before the sweeps)', () => {
  it('raises the aggregator once, when the third worker\'s address joins the payer\'s cluster, naming the three workers', () => {
    const { aggregator } = run(stream({ workers: 3 }));
    expect(aggregator).toHaveLength(1);
    expect(aggregator[0]).toMatchObject({ subject: { accountId: 'agg' }, evidence: { suspectPayers: 2 } });
    expect(['high', 'critical']).toContain(aggregator[0]!.severity);
    const why = aggregator[0]!.evidence.whySuspect as { consolidation?: { accountIds: string[] } }[];
    expect(why.flatMap((w) => w.consolidation?.accountIds ?? [])).toEqual(['worker-0', 'worker-1', 'worker-2']);
  });

  it('raises nothing more when a fourth worker\'s address joins (the severity is given already)', () => {
    expect(run(stream({ workers: 4 })).aggregator.map((a) => a.severity)).toEqual(run(stream({ workers: 3 })).aggregator.map((a) => a.severity));
  });

  it('does not alert while two workers\' addresses have joined (a consolidation asks three other accounts)', () => {
    expect(run(stream({ workers: 2 })).aggregator).toEqual([]);
  });

  it('judges nothing again when a worker already counted sweeps in through a second address (no account is new)', () => {
    const once = run(stream({ workers: 3 }));
    const twice = run(stream({ workers: 3, secondSweep: true }));
    expect(twice.laterRejudged).toBe(once.laterRejudged);
    expect(twice.aggregator).toEqual(once.aggregator);
  });

  it('does not alert an OTC trader whose one payer later becomes a consolidation (T8 asks two suspect payers)', () => {
    const { aggregator, laterRejudged } = run(stream({ workers: 3, exposed: false }));
    expect(laterRejudged).toBeGreaterThan(0);
    expect(aggregator).toEqual([]);
  });
});

/**
 * History items the merge crossings read themselves (not the rules they run): every RuleState
 * read that returns items, counted while judgeOnMerge runs and no rule is being evaluated.
 */
function crossingReads(lines: string[]): { read: number; crossings: number } {
  const state = RuleState.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const engine = RuleEngine.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const crossings = FactorCrossings.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const saved = new Map<[Record<string, (...a: unknown[]) => unknown>, string], (...a: unknown[]) => unknown>();
  let inCrossing = 0;
  let inRules = 0;
  let read = 0;
  let merges = 0;
  const wrap = (proto: Record<string, (...a: unknown[]) => unknown>, name: string, around: (f: () => unknown) => unknown): void => {
    const original = proto[name]!;
    saved.set([proto, name], original);
    proto[name] = function (this: unknown, ...args: unknown[]) { return around(() => original.apply(this, args)); };
  };
  for (const name of Object.getOwnPropertyNames(RuleState.prototype)) {
    if (!/Between$/.test(name)) continue;
    wrap(state, name, (f) => { const out = f(); if (inCrossing > 0 && inRules === 0 && Array.isArray(out)) read += out.length; return out; });
  }
  wrap(engine, 'evaluate', (f) => { inRules++; try { return f(); } finally { inRules--; } });
  wrap(crossings, 'judgeOnMerge', (f) => { inCrossing++; merges++; try { return f(); } finally { inCrossing--; } });
  try {
    run(lines);
  } finally {
    for (const [[proto, name], original] of saved) proto[name] = original;
  }
  return { read, crossings: merges };
}

describe('a merge crossing\'s own reads are bounded', () => {
  it('reads at most WINDOW_READ_LIMIT history items after each deposit from the cluster, however busy the paid account (8 accounts, 1500 deposits each)', () => {
    const lines = stream({ workers: 3, busyPayees: { accounts: 8, deposits: 1500 } });
    const { read, crossings } = crossingReads(lines);
    expect(crossings).toBeGreaterThan(0);
    expect(read).toBeGreaterThan(0);
    // agg's own deposits from cons (2) and the 8 busy accounts': one bounded read each per crossing merge
    expect(read).toBeLessThanOrEqual(crossings * 10 * WINDOW_READ_LIMIT);
  });
});

const touch = (eventId: string, accountId: string, kind: Touch['kind'], time: number, address: number): Touch => ({ eventId, accountId, kind, time, address });
const WINDOW = 90 * DAY;

describe('mergeCrossing: whether a merge brought the cluster accounts neither side had, at the threshold', () => {
  const before = [touch('d1', 'agg', 'deposit', 1 * DAY, 9), touch('w1', 'a', 'withdrawal', 2 * DAY, 1), touch('w2', 'b', 'withdrawal', 3 * DAY, 2)];

  it('crosses when the joining side brings a third account: every touch read, newest first', () => {
    const touches = [...before, touch('w3', 'c', 'withdrawal', 4 * DAY, 3)];
    expect(mergeCrossing(touches, new Set([3]), 4 * DAY, 3, WINDOW)?.map((t) => t.eventId)).toEqual(['w3', 'w2', 'w1', 'd1']);
    // which side is given does not matter: the other side had two accounts too
    expect(mergeCrossing(touches, new Set([1, 2, 9]), 4 * DAY, 3, WINDOW)).toHaveLength(4);
  });

  it('does not cross when the joining side\'s account had paid the other side already (the count did not change)', () => {
    const touches = [...before, touch('w0', 'c', 'withdrawal', 1.5 * DAY, 1), touch('w3', 'c', 'withdrawal', 4 * DAY, 3)];
    expect(mergeCrossing(touches, new Set([3]), 4 * DAY, 3, WINDOW)).toBeUndefined();
  });

  it('does not cross below the threshold, nor CROSSING_SPAN (3) or more past it', () => {
    expect(mergeCrossing(before, new Set([2]), 4 * DAY, 3, WINDOW)).toBeUndefined();
    const many = Array.from({ length: 6 }, (_, i) => touch(`w${i}`, `acct-${i}`, 'withdrawal', (i + 1) * DAY, i === 5 ? 50 : i));
    expect(mergeCrossing(many, new Set([50]), 7 * DAY, 3, WINDOW)).toBeUndefined();
    expect(mergeCrossing(many.slice(1), new Set([50]), 7 * DAY, 3, WINDOW)).toHaveLength(5);
  });

  it('reads only the window up to the merge: touches dated after it, or before the window, do not count', () => {
    const touches = [touch('w0', 'z', 'withdrawal', 0, 7), ...before, touch('w3', 'c', 'withdrawal', 4 * DAY, 3), touch('w4', 'e', 'withdrawal', 9 * DAY, 3)];
    expect(mergeCrossing(touches, new Set([3]), 4 * DAY, 3, 3.5 * DAY)?.map((t) => t.eventId)).toEqual(['w3', 'w2', 'w1', 'd1']);
  });

  it('gives up past 64 touches read (a hot cluster costs a bounded read)', () => {
    const deposits = Array.from({ length: 64 }, (_, i) => touch(`d${i}`, `cust-${i}`, 'deposit', 3.5 * DAY + i, 9));
    const touches = [...before, ...deposits, touch('w3', 'c', 'withdrawal', 4 * DAY, 3)];
    expect(mergeCrossing(touches, new Set([3]), 4 * DAY, 3, WINDOW)).toBeUndefined();
    expect(mergeCrossing(touches.slice(4), new Set([3]), 4 * DAY, 3, WINDOW)).toBeUndefined();
    expect(mergeCrossing([...before, ...deposits.slice(4), touch('w3', 'c', 'withdrawal', 4 * DAY, 3)], new Set([3]), 4 * DAY, 3, WINDOW)).toHaveLength(64);
  });
});
