/**
 * Opens Redis for a command and turns "cannot connect" into one clear error naming REDIS_URL
 * (with any password hidden), instead of ioredis's unhandled error events.
 */
import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';
import { ConfigError, redisDatabase } from '../config/config.js';

/** The URL with its user and password hidden: everything up to the last `@` (a password may hold `@` or `/`). */
export function redactedUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/).*@/, '$1***@');
}

/**
 * @param persistent a long-running server keeps reconnecting after the first connection; a
 *   one-shot command gives up at once.
 * @param tls a private CA and client certificate for a rediss:// URL (config/tls.ts: redisTls).
 */
export async function connectRedis(url: string, persistent = false, tls?: ConnectionOptions): Promise<Redis> {
  const redis = new Redis(url, {
    ...(tls ? { tls } : {}),
    lazyConnect: true,
    maxRetriesPerRequest: persistent ? 3 : 1,
    enableOfflineQueue: persistent,
    retryStrategy: (times) => (persistent ? Math.min(times * 200, 2000) : null),
  });
  let lastError = '';
  redis.on('error', (err: Error) => { lastError = err.message; });
  try {
    await redis.connect();
    await redis.ping();
    // ioredis selects the URL's database on connect but only reports a refusal as an error
    // event, then works in database 0: a case queue written into another application's data.
    const db = redisDatabase(url) ?? 0;
    if (db > 0) await redis.select(db);
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at REDIS_URL=${redactedUrl(url)}: ${lastError || (err instanceof Error ? err.message : String(err))}`);
  }
  return redis;
}

/** What Redis answers to credentials it refuses (ACL user or password, or none configured), or to a database it does not have. */
const REFUSED_CREDENTIALS = /WRONGPASS|NOAUTH|invalid (username-)?password|AUTH .*without any password|DB index is out of range/i;

/**
 * Start-up check of a long-running service: credentials Redis refuses fail start-up at once,
 * naming REDIS_URL (a restart cannot mend them). A Redis that is only unreachable does not: the
 * service waits for it as it would after an outage.
 */
export async function checkRedisCredentials(url: string, tls?: ConnectionOptions): Promise<void> {
  let redis: Redis | undefined;
  try {
    redis = await connectRedis(url, false, tls);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (REFUSED_CREDENTIALS.test(message)) throw new ConfigError(`invalid configuration: REDIS_URL: Redis refused ${/DB index/i.test(message) ? 'the database it names' : 'the credentials'} (${message})`);
  } finally {
    redis?.disconnect();
  }
}
