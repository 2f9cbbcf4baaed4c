/**
 * A withdrawal reported `requested` and then `completed` is one withdrawal: counted twice, two
 * real 9,500 USDT withdrawals read as four near-threshold transfers (structuring) and a
 * withdrawal of 48% of a deposit as 96% (pass-through). QA found both on streams that report
 * both stages.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, HOUR, evmAddress, label, prng, tokenLog, transfer, USDT_ETH } from '../../src/simulate/builders.js';
import { derivedBtc, derivedEvm, derivedTron } from '../../src/simulate/derived.js';

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const T0 = Date.UTC(2025, 5, 2);
const destination = derivedEvm(81, 1);
const account = 'acct-two-stage';

/** A withdrawal reported at request and again at completion `delay` later. */
function twoStages(id: string, time: number, amount: number, rand: ReturnType<typeof prng>, delay = 20 * 60_000, to = destination): string[] {
  const spec = { kind: 'withdrawal' as const, accountId: account, chain: 'ethereum', asset: 'USDT', amount, to };
  return [transfer({ ...spec, eventId: `${id}-req`, time, status: 'requested' }, rand), transfer({ ...spec, eventId: `${id}-done`, time: time + delay, status: 'completed' }, rand)];
}

function run(lines: string[]): { pipeline: Pipeline; alerts: string[] } {
  const pipeline = new Pipeline({ rules });
  const alerts = lines.flatMap((line, i) => pipeline.process(line, { file: 't', line: i + 1 }).alerts).map((a) => a.ruleId);
  return { pipeline, alerts };
}

const withdrawalsHeld = (p: Pipeline): string[] => p.state.history(account).filter((i) => i.type === 'transfer' && i.msg.kind === 'withdrawal').map((i) => i.eventId);

