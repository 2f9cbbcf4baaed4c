/**
 * `kafka-consumer-groups --describe --group <KAFKA_GROUP_ID>`, the group an operator configured,
 * shows committed offsets and lag on every input partition (session 61 QA: the group committed
 * nothing, so the tool showed `-` for every offset and lag; only the slot groups held the cursors).
 * The owner of slot 0 commits there the cut every slot has published through.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { caughtUp, cleanupRun, highWatermarks, kafka, newRun, produceSample, startMonitor, stopMonitor, waitFor, type Run } from '../helpers/kafka.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const runs: Run[] = [];

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

/** The group's committed offsets, as `topic/partition` → offset (absent: none committed). */
async function groupOffsets(run: Run): Promise<Map<string, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out = new Map<string, bigint>();
    for (const t of await admin.fetchOffsets({ groupId: run.group, topics: run.topics })) for (const p of t.partitions) if (p.offset !== '-1') out.set(`${t.topic}/${p.partition}`, BigInt(p.offset));
    return out;
  } finally {
    await admin.disconnect();
  }
}

describe('the monitor\'s consumer group as kafka-consumer-groups describes it', () => {
  it('holds, once the monitor has caught up, a committed offset at the high watermark of every input partition that has records (lag 0)', async () => {
    const run = newRun();
    runs.push(run);
    await produceSample(run);
    const monitor = startMonitor(run, 'a');
    try {
      await waitFor(() => caughtUp(run), 180_000, 'the monitor to cover every input partition');
      const highs = [...(await highWatermarks(run))].filter(([, high]) => high > 0n);
      expect(highs.length).toBeGreaterThan(8);
      let last = new Map<string, bigint>();
      await waitFor(async () => { last = await groupOffsets(run); return highs.every(([pk, high]) => last.get(pk) === high); }, 90_000, `the group ${run.group} to commit every input partition's high watermark`).catch((err: Error) => {
        throw new Error(`${err.message}; committed: ${JSON.stringify(Object.fromEntries([...last].map(([k, v]) => [k, v.toString()])))}`);
      });
    } finally {
      expect(await stopMonitor(monitor, 'SIGTERM')).toBe(0);
    }
  }, 360_000);
});
