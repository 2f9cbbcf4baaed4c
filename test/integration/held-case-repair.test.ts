/**
 * A change of role cut short before its hand-back (session 45 security QA): the user record in
 * `{users}` says viewer, the cases in `{cases}` still say the user holds them (two slots, so no
 * one script writes both). The console's start-up, on real Redis, finishes the hand-back from the
 * user audit: claimed cases back to the queue, a pending closure withdrawn, each audited under the
 * supervisor whose change it was; a second start changes nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeysAndQuit, testRedis, uniquePrefix } from '../helpers/redis.js';
import { redisNow } from '../../src/cases/redis-clock.js';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { RedisUserBackend } from '../../src/cases/redis-user-backend.js';
import { Users, type UserChangeActor } from '../../src/cases/users.js';
import { redisStores } from '../../src/cli/console-command.js';
import { loadConfig } from '../../src/config/config.js';
import { alert } from '../conformance/case-store-suite.js';

const redis = testRedis({ maxRetriesPerRequest: 3 });
const prefix = uniquePrefix('held-repair');
const PASSWORD = 'held-repair-password-1';
const SUE: UserChangeActor = { name: 'sue', via: 'cli' };

afterAll(() => deleteKeysAndQuit(redis, prefix));

describe('a hand-back cut short, on Redis', () => {
  it('is finished when the console starts, audited under the changer, and only once', async () => {
    const cases = new RedisCaseStore(redis, prefix);
    const backend = new RedisUserBackend(redis, prefix);
    const users = new Users(backend, cases);
    const t0 = await redisNow(redis);
    for (const [name, role] of [['sue', 'supervisor'], ['tom', 'supervisor'], ['ana', 'analyst'], ['dan', 'analyst'], ['bob', 'analyst']] as const) await users.add(name, role, PASSWORD, t0);
    const pending = (await cases.addAlert(alert('hr1', 'acct-hr1', 95, 'critical', 'sanctions-exposure'))).caseId;
    const claimed = (await cases.addAlert(alert('hr2', 'acct-hr2', 85))).caseId;
    const dans = (await cases.addAlert(alert('hr3', 'acct-hr3', 80))).caseId;
    const bobs = (await cases.addAlert(alert('hr4', 'acct-hr4', 75))).caseId;
    await cases.claim({ name: 'ana', role: 'analyst' }, 3_600_000, t0);
    await cases.resolve(pending, 'false-positive', 'a known payroll', { name: 'ana', role: 'analyst' }, t0 + 1);
    await cases.claim({ name: 'ana', role: 'analyst' }, 3_600_000, t0 + 2);
    await cases.claim({ name: 'dan', role: 'analyst' }, 3_600_000, t0 + 3);
    await cases.claim({ name: 'bob', role: 'analyst' }, 3_600_000, t0 + 4);
    // The changes are written; the processes that made them were gone before their hand-backs ran.
    await new Users(backend).add('ana', 'viewer', PASSWORD, t0 + 5, SUE);
    await new Users(backend).remove('dan', t0 + 6, SUE);
    expect(await cases.get(pending)).toMatchObject({ status: 'pending-approval', pending: { by: 'ana' } });
    expect(await cases.get(dans)).toMatchObject({ status: 'claimed', analyst: 'dan' });

    const config = loadConfig(process.env, { REDIS_KEY_PREFIX: prefix });
    await redisStores(config, redis);
    expect(await cases.get(pending)).toMatchObject({ status: 'open' });
    expect((await cases.get(pending))?.pending).toBeUndefined();
    for (const id of [claimed, dans]) expect(await cases.get(id)).toMatchObject({ status: 'open' });
    expect(await cases.get(bobs)).toMatchObject({ status: 'claimed', analyst: 'bob' });
    const repaired = / \(handed back by the repair of held cases, run at console start: the change's own hand-back had not run\)$/;
    expect((await cases.audit(pending)).at(-1)).toMatchObject({ action: 'withdraw', analyst: 'sue', detail: 'ana', note: expect.stringMatching(/^sue made ana a viewer, who cannot work cases at .*: ana's false-positive closure proposed at .* is withdrawn/) });
    expect((await cases.audit(claimed)).at(-1)).toMatchObject({ action: 'release', analyst: 'sue', detail: 'ana', note: expect.stringMatching(repaired) });
    expect((await cases.audit(dans)).at(-1)).toMatchObject({ action: 'release', analyst: 'sue', detail: 'dan', note: expect.stringMatching(/^sue removed dan's account at .*handed back by the repair/) });
    // The queue's indexes agree: nothing is the viewer's or the removed user's.
    for (const name of ['ana', 'dan']) expect((await cases.query({ assignee: name, limit: 10 })).total).toBe(0);

    const audits = await Promise.all([pending, claimed, dans].map(async (id) => (await cases.audit(id)).length));
    await redisStores(config, redis);
    expect(await Promise.all([pending, claimed, dans].map(async (id) => (await cases.audit(id)).length))).toEqual(audits);
  });
});
