/**
 * The clean-judgement mark (src/engine/clean-judgement-mark.ts): a rule that needs a fan-in's
 * payers implicated skips a judgement that an earlier one, over a superset of its payers and
 * evidence as of the same time, already found too few in. On seeded random streams of payers
 * (clean or risky, small or salary-sized payments) sweeping into a few consolidation wallets,
 * with sweeps hours or days after the payments, the alerts with the mark equal those of the same
 * rule without it (the same condition written so the mark does not recognise it), and the mark
 * skips judgements.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contract/schemas.js';
import type { LoadedRule } from '../../src/engine/loader.js';
import { implicatedNeedOf } from '../../src/engine/clean-judgement-mark.js';
import type { Condition } from '../../src/engine/rule-schema.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, evmAddress, HOUR, login, prng, tokenLog, transfer, USDT_ETH } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';

const T0 = Date.parse('2025-03-01T00:00:00Z');
const RULES = rules();
const CONSOLIDATION = 'dprk-consolidation.fan-in';

/** The same rules, the consolidation rule's `implicated` bound wrapped in `all` (the same verdict; no mark). */
function unmarkedRules(): LoadedRule[] {
  return RULES.map((r) => {
    if (r.spec.id !== CONSOLIDATION) return r;
    const require = r.spec.require.map((c): Condition => ('field' in c && c.field.endsWith('.implicated') ? { all: [c] } : c));
    return { ...r, spec: { ...r.spec, require } };
  });
}

/** A stream of `accounts` payers withdrawing to fresh addresses that `wallets` consolidation wallets sweep. */
function stream(seed: number): string[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const accounts = 4 + Math.floor(rand() * 8);
  // Clean streams, where most judgements implicate nobody, and risky ones that alert.
  const riskyShare = pick([0, 0.15, 0.5]);
  const salaryShare = pick([0, 0.05, 0.3]);
  const wallets = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => evmAddress(rand));
  const out: { time: number; line: string }[] = [];
  let n = 0;
  const id = (): string => `ev-mark-${seed}-${n++}`;
  for (let a = 0; a < accounts; a++) {
    const acct = `acct-mark-${a}`;
    const risky = rand() < riskyShare;
    // A risky payer: a VPN or a session abroad, and most often a young account (two kinds of risk).
    const vpn = risky && rand() < 0.5;
    const session = { ip: `10.1.${seed & 255}.${a}`, ipCountry: risky && !vpn ? 'MX' : 'US', vpn, deviceId: `dev-${seed}-${a}` };
    const customer = { type: 'individual' as const, kycCountry: 'US', createdAt: new Date(T0 - (rand() < (risky ? 0.7 : 0.1) ? 20 : 400) * DAY).toISOString() };
    const depositAt = T0 + rand() * 2 * DAY;
    out.push({ time: depositAt, line: transfer({ eventId: id(), kind: 'deposit', time: depositAt, accountId: acct, chain: 'ethereum', asset: 'USDT', amount: 20_000, from: [evmAddress(rand)], to: evmAddress(rand), customer }, rand) });
    for (let l = 0; l < 3; l++) {
      const t = T0 + rand() * 40 * DAY;
      out.push({ time: t, line: login(id(), t, acct, session) });
    }
    const payments = 1 + Math.floor(rand() * 4);
    for (let p = 0; p < payments; p++) {
      const t = depositAt + HOUR + rand() * 35 * DAY;
      const to = evmAddress(rand);
      const amount = rand() < salaryShare ? pick([1_600, 3_200]) : pick([60, 400, 900]);
      out.push({ time: t, line: transfer({ eventId: id(), kind: 'withdrawal', time: t, accountId: acct, chain: 'ethereum', asset: 'USDT', amount, to, session, customer }, rand) });
      const sweepAt = t + pick([0.2, 2, 11, 30, 80]) * HOUR;
      out.push({ time: sweepAt, line: tokenLog('ethereum', USDT_ETH, to, pick(wallets), amount * 0.999, sweepAt, rand) });
    }
  }
  return out.sort((x, y) => x.time - y.time).map((e) => e.line);
}

function replay(lines: readonly string[], loaded: LoadedRule[]): { alerts: Alert[]; skips: number; reevaluations: number } {
  const pipeline = new Pipeline({ rules: loaded });
  const alerts = lines.flatMap((line, i) => pipeline.process(line, { file: 'mark', line: i + 1 }).alerts);
  return { alerts, skips: pipeline.engine.cleanJudgementSkips, reevaluations: pipeline.stats.reevaluations };
}

describe('clean-judgement mark', () => {
  it('recognises the consolidation rule and no rule without a payer-risk over a fan-in', () => {
    const marked = RULES.filter((r) => implicatedNeedOf(r.spec, Object.keys(r.spec.signals)) !== undefined).map((r) => r.spec.id);
    expect(marked).toEqual([CONSOLIDATION]);
    expect(unmarkedRules().every((r) => implicatedNeedOf(r.spec, Object.keys(r.spec.signals)) === undefined)).toBe(true);
  });

  it('gives the alerts of the rule without it, and skips judgements, on seeded random streams', () => {
    const unmarked = unmarkedRules();
    let skips = 0;
    let consolidationAlerts = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const lines = stream(seed);
      const withMark = replay(lines, RULES);
      const without = replay(lines, unmarked);
      expect(JSON.stringify(withMark.alerts), `seed ${seed}`).toBe(JSON.stringify(without.alerts));
      expect(withMark.reevaluations).toBe(without.reevaluations);
      expect(without.skips).toBe(0);
      skips += withMark.skips;
      consolidationAlerts += withMark.alerts.filter((a) => a.ruleId === CONSOLIDATION).length;
    }
    // The streams exercise both sides: judgements skipped, and consolidation alerts raised.
    expect(skips).toBeGreaterThan(20);
    expect(consolidationAlerts).toBeGreaterThan(2);
  });
});

