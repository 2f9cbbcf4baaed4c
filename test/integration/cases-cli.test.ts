/** `tidewatch cases …` against real Redis, as named users: roles, four-eyes, notes, reopen and the errors the issue measured. */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysAndQuit, TEST_REDIS_URL as REDIS_URL, testRedis, uniquePrefix } from '../helpers/redis.js';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { caseKeys } from '../../src/cases/redis-keys.js';
import { redisNow } from '../../src/cases/redis-clock.js';
import { RedisUserBackend } from '../../src/cases/redis-user-backend.js';
import { Users } from '../../src/cases/users.js';
import { alert } from '../conformance/case-store-suite.js';
import { runTidewatch, type CliOptions, type CliRun } from '../helpers/tidewatch-cli.js';

const PASSWORD = 'cli-test-password';
const DAY = 86_400_000;
const prefix = uniquePrefix('cli');
const redis = testRedis({ maxRetriesPerRequest: 3 });
let critical = '';

function cli(user: string, args: string[], env: Record<string, string> = {}, options: CliOptions = {}): Promise<CliRun> {
  return runTidewatch(['cases', ...args], { REDIS_URL, REDIS_KEY_PREFIX: prefix, TIDEWATCH_USER: user, TIDEWATCH_PASSWORD: PASSWORD, ...env }, options);
}

beforeAll(async () => {
  const users = new Users(new RedisUserBackend(redis, prefix));
  for (const [name, role] of [['ana', 'analyst'], ['sue', 'supervisor'], ['tom', 'supervisor'], ['vic', 'viewer']] as const) await users.add(name, role, PASSWORD, 0);
  const store = new RedisCaseStore(redis, prefix);
  critical = (await store.addAlert({ ...alert('cli-crit', 'acct-cli-crit', 100, 'critical', 'sanctions-exposure'), explanation: 'withdrawal to a listed address' })).caseId;
  await store.addAlert(alert('cli-med', 'acct-cli-med', 55, 'medium'));
});

afterAll(() => deleteKeysAndQuit(redis, prefix));

