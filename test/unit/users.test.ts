import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/cases/passwords.js';
import type { LightMyRequestResponse } from 'fastify';
import { accountTies, MemoryUserBackend, ROLE_TIE_DAYS, Users, type UserAuditEntry } from '../../src/cases/users.js';
import { MemoryCaseStore } from '../../src/cases/memory-case-store.js';
import { MemorySuppressionBackend, Suppressions } from '../../src/cases/suppressions.js';
import { parseSla } from '../../src/console/queue-view.js';
import { buildConsole } from '../../src/console/server.js';
import { alert } from '../conformance/case-store-suite.js';

describe('passwords', () => {
  it('stores a salted scrypt hash that verifies only the same password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'md5$abc')).toBe(false);
  });

  it('refuses a short password', async () => {
    await expect(hashPassword('short')).rejects.toThrow(/at least 12 characters/);
  });
});

describe('users', () => {
  it('signs in a user with their role and refuses a wrong password or unknown name', async () => {
    const users = new Users(new MemoryUserBackend());
    await users.add('ana', 'analyst', 'analyst-password-1', 0);
    expect(await users.authenticate('ana', 'analyst-password-1')).toEqual({ name: 'ana', role: 'analyst' });
    expect(await users.authenticate('ana', 'analyst-password-2')).toBeUndefined();
    expect(await users.authenticate('nobody', 'analyst-password-1')).toBeUndefined();
    expect(await users.list()).toEqual([{ name: 'ana', role: 'analyst' }]);
  });

  it('names the bad input: a role outside the three, a name with odd characters', async () => {
    const users = new Users(new MemoryUserBackend());
    await expect(users.add('ana', 'admin', 'analyst-password-1', 0)).rejects.toThrow('role: one of analyst, supervisor, viewer, not admin');
    await expect(users.add('Ana Smith', 'analyst', 'analyst-password-1', 0)).rejects.toThrow(/user name "Ana Smith"/);
  });

  it('ends sessions on sign-out and at their TTL, and applies a changed role at once', async () => {
    let now = 1_000_000;
    const users = new Users(new MemoryUserBackend(() => now));
    const ana = await users.add('ana', 'analyst', 'analyst-password-1', 0);
    const s1 = await users.startSession(ana, 60, 60);
    const s2 = await users.startSession(ana, 60, 60);
    expect(s1).not.toBe(s2);
    expect(await users.session(s1)).toEqual(ana);
    await users.add('ana', 'viewer', 'analyst-password-1', 0);
    expect(await users.session(s1)).toEqual({ name: 'ana', role: 'viewer' });
    await users.endSession(s1);
    expect(await users.session(s1)).toBeUndefined();
    now += 60_001;
    expect(await users.session(s2)).toBeUndefined();
    expect(await users.session('not a session id')).toBeUndefined();
  });
});

