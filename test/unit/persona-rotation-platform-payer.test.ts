/**
 * T11 with the employer a payroll platform that pays many accounts: the platform links no one by
 * itself (too many share it), but a new persona already linked to a silent risky one by its
 * device and its consolidation address, and paid by that same platform, shares the payer as T11
 * has it (session 42 detection QA: 6 of 6 such personas missed once the platform paid more than
 * ten accounts).
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, evmAddress, HOUR, iso, label, prng, transfer } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';

const T0 = Date.UTC(2025, 2, 1);

function stream(otherPayees: number): string[] {
  const rand = prng(11);
  const platform = evmAddress(rand);
  const consolidation = evmAddress(rand);
  const lines = [label('ethereum', platform, 'payroll-platform', 'PayFlow', T0 - 30 * DAY)];
  const vpn = { ip: '45.9.9.9', ipCountry: 'US', vpn: true, vpnProvider: 'Astrill VPN', deviceId: 'dev-persona-laptop' };
  const old = { type: 'individual' as const, kycCountry: 'US', createdAt: iso(T0 - 200 * DAY) };
  const young = { type: 'individual' as const, kycCountry: 'US', createdAt: iso(T0 + 25 * DAY) };
  let n = 0;
  const pay = (accountId: string, time: number, customer: typeof old, session?: typeof vpn): void => {
    lines.push(transfer({ eventId: `dep-${n++}`, kind: 'deposit', time, accountId, chain: 'ethereum', asset: 'USDC', amount: 5000, from: [platform], to: evmAddress(rand), customer, ...(session ? { session } : {}) }, rand));
  };
  // The old persona: paid twice by the platform, forwards to the consolidation address, then silent.
  for (const day of [0, 14]) {
    pay('acct-old-persona', T0 + day * DAY, old, vpn);
    lines.push(transfer({ eventId: `wd-old-${day}`, kind: 'withdrawal', time: T0 + day * DAY + 6 * HOUR, accountId: 'acct-old-persona', chain: 'ethereum', asset: 'USDC', amount: 4900, to: consolidation, customer: old, session: vpn }, rand));
  }
  // Ordinary workers the platform pays too.
  for (let i = 0; i < otherPayees; i++) pay(`acct-worker-${i}`, T0 + (10 + (i % 20)) * DAY, old);
  // The new persona, created 25 days in: same laptop, same platform, same consolidation address.
  pay('acct-new-persona', T0 + 30 * DAY, young, { ...vpn, vpn: false, vpnProvider: undefined as never });
  lines.push(transfer({ eventId: 'wd-new', kind: 'withdrawal', time: T0 + 30 * DAY + 6 * HOUR, accountId: 'acct-new-persona', chain: 'ethereum', asset: 'USDC', amount: 4900, to: consolidation, customer: young, session: { ip: '45.9.9.9', ipCountry: 'US', vpn: false, deviceId: 'dev-persona-laptop' } }, rand));
  return lines.sort((a, b) => Date.parse((JSON.parse(a) as { occurredAt?: string; observedAt?: string }).occurredAt ?? (JSON.parse(a) as { observedAt: string }).observedAt) - Date.parse((JSON.parse(b) as { occurredAt?: string; observedAt?: string }).occurredAt ?? (JSON.parse(b) as { observedAt: string }).observedAt));
}

function rotationAlerts(lines: string[]): { accountId: string; links: unknown }[] {
  const pipeline = new Pipeline({ rules: rules() });
  return lines.flatMap((line, i) => pipeline.process(line, { line: i + 1 }).alerts)
    .filter((a) => a.ruleId === 'dprk-it-payroll.persona-rotation' && a.severity !== 'low')
    .map((a) => ({ accountId: a.subject.accountId, links: a.evidence.links }));
}

describe('persona rotation with a payroll platform as the employer', () => {
  it('links the new persona to the silent one through the platform whether it pays 3 accounts or 30', () => {
    for (const others of [3, 30]) {
      const alerts = rotationAlerts(stream(others));
      expect(alerts.map((a) => a.accountId), `${others} other payees`).toContain('acct-new-persona');
      expect(alerts.find((a) => a.accountId === 'acct-new-persona')!.links, `${others} other payees`).toContain('payer');
    }
  });
});
