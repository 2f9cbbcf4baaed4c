/**
 * A counterparty an account keeps dealing with stays known as its own after the first dealings
 * have left the history's retention (src/engine/dealt-since.ts). Session 31's QA: a customer on
 * Astrill from CN paid a wallet three times in October, then, from January, was paid a salary
 * by a payroll platform each month and sent it on to that same wallet. `cadence-forward` counts a
 * T6 session only toward a destination the account did not use before the salaries began, yet
 * from late May (October then older than the 203-day retention) it raised a high alert.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contract/schemas.js';
import { DEALT_SINCE_SCAN } from '../../src/engine/dealt-since.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { saveCheckpoint, loadNewestValid } from '../../src/checkpoint/index.js';
import { DAY, HOUR, label, login, prng, transfer } from '../../src/simulate/builders.js';
import { emptyPipeline, removeTempDirs, tempDir } from '../helpers/checkpoint.js';
import { rules } from '../helpers/sample.js';

const PLATFORM = '0x1111111111111111111111111111111111111111';
const WALLET = '0x2222222222222222222222222222222222222222';
const DEPOSIT_ADDRESS = '0x3333333333333333333333333333333333333333';
const ACCOUNT = 'acct-cn1';
const session = { ip: '36.1.2.3', ipCountry: 'CN', vpn: true, vpnProvider: 'Astrill VPN', deviceId: 'dev-1' };
const customer = { type: 'individual' as const, kycCountry: 'CN', createdAt: '2024-06-01T00:00:00Z' };
const OCT = Date.UTC(2024, 9, 7);
const JAN = Date.UTC(2025, 0, 27, 16);

/**
 * The QA's stream: three payments to `early` in October (each after a small deposit), a login a
 * month, then `months` salaries from the labelled platform, each sent on 6 h later to `forward`.
 */
function stream(months: number, early: string, forward: string): string[] {
  const rand = prng(31);
  const lines: { time: number; line: string }[] = [];
  const add = (time: number, line: string): void => { lines.push({ time, line }); };
  add(OCT - 30 * DAY, label('ethereum', PLATFORM, 'payroll-platform', 'PayStream', OCT - 30 * DAY));
  for (let i = 0; i < 3; i++) {
    const t = OCT + i * 5 * DAY;
    add(t, transfer({ eventId: `oct-d${i}`, kind: 'deposit', time: t, accountId: ACCOUNT, chain: 'ethereum', asset: 'USDC', amount: 1500, from: [`0x55555555555555555555555555555555555555${i}0`], to: DEPOSIT_ADDRESS, customer }, rand));
    add(t + 2 * DAY, transfer({ eventId: `oct-w${i}`, kind: 'withdrawal', time: t + 2 * DAY, accountId: ACCOUNT, chain: 'ethereum', asset: 'USDC', amount: 1400, to: early, session, customer }, rand));
  }
  for (let m = 0; m < months + 2; m++) add(Date.UTC(2024, 10 + m, 1, 9), login(`login-${m}`, Date.UTC(2024, 10 + m, 1, 9), ACCOUNT, session));
  for (let m = 0; m < months; m++) {
    const t = Date.UTC(2025, m, 27, 16);
    add(t, transfer({ eventId: `pay-${m}`, kind: 'deposit', time: t, accountId: ACCOUNT, chain: 'ethereum', asset: 'USDC', amount: 8500, from: [PLATFORM], to: DEPOSIT_ADDRESS, customer }, rand));
    add(t + 6 * HOUR, transfer({ eventId: `fwd-${m}`, kind: 'withdrawal', time: t + 6 * HOUR, accountId: ACCOUNT, chain: 'ethereum', asset: 'USDC', amount: 8200, to: forward, session, customer }, rand));
  }
  return lines.sort((a, b) => a.time - b.time).map((l) => l.line);
}

function replay(lines: readonly string[], pipeline = new Pipeline({ rules: rules(), labels: [] })): { alerts: Alert[]; pipeline: Pipeline } {
  const alerts: Alert[] = [];
  lines.forEach((line, i) => alerts.push(...pipeline.process(line, { line: i + 1 }).alerts));
  return { alerts, pipeline };
}

const payroll = (alerts: readonly Alert[]): Alert[] => alerts.filter((a) => a.ruleId === 'dprk-it-payroll.cadence-forward');