describe('taking access away', () => {
  it('ends every session of a user given a new password, and keeps them through a change of role', async () => {
    const users = new Users(new MemoryUserBackend());
    const ana = await users.add('ana', 'analyst', 'analyst-password-1', 0);
    const before = await users.startSession(ana, 3600, 3600);
    await users.add('ana', 'supervisor', 'analyst-password-1', 0);
    expect(await users.session(before)).toEqual({ name: 'ana', role: 'supervisor', supervisorSince: new Date(0).toISOString() });
    await users.add('ana', 'supervisor', 'analyst-password-2', 0);
    expect(await users.session(before)).toBeUndefined();
    const after = await users.startSession({ name: 'ana', role: 'supervisor' }, 3600, 3600);
    expect(await users.session(after)).toEqual({ name: 'ana', role: 'supervisor', supervisorSince: new Date(0).toISOString() });
  });

  it('refuses to demote or remove the last supervisor: with none, anyone reaching the store could set one up without signing in', async () => {
    const users = new Users(new MemoryUserBackend());
    await users.add('sue', 'supervisor', 'supervisor-password-1', 0);
    await expect(users.add('sue', 'analyst', 'supervisor-password-1', 0)).rejects.toThrow('sue is the last supervisor and cannot be given another role: add another supervisor first');
    await expect(users.remove('sue', 0)).rejects.toThrow('sue is the last supervisor and cannot be removed');
    expect(await users.hasSupervisor()).toBe(true);
    await users.add('tom', 'supervisor', 'supervisor-password-2', 0);
    await users.remove('sue', 0); // another remains
    expect(await users.list()).toEqual([{ name: 'tom', role: 'supervisor' }]);
  });

  it('refuses weak new passwords: blank, repetitive, or holding the user name, and says why', async () => {
    const users = new Users(new MemoryUserBackend());
    await expect(users.add('carl3', 'analyst', ' '.repeat(12), 0)).rejects.toThrow('a password cannot be blank');
    await expect(users.add('carl3', 'analyst', 'a'.repeat(12), 0)).rejects.toThrow('at least 5 different characters');
    await expect(users.add('carl3', 'analyst', 'ababababab12', 0)).rejects.toThrow('at least 5 different characters');
    await expect(users.add('carl3', 'analyst', 'carl3carl3carl3', 0)).rejects.toThrow('a password cannot contain the user name');
    await expect(users.add('carl3', 'analyst', 'short-pw', 0)).rejects.toThrow('at least 12 characters');
    expect(await users.add('carl3', 'analyst', 'tide-watch-2026', 0)).toEqual({ name: 'carl3', role: 'analyst' });
  });

  it('dates a supervisor from the promotion, keeps the date through a new password, and drops it with the role', async () => {
    const users = new Users(new MemoryUserBackend());
    await users.add('boss', 'supervisor', 'supervisor-password-0', 0);
    await users.add('ana', 'analyst', 'analyst-password-1', 1_000);
    expect((await users.add('ana', 'supervisor', 'analyst-password-1', 5_000)).supervisorSince).toBe(new Date(5_000).toISOString());
    expect((await users.add('ana', 'supervisor', 'analyst-password-2', 9_000)).supervisorSince).toBe(new Date(5_000).toISOString());
    expect(await users.add('ana', 'analyst', 'analyst-password-2', 10_000)).toEqual({ name: 'ana', role: 'analyst' });
  });

  it('removes a user: their sessions end, the list drops them, and removing a stranger is refused', async () => {
    const users = new Users(new MemoryUserBackend());
    const vic = await users.add('vic', 'viewer', 'viewer-password-1', 0);
    await users.add('ana', 'analyst', 'analyst-password-1', 0);
    const session = await users.startSession(vic, 3600, 3600);
    await users.remove('vic', 0);
    expect(await users.session(session)).toBeUndefined();
    expect(await users.authenticate('vic', 'viewer-password-1')).toBeUndefined();
    expect(await users.list()).toEqual([{ name: 'ana', role: 'analyst' }]);
    await expect(users.remove('vic', 0)).rejects.toThrow('no user "vic"');
  });

  it('says why a name cannot be given cases: not a user, or a viewer', async () => {
    const users = new Users(new MemoryUserBackend());
    await users.add('ana', 'analyst', 'analyst-password-1', 0);
    await users.add('sue', 'supervisor', 'supervisor-password-1', 0);
    await users.add('vic', 'viewer', 'viewer-password-1', 0);
    expect(await users.cannotWorkCases('ana')).toBeUndefined();
    expect(await users.cannotWorkCases('sue')).toBeUndefined();
    expect(await users.cannotWorkCases('vic')).toBe('analyst: vic is a viewer, who cannot work cases');
    expect(await users.cannotWorkCases('ghost')).toBe('analyst: "ghost" is not a user');
  });
});

