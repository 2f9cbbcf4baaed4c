/**
 * dprk-consolidation.fan-in v3 on three accounts paying one external address directly: the count
 * alone no longer alerts; payer risk, salary-sized sums or onward flow do, and a `service` label
 * silences it.
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';

const TO = '0x2222222222222222222222222222222222222222';

interface Payer { amount: string; session?: Record<string, unknown> }

function consolidationAlerts(payers: Payer[], before: string[] = []): string[] {
  const p = new Pipeline({ rules: rules() });
  before.forEach((line, i) => p.process(line, { file: 'pre', line: i + 1 }));
  const alerts = payers.flatMap((payer, i) => p.process(JSON.stringify({
    schema: 'exchange.transfer.v1', eventId: `w-${i}`, kind: 'withdrawal', occurredAt: `2025-03-0${i + 1}T10:00:00Z`, accountId: `acct-${i}`, chain: 'ethereum', asset: 'USDT', amount: payer.amount, from: [], to: TO,
    ...(payer.session ? { session: payer.session } : {}), customer: { type: 'individual', kycCountry: 'US', createdAt: '2023-01-01T00:00:00Z' },
  }), { file: 't' }).alerts);
  return [...new Set(alerts.filter((a) => a.typology === 'dprk-consolidation' && a.severity !== 'low').map((a) => a.subject.accountId))].sort();
}

const clean = { ip: '198.51.100.1', ipCountry: 'US', vpn: false };
const vpnAbroad = { ip: '45.1.2.3', ipCountry: 'RU', vpn: true, vpnProvider: 'Astrill VPN' };
// Two kinds of risk: a VPN, and a device another payer uses (a VPN's foreign exit is one kind, not two).
const risky = { ...vpnAbroad, deviceId: 'dev-farm-laptop' };

describe('a fan-in cluster: laundering hub or service used by many', () => {
  it('stays quiet for three clean customers paying small sums (a small service)', () => {
    expect(consolidationAlerts([{ amount: '120', session: clean }, { amount: '80', session: clean }, { amount: '300', session: clean }])).toEqual([]);
  });

  it('alerts when most payers carry two kinds of risk (a VPN and a device another payer uses)', () => {
    expect(consolidationAlerts([{ amount: '120', session: risky }, { amount: '80', session: risky }, { amount: '300', session: clean }])).toEqual(['acct-0', 'acct-1']);
  });

  it('counts a VPN whose exit is abroad as one kind of risk, not also as a session country other than KYC (session 42 QA)', () => {
    expect(consolidationAlerts([{ amount: '120', session: vpnAbroad }, { amount: '80', session: vpnAbroad }, { amount: '300', session: clean }])).toEqual([]);
  });

  it('does not count one ordinary risk factor (a VPN at home) as a risky payer', () => {
    const vpnAtHome = { ...clean, vpn: true };
    expect(consolidationAlerts([{ amount: '120', session: vpnAtHome }, { amount: '80', session: vpnAtHome }, { amount: '300', session: vpnAtHome }])).toEqual([]);
  });

  it('alerts clean payers who each send a salary-sized sum', () => {
    expect(consolidationAlerts([{ amount: '4000', session: clean }, { amount: '5200', session: clean }, { amount: '3100', session: clean }])).toEqual(['acct-0', 'acct-1', 'acct-2']);
  });

  it('stays quiet when the operator labelled the cluster a known service', () => {
    const label = JSON.stringify({ schema: 'intel.label.v1', chain: 'ethereum', address: TO, label: 'service', entity: 'Known processor', source: 'operator', observedAt: '2025-01-01T00:00:00Z' });
    expect(consolidationAlerts([{ amount: '4000', session: risky }, { amount: '5200', session: risky }, { amount: '3100', session: risky }], [label])).toEqual([]);
  });
});
