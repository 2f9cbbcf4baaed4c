/**
 * A user who can no longer work cases (made a viewer, or removed) hands the cases they held back
 * to the queue, audited under the supervisor who changed their account (session 44 security QA:
 * a user demoted to viewer kept a claimed case, which no analyst could then resolve).
 */
import { describe, expect, it, vi } from 'vitest';
import type { Actor } from '../../src/cases/case-model.js';
import { MemoryCaseStore } from '../../src/cases/memory-case-store.js';
import { MemoryUserBackend, Users, type UserChangeActor } from '../../src/cases/users.js';
import { alert } from '../conformance/case-store-suite.js';
import { CaseActionError } from '../../src/cases/case-transitions.js';
import { approveClosure, repairAllHeldCases, repairTriggers } from '../../src/cases/held-case-repair.js';
import { parseSla } from '../../src/console/queue-view.js';
import { buildConsole } from '../../src/console/server.js';

const PASSWORD = 'hand-back-password-1';
const SUE: UserChangeActor = { name: 'sue', via: 'cli' };
const actor = (name: string, role: Actor['role']): Actor => ({ name, role });

describe('a user who can no longer work cases', () => {
  it('hands back their cases when made a viewer or removed, audited under the changer; a supervisor made an analyst keeps theirs', async () => {
    const cases = new MemoryCaseStore();
    const users = new Users(new MemoryUserBackend(), cases);
    for (const [name, role] of [['sue', 'supervisor'], ['tom', 'supervisor'], ['ana', 'analyst'], ['bob', 'analyst']] as const) await users.add(name, role, PASSWORD, 0);
    const anas = (await cases.addAlert(alert('u1', 'acct-u1', 90))).caseId;
    const bobs = (await cases.addAlert(alert('u2', 'acct-u2', 80))).caseId;
    const toms = (await cases.addAlert(alert('u3', 'acct-u3', 70))).caseId;
    await cases.claim(actor('ana', 'analyst'), 60_000, 1_000);
    await cases.claim(actor('bob', 'analyst'), 60_000, 1_000);
    await cases.claim(actor('tom', 'supervisor'), 60_000, 1_000);

    expect(await users.add('tom', 'analyst', PASSWORD, 2_000, SUE)).toEqual({ name: 'tom', role: 'analyst' });
    expect(await cases.get(toms)).toMatchObject({ status: 'claimed', analyst: 'tom' });

    expect(await users.add('ana', 'viewer', PASSWORD, 3_000, SUE)).toEqual({ name: 'ana', role: 'viewer', casesHandedBack: [anas] });
    expect(await cases.get(anas)).toMatchObject({ status: 'open' });
    expect((await cases.audit(anas)).at(-1)).toMatchObject({ action: 'release', analyst: 'sue', detail: 'ana', note: 'sue made ana a viewer, who cannot work cases' });

    expect(await users.remove('bob', 4_000, SUE)).toEqual([bobs]);
    expect(await cases.get(bobs)).toMatchObject({ status: 'open' });
    expect((await cases.audit(bobs)).at(-1)).toMatchObject({ action: 'release', analyst: 'sue', detail: 'bob', note: "sue removed bob's account" });
  });

  it('finishes a hand-back cut short when the user is saved again', async () => {
    const cases = new MemoryCaseStore();
    const backend = new MemoryUserBackend();
    await new Users(backend).add('ana', 'analyst', PASSWORD, 0);
    const held = (await cases.addAlert(alert('u4', 'acct-u4', 90))).caseId;
    await cases.claim(actor('ana', 'analyst'), 60_000, 1_000);
    await new Users(backend).add('ana', 'viewer', PASSWORD, 2_000, SUE); // saved where the case store was not wired
    expect(await cases.get(held)).toMatchObject({ status: 'claimed', analyst: 'ana' });
    expect(await new Users(backend, cases).add('ana', 'viewer', PASSWORD, 3_000, SUE)).toMatchObject({ casesHandedBack: [held] });
    expect(await cases.get(held)).toMatchObject({ status: 'open' });
  });

  it('withdraws the closures they proposed that await approval when made a viewer or removed, audited under the changer', async () => {
    const cases = new MemoryCaseStore();
    const users = new Users(new MemoryUserBackend(), cases);
    for (const [name, role] of [['sue', 'supervisor'], ['tom', 'supervisor'], ['ana', 'analyst'], ['bob', 'analyst']] as const) await users.add(name, role, PASSWORD, 0);
    const anas = (await cases.addAlert(alert('p1', 'acct-p1', 95, 'critical', 'sanctions-exposure'))).caseId;
    const bobs = (await cases.addAlert(alert('p2', 'acct-p2', 85))).caseId;
    await cases.claim(actor('ana', 'analyst'), 60_000, 1_000);
    await cases.claim(actor('bob', 'analyst'), 60_000, 1_000);
    await cases.resolve(anas, 'false-positive', 'a known payroll', actor('ana', 'analyst'), 1_500);
    await cases.resolve(bobs, 'escalated', 'to the MLRO', actor('bob', 'analyst'), 1_500);

    expect(await users.add('ana', 'viewer', PASSWORD, 2_000, SUE)).toMatchObject({ casesHandedBack: [anas] });
    expect(await cases.get(anas)).toMatchObject({ status: 'open' });
    expect((await cases.audit(anas)).at(-1)).toMatchObject({ action: 'withdraw', analyst: 'sue', detail: 'ana', note: expect.stringMatching(/^sue made ana a viewer, who cannot work cases: ana's false-positive closure proposed at .* is withdrawn/) });
    expect(await users.remove('bob', 3_000, SUE)).toEqual([bobs]);
    expect((await cases.audit(bobs)).at(-1)).toMatchObject({ action: 'withdraw', analyst: 'sue', detail: 'bob' });
  });
});

/** A change of role written, and the process gone before its hand-back ran: the case store was not wired. */
async function cutShort(): Promise<{ cases: MemoryCaseStore; users: Users; claimed: string; pending: string; bobs: string }> {
  const cases = new MemoryCaseStore();
  const backend = new MemoryUserBackend();
  const users = new Users(backend, cases);
  for (const [name, role] of [['sue', 'supervisor'], ['tom', 'supervisor'], ['ana', 'analyst'], ['bob', 'analyst']] as const) await users.add(name, role, PASSWORD, 0);
  const pending = (await cases.addAlert(alert('r1', 'acct-r1', 95, 'critical', 'sanctions-exposure'))).caseId;
  const claimed = (await cases.addAlert(alert('r2', 'acct-r2', 85))).caseId;
  const bobs = (await cases.addAlert(alert('r3', 'acct-r3', 75))).caseId;
  await cases.claim(actor('ana', 'analyst'), 3_600_000, 1_000);
  await cases.resolve(pending, 'false-positive', 'a known payroll', actor('ana', 'analyst'), 1_500);
  await cases.claim(actor('ana', 'analyst'), 3_600_000, 1_600);
  await cases.claim(actor('bob', 'analyst'), 3_600_000, 1_700);
  await new Users(backend).add('ana', 'viewer', PASSWORD, 2_000, SUE);
  expect(await cases.get(claimed)).toMatchObject({ status: 'claimed', analyst: 'ana' });
  expect(await cases.get(pending)).toMatchObject({ status: 'pending-approval', pending: { by: 'ana' } });
  return { cases, users, claimed, pending, bobs };
}

describe('a hand-back cut short between the change of role and the cases', () => {
  it('is finished by the repair, audited under the supervisor whose change it was; a second run changes nothing', async () => {
    const { cases, users, claimed, pending, bobs } = await cutShort();
    expect(await repairAllHeldCases(users, cases, 5_000, repairTriggers.consoleStart)).toEqual([{ holder: 'ana', caseIds: [pending, claimed] }]);
    expect(await cases.get(claimed)).toMatchObject({ status: 'open' });
    expect(await cases.get(pending)).toMatchObject({ status: 'open' });
    expect(await cases.get(bobs)).toMatchObject({ status: 'claimed', analyst: 'bob' });
    const why = /^sue made ana a viewer, who cannot work cases at 1970-01-01T00:00:02\.000Z \(handed back by the repair of held cases, run at console start: the change's own hand-back had not run\)/;
    expect((await cases.audit(claimed)).at(-1)).toMatchObject({ action: 'release', at: '1970-01-01T00:00:05.000Z', analyst: 'sue', detail: 'ana', note: expect.stringMatching(why) });
    expect((await cases.audit(pending)).at(-1)).toMatchObject({ action: 'withdraw', analyst: 'sue', detail: 'ana', note: expect.stringMatching(why) });
    const audits = (await cases.audit(claimed)).length + (await cases.audit(pending)).length;
    expect(await repairAllHeldCases(users, cases, 6_000, repairTriggers.consoleStart)).toEqual([]);
    expect((await cases.audit(claimed)).length + (await cases.audit(pending)).length).toBe(audits);
  });

  it('does not let a supervisor approve the closure of a proposer who can no longer work cases: it is withdrawn instead', async () => {
    const { cases, users, pending } = await cutShort();
    const refused = await approveClosure(users, cases, pending, { name: 'tom', role: 'supervisor', supervisorSince: '1970-01-01T00:00:00.000Z' }, 5_000).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(CaseActionError);
    expect(refused).toMatchObject({ code: 'TW_CASE_STATE', message: expect.stringMatching(/proposed by ana, who can no longer work cases \(ana is a viewer, who cannot work cases\): it is withdrawn/) });
    expect(await cases.get(pending)).toMatchObject({ status: 'open' });
    expect((await cases.audit(pending)).at(-1)).toMatchObject({ action: 'withdraw', analyst: 'sue', detail: 'ana', note: expect.stringContaining(`run on tom's approval of ${pending}, refused for it:`) });
  });

  it('is audited under the supervisor who made the holder a viewer, not the viewer who set their own password since', async () => {
    const { cases, users, claimed, pending } = await cutShort();
    await users.changeOwnPassword(PASSWORD, 'ana-own-new-password-2', 3_000, { name: 'ana', via: 'console' });
    expect(await users.caseWorkEnded('ana')).toEqual({ by: 'sue', reason: 'sue made ana a viewer, who cannot work cases at 1970-01-01T00:00:02.000Z' });
    await repairAllHeldCases(users, cases, 5_000, repairTriggers.usersCommand('add', 'bob', 'tom'));
    for (const id of [claimed, pending]) {
      expect((await cases.audit(id)).at(-1)).toMatchObject({ analyst: 'sue', detail: 'ana', note: expect.stringMatching(/^sue made ana a viewer, who cannot work cases at 1970-01-01T00:00:02\.000Z .*run after `console users add bob` by tom:/) });
    }
  });

  it('is audited under the supervisor who made the holder a viewer when another saves the viewer again (a new password), naming that save', async () => {
    const { cases, users, claimed, pending } = await cutShort();
    expect(await users.add('ana', 'viewer', 'a-reset-password-3', 3_000, { name: 'tom', via: 'cli' })).toMatchObject({ casesHandedBack: [pending, claimed] });
    for (const id of [claimed, pending]) {
      expect((await cases.audit(id)).at(-1)).toMatchObject({ analyst: 'sue', detail: 'ana', note: expect.stringMatching(/^sue made ana a viewer, who cannot work cases at 1970-01-01T00:00:02\.000Z .*\(handed back when tom saved ana again, a viewer still: the change's own hand-back had not run\)/) });
    }
  });

  it('does not approve a proposal made between the proposer check and the approval (no proposedAt given): the one checked is the one approved or none', async () => {
    const cases = new MemoryCaseStore();
    const backend = new MemoryUserBackend();
    const users = new Users(backend, cases);
    for (const [name, role] of [['sue', 'supervisor'], ['tom', 'supervisor'], ['bob', 'analyst'], ['dan', 'analyst']] as const) await users.add(name, role, PASSWORD, 0);
    const id = (await cases.addAlert(alert('a1', 'acct-a1', 90))).caseId;
    await cases.claim(actor('bob', 'analyst'), 3_600_000, 1_000);
    await cases.resolve(id, 'false-positive', 'a known payroll', actor('bob', 'analyst'), 1_500);
    // After the approval read bob's proposal: sue rejects it, dan proposes another and is made a viewer (cut short).
    const replaceProposal = async (): Promise<void> => {
      await cases.reject(id, 'look again', actor('sue', 'supervisor'), 2_000);
      await cases.claim(actor('dan', 'analyst'), 3_600_000, 2_100);
      await cases.resolve(id, 'escalated', 'to the MLRO', actor('dan', 'analyst'), 2_200);
      await new Users(backend).add('dan', 'viewer', PASSWORD, 2_300, SUE);
    };
    const racing = {
      query: cases.query.bind(cases), handBackCasesOf: cases.handBackCasesOf.bind(cases), approve: cases.approve.bind(cases),
      get: async (caseId: string) => {
        const read = await cases.get(caseId);
        await replaceProposal();
        return read;
      },
    };
    const refused = await approveClosure(users, racing, id, { name: 'tom', role: 'supervisor', supervisorSince: '1970-01-01T00:00:00.000Z' }, 3_000).catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'TW_CASE_STATE', message: expect.stringMatching(/is dan's escalated proposed at .*, not the one proposed at 1970-01-01T00:00:01\.500Z/) });
    expect(await cases.get(id)).toMatchObject({ status: 'pending-approval', pending: { by: 'dan' } });
  });

  it('is not looked for, user by user, on a queue read whose holders all work cases (the queue is polled every few seconds)', async () => {
    const { cases, users } = await cutShort();
    await repairAllHeldCases(users, cases, 4_000, repairTriggers.consoleStart);
    const lookUps = vi.spyOn(users, 'cannotWorkCases');
    const app = await buildConsole({ cases, users, clock: () => 5_000, sla: parseSla('critical=4,high=24,medium=72'), sessionHours: 8, idleMinutes: 30, loginPerMinute: 1000, secureCookie: true, leaseMs: 30 * 60_000 });
    try {
      const signedIn = await app.inject({ method: 'POST', url: '/api/login', payload: { user: 'tom', password: PASSWORD } });
      const queue = await app.inject({ method: 'GET', url: '/api/cases', headers: { cookie: signedIn.cookies.map((c) => `${c.name}=${c.value}`).join('; ') } });
      expect(queue.json<{ cases: { analyst?: string }[] }>().cases.map((r) => r.analyst)).toContain('bob');
      expect(lookUps).not.toHaveBeenCalled();
    } finally {
      await app.close();
    }
  });

  it('is finished by the console: an approval of such a proposal is refused (409), and the queue read hands back what it shows', async () => {
    for (const first of ['approve', 'queue'] as const) {
      const { cases, users, claimed, pending } = await cutShort();
      const app = await buildConsole({ cases, users, clock: () => 5_000, sla: parseSla('critical=4,high=24,medium=72'), sessionHours: 8, idleMinutes: 30, loginPerMinute: 1000, secureCookie: true, leaseMs: 30 * 60_000 });
      try {
        const signedIn = await app.inject({ method: 'POST', url: '/api/login', payload: { user: 'tom', password: PASSWORD } });
        const headers = { cookie: signedIn.cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'x-csrf-token': signedIn.json<{ csrfToken: string }>().csrfToken };
        if (first === 'approve') {
          const approve = await app.inject({ method: 'POST', url: `/api/cases/${pending}/approve`, payload: {}, headers });
          expect(approve.statusCode).toBe(409);
          expect(approve.json<{ error: string }>().error).toMatch(/proposed by ana, who can no longer work cases/);
        } else {
          const queue = await app.inject({ method: 'GET', url: '/api/cases', headers });
          const rows = queue.json<{ cases: { caseId: string; status: string; analyst?: string }[] }>().cases;
          for (const id of [claimed, pending]) expect(rows.find((r) => r.caseId === id), first).toEqual(expect.objectContaining({ status: 'open' }));
          expect(rows.filter((r) => r.analyst === 'ana')).toEqual([]);
        }
        expect((await cases.audit(claimed)).at(-1), first).toMatchObject({ action: 'release', analyst: 'sue', detail: 'ana' });
        expect((await cases.audit(pending)).at(-1), first).toMatchObject({ action: 'withdraw', analyst: 'sue', detail: 'ana', note: expect.stringContaining(first === 'approve' ? `run on tom's approval of ${pending}, refused for it:` : 'run on a queue read by tom:') });
      } finally {
        await app.close();
      }
    }
  });
});
