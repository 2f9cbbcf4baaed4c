/**
 * Console sessions end after CONSOLE_IDLE_MINUTES without a request of the user's own, within
 * their CONSOLE_SESSION_HOURS; the queue's background reloads do not count as use (session 44
 * security QA: sessions had no idle timeout, only 8 hours from sign-in). Driven in-process on a
 * wall clock the test moves.
 */
import { spawnSync } from 'node:child_process';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryCaseStore } from '../../src/cases/memory-case-store.js';
import { MemoryUserBackend, Users } from '../../src/cases/users.js';
import { loadConfig } from '../../src/config/config.js';
import { configRefusal } from '../helpers/config-refusal.js';
import { BACKGROUND_HEADER } from '../../src/console/context.js';
import { parseSla } from '../../src/console/queue-view.js';
import { buildConsole } from '../../src/console/server.js';
import { root } from '../helpers/sample.js';
import { TIDEWATCH } from '../helpers/built-sources.js';

const PASSWORD = 'idle-session-password-1';
const MINUTE = 60_000;
let app: FastifyInstance | undefined;
let now = 1_700_000_000_000;

afterEach(async () => app?.close());

/** A console on the test's clock: sessions of `sessionHours`, ending after 30 idle minutes; signed in as ana. */
async function signedIn(sessionHours = 8): Promise<{ get: (url: string, background?: boolean) => Promise<LightMyRequestResponse> }> {
  const users = new Users(new MemoryUserBackend(() => now));
  await users.add('ana', 'analyst', PASSWORD, now);
  app = await buildConsole({ cases: new MemoryCaseStore(), users, sla: parseSla('critical=4'), clock: () => now, sessionHours, idleMinutes: 30, loginPerMinute: 100, secureCookie: true, leaseMs: MINUTE });
  const res = await app.inject({ method: 'POST', url: '/api/login', payload: { user: 'ana', password: PASSWORD } });
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  return { get: (url, background = false) => app!.inject({ method: 'GET', url, headers: { cookie, ...(background ? { [BACKGROUND_HEADER]: '1' } : {}) } }) };
}

describe('console sessions that go idle', () => {
  it('live while the user makes requests, and end 30 minutes after the last one', async () => {
    const ana = await signedIn();
    for (let i = 0; i < 4; i++) {
      now += 29 * MINUTE;
      expect((await ana.get(i % 2 === 0 ? '/api/me' : '/api/cases')).statusCode).toBe(200);
    }
    now += 30 * MINUTE + 1;
    const ended = await ana.get('/api/me');
    expect(ended.statusCode).toBe(401);
    expect(ended.json()).toEqual({ error: 'sign in first' });
    now -= 30 * MINUTE; // nothing brings it back
    expect((await ana.get('/api/me')).statusCode).toBe(401);
  });

  it('are not kept alive by the queue\'s background reloads (an open page alone)', async () => {
    const ana = await signedIn();
    now += 20 * MINUTE;
    expect((await ana.get('/api/cases', true)).statusCode).toBe(200);
    now += 9 * MINUTE;
    expect((await ana.get('/api/cases', true)).statusCode).toBe(200);
    now += 2 * MINUTE; // 31 minutes after sign-in, the user's last own request
    expect((await ana.get('/api/cases', true)).statusCode).toBe(401);
  });

  it('still end at CONSOLE_SESSION_HOURS however busy the user is', async () => {
    const ana = await signedIn(1);
    for (let i = 0; i < 3; i++) {
      now += 20 * MINUTE - 1;
      expect((await ana.get('/api/me')).statusCode).toBe(200);
    }
    now += 3;
    expect((await ana.get('/api/me')).statusCode).toBe(401);
  });
});

describe('CONSOLE_IDLE_MINUTES', () => {
  const refusal = (value: string): string => configRefusal({ CONSOLE_IDLE_MINUTES: value });

  it('is 30 minutes unless set, a whole number of minutes from 1 to 43,200, and a bad value is refused naming it', () => {
    expect(loadConfig({}).CONSOLE_IDLE_MINUTES).toBe(30);
    expect(loadConfig({ CONSOLE_IDLE_MINUTES: '15' }).CONSOLE_IDLE_MINUTES).toBe(15);
    for (const bad of ['0', '-5', '2.5', 'half an hour', '43201', '0x1e']) expect(refusal(bad), bad).toMatch(/^invalid configuration: CONSOLE_IDLE_MINUTES: /);
  });

  it('stops the console at start, exit 2, naming the variable', () => {
    const r = spawnSync('node', [TIDEWATCH, 'console', '--demo', '--port', '0'], { cwd: root, encoding: 'utf8', timeout: 50_000, env: { ...process.env, CONSOLE_IDLE_MINUTES: 'never' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^invalid configuration: CONSOLE_IDLE_MINUTES: /);
  }, 60_000);
});
