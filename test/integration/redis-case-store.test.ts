import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeysAndQuit, testRedis, uniquePrefix } from '../helpers/redis.js';
import { caseKeys, userKeys } from '../../src/cases/redis-keys.js';
import { RedisUserBackend } from '../../src/cases/redis-user-backend.js';
import { Users } from '../../src/cases/users.js';
import { alert } from '../conformance/case-store-suite.js';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { queuePriority } from '../../src/cases/case-model.js';
import { caseStoreSuite } from '../conformance/case-store-suite.js';
import { suppressionSuite } from '../conformance/suppression-suite.js';
import { RedisSuppressionBackend } from '../../src/cases/redis-suppression-backend.js';

const redis = testRedis({ maxRetriesPerRequest: 3 });
const prefixes: string[] = [];
/** A prefix of this file's own, its keys deleted after the last test. */
const freshPrefix = (): string => { const p = uniquePrefix('case-store'); prefixes.push(p); return p; };

caseStoreSuite('redis (real server)', async () => {
  const prefix = freshPrefix();
  return new RedisCaseStore(redis, prefix);
});

suppressionSuite('redis (real server)', async () => {
  const prefix = freshPrefix();
  return { cases: new RedisCaseStore(redis, prefix), backend: new RedisSuppressionBackend(redis, prefix) };
});

describe('redis case store bounds', () => {
  it('indexes an alert id to its case for the dedupe window only (a TTL on the index key)', async () => {
    const prefix = freshPrefix();
    const store = new RedisCaseStore(redis, prefix, 3_600);
    await store.addAlert(alert('ttl-1', 'acct-ttl', 70));
    const ttl = await redis.ttl(caseKeys(prefix).alert('ttl-1'));
    expect(ttl).toBeGreaterThan(3_500);
    expect(ttl).toBeLessThanOrEqual(3_600);
  });
});

describe('redis case store pages', () => {
  it('answers an empty page, not a script error, for an offset past every case however large', async () => {
    const prefix = freshPrefix();
    const store = new RedisCaseStore(redis, prefix);
    await store.addAlert(alert('far-1', 'acct-far', 70));
    expect(await store.query({ offset: 1e20 })).toEqual({ total: 1, cases: [] });
  });
});

describe('redis queue priority', () => {
  it('is the very double case-model.ts computes, as the scripts write it, for any time and score the contract accepts', async () => {
    const prefix = freshPrefix();
    const store = new RedisCaseStore(redis, prefix);
    // Transitions write the TypeScript priority and add-alert and claim the Lua one into the same
    // sets: were they an ulp apart, the index order would part from the list's.
    const times = ['0000-01-01T00:00:00Z', '1900-02-28T23:59:59Z', '1969-12-31T23:59:59.999Z', '2024-02-29T00:00:01.123456789Z', '2025-06-30T23:59:59+00:00', '2286-11-20T17:46:40Z', '9999-12-31T23:59:59Z'];
    const scores: [Parameters<typeof alert>[3], number][] = [['low', 0], ['medium', 87.5], ['high', 90], ['critical', 100]];
    for (const [i, at] of times.entries()) {
      for (const [j, [severity, score]] of scores.entries()) {
        const { caseId } = await store.addAlert({ ...alert(`p-${i}-${j}`, `acct-p-${i}-${j}`, score, severity), triggeredAt: at });
        const stored = Number(await redis.zscore(caseKeys(prefix).open, caseId));
        expect(stored, `${severity} ${score} ${at}`).toBe(queuePriority((await store.get(caseId))!));
      }
    }
  });
});

describe('redis case store under a burst for one account', () => {
  it('adds 120 alerts for one account written at once (a catch-up) to one case, none refused as "kept changing"', async () => {
    const prefix = freshPrefix();
    const store = new RedisCaseStore(redis, prefix);
    const added = await Promise.all(Array.from({ length: 120 }, (_, i) => store.addAlert(alert(`burst-${i}`, 'acct-burst', 90, 'critical', 'sanctions-exposure'))));
    expect(new Set(added.map((a) => a.caseId)).size).toBe(1);
    expect(added.every((a) => a.added)).toBe(true);
    expect((await store.alerts(added[0]!.caseId)).length).toBe(120);
  });
});

