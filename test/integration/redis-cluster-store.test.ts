import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { RedisClusterStore } from '../../src/graph/redis-cluster-store.js';
import { clusterStoreSuite } from '../conformance/cluster-store-suite.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 3 });
const prefixes: string[] = [];

clusterStoreSuite('redis (real server)', async (max = 100_000) => {
  const prefix = `twtest:${randomUUID()}:`;
  prefixes.push(prefix);
  return new RedisClusterStore(redis, prefix, { maxClusterSize: max });
});

afterAll(async () => {
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}*`);
    if (keys.length) await redis.del(...keys);
  }
  await redis.quit();
});
