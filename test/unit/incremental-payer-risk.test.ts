/**
 * `payer-risk` judges each named account by what its history within the window shows, and by
 * whether another account used one of its devices. It must give exactly what a plain scan gives
 * (scanningPayerRisk in test/helpers/scanning-signals.ts) for any trigger: random streams of
 * logins and transfers on shared devices, VPN sessions, session countries against KYC countries
 * (in any letter case, and KYC records that come and go, some of a business account, whose
 * payments the individual payers' medians leave out), salary-sized deposits from repeated
 * senders, young and old accounts, events expiring from the window, out-of-order arrival, and a
 * checkpoint round-trip.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { LinkIndex } from '../../src/engine/link-index.js';
import { Decimal } from '../../src/money/decimal.js';
import { signalSchema, type SignalSpec } from '../../src/engine/rule-schema.js';
import { compileSignal, type Env, type Signal, type SignalResult } from '../../src/engine/signals.js';
import type { HistoryItem } from '../../src/engine/state.js';
import type { TransferEvent } from '../../src/decode/events.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, evmAddress, HOUR, iso, login, prng, transfer } from '../../src/simulate/builders.js';
import { FIXED_TIME, removeTempDirs, tempDir } from '../helpers/checkpoint.js';
import { rules } from '../helpers/sample.js';
import { scanningPayerRisk } from '../helpers/scanning-signals.js';
import { outOfOrder } from '../helpers/out-of-order.js';

afterAll(removeTempDirs);

const T0 = Date.parse('2025-01-01T00:00:00Z');
const RULES = rules();
const ACCOUNTS = ['acct-0', 'acct-1', 'acct-2', 'acct-3'];

const spec = (raw: unknown): SignalSpec => signalSchema.parse(raw);
const SPECS: SignalSpec[] = [
  spec({ op: 'payer-risk', accounts: 'signals.fan.accountIds', valueOf: 'signals.fan.eventIds', within: '30d', minShare: '40%', pass: { gte: 2 } }),
  spec({ op: 'payer-risk', accounts: 'signals.fan.accountIds', within: '3d', minFactors: 1, youngWithin: '20d', minShare: '25%', pass: { gte: 1 } }),
  spec({ op: 'payer-risk', accounts: 'signals.fan.accountIds', within: '12h', factors: ['shared-device', 'vpn'], minFactors: 1, minShare: '10%', pass: { gte: 1 } }),
];

interface Step {
  gap: number;
  kind: 'login' | 'deposit' | 'withdrawal';
  account: number;
  device: number;
  vpn: boolean;
  country: number;
  kyc: number;
  sender: number;
  amount: number;
}

const step: fc.Arbitrary<Step> = fc.record({
  gap: fc.constantFrom(0, 0, HOUR, 6 * HOUR, DAY, 2 * DAY, 5 * DAY, 20 * DAY),
  kind: fc.constantFrom('login', 'deposit', 'deposit', 'withdrawal'),
  account: fc.integer({ min: 0, max: 3 }),
  device: fc.integer({ min: 0, max: 4 }), // 3 and 4: no device id
  vpn: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  country: fc.integer({ min: 0, max: 2 }),
  kyc: fc.integer({ min: 0, max: 4 }), // 4: no KYC record on the transfer
  sender: fc.integer({ min: 0, max: 2 }),
  amount: fc.constantFrom(100, 2_000, 3_000, 30_000),
});

const COUNTRIES = ['US', 'us', 'KP'];
// The last a business account's: one account's records may say individual, then business, in turn.
const KYC = [
  { type: 'individual', kycCountry: 'US', createdAt: iso(T0 - 400 * DAY) }, { type: 'individual', kycCountry: 'KP', createdAt: iso(T0 + 10 * DAY) },
  { type: 'individual', kycCountry: 'us', createdAt: iso(T0) }, { type: 'business', kycCountry: 'US', createdAt: iso(T0 - 400 * DAY) },
] as const;

function messages(steps: Step[], swaps: number[]): string[] {
  const rand = prng(5);
  const senders = Array.from({ length: 3 }, () => evmAddress(rand));
  let time = T0;
  const lines = steps.map((s, i) => {
    time += s.gap;
    const accountId = ACCOUNTS[s.account]!;
    const session = { ip: `10.0.0.${s.device}`, ipCountry: COUNTRIES[s.country]!, vpn: s.vpn, ...(s.device < 3 ? { deviceId: `dev-${s.device}` } : {}) };
    if (s.kind === 'login') return login(`login-${i}`, time, accountId, session);
    const customer = s.kyc < KYC.length ? KYC[s.kyc]! : undefined;
    const from = s.kind === 'deposit' ? [senders[s.sender]!] : undefined;
    return transfer({ eventId: `ev-${i}`, kind: s.kind, time, accountId, chain: 'ethereum', asset: 'USDT', amount: s.amount, ...(from ? { from } : {}), to: evmAddress(rand), session, ...(customer ? { customer } : {}) }, rand);
  });
  return outOfOrder(lines, swaps);
}

function triggers(p: Pipeline): TransferEvent[] {
  const { accounts } = p.state.checkpointParts();
  const out: TransferEvent[] = [];
  for (const [, list] of accounts.entries()) for (const item of list as HistoryItem[]) if (item.type === 'transfer') out.push(item);
  return out;
}

/**
 * Every account (and one the state never saw) named, with every retained transfer as evidence
 * (or `evidence`: ids the state may have let go of). With `cluster`, the fan-in names a cluster,
 * and judgements of it reuse what the last one read (payer-risk's cluster memo).
 */
