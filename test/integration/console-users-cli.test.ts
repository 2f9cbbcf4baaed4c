/**
 * `tidewatch console users …` against real Redis (security QA, session 28): once a supervisor
 * exists, users are changed only by a signed-in supervisor; every change lands in an append-only
 * audit with who, when and the roles; a removed name is never given again. Before, anyone with
 * REDIS_URL made a second supervisor, approved their own closure as it and removed it, unrecorded.
 */
import { redisNow } from '../../src/cases/redis-clock.js';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { alert } from '../conformance/case-store-suite.js';
import { userKeys } from '../../src/cases/redis-keys.js';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeysAndQuit, TEST_REDIS_URL as REDIS_URL, testRedis, uniquePrefix } from '../helpers/redis.js';
import { runTidewatch, type CliRun } from '../helpers/tidewatch-cli.js';

const prefix = uniquePrefix('users-cli');
const redis = testRedis({ maxRetriesPerRequest: 3 });

/** Runs `tidewatch console users <args>` with `password` on standard input, signed in as `as` when given, its clock off by `clockSkewMs`. */
function users(args: string[], options: { as?: [string, string]; password?: string; clockSkewMs?: number } = {}): Promise<CliRun> {
  const [user, password] = options.as ?? [undefined, undefined];
  const skew = options.clockSkewMs === undefined ? {} : { clockSkewMs: options.clockSkewMs };
  return runTidewatch(['console', 'users', ...args], { REDIS_URL, REDIS_KEY_PREFIX: prefix, TIDEWATCH_USER: user, TIDEWATCH_PASSWORD: password }, { stdin: options.password !== undefined ? `${options.password}\n` : '', ...skew });
}

const SUE: [string, string] = ['sue', 'supervisor-password-1'];
/**
 * A test that runs a dozen CLI processes one after another, each loading the CLI and hashing a
 * password: 120 s was too little on this 2-core machine under a load of 15 (session 45 CI).
 */
const CLI_SEQUENCE_MS = 360_000;
const ANA: [string, string] = ['ana', 'analyst-password-1'];

afterAll(() => deleteKeysAndQuit(redis, prefix));

