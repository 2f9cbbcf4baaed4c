/**
 * cadence-forward v12 (session 48 QA): the alert names every address the salary went to. A salary
 * taken out in pieces to several addresses read "forwarded 91% of the latest within 24.1 h to"
 * the last piece's address, which took a fifth of it.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';

const HOUR = 3_600_000;
const rules = loadRuleSet(DEFAULT_RULES_DIR);
const employer = '0x9aa680085015a2fcea7ccc7e0542ed0c58d6dc64';
const pieces = ['0x6d368d4e42f8a1c1d0b5e3a7c9f2e4b6a8d0c1e3', '0xb070ce68bf2a4c6e8f0a2c4e6f8a0c2e4f6a8c0e', '0xf2a3ce0367b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9'];
const customer = { type: 'individual', kycCountry: 'US', createdAt: '2024-10-01T00:00:00Z' };
const astrill = { ip: '198.51.100.9', ipCountry: 'US', vpn: true, vpnProvider: 'Astrill', deviceId: 'dev-pieces' };
const hash = (n: number): string => '0x' + n.toString(16).padStart(64, '0');

/** Three monthly salaries of 4,500 USDC, each sent on within a day in three pieces of 1,400 USDC to three addresses. */
function stream(): string[] {
  const base = { schema: 'exchange.transfer.v1', status: 'completed', accountId: 'acct-pieces', chain: 'ethereum', asset: 'USDC', customer };
  let n = 0;
  return ['2025-01-03T10:00:00Z', '2025-02-03T10:00:00Z', '2025-03-03T10:00:00Z'].flatMap((day, m) => {
    const t = Date.parse(day);
    return [
      JSON.stringify({ ...base, eventId: `pc-pay-${m}`, kind: 'deposit', occurredAt: new Date(t).toISOString(), amount: '4500.00', usdValue: 4500, txHash: hash(++n), from: [employer], to: '0xf1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f2' }),
      ...pieces.map((to, i) => JSON.stringify({ ...base, eventId: `pc-fwd-${m}-${i}`, kind: 'withdrawal', occurredAt: new Date(t + (6 + 4 * i) * HOUR).toISOString(), amount: '1400.00', usdValue: 1400, txHash: hash(++n), from: [], to, session: astrill })),
    ];
  });
}

/** Three monthly salaries of 4,500 USDC, the last taken out within 20 h in 40 pieces of 105 USDC to 40 addresses. */
function manyPiecesStream(): { lines: string[]; addresses: string[] } {
  const base = { schema: 'exchange.transfer.v1', status: 'completed', accountId: 'acct-many-pieces', chain: 'ethereum', asset: 'USDC', customer };
  const addresses = Array.from({ length: 40 }, (_, i) => '0x' + (0xa000 + i).toString(16).padStart(40, '0'));
  let n = 100;
  const lines = ['2025-01-03T10:00:00Z', '2025-02-03T10:00:00Z', '2025-03-03T10:00:00Z'].flatMap((day, m) => {
    const t = Date.parse(day);
    const pay = JSON.stringify({ ...base, eventId: `mp-pay-${m}`, kind: 'deposit', occurredAt: new Date(t).toISOString(), amount: '4500.00', usdValue: 4500, txHash: hash(++n), from: [employer], to: '0xf1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f3' });
    if (m < 2) return [pay, JSON.stringify({ ...base, eventId: `mp-fwd-${m}`, kind: 'withdrawal', occurredAt: new Date(t + 6 * HOUR).toISOString(), amount: '4300.00', usdValue: 4300, txHash: hash(++n), from: [], to: addresses[0], session: astrill })];
    return [pay, ...addresses.map((to, i) => JSON.stringify({ ...base, eventId: `mp-fwd-${m}-${i}`, kind: 'withdrawal', occurredAt: new Date(t + HOUR + i * 30 * 60_000).toISOString(), amount: '105.00', usdValue: 105, txHash: hash(++n), from: [], to, session: astrill }))];
  });
  return { lines, addresses };
}

describe('cadence-forward names where the salary went', () => {
  it('names five destinations and how many more in the explanation, every one in the evidence (a salary out in 40 pieces)', () => {
    const { lines, addresses } = manyPiecesStream();
    const pipeline = new Pipeline({ rules });
    const alerts = lines.flatMap((line, i) => pipeline.process(line, { file: 't', line: i + 1 }).alerts).filter((a) => a.ruleId === 'dprk-it-payroll.cadence-forward');
    const last = alerts[alerts.length - 1]!;
    expect((last.evidence as Record<string, unknown>).forwardedTo).toHaveLength(40);
    expect(last.explanation).toMatch(new RegExp(`to 40 addresses \\(${addresses.slice(0, 5).join(', ')} and 35 more\\)\\.$`, 'i'));
  });

  it('lists every destination of the forward in the evidence and the explanation', () => {
    const pipeline = new Pipeline({ rules });
    const alerts = stream().flatMap((line, i) => pipeline.process(line, { file: 't', line: i + 1 }).alerts).filter((a) => a.ruleId === 'dprk-it-payroll.cadence-forward');
    expect(alerts.length).toBeGreaterThan(0);
    const last = alerts[alerts.length - 1]!;
    expect((last.evidence as Record<string, unknown>).forwardedTo).toEqual(pieces.map((p) => expect.stringMatching(new RegExp(`^${p}$`, 'i'))));
    expect(last.explanation).toMatch(/forwarded 93% of the latest within 14 h to 3 addresses \(0x6d36.*, 0xb070.*, 0xf2A3.*\)\.$/i);
  });
});