describe('a requested withdrawal and its completion', () => {
  it('are one withdrawal in the history: the completed one stands', () => {
    const rand = prng(1);
    const { pipeline } = run([...twoStages('w1', T0, 9_500, rand), ...twoStages('w2', T0 + DAY, 9_500, rand)]);
    expect(withdrawalsHeld(pipeline)).toEqual(['w1-done', 'w2-done']);
  });

  it('do not make two withdrawals near the threshold look like four (no structuring)', () => {
    const rand = prng(2);
    expect(run([...twoStages('w1', T0, 9_500, rand), ...twoStages('w2', T0 + DAY, 9_500, rand)]).alerts).not.toContain('structuring.just-under');
    // Three real ones still are structuring.
    const three = [...twoStages('w1', T0, 9_500, rand), ...twoStages('w2', T0 + DAY, 9_500, rand), ...twoStages('w3', T0 + 2 * DAY, 9_500, rand)];
    expect(run(three).alerts).toContain('structuring.just-under');
  });

  it('do not make a withdrawal of 48% of a deposit look like 96% (no pass-through)', () => {
    const rand = prng(3);
    const deposit = transfer({ eventId: 'dep', kind: 'deposit', time: T0 - HOUR, accountId: account, chain: 'ethereum', asset: 'USDT', amount: 10_000, from: [derivedEvm(81, 9)], to: derivedEvm(81, 8) }, rand);
    expect(run([deposit, ...twoStages('w1', T0, 4_800, rand)]).alerts).not.toContain('pass-through.quick-out');
  });

  it('stay two when the destination, the amount or the order differ, or the completion comes too late', () => {
    const rand = prng(4);
    const other = twoStages('w1', T0, 9_500, rand, 20 * 60_000, derivedEvm(81, 2));
    const lines = [twoStages('w1', T0, 9_500, rand)[0]!, other[1]!];
    expect(withdrawalsHeld(run(lines).pipeline)).toEqual(['w1-req', 'w1-done']);
    // 100 USDT short on Ethereum is no withdrawal fee (at most 50 there, since session 52): another withdrawal.
    expect(withdrawalsHeld(run([twoStages('w2', T0, 9_500, rand)[0]!, twoStages('w2', T0, 9_400, rand)[1]!]).pipeline)).toHaveLength(2);
    expect(withdrawalsHeld(run(twoStages('w3', T0, 9_500, rand, 8 * DAY)).pipeline)).toHaveLength(2);
  });

  it('settle one request per completion, oldest first', () => {
    const rand = prng(5);
    const a = twoStages('a', T0, 9_500, rand);
    const b = twoStages('b', T0 + HOUR, 9_500, rand);
    expect(withdrawalsHeld(run([a[0]!, b[0]!, a[1]!]).pipeline)).toEqual(['a-done', 'b-req']);
    expect(withdrawalsHeld(run([a[0]!, b[0]!, a[1]!, b[1]!]).pipeline)).toEqual(['a-done', 'b-done']);
  });

  it('alert once: the completion of a request a rule alerted on is that withdrawal, not news (session 43 QA)', () => {
    const rand = prng(6);
    const deposit = transfer({ eventId: 'dep', kind: 'deposit', time: T0 - HOUR, accountId: account, chain: 'ethereum', asset: 'USDT', amount: 10_000, from: [derivedEvm(81, 9)], to: derivedEvm(81, 8) }, rand);
    const [request, completion] = twoStages('w1', T0, 9_800, rand);
    const passThrough = (lines: string[]): string[] => run(lines).alerts.filter((r) => r === 'pass-through.quick-out');
    expect(passThrough([deposit, request!, completion!])).toHaveLength(1);
    // Each stage alone still alerts: the request screened before broadcast, a completion reported alone.
    expect(passThrough([deposit, request!])).toHaveLength(1);
    expect(passThrough([deposit, completion!])).toHaveLength(1);
    // A second, real withdrawal of another deposit is news.
    const again = transfer({ eventId: 'dep2', kind: 'deposit', time: T0 + 2 * DAY, accountId: account, chain: 'ethereum', asset: 'USDT', amount: 10_000, from: [derivedEvm(81, 9)], to: derivedEvm(81, 8) }, rand);
    const [request2, completion2] = twoStages('w2', T0 + 2 * DAY + HOUR, 9_800, rand);
    expect(passThrough([deposit, request!, completion!, again, request2!, completion2!])).toHaveLength(2);
  });

  it("a completion judged again later is still the request's withdrawal, whatever other accounts settled meanwhile (review, session 43)", () => {
    const stream = (withOther: boolean): string[] => {
      const rand = prng(11);
      const [first, swapB, swapC, hot, other] = [evmAddress(rand), evmAddress(rand), evmAddress(rand), evmAddress(rand), evmAddress(rand)];
      const w = (id: string, acct: string, time: number, status: 'requested' | 'completed', to: string): string =>
        transfer({ eventId: id, kind: 'withdrawal', status, time, accountId: acct, chain: 'ethereum', asset: 'USDT', amount: 9_800, to, from: [hot] }, rand);
      const lines = [
        label('ethereum', swapB, 'no-kyc-swap', 'Swap B', T0 - 30 * DAY),
        label('ethereum', swapC, 'no-kyc-swap', 'Swap C', T0 - 30 * DAY),
        w('r1', 'acct-1', T0, 'requested', first),
        tokenLog('ethereum', USDT_ETH, first, swapB, 9_000, T0 + DAY, rand),
        w('x1', 'acct-1', T0 + 6 * DAY, 'completed', first),
      ];
      if (withOther) lines.push(w('r2', 'acct-2', T0 + 6 * DAY + HOUR, 'requested', other), w('x2', 'acct-2', T0 + 6 * DAY + 2 * HOUR, 'completed', other));
      lines.push(tokenLog('ethereum', USDT_ETH, first, swapC, 9_000, T0 + 8 * DAY, rand));
      return lines;
    };
    const alertsOf = (lines: string[]): string[] => {
      const p = new Pipeline({ rules });
      return lines.flatMap((l, i) => p.process(l, { file: 't', line: i + 1 }).alerts).filter((a) => a.subject.accountId === 'acct-1').map((a) => `${a.ruleId} ${a.severity} ${a.eventIds.join(',')}`);
    };
    const alone = alertsOf(stream(false));
    expect(alone.filter((a) => a.startsWith('high-risk-service'))).toHaveLength(1);
    expect(alertsOf(stream(true))).toEqual(alone);
  });
});