describe('memory case store retention', () => {
  it('forgets a resolved case after the retention on its wall clock, and keeps open ones', async () => {
    let wall = 0;
    const store = new MemoryCaseStore(3_600, () => wall);
    const done = await store.addAlert(alert('m-ret', 'acct-m-ret', 60, 'medium'));
    const open = await store.addAlert(alert('m-open', 'acct-m-open', 60, 'medium'));
    await store.resolve(done.caseId, 'false-positive', 'known payroll provider', { name: 'ana', role: 'analyst' }, 1_000);
    wall = 3_599_000;
    expect((await store.list()).map((c) => c.caseId).sort()).toEqual([done.caseId, open.caseId].sort());
    wall = 3_600_000;
    expect((await store.list()).map((c) => c.caseId)).toEqual([open.caseId]);
    expect(await store.alerts(done.caseId)).toEqual([]);
    expect(await store.audit(done.caseId)).toEqual([]);
  });

  it('records who added, changed and removed each user, and never gives a removed name again', async () => {
    const users = new Users(new MemoryUserBackend());
    const sue = { name: 'sue', via: 'cli', host: 'ops@host' };
    await users.add('sue', 'supervisor', 'supervisor-password-1', 500); // ana is never the last supervisor
    await users.add('ana', 'analyst', 'analyst-password-1', 1_000, sue);
    await users.add('ana', 'supervisor', 'analyst-password-1', 2_000, sue);
    await users.add('ana', 'supervisor', 'a-new-password-22', 3_000, sue);
    await users.remove('ana', 4_000, sue);
    expect((await users.audit()).slice(1)).toEqual([
      { at: '1970-01-01T00:00:01.000Z', action: 'add', user: 'ana', role: 'analyst', by: 'sue', via: 'cli', host: 'ops@host' },
      { at: '1970-01-01T00:00:02.000Z', action: 'change', user: 'ana', role: 'supervisor', previousRole: 'analyst', passwordChanged: false, by: 'sue', via: 'cli', host: 'ops@host' },
      { at: '1970-01-01T00:00:03.000Z', action: 'change', user: 'ana', role: 'supervisor', previousRole: 'supervisor', passwordChanged: true, by: 'sue', via: 'cli', host: 'ops@host' },
      { at: '1970-01-01T00:00:04.000Z', action: 'remove', user: 'ana', previousRole: 'supervisor', by: 'sue', via: 'cli', host: 'ops@host' },
    ]);
    await expect(users.add('ana', 'analyst', 'analyst-password-1', 5_000, sue)).rejects.toThrow('user name ana belonged to a user who was removed');
    expect((await users.list()).map((u) => u.name)).toEqual(['sue']);
  });
});

