/**
 * Opens Redis for a command and turns "cannot connect" into one clear error naming REDIS_URL
 * (with any password hidden), instead of ioredis's unhandled error events.
 */
import type { ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';
import { ConfigError } from '../config/config.js';

export function redactedUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
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
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at REDIS_URL=${redactedUrl(url)}: ${lastError || (err instanceof Error ? err.message : String(err))}`);
  }
  return redis;
}

/** What Redis answers to credentials it refuses (ACL user or password, or none configured). */
const REFUSED_CREDENTIALS = /WRONGPASS|NOAUTH|invalid (username-)?password|AUTH .*without any password/i;

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
    if (REFUSED_CREDENTIALS.test(message)) throw new ConfigError(`invalid configuration: REDIS_URL: Redis refused the credentials (${message})`);
  } finally {
    redis?.disconnect();
  }
}
