/**
 * A case store written before session 48's older-first queue scores keeps its old scores until
 * `tidewatch cases reindex`, and nothing said so (session 48 review). The store's queue-format
 * mark tells: the console and the monitor warn at start, naming the command (real Redis).
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { deleteKeysAndQuit, testRedis, uniquePrefix } from '../helpers/redis.js';
import { queuePriority, severityRank } from '../../src/cases/case-model.js';
import { QUEUE_FORMAT, queueFormatWarning } from '../../src/cases/queue-format.js';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { caseKeys } from '../../src/cases/redis-keys.js';
import { redisStores } from '../../src/cli/console-command.js';
import { warnOfQueueFormat } from '../../src/cli/monitor-wiring.js';
import { loadConfig } from '../../src/config/config.js';
import { alert } from '../conformance/case-store-suite.js';

const redis = testRedis({ maxRetriesPerRequest: 3 });
const prefixes: string[] = [];
const newPrefix = (): string => { const p = uniquePrefix('queue-format'); prefixes.push(p); return p; };

afterEach(() => vi.restoreAllMocks());
afterAll(() => deleteKeysAndQuit(redis, ...prefixes));

/** A store as a version before session 48 left it: no mark, and each case scored severity x 1000 + score. */
async function storeOfAnOlderVersion(prefix: string): Promise<RedisCaseStore> {
  const store = new RedisCaseStore(redis, prefix);
  for (const [i, day] of ['2025-01-03', '2025-01-01'].entries()) await store.addAlert({ ...alert(`old-${i}`, `acct-old-${i}`, 80), triggeredAt: `${day}T00:00:00.000Z` });
  const k = caseKeys(prefix);
  await redis.del(k.queueFormat);
  for (const c of await store.list()) {
    const old = severityRank(c.severity) * 1000 + c.score;
    await redis.zadd(k.index.all, old, c.caseId);
    await redis.zadd(k.open, old, c.caseId);
  }
  return store;
}

/** A logger that keeps its warnings. */
const keptWarnings = (): { warned: { fields: object; message: string }[]; warn(fields: object, message: string): void } => {
  const warned: { fields: object; message: string }[] = [];
  return { warned, warn: (fields, message) => void warned.push({ fields, message }) };
};

describe('the queue-format mark (real Redis)', () => {
  it('marks a store that holds no case yet, and says nothing of it', async () => {
    const prefix = newPrefix();
    const store = new RedisCaseStore(redis, prefix);
    expect(await store.queueFormat()).toEqual({ state: 'current' });
    expect(await redis.get(caseKeys(prefix).queueFormat)).toBe(String(QUEUE_FORMAT));
    await store.addAlert(alert('new-1', 'acct-new-1', 80));
    expect(await store.queueFormat()).toEqual({ state: 'current' });
  });

  it('tells a store of an older version at console and monitor start, naming cases reindex, until the reindex rewrites its scores', async () => {
    const prefix = newPrefix();
    const store = await storeOfAnOlderVersion(prefix);
    const check = await store.queueFormat();
    expect(check).toEqual({ state: 'stale', cases: 2, found: undefined });
    // Before session 49 the console started without a word (every case was in the index sets).
    expect(await store.unindexedCount()).toBe(0);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await redisStores(loadConfig({ ...process.env, REDIS_KEY_PREFIX: prefix }), redis); // as `tidewatch console` starts
    expect(warn.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('queue-format'))).toEqual([queueFormatWarning(check)]);
    expect(queueFormatWarning(check)).toMatch(/the case store \(2 cases\) has no queue-format mark: .*run `tidewatch cases reindex`/);
    const logger = keptWarnings();
    warnOfQueueFormat(store, logger); // as the monitor starts
    await vi.waitFor(() => expect(logger.warned).toEqual([{ fields: { cases: 2, queueFormat: null }, message: queueFormatWarning(check) }]));

    await store.rebuildIndexes();
    expect(await store.queueFormat()).toEqual({ state: 'current' });
    const cases = await store.list();
    for (const c of cases) expect(Number(await redis.zscore(caseKeys(prefix).index.all, c.caseId))).toBe(queuePriority(c));
    const again = keptWarnings();
    warnOfQueueFormat(store, again);
    await store.queueFormat(); // a read queued after the monitor's check: that check has answered
    expect(again.warned).toEqual([]);
  });

  it('says loudly at console and monitor start that a newer version marked the store (a mixed-version rollout), and this version\'s reindex refuses to put it back in the older format', async () => {
    const prefix = newPrefix();
    const store = new RedisCaseStore(redis, prefix);
    await store.addAlert(alert('newer-0', 'acct-newer-0', 80));
    const newer = String(QUEUE_FORMAT + 1);
    await redis.set(caseKeys(prefix).queueFormat, newer);
    const check = await store.queueFormat();
    // Before session 50 it read as a stale mark, and the warning said to run this version's reindex.
    expect(check).toEqual({ state: 'newer', cases: 1, found: newer });
    expect(queueFormatWarning(check)).toMatch(new RegExp(`^MIXED VERSIONS: the case store \\(1 cases\\) is marked queue format ${newer}, newer than this version's ${QUEUE_FORMAT}: .*do not run \`tidewatch cases reindex\` from this one`));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await redisStores(loadConfig({ ...process.env, REDIS_KEY_PREFIX: prefix }), redis); // as `tidewatch console` starts
    expect(warn.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('queue format'))).toEqual([queueFormatWarning(check)]);
    const logger = keptWarnings();
    warnOfQueueFormat(store, logger); // as the monitor starts
    await vi.waitFor(() => expect(logger.warned).toEqual([{ fields: { cases: 1, queueFormat: newer, knownQueueFormat: QUEUE_FORMAT }, message: queueFormatWarning(check) }]));
    await expect(store.rebuildIndexes()).rejects.toThrow(`the case store is marked queue format ${newer}, newer than this version's ${QUEUE_FORMAT}`);
    expect(await redis.get(caseKeys(prefix).queueFormat)).toBe(newer);
  });
});
