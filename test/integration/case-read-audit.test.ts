/**
 * Reads of case contents are in the access log, in Redis (a stream capped with MAXLEN): who
 * (the signed-in user), which case and account, when, via the console or the CLI. Session 60
 * security QA: `/api/cases/:id`, `/api/accounts/:id` and `cases show` were not audited at all.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysAndQuit, TEST_REDIS_URL as REDIS_URL, testRedis, uniquePrefix } from '../helpers/redis.js';
import type { ReadEntry } from '../../src/cases/case-model.js';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { caseKeys } from '../../src/cases/redis-keys.js';
import { RedisUserBackend } from '../../src/cases/redis-user-backend.js';
import { Users } from '../../src/cases/users.js';
import type { ConsoleLogger } from '../../src/console/context.js';
import { parseSla } from '../../src/console/queue-view.js';
import { buildConsole } from '../../src/console/server.js';
import { alert } from '../conformance/case-store-suite.js';
import { runTidewatch } from '../helpers/tidewatch-cli.js';

const PASSWORD = 'read-audit-test-password';
const redis = testRedis({ maxRetriesPerRequest: 3 });
const prefix = uniquePrefix('read-audit');
const store = new RedisCaseStore(redis, prefix);
const warnings: Record<string, unknown>[] = [];
const logger: ConsoleLogger = { debug: () => {}, info: () => {}, error: () => {}, warn: (fields) => { warnings.push(fields); } };
let app: FastifyInstance;
let caseId = '';

beforeAll(async () => {
  const users = new Users(new RedisUserBackend(redis, prefix));
  for (const [name, role] of [['xena', 'analyst'], ['sue', 'supervisor'], ['vic', 'viewer']] as const) await users.add(name, role, PASSWORD, 0);
  caseId = (await store.addAlert(alert('read-1', 'acct-read-1', 90, 'high'))).caseId;
  app = await buildConsole({
    cases: store, users, sla: parseSla('critical=4,high=24,medium=72'), clock: Date.now, sessionHours: 1, idleMinutes: 30,
    loginPerMinute: 100, secureCookie: true, leaseMs: 60_000, logger,
  });
});

afterAll(async () => {
  await app.close();
  await deleteKeysAndQuit(redis, prefix);
});

async function signIn(user: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/login', payload: { user, password: PASSWORD } });
  expect(res.statusCode).toBe(200);
  return res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

const get = (url: string, cookie?: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'GET', url, headers: { ...(cookie ? { cookie } : {}), ...headers } });

/** The access log as Redis holds it, newest first. */
async function logged(): Promise<ReadEntry[]> {
  const rows = await redis.xrevrange(caseKeys(prefix).reads, '+', '-');
  return rows.map(([, fields]) => JSON.parse(fields[fields.indexOf('entry') + 1]!) as ReadEntry);
}

