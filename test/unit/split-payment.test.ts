/**
 * A payment to a fresh address made in pieces (extortion-payment.split-payment): the window keyed
 * `account-counterparty` sums the account's own payments to the trigger's address only, and
 * `fresh` with `firstPaidWithin` keeps the later pieces fresh. A ransom split under the
 * 20,000 USD floor was not extortion-payment before (QA, session 25).
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import type { Alert } from '../../src/contract/schemas.js';
import { rules } from '../helpers/sample.js';

const FRESH = `0x${'ab'.repeat(20)}`;

const payment = (id: string, account: string, day: number, usd: number, to = FRESH): string => JSON.stringify({
  schema: 'exchange.transfer.v1', eventId: id, kind: 'withdrawal', status: 'completed', occurredAt: `2025-05-${String(day).padStart(2, '0')}T09:00:00.000Z`, accountId: account,
  chain: 'ethereum', asset: 'USDC', amount: `${usd}.00`, usdValue: usd, txHash: `0x${id.replace(/[^0-9a-f]/g, '').padEnd(64, '0')}`, from: [], to,
  customer: { type: 'business', kycCountry: 'US', createdAt: '2023-01-01T00:00:00.000Z' }, session: { ip: '198.51.100.9', ipCountry: 'US', vpn: false, deviceId: `dev-${account}` },
});

function splitAlerts(lines: string[]): Alert[] {
  const pipeline = new Pipeline({ rules: rules(), labels: [] });
  return lines.flatMap((l, i) => pipeline.process(l, { file: 'x', line: i + 1 }).alerts).filter((a) => a.ruleId === 'extortion-payment.split-payment');
}

describe('a payment to a fresh address in pieces', () => {
  it('is judged once the account\'s own pieces to it within 7 days reach 20,000 USD', () => {
    const alerts = splitAlerts([payment('a1', 'acct-a', 1, 11000), payment('a2', 'acct-a', 3, 11000)]);
    expect(alerts.map((a) => [a.subject.accountId, String(a.evidence.paidInAll), a.evidence.pieces])).toEqual([['acct-a', '22000', 2]]);
  });

  it('does not count other accounts\' payments to the same address', () => {
    const alerts = splitAlerts([payment('b1', 'acct-b', 1, 11000), payment('a1', 'acct-a', 2, 11000)]);
    expect(alerts).toEqual([]);
  });

  it('does not count the account\'s payments to other addresses', () => {
    expect(splitAlerts([payment('a1', 'acct-a', 1, 11000, `0x${'cd'.repeat(20)}`), payment('a2', 'acct-a', 2, 11000)])).toEqual([]);
  });

  it('does not join pieces further apart than 7 days', () => {
    expect(splitAlerts([payment('a1', 'acct-a', 1, 11000), payment('a2', 'acct-a', 10, 11000)])).toEqual([]);
  });
});
