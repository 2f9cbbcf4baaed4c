/**
 * A Redis restarted without persistence comes back empty and the case queue was gone without a
 * word (QA: 165 cases lost, nothing logged). The store's marker tells: gone, the data went.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { caseKeys } from '../../src/cases/redis-keys.js';
import { CaseStoreMarker, emptiedWhileStopped } from '../../src/cases/store-marker.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 3 });
const prefix = `twtest:${randomUUID()}:`;

afterAll(async () => {
  await redis.del(caseKeys(prefix).storeMarker);
  await redis.quit();
});

describe('the case store marker (real Redis)', () => {
  it('reads the same store as the same, tells a store that lost its data, and compares with the store as it is after that', async () => {
    const marker = new CaseStoreMarker(redis, prefix);
    const { id, created } = await marker.claim();
    expect(created).toBe(true);
    expect(await marker.check()).toEqual({ state: 'same' });
    // A second process on the same store reads the same id (the marker is set once).
    expect(await new CaseStoreMarker(redis, prefix).claim()).toEqual({ id, created: false });
    await redis.del(caseKeys(prefix).storeMarker); // what a restart without persistence leaves
    const lost = await marker.check();
    expect(lost.state).toBe('lost');
    expect(lost.state === 'lost' && lost.before).toBe(id);
    expect(lost.state === 'lost' && lost.now).not.toBe(id);
    expect(await marker.check()).toEqual({ state: 'same' });
  });

  it('at start, tells a store emptied while no monitor ran: unmarked, under a monitor that restored a checkpoint', async () => {
    const fresh = `twtest:${randomUUID()}:`;
    const first = await new CaseStoreMarker(redis, fresh).claim();
    expect(emptiedWhileStopped(first, { restoredFrom: undefined, restoredRead: 0 })).toBe(false); // a new deployment: nothing written before
    expect(emptiedWhileStopped(first, { restoredFrom: 'checkpoint-000000000007.twc', restoredRead: 5_000 })).toBe(true);
    // Another instance's opening checkpoint, of a state that had read nothing: two instances of a
    // new deployment started together, the other one's checkpoint written after this claim.
    expect(emptiedWhileStopped(first, { restoredFrom: 'checkpoint-000000000001.twc', restoredRead: 0 })).toBe(false);
    const again = await new CaseStoreMarker(redis, fresh).claim();
    expect(emptiedWhileStopped(again, { restoredFrom: 'checkpoint-000000000007.twc', restoredRead: 5_000 })).toBe(false); // the store kept its marker
    await redis.del(caseKeys(fresh).storeMarker);
  });
});