describe('the access log of case reads', () => {
  it('records a console read of a case, an account and an alert with the signed-in user, the ids and the time', async () => {
    const before = Date.now();
    const xena = await signIn('xena');
    expect((await get(`/api/cases/${caseId}`, xena)).statusCode).toBe(200);
    expect((await get('/api/accounts/acct-read-1', xena)).statusCode).toBe(200);
    expect((await get('/api/alerts/read-1', xena)).statusCode).toBe(200);
    const [alertRead, accountRead, caseRead] = await logged();
    expect(caseRead).toMatchObject({ user: 'xena', via: 'http', what: 'case', caseIds: [caseId], accountIds: ['acct-read-1'] });
    expect(Date.parse(caseRead!.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(accountRead).toMatchObject({ user: 'xena', via: 'http', what: 'account', caseIds: [caseId], accountIds: ['acct-read-1'] });
    expect(alertRead).toMatchObject({ user: 'xena', via: 'http', what: 'alert', caseIds: [caseId], accountIds: ['acct-read-1'], detail: 'read-1' });
    expect(await store.reads({ caseId, user: 'xena' })).toHaveLength(3);
  });

  it('is a stream trimmed as it is written (MAXLEN ~): 1,000 reads into a log that keeps about 100 leave about 100', async () => {
    const small = uniquePrefix('read-audit-cap');
    const capped = new RedisCaseStore(redis, small, undefined, undefined, 100);
    try {
      for (let i = 0; i < 1000; i++) await capped.recordRead({ at: new Date().toISOString(), user: 'xena', via: 'http', what: 'case', caseIds: [`c-${i}`], accountIds: [`a-${i}`] });
      const kept = await redis.xlen(caseKeys(small).reads);
      expect(kept).toBeGreaterThanOrEqual(100);
      expect(kept).toBeLessThan(300); // ~ trims whole stream nodes (100 entries each by default)
      expect((await capped.reads({ limit: 1 }))[0]!.caseIds).toEqual(['c-999']);
    } finally {
      await redis.del(caseKeys(small).reads);
    }
  });

  it('records a queue read once, with its filter, not once per case, and not the page\'s background reloads', async () => {
    await store.addAlert(alert('read-2', 'acct-read-2', 60, 'medium'));
    const vic = await signIn('vic');
    const count = (await logged()).length;
    expect((await get('/api/cases?status=open', vic)).json<{ cases: unknown[] }>().cases.length).toBe(2);
    expect((await get('/api/cases?status=open', vic, { 'x-tidewatch-background': '1' })).statusCode).toBe(200);
    const entries = await logged();
    expect(entries.length).toBe(count + 1);
    expect(entries[0]).toMatchObject({ user: 'vic', via: 'http', what: 'queue', caseIds: [], accountIds: [] });
    expect(entries[0]!.detail).toContain('"status":["open"]');
  });

  it('refuses a read without a session (401), records nothing for it, and logs the refusal with its route', async () => {
    const count = (await logged()).length;
    expect((await get(`/api/cases/${caseId}`)).statusCode).toBe(401);
    expect((await get('/api/accounts/acct-read-1', 'tw_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).statusCode).toBe(401);
    expect((await logged()).length).toBe(count);
    expect(warnings).toContainEqual({ method: 'GET', route: '/api/cases/:id', status: 401, user: null });
    expect(warnings).toContainEqual({ method: 'GET', route: '/api/accounts/:id', status: 401, user: null });
  });

  it('records `cases show` and `cases list` by the CLI user, shown by `cases reads` to a supervisor only', async () => {
    const env = { REDIS_URL, REDIS_KEY_PREFIX: prefix, TIDEWATCH_PASSWORD: PASSWORD };
    expect((await runTidewatch(['cases', 'show', caseId], { ...env, TIDEWATCH_USER: 'xena' })).code).toBe(0);
    expect((await runTidewatch(['cases', 'list', '--subject', 'acct-read-2'], { ...env, TIDEWATCH_USER: 'vic' })).code).toBe(0);
    const [listRead, showRead] = await logged();
    expect(showRead).toMatchObject({ user: 'xena', via: 'cli', what: 'case', caseIds: [caseId], accountIds: ['acct-read-1'] });
    expect(listRead).toMatchObject({ user: 'vic', via: 'cli', what: 'queue', accountIds: ['acct-read-2'] });
    const refused = await runTidewatch(['cases', 'reads'], { ...env, TIDEWATCH_USER: 'xena' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('xena (analyst) may not read the access log; it needs supervisor');
    const shown = await runTidewatch(['cases', 'reads', '--case', caseId, '--json'], { ...env, TIDEWATCH_USER: 'sue' });
    expect(shown.code).toBe(0);
    const entries = JSON.parse(shown.stdout) as ReadEntry[];
    expect(entries.map((e) => `${e.user} ${e.via} ${e.what}`)).toEqual(['xena cli case', 'xena http alert', 'xena http account', 'xena http case']);
    const wrongPassword = await runTidewatch(['cases', 'show', caseId], { ...env, TIDEWATCH_USER: 'xena', TIDEWATCH_PASSWORD: 'not-it' });
    expect(wrongPassword.code).toBe(2);
    expect((await store.reads({ caseId })).length).toBe(4); // the refused CLI read wrote nothing
  });
});