describe('tidewatch cases as a named user', () => {
  // Three groups, one after another; the tests of a group run side by side (each command is a
  // process that spends most of its time starting and hashing a password). First those that read
  // or refuse on the cases beforeAll made, which the claim below and the later tests' cases change.
  it.concurrent('refuses a wrong password, a viewer claiming, and a --lease that is not minutes', async () => {
    const [wrong, viewer, lease] = await Promise.all([cli('ana', ['list'], { TIDEWATCH_PASSWORD: 'not-the-password' }), cli('vic', ['claim']), cli('ana', ['claim', '--lease', 'abc'])]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('TIDEWATCH_USER ana: unknown user or wrong TIDEWATCH_PASSWORD');
    expect(viewer.code).toBe(2);
    expect(viewer.stderr).toContain('vic (viewer) may not claim cases');
    expect(lease.code).toBe(2);
    expect(lease.stderr).toContain('--lease: whole minutes from 1 to 10080, not "abc"');
    expect(lease.stderr).not.toMatch(/NaN|Lua/);
  });

  it.concurrent('lists one subject\'s cases with --subject', async () => {
    const listed = await cli('vic', ['list', '--subject', 'acct-cli-med', '--json']);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { subject: string }[]).map((c) => c.subject)).toEqual(['acct-cli-med']);
  });

  it.concurrent('takes comma lists in --status and --severity, and refuses a value that is neither (it listed nothing and exited 0)', async () => {
    const [both, typo] = await Promise.all([cli('vic', ['list', '--severity', 'critical,medium', '--status', 'open,claimed', '--json']), cli('vic', ['list', '--severity', 'urgent'])]);
    expect(both.code).toBe(0);
    expect((JSON.parse(both.stdout) as { subject: string }[]).map((c) => c.subject).sort()).toEqual(['acct-cli-crit', 'acct-cli-med']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--severity: one or more of critical, high, medium, low (comma-separated), not "urgent"');
  });

  it.concurrent('says Redis cannot be reached and names REDIS_URL, without ioredis traces', async () => {
    const down = await cli('ana', ['list'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(down.code).toBe(2);
    expect(down.stderr.trim()).toMatch(/^tidewatch: cannot reach Redis at REDIS_URL=redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect(down.stderr).not.toContain('Unhandled error event');
  });

  it.concurrent('cases archive --before later than CASE_ARCHIVE_AFTER_DAYS ago exits 2, naming both, before it signs in or writes a file, by Redis\'s clock however far ahead the machine\'s is', async () => {
    const out = join(tmpdir(), `tw-never-written-${randomUUID()}.jsonl`);
    const archive = (before: string, options: CliOptions = {}): Promise<CliRun> => cli('nobody', ['archive', '--out', out, '--before', before], { CASE_ARCHIVE_AFTER_DAYS: '30' }, options);
    const now = await redisNow(redis);
    const day = (offsetDays: number): string => new Date(now + offsetDays * DAY).toISOString().slice(0, 10);
    // A clock ten years ahead made next month look 30 days past; a date old enough passes the
    // check and goes on to sign in (as no one here).
    const [future, nextMonth, old] = await Promise.all([archive('2099-01-01'), archive(day(30), { clockSkewMs: 10 * 365 * DAY }), archive(day(-40))]);
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/--before 2099-01-01 is later than CASE_ARCHIVE_AFTER_DAYS \(30\) days ago/);
    expect(nextMonth.stderr).toMatch(/later than CASE_ARCHIVE_AFTER_DAYS/);
    expect(old.code).toBe(2);
    expect(old.stderr).toContain('TIDEWATCH_USER nobody: unknown user or wrong TIDEWATCH_PASSWORD');
    expect(existsSync(out)).toBe(false);
  });

  // Alone: `claim` takes the top open case, which the critical cases of the four-eyes test would contend for.
  it('claims, needs a note, sends a critical closure to a supervisor, and reopens with a reason; show prints the alerts and the audit', async () => {
    expect((await cli('ana', ['claim'])).stdout).toContain(critical);
    const empty = await cli('ana', ['resolve', critical, '--disposition', 'false-positive', '--note', ' ']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--note must not be empty');
    expect((await cli('ana', ['resolve', critical, '--disposition', 'false-positive', '--note', 'own cold wallet'])).stdout).toContain("awaits a supervisor's approval");
    const self = await cli('ana', ['approve', critical]);
    expect(self.code).toBe(2);
    expect(self.stderr).toContain('ana (analyst) may not approve closures');
    expect((await cli('sue', ['approve', critical])).stdout).toContain(`resolved ${critical}: false-positive`);
    expect((await cli('ana', ['reopen', critical, '--reason', 'the wallet was listed since'])).stdout).toContain(`reopened ${critical}`);
    const shown = JSON.parse((await cli('vic', ['show', critical])).stdout) as { status: string; alerts: { explanation: string }[]; audit: { action: string; analyst?: string; note?: string }[] };
    expect(shown.status).toBe('open');
    expect(shown.alerts[0]!.explanation).toBe('withdrawal to a listed address');
    expect(shown.audit.map((e) => [e.action, e.analyst ?? '', e.note ?? ''])).toEqual([
      ['open', '', ''], ['claim', 'ana', ''], ['request-approval', 'ana', 'own cold wallet'], ['approve', 'sue', 'own cold wallet'], ['reopen', 'ana', 'the wallet was listed since'],
    ]);
  });

  // Each on cases of its own, by id.
  it.concurrent('prints a claimed case\'s lease end as an ISO time in UTC in show and list --json (show printed epoch milliseconds)', async () => {
    const store = new RedisCaseStore(redis, prefix);
    const leased = (await store.addAlert(alert('cli-lease', 'acct-cli-lease', 40, 'low'))).caseId;
    const before = await redisNow(redis);
    expect((await cli('sue', ['assign', leased, 'ana', '--lease', '90'])).code).toBe(0);
    const stored = (await store.get(leased))!.leaseUntil!;
    const shown = JSON.parse((await cli('vic', ['show', leased])).stdout) as { leaseUntil: unknown; status: string };
    expect(shown.status).toBe('claimed');
    expect(shown.leaseUntil).toBe(new Date(stored).toISOString());
    expect(Date.parse(shown.leaseUntil as string) - before).toBeGreaterThanOrEqual(90 * 60_000);
    const listed = JSON.parse((await cli('vic', ['list', '--subject', 'acct-cli-lease', '--json'])).stdout) as { leaseUntil: unknown }[];
    expect(listed.map((c) => c.leaseUntil)).toEqual([new Date(stored).toISOString()]);
  });

  it.concurrent('refuses four-eyes between accounts one made, or whose password one set, also after a change in the colleague\'s name; another supervisor\'s reset ends the tie', async () => {
    const store = new RedisCaseStore(redis, prefix);
    const own = (await store.addAlert(alert('cli-tie-1', 'acct-cli-tie-1', 100, 'critical', 'sanctions-exposure'))).caseId;
    const puppet = (await store.addAlert(alert('cli-tie-2', 'acct-cli-tie-2', 100, 'critical', 'sanctions-exposure'))).caseId;
    const asSue = { REDIS_URL, REDIS_KEY_PREFIX: prefix, TIDEWATCH_USER: 'sue', TIDEWATCH_PASSWORD: PASSWORD };
    // Two ties, each on its own case and users, checked side by side.
    const passwordSetBySue = async (): Promise<void> => {
      expect((await cli('sue', ['resolve', own, '--disposition', 'false-positive', '--note', 'our own cold wallet'])).code).toBe(0);
      // sue re-sets tom's password, signs in as tom and approves her own closure.
      expect((await runTidewatch(['console', 'users', 'add', 'tom', '--role', 'supervisor'], asSue, { stdin: 'sue-chose-this-1\n' })).code).toBe(0);
      const asTom = await cli('tom', ['approve', own], { TIDEWATCH_PASSWORD: 'sue-chose-this-1' });
      expect(asTom.code).toBe(2);
      expect(asTom.stderr).toMatch(/four-eyes: tom cannot approve sue's closure: sue set tom's password at \S+: whoever set it may know it, and may have made any change since, until another person sets a new one/);
      // A change in tom's name, which sue knowing the password could make herself, leaves the tie.
      const changed = await runTidewatch(['console', 'users', 'password'], { REDIS_URL, REDIS_KEY_PREFIX: prefix, TIDEWATCH_USER: 'tom', TIDEWATCH_PASSWORD: 'sue-chose-this-1' }, { stdin: 'tom-chose-this-2\n' });
      expect(changed.stdout).toContain('password of tom changed');
      expect((await cli('tom', ['approve', own], { TIDEWATCH_PASSWORD: 'tom-chose-this-2' })).code).toBe(2);
      // Another supervisor re-sets it: sue no longer knows it, and tom's approval stands.
      expect((await runTidewatch(['console', 'users', 'add', 'ann', '--role', 'supervisor'], asSue, { stdin: 'sue-made-ann-1\n' })).code).toBe(0);
      expect((await runTidewatch(['console', 'users', 'add', 'tom', '--role', 'supervisor'], { ...asSue, TIDEWATCH_USER: 'ann', TIDEWATCH_PASSWORD: 'sue-made-ann-1' }, { stdin: 'ann-chose-this-3\n' })).code).toBe(0);
      expect((await cli('tom', ['approve', own], { TIDEWATCH_PASSWORD: 'ann-chose-this-3' })).stdout).toContain(`resolved ${own}: false-positive`);
    };
    const accountMadeBySue = async (): Promise<void> => {
      // sue makes an analyst, proposes a closure as it and approves it as herself.
      expect((await runTidewatch(['console', 'users', 'add', 'zed', '--role', 'analyst'], asSue, { stdin: 'sue-made-zed-1\n' })).code).toBe(0);
      expect((await cli('zed', ['resolve', puppet, '--disposition', 'false-positive', '--note', 'a test account'], { TIDEWATCH_PASSWORD: 'sue-made-zed-1' })).code).toBe(0);
      const bySue = await cli('sue', ['approve', puppet]);
      expect(bySue.code).toBe(2);
      expect(bySue.stderr).toMatch(/four-eyes: sue cannot approve zed's closure: sue made zed's account at /);
      expect((await store.get(puppet))!.status).toBe('pending-approval');
    };
    await Promise.all([passwordSetBySue(), accountMadeBySue()]);
  });

  it.concurrent('records Redis\'s time in the audit and the lease, not that of a machine whose clock is ten years behind', async () => {
    const store = new RedisCaseStore(redis, prefix);
    const { caseId } = await store.addAlert(alert('cli-clock', 'acct-cli-clock', 60, 'medium'));
    const behind = { clockSkewMs: -10 * 365 * DAY };
    const before = await redisNow(redis);
    expect((await cli('sue', ['assign', caseId, 'ana', '--lease', '30'], {}, behind)).code).toBe(0);
    expect((await cli('ana', ['note', caseId, 'called the customer'], {}, behind)).code).toBe(0);
    const after = await redisNow(redis);
    const recorded = (await store.audit(caseId)).filter((e) => e.action === 'assign' || e.action === 'note').map((e) => Date.parse(e.at));
    expect(recorded).toHaveLength(2);
    for (const at of recorded) expect(at >= before && at <= after, new Date(at).toISOString()).toBe(true);
    const lease = (await store.get(caseId))!.leaseUntil!;
    expect(lease >= before + 30 * 60_000 && lease <= after + 30 * 60_000).toBe(true);
  });

  it.concurrent('keeps a resolved case\'s keys for their retention when a note comes from a command run with CASE_RETENTION_DAYS=1', async () => {
    const store = new RedisCaseStore(redis, prefix);
    const { caseId } = await store.addAlert(alert('cli-ret', 'acct-cli-ret', 60, 'medium'));
    await store.resolve(caseId, 'false-positive', 'known payroll provider', { name: 'ana', role: 'analyst' }, await redisNow(redis));
    expect((await cli('ana', ['note', caseId, 'x'], { CASE_RETENTION_DAYS: '1' })).code).toBe(0);
    const k = caseKeys(prefix);
    for (const key of [k.caseDoc(caseId), k.caseAlerts(caseId), k.audit(caseId)]) expect(await redis.ttl(key)).toBeGreaterThan(1824 * 86_400);
  });
});
