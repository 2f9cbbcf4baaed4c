import { pino } from 'pino';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryCaseStore } from '../../src/cases/memory-case-store.js';
import type { Alert } from '../../src/contract/schemas.js';
import { loadConfig } from '../../src/config/config.js';
import kafkajs from 'kafkajs';
import { createKafka } from '../../src/kafka/client.js';
import { Monitor } from '../../src/monitor/monitor.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { cleanupRun, highWatermarks, newRun, produceSample, slotCursor, type Run } from '../helpers/kafka.js';
import { ofacLabels, rules } from '../helpers/sample.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const runs: Run[] = [];

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

/** A case store whose writes fail for good, as a store that rejects every write would. */
class FailingCaseStore extends MemoryCaseStore {
  override async addAlert(_alert: Alert): Promise<{ caseId: string; added: boolean }> {
    throw new Error('case store refused the write');
  }
}

const covers = (cut: Map<string, bigint>, highs: Map<string, bigint>): boolean => [...highs].every(([pk, high]) => (cut.get(pk) ?? 0n) >= high);

describe('monitor fatal failure (real Kafka, in process)', () => {
  it('reports a step that fails to its caller through `fatal` instead of exiting, and commits nothing after it', async () => {
    const run = newRun();
    runs.push(run);
    await produceSample(run);
    const config = loadConfig(process.env, { KAFKA_GROUP_ID: run.group, KAFKA_TOPIC_PARTITIONS: '2', REDIS_KEY_PREFIX: run.prefix, KAFKA_SESSION_TIMEOUT_MS: '10000' });
    const labels = ofacLabels();
    const monitor = new Monitor({
      config, kafka: createKafka(config), cases: new FailingCaseStore(), createPipeline: (r) => new Pipeline({ rules: r, labels }),
      rules: rules(), logger: pino({ level: 'silent' }), instanceId: `fatal-${run.id}`, inputTopics: run.topics, alertTopic: run.alertTopic,
    });
    await monitor.start();
    let stopped = false;
    try {
      // The first case write fails, so its step fails after applying messages: the monitor cannot
      // redo that step in memory. The process is still here to see it (no process.exit).
      const err = await Promise.race([monitor.fatal, new Promise<undefined>((r) => setTimeout(() => r(undefined), 180_000))]);
      expect(err?.message).toBe('case store refused the write');
      const highs = await highWatermarks(run);
      const atFailure = await Promise.all([0, 1].map((s) => slotCursor(run, s)));
      expect(atFailure.some((c) => !covers(c, highs))).toBe(true); // the failed step's cursor did not move
      await monitor.stop(); // a stop after a fatal failure closes connections but commits nothing
      stopped = true;
      expect(await Promise.all([0, 1].map((s) => slotCursor(run, s)))).toEqual(atFailure);
    } finally {
      if (!stopped) await monitor.stop();
    }
  }, 300_000);

  it('stops on an input batch that inflates past KAFKA_MAX_INFLATED_BATCH_BYTES, though kafkajs hands the refusal over wrapped and restartable (QA)', async () => {
    const run = newRun();
    runs.push(run);
    await produceSample(run);
    const config = loadConfig(process.env, { KAFKA_GROUP_ID: run.group, KAFKA_TOPIC_PARTITIONS: '2', REDIS_KEY_PREFIX: run.prefix, KAFKA_MAX_INFLATED_BATCH_BYTES: String(1 << 20) });
    const kafka = createKafka(config);
    // One gzip batch of 24 logins padded to 100 KB each: about 2.4 MB inflated, a few KB on the wire.
    const logins = run.topics.find((t) => t.endsWith('exchange.logins'))!;
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: logins, acks: -1, compression: kafkajs.CompressionTypes.GZIP,
      messages: Array.from({ length: 24 }, (_, i) => ({ key: 'acct-bomb', value: JSON.stringify({ schema: 'exchange.login.v1', eventId: `bomb-${i}`, pad: 'x'.repeat(100_000) }) })),
    });
    await producer.disconnect();
    const labels = ofacLabels();
    const monitor = new Monitor({
      config, kafka, cases: new MemoryCaseStore(), createPipeline: (r) => new Pipeline({ rules: r, labels }),
      rules: rules(), logger: pino({ level: 'silent' }), instanceId: `bomb-${run.id}`, inputTopics: run.topics, alertTopic: run.alertTopic,
    });
    await monitor.start();
    try {
      const err = await Promise.race([monitor.fatal, new Promise<undefined>((r) => setTimeout(() => r(undefined), 180_000))]);
      expect(err?.message).toMatch(/gzip record batch refused: it would inflate to more than the 1048576 bytes allowed/);
    } finally {
      await monitor.stop();
    }
  }, 300_000);
});