describe('tidewatch console users', () => {
  it('is changed by a signed-in supervisor once one exists, audits every change, and never gives a removed name again', async () => {
    // The first set-up: no supervisor yet, so no sign-in.
    expect((await users(['add', 'sue', '--role', 'supervisor'], { password: SUE[1] })).stdout).toContain('user sue (supervisor) saved');
    // From now on a supervisor must sign in.
    const anonymous = await users(['add', 'auditor2', '--role', 'supervisor'], { password: 'another-password-1' });
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toContain('TIDEWATCH_USER and TIDEWATCH_PASSWORD must name a supervisor');
    expect((await users(['add', 'ana', '--role', 'analyst'], { as: SUE, password: ANA[1] })).code).toBe(0);
    const byAnalyst = await users(['add', 'auditor2', '--role', 'supervisor'], { as: ANA, password: 'another-password-1' });
    expect(byAnalyst.code).toBe(2);
    expect(byAnalyst.stderr).toContain('TIDEWATCH_USER ana is an analyst: only a supervisor changes users');
    const wrong = await users(['remove', 'ana'], { as: [SUE[0], 'not-her-password'] });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('TIDEWATCH_USER sue: unknown user or wrong TIDEWATCH_PASSWORD');

    expect((await users(['add', 'auditor2', '--role', 'supervisor'], { as: SUE, password: 'another-password-1' })).code).toBe(0);
    expect((await users(['add', 'auditor2', '--role', 'viewer'], { as: SUE, password: 'another-password-1' })).code).toBe(0);
    expect((await users(['remove', 'auditor2'], { as: SUE })).stdout).toContain('user auditor2 removed');
    const reused = await users(['add', 'auditor2', '--role', 'supervisor'], { as: SUE, password: 'another-password-1' });
    expect(reused.code).not.toBe(0);
    expect(reused.stderr).toContain('user name auditor2 belonged to a user who was removed');

    const audit = await users(['audit'], { as: SUE });
    const rows = audit.stdout.trim().split('\n').map((line) => line.split(/\s{2,}/).slice(1));
    expect(rows.map((r) => [r[0], r[1], r.find((x) => x.startsWith('by '))?.replace(/ on .*/, '')])).toEqual([
      ['add', 'sue', 'by (bootstrap) via bootstrap'],
      ['add', 'ana', 'by sue via cli'],
      ['add', 'auditor2', 'by sue via cli'],
      ['change', 'auditor2', 'by sue via cli'],
      ['remove', 'auditor2', 'by sue via cli'],
    ]);
    expect(audit.stdout).toMatch(/change\s+auditor2\s+viewer\s+\(was supervisor\)/);
    expect(audit.stdout).toMatch(/remove\s+auditor2\s+\(was viewer\)/);
  }, CLI_SEQUENCE_MS);

  it('dates a user change and a supervisor\'s promotion by Redis\'s clock, not by a machine\'s clock set ten years back', async () => {
    const before = await redisNow(redis);
    expect((await users(['add', 'cleo', '--role', 'supervisor'], { as: SUE, password: 'supervisor-password-3', clockSkewMs: -10 * 365 * 86_400_000 })).code).toBe(0);
    const after = await redisNow(redis);
    const stored = await redis.hgetall(userKeys(prefix).user('cleo'));
    const [entry] = (await redis.xrevrange(userKeys(prefix).audit, '+', '-', 'COUNT', 1)).map(([, f]) => JSON.parse(f[1]!) as { at: string; user: string });
    expect(entry!.user).toBe('cleo');
    for (const at of [stored.createdAt, stored.supervisorSince, entry!.at]) expect(Date.parse(at!) >= before && Date.parse(at!) <= after, at).toBe(true);
  });
  it('hands the cases of a user made a viewer or removed back to the queue, audited under the supervisor (they kept them claimed)', async () => {
    // After the first test: sue is the supervisor, ana an analyst.
    const cases = new RedisCaseStore(redis, prefix);
    const anas = (await cases.addAlert(alert('cli-hb1', 'acct-cli-hb1', 90))).caseId;
    const dans = (await cases.addAlert(alert('cli-hb2', 'acct-cli-hb2', 80))).caseId;
    expect((await users(['add', 'dan', '--role', 'analyst'], { as: SUE, password: 'analyst-password-4' })).code).toBe(0);
    const now = await redisNow(redis);
    await cases.claim({ name: 'ana', role: 'analyst' }, 3_600_000, now);
    await cases.claim({ name: 'dan', role: 'analyst' }, 3_600_000, now);

    const demoted = await users(['add', 'ana', '--role', 'viewer'], { as: SUE, password: ANA[1] });
    expect(demoted.code).toBe(0);
    expect(demoted.stdout).toContain(`1 case(s) they held (claimed, assigned, or with a closure they proposed) went back to the queue: ${anas}`);
    expect(await cases.get(anas)).toMatchObject({ status: 'open' });
    expect((await cases.audit(anas)).at(-1)).toMatchObject({ action: 'release', analyst: 'sue', detail: 'ana', note: 'sue made ana a viewer, who cannot work cases' });

    const removed = await users(['remove', 'dan'], { as: SUE });
    expect(removed.stdout).toContain(`1 case(s) they held (claimed, assigned, or with a closure they proposed) went back to the queue: ${dans}`);
    expect(await cases.get(dans)).toMatchObject({ status: 'open' });
    expect((await cases.audit(dans)).at(-1)).toMatchObject({ action: 'release', analyst: 'sue', detail: 'dan', note: "sue removed dan's account" });
    expect((await cases.query({ statuses: ['open'], limit: 10 })).cases.map((c) => c.caseId)).toEqual([anas, dans]);
  }, CLI_SEQUENCE_MS);
});
