/**
 * What a long-running service logs while Redis cannot be reached: one warning naming REDIS_URL by
 * host and port (never the user, password or query), what was refused, and how long it has been
 * waiting, at the first failure and then at most every `everyMs`; and one line when Redis answers
 * again. Session 60 QA: an unreachable Redis at start logged "redis connection error" 24 times in
 * 35 s without naming REDIS_URL or saying for how long.
 */
import type { Redis } from 'ioredis';
import { redisEndpoint } from './redis-tls-listener.js';

/** The host and port REDIS_URL names, `[v6]:port` for an IPv6 address; nothing else of the URL. */
export function redisHostPort(url: string): string {
  const endpoint = redisEndpoint(url);
  if (endpoint === undefined) return '(not a URL)';
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

/** The warning while Redis is away: `what` names the connection and what waits for it. */
export function redisWaitMessage(url: string, what: string, waitedMs: number): string {
  return `cannot reach Redis at REDIS_URL=${redisHostPort(url)} (${what}); waiting for it, ${Math.round(waitedMs / 1000)} s so far`;
}

export interface OutageLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

/** Logs the connection's outages (see the file's comment); `what` says what waits, e.g. "case writes and commits wait". */
export function logRedisOutages(redis: Pick<Redis, 'on'>, url: string, what: string, logger: OutageLogger, clock: () => number = Date.now, everyMs = 10_000): void {
  let since: number | undefined;
  let lastLogged = 0;
  let failures = 0;
  redis.on('error', (err: Error) => {
    const now = clock();
    failures++;
    if (since === undefined) since = now;
    else if (now - lastLogged < everyMs) return;
    lastLogged = now;
    logger.warn({ redis: redisHostPort(url), err: err.message, failures, waitedSeconds: Math.round((now - since) / 1000) }, redisWaitMessage(url, what, now - since));
  });
  redis.on('ready', () => {
    if (since === undefined) return;
    logger.info({ redis: redisHostPort(url), failures, waitedSeconds: Math.round((clock() - since) / 1000) }, `Redis at REDIS_URL=${redisHostPort(url)} answers again`);
    since = undefined;
    failures = 0;
  });
}