describe('redis subject look-up past a case\'s retention', () => {
  it('leaves out, and lets go of, a resolved case whose keys expired, as the cluster look-up does', async () => {
    const prefix = freshPrefix();
    const store = new RedisCaseStore(redis, prefix);
    const ana = { name: 'ana', role: 'analyst' as const };
    const old = await store.addAlert({ ...alert('x-1', 'acct-x', 60, 'medium'), triggeredAt: '2025-04-01T08:00:00.000Z' });
    await store.resolve(old.caseId, 'false-positive', 'a known customer', ana, 1_000);
    const kept = await store.addAlert({ ...alert('x-2', 'acct-x', 80, 'high'), triggeredAt: '2025-06-01T08:00:00.000Z' });
    expect(new Set(await store.casesOfSubject('acct-x'))).toEqual(new Set([old.caseId, kept.caseId]));
    await redis.del(caseKeys(prefix).caseDoc(old.caseId)); // what the resolved case's TTL leaves
    expect(await store.casesOfSubject('acct-x')).toEqual([kept.caseId]);
    expect(await redis.zrange(caseKeys(prefix).index.subject('acct-x'), 0, -1)).toEqual([kept.caseId]);
  });
});

describe('redis counters and cluster sets derived from the alerts', () => {
  it('are rebuilt from the kept cases by the upgrade step, to what the live ones said', async () => {
    const prefix = freshPrefix();
    const store = new RedisCaseStore(redis, prefix);
    const ana = { name: 'ana', role: 'analyst' as const };
    const a = await store.addAlert({ ...alert('u-1', 'acct-u1', 60, 'medium'), triggeredAt: '2025-04-01T08:00:00.000Z', evidence: { cluster: 'cl-00000000000000aa' } });
    await store.addAlert({ ...alert('u-2', 'acct-u1', 60, 'medium', 'pass-through'), ruleId: 'pass-through.fast', triggeredAt: '2025-04-02T08:00:00.000Z' });
    await store.addAlert({ ...alert('u-3', 'acct-u2', 60, 'medium'), triggeredAt: '2025-04-02T09:00:00.000Z' });
    await store.resolve(a.caseId, 'escalated', 'to the MLRO', ana, 1_000);
    const live = await store.dashboardFigures();
    expect(await store.casesOfCluster('cl-00000000000000aa')).toEqual([a.caseId]);
    await redis.del(caseKeys(prefix).alertsPerDay, caseKeys(prefix).resolutions, caseKeys(prefix).clusterCases('cl-00000000000000aa'));
    expect((await store.dashboardFigures()).resolutions).toEqual({});
    expect(await store.casesOfCluster('cl-00000000000000aa')).toEqual([]);
    expect(await store.rebuildDerived()).toEqual({ cases: 2 });
    expect(await store.dashboardFigures()).toEqual(live);
    expect(await store.casesOfCluster('cl-00000000000000aa')).toEqual([a.caseId]);
    expect(live.resolutions).toEqual({ 'r|escalated': 1, 'pass-through.fast|escalated': 1 });
  });

  it('are not rebuilt after an archive run unless the caller accepts losing the archived cases\' counts', async () => {
    const prefix = freshPrefix();
    const store = new RedisCaseStore(redis, prefix);
    await store.addAlert({ ...alert('v-1', 'acct-v1', 60, 'medium'), triggeredAt: '2025-04-01T08:00:00.000Z' });
    const before = await store.dashboardFigures();
    await store.logArchive({ action: 'archive', archived: 3, removed: 3 });
    await expect(store.rebuildDerived()).rejects.toThrow(/1 archive run\(s\).*--drop-archived-counts/);
    expect(await store.dashboardFigures()).toEqual(before);
    expect(await store.rebuildDerived({ dropArchived: true })).toEqual({ cases: 1 });
  });
});

