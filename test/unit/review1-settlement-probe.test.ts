/**
 * Review probes (session 52 review1) for the fee-deducting settlement (fe2ee25). These documented
 * what HEAD did; an `it.fails` was a finding (the behaviour asserted is the right one and HEAD
 * did not give it). Session 53: the mis-pairing in event order is fixed (pairCompletions), the
 * two findings pass and the probes that asserted the mis-pair assert the pairing now.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, HOUR, prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const T0 = Date.UTC(2025, 5, 2);
const account = 'acct-probe';
const to = derivedEvm(82, 1);

function stage(eventId: string, status: 'requested' | 'completed', time: number, amount: number, rand: ReturnType<typeof prng>, asset = 'USDT'): string {
  return transfer({ eventId, kind: 'withdrawal', status, time, accountId: account, chain: 'ethereum', asset, amount, to }, rand);
}

function run(lines: string[]): { held: string[]; alerts: string[] } {
  const pipeline = new Pipeline({ rules });
  const alerts = lines.flatMap((line, i) => pipeline.process(line, { file: 't', line: i + 1 }).alerts).map((a) => a.ruleId);
  const held = pipeline.state.history(account).filter((i) => i.type === 'transfer' && i.msg.kind === 'withdrawal').map((i) => i.eventId);
  return { held, alerts };
}

describe('review probe: two withdrawals with one 30 USDT fee on Ethereum, in event order', () => {
  // 9,500 and 9,475 requested; completed in request order, each 30 short (one fee, within the 50 cap).
  // The first completion (9,470) is 5 short of the second request and 30 of the first: "smallest fee"
  // takes the second request; the second completion (9,445) is then 55 short of the first, and until
  // session 53 settled nothing. Now the first completion moves to the first request for it.
  const lines = (rand: ReturnType<typeof prng>): string[] => [
    stage('r1', 'requested', T0, 9_500, rand), stage('r2', 'requested', T0 + HOUR, 9_475, rand),
    stage('c1', 'completed', T0 + 2 * HOUR, 9_470, rand), stage('c2', 'completed', T0 + 3 * HOUR, 9_445, rand),
  ];
  it('are two withdrawals in the history (before session 53: three, r1 left unsettled)', () => {
    expect(run(lines(prng(1))).held).toHaveLength(2);
  });
  it('holds c1 and c2: c1 settles r1 and c2 r2 (before session 53: r1, c1 and c2)', () => {
    const pipeline = new Pipeline({ rules });
    lines(prng(1)).forEach((line, i) => pipeline.process(line, { file: 't', line: i + 1 }));
    const settled = pipeline.state.history(account).map((i) => `${i.eventId}<-${i.type === 'transfer' ? i.settles?.eventId : ''}`);
    expect(settled).toEqual(['c1<-r1', 'c2<-r2']);
  });
  it('with one more real withdrawal a day later, three real ones are three (before session 53: four, the mis-pair)', () => {
    const rand = prng(2);
    const more = [...lines(rand), stage('r3', 'requested', T0 + DAY, 9_490, rand), stage('c3', 'completed', T0 + DAY + HOUR, 9_460, rand)];
    expect(run(more).held).toEqual(['c1', 'c2', 'c3']);
  });
  it('two real near-threshold withdrawals are not structuring (before session 53: read as three, structuring.just-under)', () => {
    expect(run(lines(prng(3))).alerts).not.toContain('structuring.just-under');
  });
});

describe('review probe: the asset spelt in lower case', () => {
  it('a lower-case USDT completion 30 short settles its lower-case request (maxWithdrawalFee upper-cases)', () => {
    const rand = prng(4);
    expect(run([stage('r', 'requested', T0, 9_500, rand, 'usdt'), stage('c', 'completed', T0 + HOUR, 9_470, rand, 'usdt')]).held).toEqual(['c']);
  });
  it('a request in lower case and its completion in upper case stay two (asset compared case-sensitively, as before session 52)', () => {
    const rand = prng(5);
    expect(run([stage('r', 'requested', T0, 9_500, rand, 'usdt'), stage('c', 'completed', T0 + HOUR, 9_500, rand, 'USDT')]).held).toEqual(['r', 'c']);
  });
});
