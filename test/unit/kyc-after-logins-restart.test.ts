/**
 * The logins that wait for their account's first KYC record (pipeline/kyc-rejudgement.ts) are
 * not in a checkpoint: a monitor restored between a farm's logins and its first deposits finds
 * them again from the restored state, so its alerts are those of a run that never stopped.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { rules } from '../helpers/sample.js';
import { emptyPipeline, FIXED_TIME, records, removeTempDirs, replayRecords, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 2, 3, 8);
const iso = (t: number): string => new Date(t).toISOString();
const farm = [{ accountId: 'acct-rst-us', kyc: 'US' }, { accountId: 'acct-rst-ca', kyc: 'CA' }, { accountId: 'acct-rst-gb', kyc: 'GB' }];

const login = (accountId: string, i: number): string => JSON.stringify({ schema: 'exchange.login.v1', eventId: `login-${accountId}`, occurredAt: iso(T0 + i * HOUR), accountId, ip: '23.45.67.89', ipCountry: 'US', vpn: false, deviceId: `dev-${accountId}` });

const deposit = (accountId: string, kyc: string, i: number): string => JSON.stringify({
  schema: 'exchange.transfer.v1', eventId: `dep-${accountId}`, kind: 'deposit', occurredAt: iso(T0 + (10 + i) * HOUR), accountId,
  chain: 'ethereum', asset: 'USDC', amount: '800.00', usdValue: 800, txHash: '0x' + String(i + 1).padStart(64, 'a'),
  from: ['0x' + `7${i}`.padStart(40, '1')], to: '0x' + String(i).padStart(40, '2'),
  customer: { type: 'individual', kycCountry: kyc, createdAt: '2024-01-10T00:00:00Z' },
});

/** The farm's three logins on one US IP, then each persona's first deposit with its KYC record (US, CA, GB). */
const lines = [...farm.map((p, i) => login(p.accountId, i)), ...farm.map((p, i) => deposit(p.accountId, p.kyc, i))];

describe('kyc re-judgement across a restart', () => {
  it('a checkpoint restored between the logins and the first deposits gives the alert bytes of a straight run (three medium shared-ip alerts among them)', async () => {
    const straight = await replayRecords(records(lines, 0, lines.length), tempDir('tw-kyc-straight-'), 'straight');
    const mediums = straight.alerts.split('\n').filter((l) => l.includes('"account-linkage.shared-ip"') && l.includes('"severity":"medium"'));
    expect(mediums).toHaveLength(3);

    const dir = tempDir('tw-kyc-cut-');
    const first = await replayRecords(records(lines, 0, 3), dir, 'first');
    await saveCheckpoint(dir, first.result.pipeline, { rules: rules(), positions: { line: 3 }, createdAt: FIXED_TIME });
    const restored = await loadNewestValid(dir, { build: emptyPipeline(), rules: rules() });
    const second = await replayRecords(records(lines, 3, lines.length), dir, 'second', restored!.pipeline);
    expect(first.alerts + second.alerts).toBe(straight.alerts);
  });
});