/** Where a withdrawal goes: the chain, the asset and a destination on that chain. */
interface Leg { chain: string; asset: string; to: string }
const USDT_ON_ETHEREUM: Leg = { chain: 'ethereum', asset: 'USDT', to: destination };
const USDT_ON_TRON: Leg = { chain: 'tron', asset: 'USDT', to: derivedTron(81, 3) };
const BTC: Leg = { chain: 'bitcoin', asset: 'BTC', to: derivedBtc(81, 4) };

/** One stage of a withdrawal of `amount` on `leg`. */
function stage(eventId: string, status: 'requested' | 'completed', time: number, amount: number, rand: ReturnType<typeof prng>, leg: Leg = USDT_ON_TRON): string {
  return transfer({ eventId, kind: 'withdrawal', status, time, accountId: account, chain: leg.chain, asset: leg.asset, amount, to: leg.to }, rand);
}

/** A withdrawal requested for `requested` and completed 20 minutes later for `completed` (the exchange deducted its fee). */
function feeStages(id: string, time: number, requested: number, completed: number, rand: ReturnType<typeof prng>, leg: Leg = USDT_ON_TRON): string[] {
  return [stage(`${id}-req`, 'requested', time, requested, rand, leg), stage(`${id}-done`, 'completed', time + 20 * 60_000, completed, rand, leg)];
}

