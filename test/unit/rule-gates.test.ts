/**
 * A rule whose `require` tries a sequence first is gated (src/engine/gates.ts): a re-examination
 * of a transfer whose sequence failed before, with the account's history unchanged over the
 * sequence's span, is skipped. Skipping must never change what is alerted: the same streams with
 * and without gates give the same alerts, byte for byte, with messages out of order, histories
 * trimmed by tight retention and caps, and merges into hot clusters re-examining transfers.
 */
import { describe, expect, it } from 'vitest';
import { gateOf, MAX_GATED_RULES } from '../../src/engine/gates.js';
import type { CompiledRule } from '../../src/engine/engine.js';
import { Pipeline, type PipelineOptions } from '../../src/pipeline/pipeline.js';
import { servicesScenario } from '../../src/simulate/services.js';
import { outOfOrder } from '../helpers/out-of-order.js';
import { btcAddress, evmAddress, HOUR, label, prng, transfer } from '../../src/simulate/builders.js';
import { ofacLabels, rules, sampleLines } from '../helpers/sample.js';

const RULES = rules();
const LABELS = ofacLabels();
const DAY = 86_400_000;

const compiledRules = (p: Pipeline): CompiledRule[] => (p.engine as unknown as { rules: CompiledRule[] }).rules;

/** Alerts of a replay, with the rules' gates on or off, and how many gated re-examinations were skipped. */
function replay(lines: readonly string[], gates: boolean, options: Partial<PipelineOptions> = {}): { alerts: string[]; skipped: number } {
  const p = new Pipeline({ rules: RULES, labels: LABELS, ...options });
  if (!gates) for (const rule of compiledRules(p)) rule.gate = undefined;
  // Counted around the engine's fire: a gated re-examination that runs no signal is a skip.
  const engine = p.engine as unknown as { fire: (...args: unknown[]) => unknown[] };
  const fire = engine.fire.bind(p.engine);
  let skipped = 0;
  engine.fire = (rule, item, ctx, env, change) => {
    const r = rule as CompiledRule;
    if (change === undefined || r.gate === undefined) return fire(rule, item, ctx, env, change);
    // A rule that runs hands its signals the trigger's environment; a skipped one never does.
    r.lazyState.env = undefined as never;
    const out = fire(rule, item, ctx, env, change);
    if (r.lazyState.env === undefined) skipped++;
    return out;
  };
  const alerts: string[] = [];
  lines.forEach((line, n) => { for (const a of p.process(line, { line: n + 1 }).alerts) alerts.push(JSON.stringify(a)); });
  return { alerts, skipped };
}

