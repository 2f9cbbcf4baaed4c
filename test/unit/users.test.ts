import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/cases/passwords.js';
import { MemoryUserBackend, Users } from '../../src/cases/users.js';
import { MemoryCaseStore } from '../../src/cases/memory-case-store.js';
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
    const s1 = await users.startSession(ana, 60);
    const s2 = await users.startSession(ana, 60);
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
    const before = await users.startSession(ana, 3600);
    await users.add('ana', 'supervisor', 'analyst-password-1', 0);
    expect(await users.session(before)).toEqual({ name: 'ana', role: 'supervisor', supervisorSince: new Date(0).toISOString() });
    await users.add('ana', 'supervisor', 'analyst-password-2', 0);
    expect(await users.session(before)).toBeUndefined();
    const after = await users.startSession({ name: 'ana', role: 'supervisor' }, 3600);
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
    const session = await users.startSession(vic, 3600);
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
