/**
 * Console sessions in Redis end when idle: the session key lives its whole life (TTL
 * CONSOLE_SESSION_HOURS) and an activity mark beside it the idle timeout, renewed only by a
 * request of the user's own; the session lives while both do (session 44 security QA: no idle
 * timeout).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeysAndQuit, testRedis, uniquePrefix } from '../helpers/redis.js';
import { userKeys } from '../../src/cases/redis-keys.js';
import { RedisUserBackend } from '../../src/cases/redis-user-backend.js';
import { Users } from '../../src/cases/users.js';
import { waitFor } from '../helpers/kafka.js';

const redis = testRedis({ maxRetriesPerRequest: 3 });
const prefix = uniquePrefix('session-idle');
const keys = userKeys(prefix);
const users = new Users(new RedisUserBackend(redis, prefix));

afterAll(() => deleteKeysAndQuit(redis, prefix));

describe('console sessions in Redis', () => {
  it('keep an activity mark with the idle timeout as its TTL, renewed only when asked (a request of the user\'s own)', async () => {
    const ana = await users.add('ana', 'analyst', 'session-password-1', 0);
    const id = await users.startSession(ana, 3600, 120);
    expect(await redis.ttl(keys.session(id))).toBeGreaterThan(3500);
    const idle = await redis.ttl(keys.sessionActivity(id));
    expect(idle).toBeGreaterThan(0);
    expect(idle).toBeLessThanOrEqual(120);
    expect(await users.session(id)).toEqual(ana); // a background look-up: no renewal
    expect(await redis.ttl(keys.sessionActivity(id))).toBeLessThanOrEqual(120);
    expect(await users.session(id, 900)).toEqual(ana);
    expect(await redis.ttl(keys.sessionActivity(id))).toBeGreaterThan(120);
    await users.endSession(id);
    expect(await redis.exists(keys.session(id), keys.sessionActivity(id))).toBe(0);
  });

  it('end once idle past the timeout while the session key itself still lives', async () => {
    const ana = (await users.authenticate('ana', 'session-password-1'))!;
    const id = await users.startSession(ana, 3600, 1);
    await waitFor(async () => (await users.session(id)) === undefined, 30_000, 'the idle session to end');
    expect(await redis.ttl(keys.session(id))).toBeGreaterThan(3000);
    expect(await users.session(id, 900)).toBeUndefined(); // a late request does not bring it back
  });

  it('end a session opened before the idle timeout existed (no activity mark)', async () => {
    const ana = (await users.authenticate('ana', 'session-password-1'))!;
    const id = await users.startSession(ana, 3600, 3600);
    await redis.del(keys.sessionActivity(id)); // as an older version wrote it: the session key alone
    expect(await users.session(id, 900)).toBeUndefined();
  });
});
