/** Suppressions in memory, and under /api/suppressions (supervisors add and revoke; everyone lists). */
import { describe, expect, it } from 'vitest';
import { MemoryCaseStore } from '../../src/cases/memory-case-store.js';
import { MemorySuppressionBackend, Suppressions } from '../../src/cases/suppressions.js';
import { MemoryUserBackend, Users } from '../../src/cases/users.js';
import { parseSla } from '../../src/console/queue-view.js';
import { buildConsole } from '../../src/console/server.js';
import { suppressionSuite } from '../conformance/suppression-suite.js';

suppressionSuite('memory', async () => ({ cases: new MemoryCaseStore(), backend: new MemorySuppressionBackend() }));

describe('suppressions API', () => {
  it('lets a supervisor add and revoke a suppression and a second one confirm it, refuses an analyst, and lists them with the log', async () => {
    const users = new Users(new MemoryUserBackend());
    await users.add('ana', 'analyst', 'a-long-enough-password', 0);
    await users.add('sue', 'supervisor', 'a-long-enough-password', 0);
    await users.add('tom', 'supervisor', 'a-long-enough-password', 0);
    const app = await buildConsole({ cases: new MemoryCaseStore(), users, suppressions: new Suppressions(new MemorySuppressionBackend()), sla: parseSla('critical=4'), clock: Date.now, sessionHours: 1, idleMinutes: 30, loginPerMinute: 100, secureCookie: true, leaseMs: 60_000 });
    const login = async (user: string) => {
      const res = await app.inject({ method: 'POST', url: '/api/login', payload: { user, password: 'a-long-enough-password' } });
      return { cookie: res.cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'x-csrf-token': res.json<{ csrfToken: string }>().csrfToken };
    };
    const [ana, sue, tom] = [await login('ana'), await login('sue'), await login('tom')];
    const body = { kind: 'account', subject: 'acct-9', reason: 'internal test account', days: 14 };
    expect((await app.inject({ method: 'POST', url: '/api/suppressions', payload: body, headers: ana })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/suppressions', payload: { ...body, days: 400 }, headers: sue })).statusCode).toBe(400);
    const added = (await app.inject({ method: 'POST', url: '/api/suppressions', payload: body, headers: sue })).json<{ id: string; ruleId: string; createdBy: string }>();
    expect(added).toMatchObject({ ruleId: '*', createdBy: 'sue' });
    expect((await app.inject({ method: 'POST', url: `/api/suppressions/${added.id}/confirm`, payload: {}, headers: sue })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: `/api/suppressions/${added.id}/confirm`, payload: {}, headers: ana })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: `/api/suppressions/${added.id}/confirm`, payload: {}, headers: tom })).json()).toMatchObject({ confirmedBy: 'tom' });
    expect((await app.inject({ method: 'POST', url: `/api/suppressions/${added.id}/revoke`, payload: { reason: '' }, headers: sue })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: `/api/suppressions/${added.id}/revoke`, payload: { reason: 'account closed' }, headers: sue })).json()).toMatchObject({ revokedBy: 'sue' });
    const listed = (await app.inject({ method: 'GET', url: '/api/suppressions', headers: { cookie: ana.cookie } })).json<{ suppressions: { id: string; active: boolean }[]; log: { action: string; by: string }[] }>();
    expect(listed.suppressions).toEqual([expect.objectContaining({ id: added.id, active: false })]);
    expect(listed.log.map((e) => [e.action, e.by])).toEqual([['suppress', 'sue'], ['confirm', 'tom'], ['revoke', 'sue']]);
    expect((await app.inject({ method: 'GET', url: '/api/suppressions' })).statusCode).toBe(401);
    await app.close();
  });
});