function envOf(p: Pipeline, trigger: TransferEvent, asOf = trigger.time, cluster?: string, evidence?: string[]): Env {
  const fan = { accountIds: [...ACCOUNTS, 'ghost'], eventIds: evidence ?? triggers(p).map((t) => t.eventId), ...(cluster ? { cluster } : {}) };
  return { trigger, ctx: { signals: { fan } }, graph: p.graph, state: p.state, asOf };
}

/** The transfer ids of the first `n` messages of a stream: evidence the state may have let go of since. */
function transferIdsUpTo(steps: Step[], n: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i <= n && i < steps.length; i++) if (steps[i]!.kind !== 'login') ids.push(`ev-${i}`);
  return ids;
}

/**
 * What a result states, without the engine's hint that its facts have getters (`lazyFacts`: the
 * USD figures are made on first read, which the scan's plain values are compared with).
 */
function shown(r: SignalResult): Omit<SignalResult, 'lazyFacts'> {
  const { lazyFacts: _hint, ...rest } = r;
  return rest;
}

/**
 * Each spec compiled three times: judging a fan-in that names no cluster, one that names one (its
 * judgements then share a memo), and one that names two clusters in turn over the same payers
 * (two memos hold scans of one account, made for different windows).
 */
const CLUSTERS = [undefined, 'cl-test', 'alternating'] as const;

/** The cluster a judgement names: `alternating` gives two names in turn (each compiled signal counts its own calls). */
function clusterFor(mode: (typeof CLUSTERS)[number], calls: { n: number }): string | undefined {
  if (mode !== 'alternating') return mode;
  return calls.n++ % 2 === 0 ? 'cl-even' : 'cl-odd';
}

