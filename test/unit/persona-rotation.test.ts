/**
 * dprk-it-payroll.persona-rotation (T11, typologies.md S10) on hand-built accounts: a risky
 * account paid twice by one payer stops; a young account on its device, paid by the same payer,
 * forwards to the same destination over a VPN. Each negative control changes one thing the rule
 * relies on and must silence it. Since the rule's v2 the VPN is not needed when the payer and the
 * device or destination link the two accounts (T11 as written).
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contract/schemas.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, evmAddress, HOUR, login, prng, tokenLog, transfer, USDC_ETH } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';

const EMPLOYER = '0x1111111111111111111111111111111111111111';
const CONSOLIDATION = '0x2222222222222222222222222222222222222222';
const risky = { ip: '45.1.2.3', ipCountry: 'CN', vpn: true, vpnProvider: 'Astrill VPN', deviceId: 'dev-1' };
const home = { ip: '198.51.100.1', ipCountry: 'US', vpn: false, deviceId: 'dev-1' };
const FEB = Date.UTC(2025, 1, 1);

interface Persona {
  accountId: string;
  createdAt: number;
  session: typeof risky | typeof home;
  /** Times of salary deposits, each forwarded (or, for a clean account, partly withdrawn) after 8 h. */
  paid: number[];
  forwards?: number;
  destination?: string;
  payer?: string;
}

function persona(p: Persona, rand: () => number): string[] {
  const customer = { type: 'individual' as const, kycCountry: 'US', createdAt: new Date(p.createdAt).toISOString() };
  return p.paid.flatMap((t, i) => [
    transfer({ eventId: `${p.accountId}-d${i}`, kind: 'deposit', time: t, accountId: p.accountId, chain: 'ethereum', asset: 'USDC', amount: 5000, from: [p.payer ?? EMPLOYER], to: `0x${(0xabc0 + i).toString(16).padStart(40, '0')}`, customer }, rand),
    transfer({ eventId: `${p.accountId}-w${i}`, kind: 'withdrawal', time: t + 8 * HOUR, accountId: p.accountId, chain: 'ethereum', asset: 'USDC', amount: 5000 * (p.forwards ?? 0.93), to: p.destination ?? CONSOLIDATION, session: p.session, customer }, rand),
  ]);
}

const before = (over: Partial<Persona> = {}): Persona => ({ accountId: 'acct-old', createdAt: FEB - 90 * DAY, session: risky, paid: [FEB, FEB + 30 * DAY], ...over });
/** Created 20 days after the old account's last payment, paid 5 days later. */
const after = (over: Partial<Persona> = {}): Persona => ({ accountId: 'acct-new', createdAt: FEB + 50 * DAY, session: risky, paid: [FEB + 55 * DAY], ...over });

/** The personas' and logins' lines in event time, after `readFirst` (lines read ahead of their time). */
function rotationAlerts(personas: Persona[], logins: string[] = [], readFirst: string[] = []): Alert[] {
  const rand = prng(3);
  const timeOf = (line: string): number => Date.parse(JSON.parse(line).occurredAt ?? JSON.parse(line).blockTime);
  const lines = [...readFirst, ...[...personas.flatMap((p) => persona(p, rand)), ...logins].sort((a, b) => timeOf(a) - timeOf(b))];
  const p = new Pipeline({ rules: rules() });
  return lines.flatMap((l, i) => p.process(l, { file: 't', line: i + 1 }).alerts).filter((a) => a.ruleId === 'dprk-it-payroll.persona-rotation');
}