describe('redis case store retention', () => {
  it('expires a resolved case with its alerts and audit after the retention, and keeps a reopened one', async () => {
    const prefix = freshPrefix();
    const store = new RedisCaseStore(redis, prefix, 3_600, 7_200);
    const k = caseKeys(prefix);
    const { caseId } = await store.addAlert(alert('ret-1', 'acct-ret', 60, 'medium'));
    const supervisor = { name: 'sue', role: 'supervisor' as const };
    await store.resolve(caseId, 'false-positive', 'known payroll provider', supervisor, 1_000);
    for (const key of [k.caseDoc(caseId), k.caseAlerts(caseId), k.audit(caseId)]) {
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(7_000);
      expect(ttl).toBeLessThanOrEqual(7_200);
    }
    await store.reopen(caseId, 'employer listed since', supervisor, 2_000);
    expect(await Promise.all([k.caseDoc(caseId), k.caseAlerts(caseId), k.audit(caseId)].map((key) => redis.ttl(key)))).toEqual([-1, -1, -1]);
  });

  it('never shortens a kept case\'s keys, and writes with the store\'s retention: a writer\'s own (CASE_RETENTION_DAYS=1, or 36,500) neither lowers nor raises it', async () => {
    const prefix = freshPrefix();
    const k = caseKeys(prefix);
    const ana = { name: 'ana', role: 'analyst' as const };
    const ttls = (caseId: string): Promise<number[]> => Promise.all([k.caseDoc(caseId), k.caseAlerts(caseId), k.audit(caseId)].map((key) => redis.ttl(key)));
    const operator = new RedisCaseStore(redis, prefix, 3_600, 7_200);
    expect(await operator.setRetention()).toBe(7_200); // as the console does at start
    const kept = (await operator.addAlert(alert('keep-1', 'acct-keep1', 60, 'medium'))).caseId;
    await operator.resolve(kept, 'false-positive', 'known payroll provider', ana, 1_000);
    const short = new RedisCaseStore(redis, prefix, 3_600, 86_400 / 1_440); // a minute
    await short.addNote(kept, 'called the customer', ana, 2_000);
    await short.recordSarExport(kept, 'json', ana, 3_000);
    for (const ttl of await ttls(kept)) expect(ttl).toBeGreaterThan(7_000);
    // A case first resolved by the short writer is kept as long as the store's retention.
    const fresh = (await short.addAlert(alert('keep-2', 'acct-keep2', 60, 'medium'))).caseId;
    await short.resolve(fresh, 'false-positive', 'a test account', ana, 4_000);
    for (const ttl of await ttls(fresh)) expect(ttl).toBeGreaterThan(7_000);
    // A longer one raises neither (session 44 review: 36,500 days kept every later case a century).
    const long = new RedisCaseStore(redis, prefix, 3_600, 10_000);
    await long.addNote(kept, 'the MLRO asked to keep it', ana, 5_000);
    const third = (await long.addAlert(alert('keep-3', 'acct-keep3', 60, 'medium'))).caseId;
    await long.resolve(third, 'false-positive', 'a test account', ana, 6_000);
    for (const ttl of [...(await ttls(kept)), ...(await ttls(third))]) expect(ttl).toBeLessThanOrEqual(7_200);
    expect(await redis.get(k.retention)).toBe('7200');
    // The operator's service sets it, longer or shorter; keys kept longer keep their TTL.
    expect(await long.setRetention()).toBe(10_000);
    await long.addNote(kept, 'kept longer now', ana, 7_000);
    for (const ttl of await ttls(kept)) expect(ttl).toBeGreaterThan(9_900);
    expect(await short.setRetention()).toBe(60);
    await short.addNote(kept, 'a note', ana, 8_000);
    for (const ttl of await ttls(kept)) expect(ttl).toBeGreaterThan(9_900);
  });

  it('drops a case whose keys expired from the lists', async () => {
    const prefix = freshPrefix();
    const store = new RedisCaseStore(redis, prefix, 3_600, 7_200);
    const { caseId } = await store.addAlert(alert('gone-1', 'acct-gone', 60, 'medium'));
    await store.resolve(caseId, 'false-positive', 'known payroll provider', { name: 'ana', role: 'analyst' }, 1_000);
    await redis.del(caseKeys(prefix).caseDoc(caseId)); // as its TTL would
    expect(await store.list()).toEqual([]);
    expect(await redis.zcard(caseKeys(prefix).resolved)).toBe(0);
  });
});

describe('users in redis', () => {
  it('keeps a user as a slow hash, signs them in, and keeps sessions with a TTL', async () => {
    const prefix = freshPrefix();
    const users = new Users(new RedisUserBackend(redis, prefix));
    await users.add('sue', 'supervisor', 'supervisor-password', 0);
    const stored = await redis.hgetall(userKeys(prefix).user('sue'));
    expect(stored.passwordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(stored)).not.toContain('supervisor-password');
    const sue = await users.authenticate('sue', 'supervisor-password');
    expect(sue).toEqual({ name: 'sue', role: 'supervisor', supervisorSince: new Date(0).toISOString() });
    const session = await users.startSession(sue!, 300, 300);
    expect(await redis.ttl(userKeys(prefix).session(session))).toBeGreaterThan(200);
    // The token itself is in no key name: a listing of the keys gives no session to sign in with.
    const keys: string[] = [];
    for (let cursor = '0'; ;) { const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000); keys.push(...found); cursor = next; if (cursor === '0') break; }
    expect(keys.some((k) => k.includes(session))).toBe(false);
    expect(keys).toContain(userKeys(prefix).session(session));
    expect(await users.session(session)).toEqual(sue);
    await users.endSession(session);
    expect(await users.session(session)).toBeUndefined();
  });

  it('removes a user from Redis: the hash and the name go, and their open session resolves to nobody', async () => {
    const prefix = freshPrefix();
    const users = new Users(new RedisUserBackend(redis, prefix));
    const vic = await users.add('vic', 'viewer', 'viewer-password-1', 0);
    const session = await users.startSession(vic, 300, 300);
    await users.remove('vic', 0);
    expect(await redis.exists(userKeys(prefix).user('vic'))).toBe(0);
    expect(await users.list()).toEqual([]);
    expect(await users.session(session)).toBeUndefined();
    await expect(users.remove('vic', 0)).rejects.toThrow('no user "vic"');
  });
});

afterAll(() => deleteKeysAndQuit(redis, ...prefixes));