describe('payer-risk equals the scan it replaces', () => {
  it('for every retained transfer as trigger (and judged later than it), after every message, whatever the arrival order', () => {
    const held = new Map<number, number>();
    // Judgements with a business payer, and those whose individual payers' median differs from all payers'.
    const business = { named: 0, apart: 0 };
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(200), { maxLength: 10 }), (steps, swaps) => {
      // A fresh signal per stream: the memos live in the compiled signal.
      const compiled = SPECS.flatMap((s, k) => CLUSTERS.map((mode) => ({ k, mode, calls: { n: 0 }, fast: compileSignal(s), slow: scanningPayerRisk(s as never) as Signal })));
      const p = new Pipeline({ rules: RULES });
      messages(steps, swaps).forEach((line, n) => {
        p.process(line, { line: n + 1 });
        for (const trigger of triggers(p)) {
          for (const asOf of [trigger.time, trigger.time + 2 * DAY]) {
            compiled.forEach(({ k, mode, calls, fast, slow }) => {
              const expected = slow(envOf(p, trigger, asOf));
              const cluster = clusterFor(mode, calls);
              expect(shown(fast(envOf(p, trigger, asOf, cluster))), `spec ${k} (cluster ${cluster}) at ${trigger.eventId}`).toEqual(expected);
              if (expected.ok) held.set(k, (held.get(k) ?? 0) + 1);
              if ((expected.facts.businessPayers as number) > 0) business.named++;
              if (expected.facts.individualMedianUsd !== undefined && String(expected.facts.individualMedianUsd) !== String(expected.facts.medianUsd)) business.apart++;
            });
          }
        }
      });
    }), { numRuns: 100 });
    // Not vacuous: every spec held somewhere.
    SPECS.forEach((_, k) => expect(held.get(k) ?? 0, `spec ${k}`).toBeGreaterThan(0));
    expect(business.named).toBeGreaterThan(0);
    expect(business.apart).toBeGreaterThan(0);
  });

  // Tight bounds as well: histories trimmed by retention and length, device links swept and capped.
  it.each([
    ['the rules\' bounds', {}],
    ['tight bounds', { retention: 10 * DAY, linkRetention: 3 * DAY, maxSightings: 2, maxHistory: 6 }],
  ])('judges one window again after every message as a plain scan does (kept scans dropped when an account or a device it used changes), %s', (_, bounds) => {
    // One compiled signal per (spec, window end): each judges the very same window after every
    // message, so its kept scans meet every change that must drop them (new items, trims,
    // another account on a shared device), not only a window that moved.
    const ends = [0, 1, 3, 6, 10, 20, 40, 80].map((d) => T0 + d * DAY);
    const hits = { held: 0 };
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(200), { maxLength: 10 }), (steps, swaps) => {
      const compiled = SPECS.flatMap((s) => ends.flatMap((end) => CLUSTERS.map((mode) => ({ end, mode, calls: { n: 0 }, fast: compileSignal(s), slow: scanningPayerRisk(s as never) as Signal }))));
      const p = new Pipeline({ rules: RULES, state: bounds });
      messages(steps, swaps).forEach((line, n) => {
        p.process(line, { line: n + 1 });
        const trigger = triggers(p)[0];
        if (!trigger) return;
        // Every transfer so far as evidence, expired ones too: a cluster memo must notice the state let go of one.
        const evidence = transferIdsUpTo(steps, n);
        compiled.forEach(({ end, mode, calls, fast, slow }, k) => {
          const cluster = clusterFor(mode, calls);
          const asOf = Math.max(end, trigger.time);
          const expected = slow(envOf(p, trigger, asOf, undefined, evidence));
          expect(shown(fast(envOf(p, trigger, asOf, cluster, evidence))), `signal ${k} (cluster ${cluster}) after message ${n}`).toEqual(expected);
          if (expected.ok) hits.held++;
        });
      });
    }), { numRuns: 150 });
    expect(hits.held).toBeGreaterThan(0);
  });

  it('judges windows that end earlier after ones that end later (a kept scan extended for a later window, reused for an earlier one)', () => {
    const hits = { held: 0 };
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(200), { maxLength: 10 }), (steps, swaps) => {
      const compiled = SPECS.flatMap((s) => CLUSTERS.map((mode) => ({ mode, calls: { n: 0 }, fast: compileSignal(s), slow: scanningPayerRisk(s as never) as Signal })));
      const p = new Pipeline({ rules: RULES });
      let newest = T0;
      messages(steps, swaps).forEach((line, n) => {
        const r = p.process(line, { line: n + 1 });
        if (r.event && r.event.time > newest) newest = r.event.time;
        const trigger = triggers(p)[0];
        if (!trigger) return;
        for (const back of [0, 25 * DAY, 2 * DAY, 0, 11 * DAY]) {
          const asOf = Math.max(trigger.time, newest - back);
          compiled.forEach(({ mode, calls, fast, slow }, k) => {
            const cluster = clusterFor(mode, calls);
            const expected = slow(envOf(p, trigger, asOf));
            expect(shown(fast(envOf(p, trigger, asOf, cluster))), `signal ${k} (cluster ${cluster}) after message ${n}, ${back / DAY} days back`).toEqual(expected);
            if (expected.ok) hits.held++;
          });
        }
      });
    }), { numRuns: 150 });
    expect(hits.held).toBeGreaterThan(0);
  });

  it('does not take a scan extended for a later window, whose fold let go of the devices before it, for an earlier window that holds one', () => {
    // acct-0 deposits from dev-X on day 0, which acct-1 logs in from an hour later, then from dev-Y on days 5 and 6.
    const rand = prng(9);
    const session = (device: string) => ({ ip: '10.0.0.9', ipCountry: 'US', vpn: false, deviceId: device });
    const deposit = (eventId: string, time: number, device: string): string => transfer({ eventId, kind: 'deposit', time, accountId: 'acct-0', chain: 'ethereum', asset: 'USDT', amount: 100, from: [evmAddress(rand)], to: evmAddress(rand), session: session(device) }, rand);
    const lines = [deposit('ev-x', T0, 'dev-X'), login('x-1', T0 + HOUR, 'acct-1', session('dev-X')), deposit('ev-y', T0 + 5 * DAY, 'dev-Y')];
    const shared = spec({ op: 'payer-risk', accounts: 'signals.fan.accountIds', within: '10d', factors: ['shared-device'], minFactors: 1, minShare: '10%', pass: { gte: 1 } });
    const fast = compileSignal(shared);
    const slow = scanningPayerRisk(shared as never) as Signal;
    const p = new Pipeline({ rules: RULES });
    lines.forEach((line, n) => p.process(line, { line: n + 1 }));
    const trigger = triggers(p)[0]!;
    const judged = (asOf: number): void => expect(shown(fast(envOf(p, trigger, asOf, 'cl-test'))), `as of day ${(asOf - T0) / DAY}`).toEqual(slow(envOf(p, trigger, asOf)));
    judged(T0 + 5 * DAY); // dev-X in the window: acct-0 (and acct-1) risky
    p.process(deposit('ev-y6', T0 + 6 * DAY, 'dev-Y'), { line: 4 });
    judged(T0 + 12 * DAY); // extended over day 6 for a window from day 2: dev-X left behind
    judged(T0 + 7 * DAY); // a window from day -3 again holds dev-X
    expect(slow(envOf(p, trigger, T0 + 7 * DAY)).facts.riskyAccountIds).toContain('acct-0');
  });

  it('gives after a checkpoint round-trip what it gives without one', async () => {
    const judged = (p: Pipeline, signals: Signal[]): unknown[] => triggers(p).map((t) => signals.map((s) => s(envOf(p, t))));
    const streams = fc.sample(fc.tuple(fc.array(step, { minLength: 20, maxLength: 40 }), fc.array(fc.nat(200), { maxLength: 10 })), { seed: 3, numRuns: 4 });
    for (const [i, [steps, swaps]] of streams.entries()) {
      const lines = messages(steps, swaps);
      const cut = Math.floor(lines.length / 2);
      const build = (): Pipeline => new Pipeline({ rules: RULES, labels: [] });
      const straight = build();
      const [a, b] = [SPECS.map((s) => compileSignal(s)), SPECS.map((s) => compileSignal(s))];
      lines.slice(0, cut).forEach((line, n) => { straight.process(line, { line: n + 1 }); judged(straight, a); });
      const dir = tempDir(`tw-payer-risk-${i}-`);
      await saveCheckpoint(dir, straight, { rules: RULES, positions: { line: cut }, createdAt: FIXED_TIME });
      const restored = (await loadNewestValid(dir, { build, rules: RULES }))!.pipeline;
      expect(judged(restored, b)).toEqual(judged(straight, a));
      lines.slice(cut).forEach((line, n) => {
        straight.process(line, { line: cut + n + 1 });
        restored.process(line, { line: cut + n + 1 });
        expect(judged(restored, b)).toEqual(judged(straight, a));
      });
    }
  });
});