describe('a completion that carries its request less a withdrawal fee (session 52)', () => {
  it('settles the request: the completed one stands', () => {
    const rand = prng(21);
    expect(withdrawalsHeld(run(feeStages('t', T0, 9_500, 9_499, rand)).pipeline)).toEqual(['t-done']);
    expect(withdrawalsHeld(run(feeStages('e', T0, 9_500, 9_475.5, rand, USDT_ON_ETHEREUM)).pipeline)).toEqual(['e-done']);
    expect(withdrawalsHeld(run(feeStages('b', T0, 0.5, 0.4998, rand, BTC)).pipeline)).toEqual(['b-done']);
  });

  it('does not make two withdrawals near the threshold look like four (no structuring)', () => {
    const rand = prng(22);
    const two = [...feeStages('w1', T0, 9_500, 9_499, rand), ...feeStages('w2', T0 + DAY, 9_500, 9_499, rand)];
    expect(run(two).alerts).not.toContain('structuring.just-under');
    expect(run([...two, ...feeStages('w3', T0 + 2 * DAY, 9_500, 9_499, rand)]).alerts).toContain('structuring.just-under');
  });

  it('does not make a withdrawal of 48% of a deposit look like 96% (no pass-through)', () => {
    const rand = prng(23);
    const deposit = transfer({ eventId: 'dep', kind: 'deposit', time: T0 - HOUR, accountId: account, chain: 'ethereum', asset: 'USDT', amount: 10_000, from: [derivedEvm(81, 9)], to: derivedEvm(81, 8) }, rand);
    expect(run([deposit, ...feeStages('w1', T0, 4_800, 4_788, rand, USDT_ON_ETHEREUM)]).alerts).not.toContain('pass-through.quick-out');
  });

  it('settles only a fee within the asset and chain cap and a tenth of the request; never a larger completion', () => {
    const rand = prng(24);
    const held = (lines: string[]): number => withdrawalsHeld(run(lines).pipeline).length;
    // USDT on Ethereum: 50 at most; on Tron: 5 at most.
    expect(held(feeStages('a', T0, 9_500, 9_450, rand, USDT_ON_ETHEREUM))).toBe(1);
    expect(held(feeStages('b', T0, 9_500, 9_449.99, rand, USDT_ON_ETHEREUM))).toBe(2);
    expect(held(feeStages('c', T0, 9_500, 9_495, rand))).toBe(1);
    expect(held(feeStages('d', T0, 9_500, 9_494, rand))).toBe(2);
    // BTC: 0.001 at most.
    expect(held(feeStages('e', T0, 0.5, 0.499, rand, BTC))).toBe(1);
    expect(held(feeStages('f', T0, 0.5, 0.49899999, rand, BTC))).toBe(2);
    // A tenth of the request at most: 40 less 4 is a fee, 40 less 4.01 is not.
    expect(held(feeStages('g', T0, 40, 36, rand, USDT_ON_ETHEREUM))).toBe(1);
    expect(held(feeStages('h', T0, 40, 35.99, rand, USDT_ON_ETHEREUM))).toBe(2);
    // More than requested is another withdrawal; so is any shortfall of an asset without a known fee.
    expect(held(feeStages('i', T0, 9_500, 9_500.01, rand))).toBe(2);
    expect(held(feeStages('j', T0, 100, 99.9, rand, { chain: 'ethereum', asset: 'LINK', to: destination }))).toBe(2);
  });

  it('settles the exact amount first, then the smallest fee, then the oldest', () => {
    const rand = prng(25);
    const done = stage('done', 'completed', T0 + 2 * HOUR, 9_499, rand);
    // Exact before a fee, even a newer request.
    expect(withdrawalsHeld(run([stage('old', 'requested', T0, 9_500, rand), stage('exact', 'requested', T0 + HOUR, 9_499, rand), done]).pipeline)).toEqual(['old', 'done']);
    // The smallest fee before the oldest.
    expect(withdrawalsHeld(run([stage('old', 'requested', T0, 9_503, rand), stage('near', 'requested', T0 + HOUR, 9_500, rand), done]).pipeline)).toEqual(['old', 'done']);
    // The oldest of equal fees.
    expect(withdrawalsHeld(run([stage('old', 'requested', T0, 9_500, rand), stage('new', 'requested', T0 + HOUR, 9_500, rand), done]).pipeline)).toEqual(['new', 'done']);
  });

  it('makes the same choice whatever order the requests were read in', () => {
    const rand = prng(26);
    const done = stage('done', 'completed', T0 + 2 * HOUR, 9_499, rand);
    const settledOf = (lines: string[]): string[] => withdrawalsHeld(run(lines).pipeline);
    const older = stage('older', 'requested', T0, 9_500, rand);
    const newer = stage('newer', 'requested', T0 + HOUR, 9_500, rand);
    expect(settledOf([newer, older, done])).toEqual(settledOf([older, newer, done]));
    // Two requests at one instant: the smaller event id, whichever was read first.
    const x = stage('x', 'requested', T0, 9_500, rand);
    const y = stage('y', 'requested', T0, 9_500, rand);
    expect(settledOf([x, y, done])).toEqual(['y', 'done']);
    expect(settledOf([y, x, done])).toEqual(['y', 'done']);
    const exact = stage('exact', 'completed', T0 + 2 * HOUR, 9_500, rand);
    expect(settledOf([x, y, exact])).toEqual(['y', 'exact']);
    expect(settledOf([y, x, exact])).toEqual(['y', 'exact']);
  });

  it('settles the request when the completion is read before it, with or without a fee (session 52 review; before, both counted)', () => {
    const rand = prng(27);
    const [request, completion] = feeStages('f', T0, 9_500, 9_499, rand);
    const [exactRequest, exactCompletion] = feeStages('x', T0, 9_500, 9_500, rand);
    expect(withdrawalsHeld(run([exactCompletion!, exactRequest!]).pipeline)).toEqual(['x-done']);
    expect(withdrawalsHeld(run([completion!, request!]).pipeline)).toEqual(['f-done']);
  });
});
