/**
 * Opens Redis for a command and turns "cannot connect" into one clear error naming REDIS_URL
 * (with any password hidden), instead of ioredis's unhandled error events.
 */
import { connect as connectTcp, isIP } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError, redisDatabase } from '../config/config.js';
import { isTlsRefusal } from '../config/tls.js';
import { CLOSED_BY_SERVER, redisEndpoint, speaksTls } from './redis-tls-listener.js';

/**
 * The URL with its user and password hidden: everything up to the last `@` (a password may hold
 * `@` or `/`), and the value of every query parameter (ioredis reads `?password=` too).
 */
export function redactedUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/).*@/, '$1***@').replace(/([?&][^=&#]*=)[^&#]*/g, '$1***');
}

/** ioredis with the URL, or an error naming REDIS_URL when the URL cannot be parsed (a bad port, a malformed %-escape). */
function redisFor(url: string, options: RedisOptions): Redis {
  try {
    return new Redis(url, options);
  } catch (err) {
    throw new ConfigError(`invalid configuration: REDIS_URL: not a Redis URL that can be opened (${err instanceof Error ? err.message : String(err)}): ${redactedUrl(url)}`);
  }
}

/**
 * @param persistent a long-running server keeps reconnecting after the first connection; a
 *   one-shot command gives up at once.
 * @param tls a private CA and client certificate for a rediss:// URL (config/tls.ts: redisTls).
 */
export async function connectRedis(url: string, persistent = false, tls?: ConnectionOptions): Promise<Redis> {
  const redis = redisFor(url, {
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
    const reason = lastError || (err instanceof Error ? err.message : String(err));
    if (url.startsWith('rediss://') && (await answersWithoutTls(url))) throw plaintextPortError(url, reason);
    if (url.startsWith('redis://') && CLOSED_BY_SERVER.test(reason) && (await speaksTls(url))) throw tlsOnlyPortError(url, reason);
    const tlsHint = url.startsWith('rediss://') && isTlsRefusal(reason) ? ' (the TLS handshake failed: check REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE)' : '';
    throw new Error(`cannot reach Redis at REDIS_URL=${redactedUrl(url)}: ${reason}${tlsHint}`);
  }
  return redis;
}

function plaintextPortError(url: string, reason: string): ConfigError {
  return new ConfigError(`invalid configuration: REDIS_URL: rediss:// (TLS) to a Redis that answers without TLS on that port: use redis://, or the port of its TLS listener (${redactedUrl(url)}: ${reason})`);
}

function tlsOnlyPortError(url: string, reason: string): ConfigError {
  return new ConfigError(`invalid configuration: REDIS_URL: redis:// (plaintext) to a Redis that speaks only TLS on that port: use rediss://, with REDIS_TLS_CA_FILE for a private CA and REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE if it asks for a client certificate (${redactedUrl(url)}: ${reason})`);
}

/**
 * Whether the URL's server answers a plain RESP `PING` (a reply or an error line): a rediss://
 * URL that points at a plaintext listener, whose TLS handshake otherwise only times out.
 */
function answersWithoutTls(url: string): Promise<boolean> {
  const endpoint = redisEndpoint(url);
  if (endpoint === undefined) return Promise.resolve(false);
  const { host, port } = endpoint;
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port });
    const done = (answered: boolean): void => { clearTimeout(timer); socket.destroy(); resolve(answered); };
    const timer = setTimeout(() => done(false), 3000);
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk: Buffer) => done(chunk.length > 0 && (chunk[0] === 0x2b || chunk[0] === 0x2d))); // '+' or '-'
  });
}

/** What Redis answers to credentials it refuses (ACL user or password, or none configured), or to a database it does not have. */
const REFUSED_CREDENTIALS = /WRONGPASS|NOAUTH|invalid (username-)?password|AUTH .*without any password|DB index is out of range/i;

/**
 * Start-up check of a long-running service: credentials Redis refuses, a database it does not
 * have and a TLS handshake that cannot succeed fail start-up at once, naming the variables (a
 * restart cannot mend them). A Redis that is only unreachable does not: the
 * service waits for it as it would after an outage.
 */
export async function checkRedisCredentials(url: string, tls?: ConnectionOptions): Promise<void> {
  let message = await connectionRefusal(url, tls);
  if (message === undefined) return;
  // A TLS server that refuses the client's certificate sends its alert and closes; the client,
  // writing its first command, usually reads only the reset. A handshake alone reads the alert.
  if (url.startsWith('rediss://') && /ECONNRESET|EPIPE|Connection is closed/i.test(message)) message = (await handshakeRefusal(url, tls)) ?? message;
  if (REFUSED_CREDENTIALS.test(message)) throw new ConfigError(`invalid configuration: REDIS_URL: Redis refused ${/DB index/i.test(message) ? 'the database it names' : 'the credentials'} (${message})`);
  if (isTlsRefusal(message)) throw new ConfigError(`invalid configuration: REDIS_URL, REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE: the TLS handshake with Redis failed (a CA that did not sign it, no or another client certificate, or rediss:// to a plaintext port): ${message}`);
}

/** What a bare TLS handshake with the URL's server is refused with, if anything, writing nothing after it. */
function handshakeRefusal(url: string, tls?: ConnectionOptions): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    // SNI names a host, never an address (RFC 6066; Node warns when given one).
    const host = hostname.replace(/^\[|\]$/g, '');
    const socket = connectTls({ host, port: Number(port || 6379), ...(isIP(host) ? {} : { servername: host }), ...tls });
    const done = (reason: string | undefined): void => { clearTimeout(timer); socket.destroy(); resolve(reason); };
    const timer = setTimeout(() => done(undefined), 5000);
    socket.on('error', (err: Error) => done(err.message));
    // The server judges the client's certificate after the client's last handshake message: its
    // verdict comes as an alert right after, or not at all.
    socket.on('secureConnect', () => { clearTimeout(timer); setTimeout(() => done(undefined), 3000); });
  });
}

/** Why a first connection fails, or undefined when it succeeds. */
async function connectionRefusal(url: string, tls?: ConnectionOptions): Promise<string | undefined> {
  let redis: Redis | undefined;
  try {
    redis = await connectRedis(url, false, tls);
    return undefined;
  } catch (err) {
    if (err instanceof ConfigError) throw err; // already names the variables (a URL that cannot be opened, TLS to a plaintext port)
    return err instanceof Error ? err.message : String(err);
  } finally {
    redis?.disconnect();
  }
}

/**
 * Closes a long-lived connection: QUIT when Redis answers, else at once. ioredis queues QUIT
 * like any command while it reconnects, so a stop during a Redis outage waited for ever after
 * its work was done (session 33 operations QA: a SIGTERM with nothing to commit never exited).
 */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => undefined);
  else redis.disconnect();
}