describe('dprk-it-payroll.persona-rotation: a young account replaces a silent risky one', () => {
  it('alerts the young account at high, citing the predecessor and the three links', () => {
    const alerts = rotationAlerts([before(), after()]);
    expect(alerts.map((a) => a.subject.accountId)).toEqual(['acct-new']);
    expect(alerts[0]!.severity).toBe('high');
    expect(alerts[0]!.evidence).toMatchObject({ predecessor: 'acct-old', links: ['destination', 'device', 'payer'], sharedDevice: 'dev-1' });
    expect(alerts[0]!.explanation).toContain('acct-old');
  });

  it('alerts at medium on the device alone (other payer, other destination)', () => {
    const alerts = rotationAlerts([before(), after({ payer: '0x3333333333333333333333333333333333333333', destination: '0x4444444444444444444444444444444444444444' })]);
    expect(alerts.map((a) => [a.subject.accountId, a.severity])).toEqual([['acct-new', 'medium']]);
  });

  it('stays quiet while the older account is still active (two accounts at once, not a replacement)', () => {
    expect(rotationAlerts([before({ paid: [FEB, FEB + 30 * DAY, FEB + 54 * DAY] }), after()])).toEqual([]);
  });

  it('stays quiet when the older account was clean (a household member or a re-registration)', () => {
    expect(rotationAlerts([before({ session: home, forwards: 0.3 }), after()])).toEqual([]);
  });

  it('alerts high from home, without a VPN, when the payer and the device or destination link it (T11 as written, S10; v1 stayed quiet)', () => {
    const alerts = rotationAlerts([before(), after({ session: home })]);
    expect(alerts.map((a) => [a.subject.accountId, a.severity])).toEqual([['acct-new', 'high']]);
    expect(alerts[0]!.evidence).toMatchObject({ predecessor: 'acct-old', links: ['destination', 'device', 'payer'] });
  });

  it('stays quiet when the new account forwards from home, without a VPN, and no payer links it (a household member on the device)', () => {
    const other = { payer: '0x3333333333333333333333333333333333333333', destination: '0x4444444444444444444444444444444444444444' };
    expect(rotationAlerts([before(), after({ session: home, ...other })])).toEqual([]);
    // device and destination, still no payer: quiet from home too
    expect(rotationAlerts([before(), after({ session: home, payer: other.payer })])).toEqual([]);
  });

  it('stays quiet when the account is older than 30 days', () => {
    expect(rotationAlerts([before(), after({ createdAt: FEB + 20 * DAY })])).toEqual([]);
  });

  it('does not link through a payer and destination that more than ten accounts share (a service)', () => {
    const crowd = Array.from({ length: 12 }, (_, i) => ({ accountId: `acct-crowd-${i}`, createdAt: FEB - 400 * DAY, session: { ...home, deviceId: `dev-c${i}` }, paid: [FEB + 40 * DAY + i * HOUR] }));
    const newDevice = { ...risky, deviceId: 'dev-2' };
    expect(rotationAlerts([before(), ...crowd, after({ session: newDevice })])).toEqual([]);
    // The same without the crowd links through payer and destination.
    expect(rotationAlerts([before(), after({ session: newDevice })]).map((a) => a.evidence.links)).toEqual([['destination', 'payer']]);
  });

  it('links by the IP /24 both used within 7 days (v4), unless more than ten other accounts used it (an office or carrier block)', () => {
    const office = (host: number): { ip: string; ipCountry: string; vpn: boolean } => ({ ip: `203.0.113.${host}`, ipCountry: 'US', vpn: false });
    // The young account on its own device, from home, withdrawing from 203.0.113.77; the silent predecessor signed in from 203.0.113.12 three days before.
    const successor = after({ session: { ...office(77), deviceId: 'dev-new' }, destination: '0x4444444444444444444444444444444444444444' });
    const predecessorLogin = login('pred-office', FEB + 52 * DAY, 'acct-old', { ...office(12), deviceId: 'dev-1' });
    const alerts = rotationAlerts([before(), successor], [predecessorLogin]);
    expect(alerts.map((a) => [a.subject.accountId, a.severity])).toEqual([['acct-new', 'high']]);
    expect(alerts[0]!.evidence).toMatchObject({ predecessor: 'acct-old', links: ['payer', 'subnet'], sharedSubnet: '203.0.113.0/24' });
    expect(alerts[0]!.explanation).toContain('IP block both used within 7 days: 203.0.113.0/24');
    // Eleven other customers on the block in those days: it links no one, and the payer alone from home does not alert.
    const crowd = Array.from({ length: 11 }, (_, i) => login(`crowd-${i}`, FEB + 53 * DAY + i * HOUR, `acct-office-${i}`, { ...office(100 + i), deviceId: `dev-o${i}` }));
    expect(rotationAlerts([before(), successor], [predecessorLogin, ...crowd])).toEqual([]);
    // The predecessor on the block 8 days before the withdrawal: not within 7 days.
    expect(rotationAlerts([before(), successor], [login('pred-office', FEB + 47 * DAY, 'acct-old', { ...office(12), deviceId: 'dev-1' })])).toEqual([]);
  });

  it('takes the funder of a conduit payer for the employer only when it sent to at most ten addresses in the window (v5: not a busy hot wallet)', () => {
    const rand = prng(5);
    const conduit = '0x5555555555555555555555555555555555555555';
    // The young account, on the old one's device from home, is paid from a fresh address the old account's payer funded two days before.
    const successor = after({ session: home, payer: conduit, destination: '0x4444444444444444444444444444444444444444' });
    const funding = tokenLog('ethereum', USDC_ETH, EMPLOYER, conduit, 5010, FEB + 53 * DAY, rand);
    const busy = (n: number): string[] => Array.from({ length: n }, (_, i) => tokenLog('ethereum', USDC_ETH, EMPLOYER, evmAddress(rand), 300 + i, FEB + 40 * DAY + i * HOUR, rand));
    const quiet = rotationAlerts([before(), successor], [funding]);
    expect(quiet.map((a) => [a.subject.accountId, a.severity, a.evidence.links])).toEqual([['acct-new', 'high', ['device', 'payer']]]);
    // The same payer sending to twelve other addresses in those weeks: an exchange's hot wallet or a service, not one employer; the device alone from home does not alert.
    expect(rotationAlerts([before(), successor], [funding, ...busy(12)])).toEqual([]);
  });

  it('takes a busy funder for no employer whatever the order of arrival: its later transfers, read first, hide none of the window\'s (session 50 review)', () => {
    const rand = prng(5);
    const conduit = '0x5555555555555555555555555555555555555555';
    const successor = after({ session: home, payer: conduit, destination: '0x4444444444444444444444444444444444444444' });
    const funding = tokenLog('ethereum', USDC_ETH, EMPLOYER, conduit, 5010, FEB + 53 * DAY, rand);
    const busy = Array.from({ length: 12 }, (_, i) => tokenLog('ethereum', USDC_ETH, EMPLOYER, evmAddress(rand), 300 + i, FEB + 40 * DAY + i * HOUR, rand));
    // The hot wallet's next 600 transfers, a day after the young account's withdrawal, read ahead of it (another topic's lead).
    const later = Array.from({ length: 600 }, (_, i) => tokenLog('ethereum', USDC_ETH, EMPLOYER, evmAddress(rand), 50 + i, FEB + 56 * DAY + i * 60_000, rand));
    expect(rotationAlerts([before(), successor], [funding, ...busy])).toEqual([]);
    expect(rotationAlerts([before(), successor], [funding, ...busy], later)).toEqual([]);
  });

  it('links by the IP /24 only through sightings within 7 days, not across a predecessor\'s gap on the block (session 50 review)', () => {
    const office = (host: number): { ip: string; ipCountry: string; vpn: boolean } => ({ ip: `203.0.113.${host}`, ipCountry: 'US', vpn: false });
    const customer = { type: 'individual' as const, kycCountry: 'US', createdAt: new Date(FEB + 50 * DAY).toISOString() };
    // The young account withdraws once from the office block (day 51), then is paid again on day 60 and withdraws from home.
    const successor = after({ session: { ...home, deviceId: 'dev-new' }, paid: [FEB + 60 * DAY], destination: '0x4444444444444444444444444444444444444444' });
    const fromOffice = transfer({ eventId: 'acct-new-office', kind: 'withdrawal', time: FEB + 51 * DAY, accountId: 'acct-new', chain: 'ethereum', asset: 'USDC', amount: 100, to: '0x4444444444444444444444444444444444444444', session: { ...office(77), deviceId: 'dev-new' }, customer }, prng(9));
    const predecessorOn = (day: number): string => login(`pred-office-${day}`, FEB + day * DAY, 'acct-old', { ...office(12), deviceId: 'dev-1' });
    // The silent predecessor signed in from the block 11 days before and 8 days after it: neither within 7 days of the young account's use.
    expect(rotationAlerts([before(), successor], [fromOffice, predecessorOn(40), predecessorOn(59)])).toEqual([]);
    // 5 days before it: linked, as by the two sightings alone.
    expect(rotationAlerts([before(), successor], [fromOffice, predecessorOn(46), predecessorOn(59)]).map((a) => [a.subject.accountId, a.severity, a.evidence.sharedSubnet])).toEqual([['acct-new', 'high', '203.0.113.0/24'], ['acct-new', 'high', '203.0.113.0/24']]);
  });

  it('links by the IP /24 whatever the order of arrival: an unrelated event 9 days later, read first, hides no sighting (session 50)', () => {
    const office = (host: number): { ip: string; ipCountry: string; vpn: boolean } => ({ ip: `203.0.113.${host}`, ipCountry: 'US', vpn: false });
    const successor = after({ session: { ...office(77), deviceId: 'dev-new' }, destination: '0x4444444444444444444444444444444444444444' });
    const predecessorLogin = login('pred-office', FEB + 52 * DAY, 'acct-old', { ...office(12), deviceId: 'dev-1' });
    // Another customer's login 9 days after the young account's withdrawal (12 after the predecessor's login), nowhere near the block.
    const elsewhere = login('elsewhere', FEB + 64 * DAY + 8 * HOUR, 'acct-elsewhere', { ip: '192.0.2.50', ipCountry: 'US', vpn: false, deviceId: 'dev-e' });
    const inOrder = rotationAlerts([before(), successor], [predecessorLogin, elsewhere]);
    expect(inOrder.map((a) => [a.subject.accountId, a.severity, a.evidence.sharedSubnet])).toEqual([['acct-new', 'high', '203.0.113.0/24']]);
    // Read first, it moved the state's newest event 12 days past the predecessor's sighting: the block index read 7 days behind it and linked no one.
    const aheadFirst = rotationAlerts([before(), successor], [predecessorLogin], [elsewhere]);
    expect(aheadFirst.map((a) => a.evidence)).toEqual(inOrder.map((a) => a.evidence));
  });
});
