/**
 * A run found with a nominal period whose every gap skipped a payment keeps twice that period
 * (session 48 QA): monthly pay on the 3rd, the 7th and the 3rd (gaps of 35 and 26 days) breaks
 * the 30 +- 5 day period, and the run was found as semi-monthly pay with every other payment
 * missed; cadence-forward then told the analyst "every 15.21 days" for a monthly salary.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { runPeriod } from '../../src/engine/learned-period.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const rules = loadRuleSet(DEFAULT_RULES_DIR);
const employer = '0x9aa680085015a2fcea7ccc7e0542ed0c58d6dc64';
const wallet = '0x0c88faadfd28f076a445800d7dc088d832b8b963';
const customer = { type: 'individual', kycCountry: 'US', createdAt: '2024-10-01T00:00:00Z' };
const astrill = { ip: '198.51.100.7', ipCountry: 'US', vpn: true, vpnProvider: 'Astrill', deviceId: 'dev-run-period' };
const hash = (n: number): string => '0x' + n.toString(16).padStart(64, '0');

/** Salaries of 4,400 USDC on the given dates, each 92% forwarded to one wallet 20 h later over Astrill. */
function stream(paydays: string[]): string[] {
  return paydays.flatMap((day, i) => {
    const t = Date.parse(day);
    const base = { schema: 'exchange.transfer.v1', status: 'completed', accountId: 'acct-run-period', chain: 'ethereum', asset: 'USDC', customer };
    return [
      JSON.stringify({ ...base, eventId: `rp-pay-${i}`, kind: 'deposit', occurredAt: new Date(t).toISOString(), amount: '4400.00', usdValue: 4400, txHash: hash(2 * i + 1), from: [employer], to: '0xf1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1' }),
      JSON.stringify({ ...base, eventId: `rp-fwd-${i}`, kind: 'withdrawal', occurredAt: new Date(t + 20 * HOUR).toISOString(), amount: '4048.00', usdValue: 4048, txHash: hash(2 * i + 2), from: [], to: wallet, session: astrill }),
    ];
  });
}

function payrollAlerts(lines: string[]): { periodDays: unknown; explanation: string }[] {
  const pipeline = new Pipeline({ rules });
  return lines
    .flatMap((line, i) => pipeline.process(line, { file: 't', line: i + 1 }).alerts)
    .filter((a) => a.ruleId === 'dprk-it-payroll.cadence-forward')
    .map((a) => ({ periodDays: (a.evidence as Record<string, unknown>).periodDays, explanation: a.explanation }));
}

describe('the period a salary run keeps (cadence)', () => {
  it('reads monthly pay with a 35-day gap as monthly, not as semi-monthly pay missing every other payment', () => {
    const alerts = payrollAlerts(stream(['2025-03-03T21:48:00Z', '2025-04-07T22:33:00Z', '2025-05-03T15:36:00Z']));
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts[0]!.periodDays).toBeCloseTo(30.42, 2);
    expect(alerts[0]!.explanation).toContain('every 30.42 days');
  });

  it('keeps the nominal period when a gap fits it, a skipped payment or not', () => {
    const alerts = payrollAlerts(stream(['2025-01-03T10:00:00Z', '2025-02-02T10:00:00Z', '2025-04-03T10:00:00Z', '2025-05-03T10:00:00Z']));
    expect(alerts.map((a) => a.periodDays)).toContain(30);
  });

  it('measures the learned cadence in the period kept', () => {
    expect(runPeriod([0, 35 * DAY, 61 * DAY], 15.2 * DAY, 2.5 * DAY)).toEqual({ period: 30.4 * DAY, learned: 30.5 * DAY });
    expect(runPeriod([0, 14 * DAY, 42 * DAY], 14 * DAY, 3 * DAY)).toEqual({ period: 14 * DAY, learned: 14 * DAY });
    expect(runPeriod([0], 30 * DAY, 5 * DAY)).toEqual({ period: 30 * DAY, learned: 30 * DAY });
  });
});