describe('four-eyes between tied accounts', () => {
  const DAY = 86_400_000;
  const t0 = Date.parse('2025-06-01T00:00:00.000Z');
  const bySue = { name: 'sue', via: 'cli' };
  const caseError = async (p: Promise<unknown>): Promise<string> => p.then(() => 'accepted', (err: Error) => err.message);

  /** Two supervisors set up independently, and a critical case whose false-positive closure `proposer` proposed. */
  async function twoSupervisors(proposer: string) {
    const users = new Users(new MemoryUserBackend());
    await users.add('sue', 'supervisor', 'sue-own-password-1', t0);
    await users.add('tom', 'supervisor', 'tom-own-password-1', t0);
    const store = new MemoryCaseStore();
    const { caseId } = await store.addAlert(alert('tie-crit', 'acct-tie', 100, 'critical', 'sanctions-exposure'));
    return { users, store, caseId, propose: (at: number) => store.resolve(caseId, 'false-positive', 'our own cold wallet', { name: proposer, role: proposer === 'sue' ? 'supervisor' : 'analyst' }, at) };
  }

  it('refuses an approval by a colleague whose password the proposer re-set, also after a change in the colleague\'s name (sue could make it), until another person sets one', async () => {
    const { users, store, caseId, propose } = await twoSupervisors('sue');
    await users.add('tom', 'supervisor', 'sue-chose-this-1', t0 + DAY, bySue); // sue now knows tom's password
    await propose(t0 + 2 * DAY);
    const asTom = (await users.authenticate('tom', 'sue-chose-this-1'))!;
    const refusal = "four-eyes: tom cannot approve sue's closure: sue set tom's password at 2025-06-02T00:00:00.000Z: whoever set it may know it, and may have made any change since, until another person sets a new one; a supervisor whose account is not tied to sue's must";
    expect(await caseError(store.approve(caseId, asTom, t0 + 2 * DAY))).toBe(refusal);
    // Session 44 review: sue, who knows the password, changes it as tom; the tie stays.
    const changed = await users.changeOwnPassword('sue-chose-this-1', 'tom-chose-this-2', t0 + 3 * DAY, { name: 'tom', via: 'cli' });
    expect(await caseError(store.approve(caseId, changed, t0 + 3 * DAY))).toBe(refusal);
    // Another supervisor re-sets it: sue no longer knows it (ana is tied to tom now).
    await users.add('ana', 'supervisor', 'ana-own-password-1', t0);
    await users.add('tom', 'supervisor', 'ana-chose-this-3', t0 + 4 * DAY, { name: 'ana', via: 'cli' });
    const tom = (await users.authenticate('tom', 'ana-chose-this-3'))!;
    expect(tom.ties?.map((t) => t.user)).toEqual(['ana']);
    expect(await store.approve(caseId, tom, t0 + 4 * DAY)).toMatchObject({ status: 'resolved', approvedBy: 'tom' });
  });

  it('refuses, for ever, an approval of a closure proposed from an account the approver made', async () => {
    const { users, store, caseId, propose } = await twoSupervisors('zed');
    await users.add('zed', 'analyst', 'sue-made-zed-1', t0, bySue);
    await users.changeOwnPassword('sue-made-zed-1', 'zed-own-password', t0 + DAY, { name: 'zed', via: 'cli' }); // which sue, signed in as zed, could do too
    await propose(t0 + 400 * DAY);
    const sue = (await users.authenticate('sue', 'sue-own-password-1'))!;
    expect(await caseError(store.approve(caseId, sue, t0 + 400 * DAY))).toMatch(/^four-eyes: sue cannot approve zed's closure: sue made zed's account at 2025-06-01T00:00:00.000Z/);
    expect(await store.approve(caseId, (await users.authenticate('tom', 'tom-own-password-1'))!, t0 + 400 * DAY)).toMatchObject({ approvedBy: 'tom' });
  });

  it(`ties a change of role for ${ROLE_TIE_DAYS} days`, async () => {
    const { users, store, caseId, propose } = await twoSupervisors('sue');
    await users.add('ana', 'analyst', 'ana-own-password-1', t0);
    await users.add('ana', 'supervisor', 'ana-own-password-1', t0 + DAY, bySue);
    await propose(t0 + 2 * DAY);
    const ana = (await users.authenticate('ana', 'ana-own-password-1'))!;
    expect(await caseError(store.approve(caseId, ana, t0 + 2 * DAY))).toMatch(/^four-eyes: ana cannot approve sue's closure: sue made ana a supervisor at 2025-06-02T00:00:00.000Z \(a tie for 30 days\)/);
    expect(await store.approve(caseId, ana, t0 + (ROLE_TIE_DAYS + 1) * DAY + 1)).toMatchObject({ approvedBy: 'ana' });
  });

  it('refuses a suppression\'s confirmation between tied accounts', async () => {
    const users = new Users(new MemoryUserBackend());
    await users.add('sue', 'supervisor', 'sue-own-password-1', t0);
    await users.add('tom', 'supervisor', 'sue-chose-this-1', t0, bySue);
    const suppressions = new Suppressions(new MemorySuppressionBackend());
    const s = await suppressions.add({ kind: 'account', subject: 'acct-tie', reason: 'our own treasury', days: 30 }, (await users.authenticate('sue', 'sue-own-password-1'))!, t0 + DAY);
    await expect(suppressions.confirm(s.id, (await users.authenticate('tom', 'sue-chose-this-1'))!, t0 + DAY)).rejects.toThrow(`four-eyes: tom cannot confirm ${s.id}, added by sue: sue made tom's account at 2025-06-01T00:00:00.000Z`);
  });

  it('reads ties from the user audit: both ways, never from one\'s own changes or the set-up', () => {
    const entry = (at: number, action: UserAuditEntry['action'], user: string, by: string, more: Partial<UserAuditEntry> = {}): UserAuditEntry => ({ at: new Date(at).toISOString(), action, user, by, via: 'cli', ...more });
    const audit = [
      entry(t0, 'add', 'sue', '(bootstrap)', { role: 'supervisor' }),
      entry(t0, 'add', 'tom', 'sue', { role: 'supervisor' }),
      entry(t0 + DAY, 'change', 'sue', 'tom', { role: 'supervisor', previousRole: 'supervisor', passwordChanged: true }),
      entry(t0 + 2 * DAY, 'change', 'sue', 'sue', { role: 'supervisor', previousRole: 'supervisor', passwordChanged: true }),
      entry(t0 + 2 * DAY, 'add', 'vic', '(setup)', { role: 'viewer' }),
      entry(t0 + 3 * DAY, 'add', 'ana', '(setup)', { role: 'analyst' }),
      entry(t0 + 4 * DAY, 'change', 'ana', 'tom', { role: 'supervisor', previousRole: 'analyst' }),
      entry(t0 + 5 * DAY, 'change', 'ana', 'sue', { role: 'analyst', previousRole: 'supervisor' }),
    ];
    // Tom's reset of sue's password stays a tie after her own change (tom could have made it); sue made tom.
    expect(accountTies('sue', audit).map((t) => t.user)).toEqual(['tom', 'tom', 'ana']);
    expect(accountTies('tom', audit).map((t) => t.reason)).toEqual([
      "tom set sue's password at 2025-06-02T00:00:00.000Z: whoever set it may know it, and may have made any change since, until another person sets a new one",
      "sue made tom's account at 2025-06-01T00:00:00.000Z: whoever makes an account may be the one who uses it",
      'tom made ana a supervisor at 2025-06-05T00:00:00.000Z (a tie for 30 days)',
    ]);
    // Each change of role ties its changer, not only the newest (session 44 review).
    expect(accountTies('ana', audit).map((t) => t.user)).toEqual(['tom', 'sue']);
    expect(accountTies('vic', audit)).toEqual([]);
  });
});

describe('changing one\'s own password', () => {
  it('needs the current password and a strong new one, and ends every other session; in the console the user goes on in a new session', async () => {
    const users = new Users(new MemoryUserBackend());
    await users.add('sue', 'supervisor', 'sue-own-password-1', 0);
    await users.add('tom', 'supervisor', 'sue-chose-this-1', 0, { name: 'sue', via: 'cli' });
    const app = await buildConsole({ cases: new MemoryCaseStore(), users, sla: parseSla('critical=4'), clock: Date.now, sessionHours: 1, idleMinutes: 30, loginPerMinute: 100, secureCookie: true, leaseMs: 60_000 });
    const signIn = async (password: string) => app.inject({ method: 'POST', url: '/api/login', payload: { user: 'tom', password } });
    const session = (res: LightMyRequestResponse) => ({ cookie: res.cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'x-csrf-token': res.json<{ csrfToken: string }>().csrfToken });
    const change = (headers: Record<string, string>, currentPassword: string, newPassword: string) => app.inject({ method: 'POST', url: '/api/me/password', payload: { currentPassword, newPassword }, headers });
    const tom = session(await signIn('sue-chose-this-1'));
    const other = session(await signIn('sue-chose-this-1')); // sue's, say
    expect((await change(tom, 'not-my-password', 'tom-chose-this-2')).statusCode).toBe(403);
    expect((await change(tom, 'sue-chose-this-1', 'aaaaaaaaaaaa')).json()).toEqual({ error: 'a password needs at least 5 different characters' });
    expect((await change(tom, 'sue-chose-this-1', 'sue-chose-this-1')).statusCode).toBe(400);
    const changed = await change(tom, 'sue-chose-this-1', 'tom-chose-this-2');
    expect(changed.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: other.cookie } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: session(changed).cookie } })).json()).toMatchObject({ user: 'tom' });
    expect((await signIn('sue-chose-this-1')).statusCode).toBe(401);
    expect((await signIn('tom-chose-this-2')).statusCode).toBe(200);
    expect((await users.audit()).at(-1)).toMatchObject({ action: 'change', user: 'tom', passwordChanged: true, by: 'tom', via: 'console' });
    await app.close();
  });
});
