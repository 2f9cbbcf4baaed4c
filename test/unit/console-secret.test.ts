/** The CSRF signing key: from TIDEWATCH_CONSOLE_SECRET outside --demo, shared by every console instance. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../helpers/sample.js';
import { describe, expect, it } from 'vitest';
import { MemoryCaseStore } from '../../src/cases/memory-case-store.js';
import { MemoryUserBackend, Users } from '../../src/cases/users.js';
import { consoleSecret } from '../../src/cli/console-secret.js';
import { parseSla } from '../../src/console/queue-view.js';
import { buildConsole } from '../../src/console/server.js';

describe('console secret', () => {
  it('is required outside --demo, and an error names the variable when missing or too short', () => {
    expect(() => consoleSecret({}, false)).toThrow(/TIDEWATCH_CONSOLE_SECRET is not set/);
    expect(() => consoleSecret({ TIDEWATCH_CONSOLE_SECRET: 'short' }, false)).toThrow(/TIDEWATCH_CONSOLE_SECRET is 5 characters; it needs at least 32/);
    expect(consoleSecret({ TIDEWATCH_CONSOLE_SECRET: 'x'.repeat(32) }, false)).toBe('x'.repeat(32));
  });

  it("refuses the example file's placeholder, which is exactly long enough", () => {
    const placeholder = /TIDEWATCH_CONSOLE_SECRET=(\S+)/.exec(readFileSync(join(root, 'infra/monitor.env.example'), 'utf8'))![1]!;
    expect(placeholder.length).toBeGreaterThanOrEqual(32);
    expect(() => consoleSecret({ TIDEWATCH_CONSOLE_SECRET: placeholder }, false)).toThrow(/still the placeholder of the example file/);
  });

  it('is random per process only in --demo', () => {
    const a = consoleSecret({}, true);
    expect(a).not.toBe(consoleSecret({}, true));
    expect(a.length).toBeGreaterThanOrEqual(32);
  });

  it('lets a second instance with the same secret accept the first one\'s CSRF token, and one with another secret refuse it', async () => {
    const users = new Users(new MemoryUserBackend());
    await users.add('ana', 'analyst', 'a-long-enough-password', 0);
    const make = (csrfKey: string) => buildConsole({ cases: new MemoryCaseStore(), users, sla: parseSla('critical=4'), clock: Date.now, sessionHours: 1, idleMinutes: 30, loginPerMinute: 100, secureCookie: true, leaseMs: 60_000, csrfKey });
    const shared = 's'.repeat(40);
    const [first, second, other] = await Promise.all([make(shared), make(shared), make('o'.repeat(40))]);
    const login = await first.inject({ method: 'POST', url: '/api/login', payload: { user: 'ana', password: 'a-long-enough-password' } });
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const headers = { cookie, 'x-csrf-token': login.json<{ csrfToken: string }>().csrfToken };
    const claim = (app: typeof first) => app.inject({ method: 'POST', url: '/api/cases/claim', payload: {}, headers });
    expect((await claim(second)).statusCode).toBe(404); // past CSRF and the session: no open case
    expect((await claim(other)).statusCode).toBe(403);
    await Promise.all([first.close(), second.close(), other.close()]);
  });
});

describe('serving the console over plain http', () => {
  it('tells the operator why sign-ins would end at once on a non-loopback host, and says nothing on loopback or with --insecure-cookie', async () => {
    const { plainHttpNote } = await import('../../src/cli/console-command.js');
    expect(plainHttpNote('192.0.2.2', false)).toMatch(/plain http on 192\.0\.2\.2; browsers keep its Secure session cookie only over https.*--insecure-cookie/);
    expect(plainHttpNote('0.0.0.0', false)).toMatch(/plain http on 0\.0\.0\.0/);
    for (const host of ['127.0.0.1', 'localhost', '::1']) expect(plainHttpNote(host, false)).toBeUndefined();
    expect(plainHttpNote('192.0.2.2', true)).toBeUndefined();
  });
});
