/**
 * The Redis the integration and browser tests share (never restarted by a test), and the clean-up
 * of the keys each test file writes under a prefix of its own.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';

/** REDIS_URL, else the machine's Redis on 6379. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A client of the shared test Redis. */
export const testRedis = (options: RedisOptions = {}): Redis => new Redis(TEST_REDIS_URL, options);

/** A key prefix no other test file or run shares: `twtest:<name>:<uuid>:`. */
export const uniquePrefix = (name: string): string => `twtest:${name}:${randomUUID()}:`;

/** What deleting keys needs of a client (a Redis, or a stand-in). */
export interface KeyDeleter { keys(pattern: string): Promise<string[]>; del(...keys: string[]): Promise<number> }

/** Keys deleted per DEL: a spread of a hundred thousand arguments overflows the call stack. */
const DELETE_BATCH = 1000;

/** Deletes every key that starts with `prefix`. */
export async function deleteKeysUnder(redis: KeyDeleter, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += DELETE_BATCH) await redis.del(...keys.slice(i, i + DELETE_BATCH));
}

/** A test file's last step: deletes the keys under each of its prefixes, then closes its client. */
export async function deleteKeysAndQuit(redis: Redis, ...prefixes: string[]): Promise<void> {
  for (const prefix of prefixes) await deleteKeysUnder(redis, prefix);
  await redis.quit();
}
