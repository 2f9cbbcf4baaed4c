/**
 * Times the store records come from Redis's clock (session 44 security QA): a console whose
 * machine's clock runs ten years behind still records the audit, the lease, a suppression and a
 * rule audit entry at Redis's time. The skew is a faked Date in this process; Redis is real.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deleteKeysAndQuit, testRedis, uniquePrefix } from '../helpers/redis.js';
import { redisNow } from '../../src/cases/redis-clock.js';
import { RedisRuleAudit } from '../../src/cases/redis-rule-audit.js';
import { redisStores } from '../../src/cli/console-command.js';
import { loadConfig } from '../../src/config/config.js';
import { parseSla } from '../../src/console/queue-view.js';
import { buildConsole } from '../../src/console/server.js';
import { alert } from '../conformance/case-store-suite.js';

const redis = testRedis({ maxRetriesPerRequest: 3 });
const prefix = uniquePrefix('clock');
const TEN_YEARS = 10 * 365 * 86_400_000;

/** Whether `at` (ISO or ms) lies within [from, to]. */
const within = (at: string | number, from: number, to: number): boolean => {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  return ms >= from && ms <= to;
};

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() - TEN_YEARS);
});
afterEach(() => vi.useRealTimers());
afterAll(() => deleteKeysAndQuit(redis, prefix));

describe('Redis\'s clock, not the machine\'s', () => {
  it('times what the console records: a claim\'s lease and audit, a note, a suppression', async () => {
    const stores = await redisStores(loadConfig({ ...process.env, REDIS_KEY_PREFIX: prefix }), redis); // as `tidewatch console` wires them
    const { cases, users } = stores;
    await users.add('sue', 'supervisor', 'sue-own-password-1', 0);
    const { caseId } = await cases.addAlert(alert('clock-1', 'acct-clock', 90, 'high'));
    const app = await buildConsole({ ...stores, sla: parseSla('critical=4'), sessionHours: 1, idleMinutes: 30, loginPerMinute: 100, secureCookie: true, leaseMs: 60_000 });
    const login = await app.inject({ method: 'POST', url: '/api/login', payload: { user: 'sue', password: 'sue-own-password-1' } });
    const headers = { cookie: login.cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'x-csrf-token': login.json<{ csrfToken: string }>().csrfToken };
    const before = await redisNow(redis);
    expect((await app.inject({ method: 'POST', url: '/api/cases/claim', payload: {}, headers })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/api/cases/${caseId}/notes`, payload: { text: 'called the customer' }, headers })).statusCode).toBe(200);
    const suppression = (await app.inject({ method: 'POST', url: '/api/suppressions', payload: { kind: 'account', subject: 'acct-other', reason: 'our own treasury', days: 1 }, headers })).json<{ createdAt: string }>();
    const after = await redisNow(redis);
    await app.close();
    const recorded = (await cases.audit(caseId)).filter((e) => e.action !== 'open');
    expect(recorded.map((e) => e.action)).toEqual(['claim', 'note']);
    for (const e of recorded) expect(within(e.at, before, after), e.at).toBe(true);
    expect(within((await cases.get(caseId))!.leaseUntil! - 60_000, before, after)).toBe(true);
    expect(within(suppression.createdAt, before, after), suppression.createdAt).toBe(true);
  });

  it('times a rule audit entry', async () => {
    const audit = new RedisRuleAudit(redis, prefix);
    const before = await redisNow(redis);
    await audit.append({ at: new Date().toISOString(), event: 'start', instance: 'i', host: 'h', fingerprint: 'f', rules: 0, files: [] });
    const after = await redisNow(redis);
    const [entry] = await audit.newest(1);
    expect(within(entry!.at, before, after), entry!.at).toBe(true);
  });
});
