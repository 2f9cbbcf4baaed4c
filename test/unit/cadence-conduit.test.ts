/**
 * An employer treasury that funds a fresh payout address each month and pays the worker from it
 * (T3: "the same source cluster (… or an employer treasury)"): the cadence groups the payments
 * under the treasury (src/engine/payer-conduit.ts). Session 31's QA: a worker on Astrill from
 * CN, paid this way and forwarding 97% within hours, raised only pass-through alerts.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contract/schemas.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { HOUR, label, prng, tokenLog, transfer, USDC_ETH } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';

const TREASURY = '0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const DEPOSIT_ADDRESS = '0xd0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0';
const DESTINATION = '0xf1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1';
const WORKER = 'acct-conduit-worker';
const session = { ip: '36.1.2.3', ipCountry: 'CN', vpn: true, vpnProvider: 'Astrill', deviceId: 'dev-9' };
const customer = { type: 'individual' as const, kycCountry: 'US', createdAt: '2024-12-01T00:00:00Z' };
const payout = (m: number): string => `0x${String(10 + m).repeat(20)}`;

/** Five monthly 6,100 USDC salaries, each through a new payout address funded 2 h before by `funderOf(m)`. */
function stream(funderOf: (m: number) => string, extra: string[] = []): string[] {
  const rand = prng(5);
  const lines = [...extra];
  for (let m = 1; m <= 5; m++) {
    const t = Date.UTC(2025, m - 1, 28, 15);
    lines.push(
      tokenLog('ethereum', USDC_ETH, funderOf(m), payout(m), 6100, t - 2 * HOUR, rand),
      tokenLog('ethereum', USDC_ETH, payout(m), DEPOSIT_ADDRESS, 6100, t - 10 * 60_000, rand),
      transfer({ eventId: `pay-${m}`, kind: 'deposit', time: t, accountId: WORKER, chain: 'ethereum', asset: 'USDC', amount: 6100, from: [payout(m)], to: DEPOSIT_ADDRESS, customer }, rand),
      transfer({ eventId: `fwd-${m}`, kind: 'withdrawal', time: t + 6 * HOUR, accountId: WORKER, chain: 'ethereum', asset: 'USDC', amount: 5917, to: DESTINATION, session, customer }, rand),
    );
  }
  return lines;
}

function payroll(lines: readonly string[]): Alert[] {
  const pipeline = new Pipeline({ rules: rules(), labels: [] });
  return lines.flatMap((line, i) => pipeline.process(line, { line: i + 1 }).alerts).filter((a) => a.ruleId === 'dprk-it-payroll.cadence-forward');
}

describe('payments from rotating payout addresses funded by one treasury', () => {
  it('are one payer: the worker forwarding them on Astrill raises cadence-forward high', () => {
    const alerts = payroll(stream(() => TREASURY));
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((a) => a.severity === 'high')).toBe(true);
    // The run covers the salaries from every payout address, the first one too (whose forward into
    // the deposit address, read before any deposit said that address is ours, merged the two).
    const last = alerts[alerts.length - 1]!;
    expect(last.evidence.payments).toBe(5);
  });

  it('are not one payer when each payout address has a funder of its own', () => {
    const funders = (m: number): string => `0x${String(50 + m).repeat(20)}`;
    expect(payroll(stream(funders))).toEqual([]);
  });

  it('are not one payer when the funder is an exchange, which funds every customer', () => {
    const EXCHANGE = '0xe9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9';
    const labelled = label('ethereum', EXCHANGE, 'exchange', 'Other Exchange', Date.UTC(2024, 11, 1));
    expect(payroll(stream(() => EXCHANGE, [labelled]))).toEqual([]);
  });
});
