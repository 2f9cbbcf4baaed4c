/**
 * The Redis cluster store with and without pipelining, on a real server. Kept whole in this one
 * file (and one line of main.ts) so that it can be deleted cleanly with the store.
 */
import { Redis } from 'ioredis';
import { RedisClusterStore } from '../graph/redis-cluster-store.js';
import { fmt, heading } from './report.js';

export async function redisStoreBenchmark(): Promise<void> {
  heading('Redis cluster store (real server)');
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
  } catch {
    console.log('redis not reachable on REDIS_URL: skipped (npm run services:up)');
    return;
  }
  const prefix = `twbench:${Date.now()}:`;
  const store = new RedisClusterStore(redis, prefix);
  const n = 20_000;
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await store.intern(`evm:0x${i.toString(16).padStart(40, '0')}`);
  const plain = n / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  for (let i = 0; i < n; i += 500) await store.intern(...Array.from({ length: 500 }, (_, j) => `evm:0x${(n + i + j).toString(16).padStart(40, '1')}`));
  const batched = n / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  for (let i = 0; i < n; i += 1000) {
    const pipe = redis.pipeline();
    for (let j = 0; j < 1000; j++) pipe.hget(store.keys.ids, `evm:0x${(i + j).toString(16).padStart(40, '0')}`);
    await pipe.exec();
  }
  const pipelined = n / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  for (let i = 0; i < 5000; i++) await redis.hget(store.keys.ids, `evm:0x${i.toString(16).padStart(40, '0')}`);
  const lookups = 5000 / ((performance.now() - t0) / 1000);
  console.log(`intern (Lua), one address per call   : ${fmt(plain)} ops/s`);
  console.log(`intern (Lua), 500 addresses per call  : ${fmt(batched)} addresses/s`);
  console.log(`lookup, one await per call            : ${fmt(lookups)} ops/s`);
  console.log(`lookup, pipelined 1000 per round trip : ${fmt(pipelined)} ops/s  (${(pipelined / lookups).toFixed(1)}x)`);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
}
