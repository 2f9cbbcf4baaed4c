/**
 * Input written by a transactional producer (Kafka Connect, Kafka Streams with exactly-once, any
 * producer with a transactional id): every committed transaction ends with a marker, so such a
 * partition's last offset is a marker the consumer never hands over as a message. The monitor
 * took that partition for one still owing data and held every other partition back behind it for
 * ever: 0 alerts of 291 (QA). It must read past markers and aborted records, apply the rest, and
 * its cursors must reach the high watermarks.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicFor } from '../../src/contract/schemas.js';
import { caughtUp, cleanupRun, expectedOf, kafka, newRun, produceSample, readAll, startMonitor, stopMonitor, waitFor, type Run } from '../helpers/kafka.js';
import { sampleLines } from '../helpers/sample.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const runs: Run[] = [];
let expected: string[];

beforeAll(async () => {
  expected = (await expectedOf(sampleLines())).alerts;
});

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

describe('a monitor reading topics written in transactions', () => {
  it('applies the committed records, skips the aborted ones and the markers, and catches up: the alerts of a file replay', async () => {
    const run = newRun();
    runs.push(run);
    const lines = sampleLines();
    const isLabel = (l: string): boolean => topicFor(JSON.parse(l) as { schema: string }) === 'intel.labels';
    await produceSample(run, lines.filter((l) => !isLabel(l)));
    const labelTopic = `e2e-${run.id}-intel.labels`;
    const producer = kafka.producer({ transactionalId: `tw-txn-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({ topic: labelTopic, acks: -1, messages: lines.filter(isLabel).map((value) => ({ key: 'label', value })) });
      await committed.commit();
      const aborted = await producer.transaction();
      await aborted.send({ topic: labelTopic, acks: -1, messages: [{ key: 'label', value: '{"schema":"intel.label.v1","aborted":"never to be read"}' }] });
      await aborted.abort();
    } finally {
      await producer.disconnect();
    }
    const monitor = startMonitor(run, 'a', { LOG_LEVEL: 'info' });
    try {
      await waitFor(() => caughtUp(run), 120_000, 'the monitor to catch up past the transaction markers');
      expect((await readAll(run.alertTopic)).sort()).toEqual(expected);
    } finally {
      expect(await stopMonitor(monitor, 'SIGTERM')).toBe(0);
    }
  }, 240_000);
});