describe('a counterparty dealt with before the history retention', () => {
  it('keeps the wallet paid in October the account\'s own through June: no cadence-forward alert on a VPN session alone', () => {
    const { alerts, pipeline } = replay(stream(6, WALLET, WALLET));
    expect(payroll(alerts)).toEqual([]);
    // The October payments have left the history; the June forward still knows the first one.
    const history = pipeline.state.history(ACCOUNT);
    expect(history.some((i) => i.eventId === 'oct-w0')).toBe(false);
    const june = history.find((i) => i.eventId === 'fwd-5');
    expect(june?.type === 'transfer' ? june.dealtSince : undefined).toBe(OCT + 2 * DAY);
  });

  it('still alerts when the wallet is new to the account once the salaries began (the session counts toward it)', () => {
    const fresh = '0x4444444444444444444444444444444444444444';
    const { alerts } = replay(stream(6, WALLET, fresh));
    expect(payroll(alerts).length).toBeGreaterThan(0);
    expect(payroll(alerts)[0]!.severity).toBe('high');
  });

  it('is carried across a checkpoint: a resumed replay raises what a straight one does and keeps the same first dealing', async () => {
    const lines = stream(6, WALLET, WALLET);
    const cut = lines.findIndex((l) => l.includes('"fwd-2"')) + 1;
    const dir = tempDir('tw-dealt-since-');
    try {
      const first = replay(lines.slice(0, cut));
      await saveCheckpoint(dir, first.pipeline, { rules: rules(), positions: { line: cut } });
      const restored = await loadNewestValid(dir, { build: emptyPipeline(), rules: rules() });
      expect(restored?.warnings).toEqual([]);
      const restoredFwd = restored!.pipeline.state.history(ACCOUNT).find((i) => i.eventId === 'fwd-2');
      expect(restoredFwd?.type === 'transfer' ? restoredFwd.dealtSince : undefined).toBe(OCT + 2 * DAY);
      const second = replay(lines.slice(cut), restored!.pipeline);
      expect(payroll([...first.alerts, ...second.alerts])).toEqual([]);
    } finally {
      removeTempDirs();
    }
  });

  it('finds the relation however many other items lie between (a look-up by counterparty, not a scan back)', () => {
    const rand = prng(7);
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    const at = (i: number): number => JAN + i * HOUR;
    const w = (id: string, time: number, to: string): string => transfer({ eventId: id, kind: 'withdrawal', time, accountId: 'acct-hot', chain: 'ethereum', asset: 'USDC', amount: 10, to, customer }, rand);
    const between = 2 * DEALT_SINCE_SCAN; // a scan of DEALT_SINCE_SCAN items, as checkpoints before the index carried, would not reach it
    const lines = [w('first', at(0), WALLET)];
    for (let i = 1; i <= between; i++) lines.push(w(`other-${i}`, at(i), `0x${i.toString(16).padStart(40, '0')}`));
    lines.push(w('again', at(between + 1), WALLET), w('near', at(between + 2), WALLET));
    replay(lines, pipeline);
    const item = (id: string) => pipeline.state.history('acct-hot').find((i) => i.eventId === id);
    const again = item('again');
    const near = item('near');
    expect(again?.type === 'transfer' ? again.dealtSince : undefined).toBe(at(0));
    expect(near?.type === 'transfer' ? near.dealtSince : undefined).toBe(at(0));
    const other = item('other-5');
    expect(other?.type === 'transfer' ? other.dealtSince : 'none').toBeUndefined(); // a new counterparty carries nothing
  });

  it('carries from the newest earlier transfer when a transfer arrives out of order, and from none dropped from the history', () => {
    const rand = prng(8);
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    const at = (i: number): number => JAN + i * HOUR;
    const w = (id: string, time: number): string => transfer({ eventId: id, kind: 'withdrawal', time, accountId: 'acct-late', chain: 'ethereum', asset: 'USDC', amount: 10, to: WALLET, customer }, rand);
    replay([w('t1', at(1)), w('t5', at(5)), w('t3', at(3))], pipeline);
    const item = (id: string) => pipeline.state.history('acct-late').find((i) => i.eventId === id);
    expect(item('t5')?.type === 'transfer' ? (item('t5') as { dealtSince?: number }).dealtSince : undefined).toBe(at(1));
    expect(item('t3')?.type === 'transfer' ? (item('t3') as { dealtSince?: number }).dealtSince : undefined).toBe(at(1)); // not from t5, which is later
  });
});
