/** `tidewatch cases …` against real Redis, as named users: roles, four-eyes, notes, reopen and the errors the issue measured. */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { RedisUserBackend } from '../../src/cases/redis-user-backend.js';
import { Users } from '../../src/cases/users.js';
import { alert } from '../conformance/case-store-suite.js';
import { root } from '../helpers/sample.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PASSWORD = 'cli-test-password';
const prefix = `twtest:cli:${randomUUID()}:`;
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
let critical = '';

interface Run { code: number; stdout: string; stderr: string }

function cli(user: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile('node', ['--import', 'tsx', 'src/cli/main.ts', 'cases', ...args], {
      cwd: root, env: { ...process.env, REDIS_URL, REDIS_KEY_PREFIX: prefix, TIDEWATCH_USER: user, TIDEWATCH_PASSWORD: PASSWORD, ...env },
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  const users = new Users(new RedisUserBackend(redis, prefix));
  for (const [name, role] of [['ana', 'analyst'], ['sue', 'supervisor'], ['vic', 'viewer']] as const) await users.add(name, role, PASSWORD, 0);
  const store = new RedisCaseStore(redis, prefix);
  critical = (await store.addAlert({ ...alert('cli-crit', 'acct-cli-crit', 100, 'critical', 'sanctions-exposure'), explanation: 'withdrawal to a listed address' })).caseId;
  await store.addAlert(alert('cli-med', 'acct-cli-med', 55, 'medium'));
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('tidewatch cases as a named user', () => {
  it('refuses a wrong password, a viewer claiming, and a --lease that is not minutes', async () => {
    const wrong = await cli('ana', ['list'], { TIDEWATCH_PASSWORD: 'not-the-password' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('TIDEWATCH_USER ana: unknown user or wrong TIDEWATCH_PASSWORD');
    const viewer = await cli('vic', ['claim']);
    expect(viewer.code).toBe(2);
    expect(viewer.stderr).toContain('vic (viewer) may not claim cases');
    const lease = await cli('ana', ['claim', '--lease', 'abc']);
    expect(lease.code).toBe(2);
    expect(lease.stderr).toContain('--lease: whole minutes from 1 to 10080, not "abc"');
    expect(lease.stderr).not.toMatch(/NaN|Lua/);
  });

  it('lists one subject\'s cases with --subject', async () => {
    const listed = await cli('vic', ['list', '--subject', 'acct-cli-med', '--json']);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { subject: string }[]).map((c) => c.subject)).toEqual(['acct-cli-med']);
  });

  it('says Redis cannot be reached and names REDIS_URL, without ioredis traces', async () => {
    const down = await cli('ana', ['list'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(down.code).toBe(2);
    expect(down.stderr.trim()).toMatch(/^tidewatch: cannot reach Redis at REDIS_URL=redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect(down.stderr).not.toContain('Unhandled error event');
  });

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
});