describe('LinkIndex.anotherWithin', () => {
  it('says what within(...).some(another account) says, for sightings in any order', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ value: fc.integer({ min: 0, max: 2 }), account: fc.integer({ min: 0, max: 5 }), time: fc.integer({ min: 0, max: 100 }) }), { maxLength: 60 }),
      fc.array(fc.record({ value: fc.integer({ min: 0, max: 3 }), account: fc.integer({ min: 0, max: 6 }), from: fc.integer({ min: -5, max: 105 }), span: fc.integer({ min: 0, max: 60 }) }), { minLength: 1, maxLength: 20 }),
      fc.constantFrom(2, 4, 256),
      (sightings, queries, maxAccounts) => {
        const index = new LinkIndex(maxAccounts, (last) => last < 10);
        sightings.forEach((s, n) => index.sight(`v${s.value}`, `a${s.account}`, s.time, `e${n}`));
        for (const q of queries) {
          const [value, account, from, to] = [`v${q.value}`, `a${q.account}`, q.from, q.from + q.span];
          expect(index.anotherWithin(value, account, from, to), JSON.stringify(q)).toBe(index.within(value, from, to).some((s) => s.accountId !== account));
        }
      },
    ), { numRuns: 300 });
  });
});

describe("payer-risk's USD figures (medians, total, median payment)", () => {
  /** Each account withdraws once (2,000 USDT), an hour apart: a judgement then adds no sums of its own. */
  const withdrawals = (n: number): Step[] => Array.from({ length: n }, (_, i) => ({ gap: HOUR, kind: 'withdrawal' as const, account: i % ACCOUNTS.length, device: 3, vpn: false, country: 0, kyc: 0, sender: 0, amount: 2_000 }));

  it('are made when a condition or an alert first reads one, not by every judgement (dprk-consolidation fails most on implicated first)', () => {
    const p = new Pipeline({ rules: RULES });
    messages(withdrawals(4), []).forEach((line, n) => p.process(line, { line: n + 1 }));
    const trigger = triggers(p).at(-1)!;
    const plus = vi.spyOn(Decimal.prototype, 'plus');
    try {
      const r = compileSignal(SPECS[0]!)(envOf(p, trigger, trigger.time, 'cl-test'));
      expect(r.facts.implicated).toBe(4);
      expect(plus).not.toHaveBeenCalled();
      // Four sums of 2,000: the median adds the middle two, the total all four.
      expect((r.facts.totalUsd as Decimal).toNumber()).toBe(8_000);
      expect((r.facts.medianUsd as Decimal).toNumber()).toBe(2_000);
      expect(plus).toHaveBeenCalled();
    } finally {
      plus.mockRestore();
    }
  });

  it('are each made on their own first read: a condition that reads the median alone does not pay for the total', () => {
    const p = new Pipeline({ rules: RULES });
    messages(withdrawals(4), []).forEach((line, n) => p.process(line, { line: n + 1 }));
    const trigger = triggers(p).at(-1)!;
    const r = compileSignal(SPECS[0]!)(envOf(p, trigger, trigger.time, 'cl-test'));
    const plus = vi.spyOn(Decimal.prototype, 'plus');
    try {
      // Four sums of 2,000: the median adds the middle two (two additions from zero), nothing more.
      expect((r.facts.medianUsd as Decimal).toNumber()).toBe(2_000);
      expect(plus).toHaveBeenCalledTimes(2);
      // One payment each: the median payment is the median itself, and no payer is a business.
      expect((r.facts.medianPaymentUsd as Decimal).toNumber()).toBe(2_000);
      expect((r.facts.individualMedianUsd as Decimal).toNumber()).toBe(2_000);
      expect((r.facts.individualMedianPaymentUsd as Decimal).toNumber()).toBe(2_000);
      expect(plus).toHaveBeenCalledTimes(2);
      // The total adds all four, once: a second read makes nothing again.
      expect((r.facts.totalUsd as Decimal).toNumber()).toBe(8_000);
      expect((r.facts.totalUsd as Decimal).toNumber()).toBe(8_000);
      expect(plus).toHaveBeenCalledTimes(6);
    } finally {
      plus.mockRestore();
    }
  });

  it('read after later judgements of the same cluster are those of their own judgement', () => {
    const p = new Pipeline({ rules: RULES });
    const lines = messages([...withdrawals(4), ...withdrawals(4).map((s) => ({ ...s, amount: 30_000 }))], []);
    const fast = compileSignal(SPECS[0]!);
    const slow = scanningPayerRisk(SPECS[0] as never) as Signal;
    lines.slice(0, 4).forEach((line, n) => p.process(line, { line: n + 1 }));
    const first = triggers(p).at(-1)!;
    const unread = fast(envOf(p, first, first.time, 'cl-test'));
    const expected = slow(envOf(p, first));
    lines.slice(4).forEach((line, n) => p.process(line, { line: n + 5 }));
    const last = triggers(p).at(-1)!;
    // The cluster's next judgement reads the first's memo (its evidence columns) and changes nothing of it.
    expect(shown(fast(envOf(p, last, last.time, 'cl-test')))).toEqual(slow(envOf(p, last)));
    expect(shown(unread)).toEqual(expected);
  });
});