describe('rule gates', () => {
  it('gate exactly the shipped rules whose require tries a sequence first', () => {
    const p = new Pipeline({ rules: RULES });
    const gated = compiledRules(p).filter((r) => r.gate !== undefined).map((r) => r.spec.id).sort();
    expect(gated).toEqual(['chain-hop.asset-switch', 'dprk-it-payroll.cadence-forward', 'extortion-payment.receiver-side', 'pass-through.quick-out']);
    // Each gated rule has a bit of its own.
    const bits = compiledRules(p).flatMap((r) => (r.gate ? [r.gate.bit] : []));
    expect(new Set(bits).size).toBe(bits.length);
    for (const r of compiledRules(p)) {
      if (!r.gate) continue;
      const [name, spec] = r.signals[r.gate.index]! && [r.signals[r.gate.index]![0], r.spec.signals[r.signals[r.gate.index]![0]]!];
      expect(spec.op, `${r.spec.id} gate ${name}`).toBe('sequence');
      // A sequence that tells regular pay (receiver-side v13) reads each deposit's payer back over its cadence's window.
      const regular = spec.op === 'sequence' && spec.exceptRegularPay !== undefined ? r.spec.signals[spec.exceptRegularPay] : undefined;
      expect(r.gate.lookback, r.spec.id).toBe(regular?.op === 'cadence' ? Math.max((spec as { within: number }).within, regular.within) : (spec as { within: number }).within);
    }
    expect(compiledRules(p).find((r) => r.spec.id === 'extortion-payment.receiver-side')!.gate!.lookback).toBe(200 * 86_400_000);
  });

  it('takes no gate from a first condition that is not a sequence signal', () => {
    const hop = RULES.find((r) => r.spec.id === 'chain-hop.asset-switch')!.spec.signals;
    const signals = { seq: hop.hop!, fan: hop.laundering! };
    expect(gateOf([{ signal: 'seq' }, { signal: 'fan' }], signals, ['fan', 'seq'], 2)).toEqual({ index: 1, lookback: 72 * 3_600_000, bit: 2 });
    expect(gateOf([{ signal: 'seq' }], signals, ['fan', 'seq'], MAX_GATED_RULES)).toBeUndefined(); // no bit left
    expect(gateOf([{ signal: 'fan' }, { signal: 'seq' }], signals, ['fan', 'seq'], 0)).toBeUndefined();
    expect(gateOf([{ field: 'event.amount', gte: 1 }, { signal: 'seq' }], signals, ['fan', 'seq'], 0)).toBeUndefined();
    expect(gateOf([], signals, ['fan', 'seq'], 0)).toBeUndefined();
  });

  it.each([
    ['in order', [] as number[], {}],
    ['out of order', Array.from({ length: 600 }, (_, i) => (i * 7919) % 6000), {}],
    ['out of order, histories trimmed by tight retention and caps', Array.from({ length: 600 }, (_, i) => (i * 104_729) % 6000), { state: { retention: 20 * DAY, maxHistory: 6 } }],
  ])('alert on the bundled sample as without gates, %s', (_, swaps, options) => {
    const lines = outOfOrder(sampleLines(), swaps);
    const gated = replay(lines, true, options);
    const plain = replay(lines, false, options);
    expect(gated.alerts.length).toBeGreaterThan(100);
    expect(gated.alerts).toEqual(plain.alerts);
    expect(plain.skipped).toBe(0);
  });

  it('alert on a hot-key stream as without gates, skipping most gated re-examinations', () => {
    const scenario = servicesScenario({ seed: 5, customers: 300, services: 12, days: 30, start: Date.UTC(2025, 0, 1), sweeps: true });
    const rand = prng(9);
    const lines = outOfOrder(scenario.events.map((e) => e.line), Array.from({ length: 200 }, () => Math.floor(rand() * scenario.events.length)));
    const gated = replay(lines, true);
    const plain = replay(lines, false);
    expect(gated.alerts).toEqual(plain.alerts);
    expect(gated.skipped).toBeGreaterThan(100);
  });

  it('runs a gated rule again once a late deposit changed the span its sequence read (and alerts as without gates)', () => {
    const rand = prng(3);
    const t0 = Date.UTC(2025, 2, 1);
    const [payee, source] = [evmAddress(rand), btcAddress(rand)];
    const lines = [
      // The withdrawal comes first: with no deposit before it, chain-hop's sequence fails and is noted.
      transfer({ eventId: 'w-1', kind: 'withdrawal', time: t0 + 10 * HOUR, accountId: 'acct-hop', chain: 'ethereum', asset: 'USDT', amount: 9_500, to: payee }, rand),
      // A deposit in another asset, five hours before it, arrives late: now the sequence holds.
      transfer({ eventId: 'd-1', kind: 'deposit', time: t0 + 5 * HOUR, accountId: 'acct-hop', chain: 'bitcoin', asset: 'BTC', amount: 0.1, from: [source], to: btcAddress(rand) }, rand),
      // A label on the payee re-examines the withdrawal: it leads to a mixer.
      label('ethereum', payee, 'mixer', 'Example Mixer', t0 + 12 * HOUR),
    ];
    const gated = replay(lines, true);
    const plain = replay(lines, false);
    expect(plain.alerts.some((a) => (JSON.parse(a) as { ruleId: string }).ruleId === 'chain-hop.asset-switch')).toBe(true);
    expect(gated.alerts).toEqual(plain.alerts);
  });

  it('lets no note of an earlier rule set stand after a reload (its bits name other rules)', () => {
    const p = new Pipeline({ rules: RULES });
    const before = p.state.historyRewrites;
    p.replaceRules(RULES.slice().reverse());
    expect(p.state.historyRewrites).toBeGreaterThan(before);
  });
});
