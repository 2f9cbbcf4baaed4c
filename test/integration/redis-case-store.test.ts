import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { caseStoreSuite } from '../conformance/case-store-suite.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 3 });
const prefixes: string[] = [];

caseStoreSuite('redis (real server)', async () => {
  const prefix = `twtest:${randomUUID()}:`;
  prefixes.push(prefix);
  return new RedisCaseStore(redis, prefix);
});

afterAll(async () => {
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}*`);
    if (keys.length) await redis.del(...keys);
  }
  await redis.quit();
});
