/**
 * A user who can no longer work cases (made a viewer, or removed) hands the cases they held back
 * to the queue, audited under the supervisor who changed their account (session 44 security QA:
 * a user demoted to viewer kept a claimed case, which no analyst could then resolve).
 */
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/cases/case-model.js';
import { MemoryCaseStore } from '../../src/cases/memory-case-store.js';
import { MemoryUserBackend, Users, type UserChangeActor } from '../../src/cases/users.js';
import { alert } from '../conformance/case-store-suite.js';

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
});
