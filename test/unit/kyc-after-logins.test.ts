/**
 * Accounts whose logins come before their first transfer (KYC arrives only on transfers): a farm
 * of personas declaring US, CA and GB on one US IP only logged in, then deposited, and all stayed
 * low (two out-of-sample passes, session 61). The first KYC record read judges the account's
 * login again, with the record's country in force from its `createdAt`
 * (pipeline/kyc-rejudgement.ts, engine/declared-countries.ts).
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 2, 3, 8);
const iso = (t: number): string => new Date(t).toISOString();

interface Persona { accountId: string; kyc: string }

const login = (p: Persona, i: number, ip: string): { line: string; time: number } => ({
  time: T0 + i * HOUR,
  line: JSON.stringify({ schema: 'exchange.login.v1', eventId: `login-${p.accountId}`, occurredAt: iso(T0 + i * HOUR), accountId: p.accountId, ip, ipCountry: 'US', vpn: false, deviceId: `dev-${p.accountId}` }),
});

const deposit = (p: Persona, i: number, createdAt: string): { line: string; time: number } => ({
  time: T0 + (10 + i) * HOUR,
  line: JSON.stringify({
    schema: 'exchange.transfer.v1', eventId: `dep-${p.accountId}`, kind: 'deposit', occurredAt: iso(T0 + (10 + i) * HOUR), accountId: p.accountId,
    chain: 'ethereum', asset: 'USDC', amount: '800.00', usdValue: 800, txHash: '0x' + String(i + 1).padStart(64, 'a'),
    from: ['0x' + `${p.accountId.length}${i}`.padStart(40, '1')], to: '0x' + String(i).padStart(40, '2'),
    customer: { type: 'individual', kycCountry: p.kyc, createdAt },
  }),
});

/** Three personas' logins on one IP an hour apart, then each one's first deposit (with its KYC record) a few hours later. */
function stream(personas: Persona[], ip: string, createdAt = '2024-01-10T00:00:00Z'): { line: string; time: number }[] {
  return [...personas.map((p, i) => login(p, i, ip)), ...personas.map((p, i) => deposit(p, i, createdAt))];
}

/** The highest shared-ip severity each account was given, and how many medium alerts each got. */
function verdicts(lines: readonly { line: string }[]): { best: Record<string, string>; mediums: Record<string, number> } {
  const pipeline = new Pipeline({ rules: rules(), labels: [] });
  const rank = ['low', 'medium', 'high', 'critical'];
  const best: Record<string, string> = {};
  const mediums: Record<string, number> = {};
  lines.forEach(({ line }, n) => {
    for (const a of pipeline.process(line, { file: 'x', line: n + 1 }).alerts) {
      if (a.ruleId !== 'account-linkage.shared-ip') continue;
      const id = a.subject.accountId;
      if (a.severity === 'medium') mediums[id] = (mediums[id] ?? 0) + 1;
      if (best[id] === undefined || rank.indexOf(a.severity) > rank.indexOf(best[id]!)) best[id] = a.severity;
    }
  });
  return { best, mediums };
}

const farm: Persona[] = [{ accountId: 'acct-kyc-us', kyc: 'US' }, { accountId: 'acct-kyc-ca', kyc: 'CA' }, { accountId: 'acct-kyc-gb', kyc: 'GB' }];
const household: Persona[] = [{ accountId: 'acct-home-1', kyc: 'US' }, { accountId: 'acct-home-2', kyc: 'US' }, { accountId: 'acct-home-3', kyc: 'US' }];
const allMedium = { 'acct-kyc-us': 'medium', 'acct-kyc-ca': 'medium', 'acct-kyc-gb': 'medium' };

describe('shared-ip with KYC read after the logins', () => {
  it('three personas declaring US, CA and GB who logged in before their first deposits are medium once the deposits are read', () => {
    const lines = stream(farm, '23.45.67.89');
    expect(verdicts(lines.slice(0, 3)).best).toEqual({ 'acct-kyc-us': 'low', 'acct-kyc-ca': 'low', 'acct-kyc-gb': 'low' });
    const { best, mediums } = verdicts(lines);
    expect(best).toEqual(allMedium);
    // Raised once each: the third deposit's re-judgement gives no severity not already given.
    expect(mediums).toEqual({ 'acct-kyc-us': 1, 'acct-kyc-ca': 1, 'acct-kyc-gb': 1 });
  });

  it('gives the same verdicts when the deposits are read before the logins', () => {
    const lines = stream(farm, '23.45.67.89');
    expect(verdicts([...lines.slice(3), ...lines.slice(0, 3)]).best).toEqual(allMedium);
  });

  it('keeps a household declaring one country (US) on one US IP low', () => {
    expect(verdicts(stream(household, '98.76.54.32')).best).toEqual({ 'acct-home-1': 'low', 'acct-home-2': 'low', 'acct-home-3': 'low' });
  });

  it('does not count a KYC record created after the logins at the logins\' time', () => {
    const created = iso(T0 + 5 * HOUR).replace('.000Z', 'Z');
    expect(verdicts(stream(farm, '23.45.67.89', created)).best).toEqual({ 'acct-kyc-us': 'low', 'acct-kyc-ca': 'low', 'acct-kyc-gb': 'low' });
  });
});
