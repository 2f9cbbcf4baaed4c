/**
 * Strict-Transport-Security on the console's responses when it is reached over TLS: always with
 * CONSOLE_BEHIND_TLS, else on a request a trusted proxy marks https (session 44 security QA: the
 * console sent no HSTS). Never on plain http, where browsers ignore it anyway.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryCaseStore } from '../../src/cases/memory-case-store.js';
import { MemoryUserBackend, Users } from '../../src/cases/users.js';
import { loadConfig } from '../../src/config/config.js';
import type { ConsoleOptions } from '../../src/console/context.js';
import { parseSla } from '../../src/console/queue-view.js';
import { buildConsole } from '../../src/console/server.js';

const PASSWORD = 'hsts-test-password-1';
const HSTS = 'max-age=31536000';
let app: FastifyInstance | undefined;
const pages: string[] = [];

afterEach(async () => {
  await app?.close();
  for (const dir of pages.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function consoleWith(extra: Partial<ConsoleOptions>): Promise<FastifyInstance> {
  const users = new Users(new MemoryUserBackend());
  await users.add('ana', 'analyst', PASSWORD, 0);
  const staticDir = mkdtempSync(join(tmpdir(), 'tw-hsts-'));
  pages.push(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
  app = await buildConsole({ cases: new MemoryCaseStore(), users, sla: parseSla('critical=4'), clock: Date.now, sessionHours: 1, idleMinutes: 30, loginPerMinute: 100, secureCookie: true, leaseMs: 60_000, staticDir, ...extra });
  return app;
}

/** The HSTS header of each kind of response: the page, a refusal, a sign-in. */
async function hstsOf(a: FastifyInstance, headers: Record<string, string> = {}): Promise<(string | undefined)[]> {
  const responses = await Promise.all([
    a.inject({ method: 'GET', url: '/', headers }),
    a.inject({ method: 'GET', url: '/api/cases', headers }),
    a.inject({ method: 'POST', url: '/api/login', payload: { user: 'ana', password: PASSWORD }, headers }),
  ]);
  expect(responses.map((r) => r.statusCode)).toEqual([200, 401, 200]);
  return responses.map((r) => r.headers['strict-transport-security'] as string | undefined);
}

describe('Strict-Transport-Security', () => {
  it('is on every response of a console behind TLS (CONSOLE_BEHIND_TLS), the event stream\'s too', async () => {
    const a = await consoleWith({ behindTls: true });
    expect(await hstsOf(a)).toEqual([HSTS, HSTS, HSTS]);
    const login = await a.inject({ method: 'POST', url: '/api/login', payload: { user: 'ana', password: PASSWORD } });
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const address = await a.listen({ port: 0, host: '127.0.0.1' });
    const streamHeader = await new Promise<string | undefined>((resolve, reject) => {
      const req = httpGet(`${address}/api/cases/stream`, { headers: { cookie } }, (res) => { resolve(res.headers['strict-transport-security'] as string | undefined); req.destroy(); });
      req.on('error', reject);
    });
    expect(streamHeader).toBe(HSTS);
  });

  it('is on a request a trusted TLS proxy marks https, and not on one an untrusted client marks so or on plain http', async () => {
    const trusting = await consoleWith({ trustProxy: ['127.0.0.1'] });
    expect(await hstsOf(trusting, { 'x-forwarded-proto': 'https' })).toEqual([HSTS, HSTS, HSTS]);
    expect(await hstsOf(trusting)).toEqual([undefined, undefined, undefined]);
    await trusting.close();
    const untrusting = await consoleWith({});
    expect(await hstsOf(untrusting, { 'x-forwarded-proto': 'https' })).toEqual([undefined, undefined, undefined]);
  });

  it('reads CONSOLE_BEHIND_TLS as true or false (off unless set) and refuses anything else naming it', () => {
    expect(loadConfig({}).CONSOLE_BEHIND_TLS).toBe(false);
    expect(loadConfig({ CONSOLE_BEHIND_TLS: 'true' }).CONSOLE_BEHIND_TLS).toBe(true);
    expect(() => loadConfig({ CONSOLE_BEHIND_TLS: 'yes' })).toThrow(/^invalid configuration: CONSOLE_BEHIND_TLS: /);
  });
});
