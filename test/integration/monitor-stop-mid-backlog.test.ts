/**
 * A stop asked in the middle of a backlog finishes the step in hand and no more (real Kafka, in
 * process). Session 51's QA: a SIGTERM during a catch-up of 11,084 pre-filled messages, 512 of them
 * applied, went on to apply the other 10,572 before it stopped (6.8 s), because the loop that
 * applies the steps the reorder buffer lets go never looked at the stop; with a full buffer
 * (MONITOR_BUFFER_MAX, 131,072 messages) a stop could outlast the supervisor's grace. What was
 * applied before the stop is published once, and a second monitor publishes the rest: together a
 * file replay's alerts, each once.
 */
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { loadConfig } from '../../src/config/config.js';
import type { DecodeResult } from '../../src/decode/decode.js';
import type { Origin } from '../../src/decode/events.js';
import { createKafka } from '../../src/kafka/client.js';
import { Monitor } from '../../src/monitor/monitor.js';
import { Pipeline, type ProcessResult } from '../../src/pipeline/pipeline.js';
import { caughtUp, checkpointRoot, cleanupRun, expectedOf, newRun, produceSample, readAll, waitFor, type Expected, type Run } from '../helpers/kafka.js';
import { ofacLabels, rules, sampleLines } from '../helpers/sample.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const runs: Run[] = [];
const MAX_STEP = 32;
const STOP_AT = 100;
let expected: Expected;

beforeAll(async () => {
  expected = await expectedOf(sampleLines());
});

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

/** Called with the number of messages a pipeline has been given, before it processes each. */
let onMessage: (seen: number) => void = () => undefined;

class CountingPipeline extends Pipeline {
  private given = 0;

  override processDecoded(decoded: DecodeResult, raw: string, origin: Origin): ProcessResult {
    onMessage(++this.given);
    return super.processDecoded(decoded, raw, origin);
  }
}

function monitorOf(run: Run, instance: string): Monitor {
  const config = loadConfig(process.env, { KAFKA_GROUP_ID: run.group, KAFKA_TOPIC_PARTITIONS: '2', REDIS_KEY_PREFIX: run.prefix, KAFKA_SESSION_TIMEOUT_MS: '10000', CHECKPOINT_DIR: checkpointRoot(run) });
  const labels = ofacLabels();
  return new Monitor({
    config, kafka: createKafka(config), cases: new RedisCaseStore(redis, run.prefix),
    createPipeline: (r) => new CountingPipeline({ rules: r, labels }),
    rules: rules(), logger: pino({ level: 'silent' }), instanceId: `${instance}-${run.id}`, inputTopics: run.topics, alertTopic: run.alertTopic,
    maxStep: MAX_STEP, holdMs: 0,
  });
}

describe('monitor stop during a backlog (real Kafka, in process)', () => {
  it('applies no step after the one in hand, and a restart publishes the rest: a file replay\'s alerts, each once', async () => {
    const run = newRun();
    runs.push(run);
    const total = await produceSample(run);
    const first = monitorOf(run, 'a');
    let stopped: Promise<void> | undefined;
    let appliedAtStop = 0;
    // The stop is asked from inside a step, with the whole backlog fetched or being fetched behind it.
    onMessage = (seen) => { if (seen === STOP_AT && !stopped) { appliedAtStop = first.stats.applied; stopped = first.stop(); } };
    await first.start();
    try {
      await waitFor(async () => stopped !== undefined, 180_000, 'the stop to be asked');
      await stopped;
    } finally {
      if (!stopped) await first.stop();
    }
    // The step in hand was at most MAX_STEP messages, counted from the applied total before it.
    expect(first.stats.applied).toBeLessThanOrEqual(appliedAtStop + MAX_STEP);
    expect(first.stats.applied).toBeLessThan(total);

    onMessage = () => undefined;
    const second = monitorOf(run, 'b');
    await second.start();
    try {
      await waitFor(() => caughtUp(run), 180_000, 'every slot cursor to reach the end of the input');
      expect((await readAll(run.alertTopic)).sort()).toEqual(expected.alerts);
    } finally {
      await second.stop();
    }
  }, 600_000);
});
