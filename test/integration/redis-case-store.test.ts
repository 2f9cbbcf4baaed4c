import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { caseKeys } from '../../src/cases/redis-keys.js';
import { alert } from '../conformance/case-store-suite.js';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { caseStoreSuite } from '../conformance/case-store-suite.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 3 });
const prefixes: string[] = [];

caseStoreSuite('redis (real server)', async () => {
  const prefix = `twtest:${randomUUID()}:`;
  prefixes.push(prefix);
  return new RedisCaseStore(redis, prefix);
});

describe('redis case store bounds', () => {
  it('indexes an alert id to its case for the dedupe window only (a TTL on the index key)', async () => {
    const prefix = `twtest:${randomUUID()}:`;
    prefixes.push(prefix);
    const store = new RedisCaseStore(redis, prefix, 3_600);
    await store.addAlert(alert('ttl-1', 'acct-ttl', 70));
    const ttl = await redis.ttl(caseKeys(prefix).alert('ttl-1'));
    expect(ttl).toBeGreaterThan(3_500);
    expect(ttl).toBeLessThanOrEqual(3_600);
  });
});

afterAll(async () => {
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}*`);
    if (keys.length) await redis.del(...keys);
  }
  await redis.quit();
});
