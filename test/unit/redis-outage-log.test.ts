/**
 * While Redis cannot be reached, the monitor and the console say so naming REDIS_URL by host and
 * port, with how long they have waited, and never the password (session 60 QA: "redis
 * connection error" 24 times in 35 s, naming nothing).
 */
import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { logRedisOutages, redisHostPort } from '../../src/cli/redis-outage-log.js';
import { waitFor } from '../helpers/kafka.js';

interface Line { level: string; fields: Record<string, unknown>; message: string }

function collector(lines: Line[]) {
  return {
    warn: (fields: Record<string, unknown>, message: string) => { lines.push({ level: 'warn', fields, message }); },
    info: (fields: Record<string, unknown>, message: string) => { lines.push({ level: 'info', fields, message }); },
  };
}

describe('the log of an unreachable Redis', () => {
  it('names REDIS_URL by host and port only, never the user, password or query, for a real client that cannot connect', async () => {
    const url = 'redis://tw-user:S3cr3tXYZ@127.0.0.1:1/3?password=S3cr3tXYZ';
    const lines: Line[] = [];
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: () => 50 });
    logRedisOutages(redis, url, 'case writes wait for it', collector(lines));
    redis.connect().catch(() => undefined);
    try {
      await waitFor(async () => lines.length > 0, 30_000, 'the first warning');
    } finally {
      redis.disconnect();
    }
    const [first] = lines;
    expect(first!.level).toBe('warn');
    expect(first!.message).toBe('cannot reach Redis at REDIS_URL=127.0.0.1:1 (case writes wait for it); waiting for it, 0 s so far');
    expect(first!.fields).toMatchObject({ redis: '127.0.0.1:1', failures: 1, waitedSeconds: 0 });
    const everything = JSON.stringify(lines);
    expect(everything).not.toContain('S3cr3tXYZ');
    expect(everything).not.toContain('tw-user');
  });

  it('says how long it has waited, at most every 10 s, and when Redis answers again', () => {
    const lines: Line[] = [];
    const connection = new EventEmitter();
    let now = 1_000_000;
    logRedisOutages(connection as unknown as Redis, 'rediss://:pw@[::1]:6380', 'requests fail', collector(lines), () => now);
    for (let i = 0; i < 60; i++) { connection.emit('error', new Error('connect ECONNREFUSED')); now += 500; } // 30 s of failures
    expect(lines.map((l) => l.fields.waitedSeconds)).toEqual([0, 10, 20]);
    expect(lines[2]!.message).toBe('cannot reach Redis at REDIS_URL=[::1]:6380 (requests fail); waiting for it, 20 s so far');
    connection.emit('ready');
    expect(lines[3]).toEqual({ level: 'info', fields: { redis: '[::1]:6380', failures: 60, waitedSeconds: 30 }, message: 'Redis at REDIS_URL=[::1]:6380 answers again' });
    connection.emit('error', new Error('again'));
    expect(lines[4]!.fields).toMatchObject({ failures: 1, waitedSeconds: 0 });
  });

  it('shows host and port of every URL form, and nothing of a URL it cannot read', () => {
    expect(redisHostPort('redis://u:p@redis.internal')).toBe('redis.internal:6379');
    expect(redisHostPort('redis://:p%40ss@10.0.0.5:7000/2')).toBe('10.0.0.5:7000');
    expect(redisHostPort('not a url with S3cr3t')).toBe('(not a URL)');
  });
});
