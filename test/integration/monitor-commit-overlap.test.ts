import { pino } from 'pino';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCaseStore } from '../../src/cases/memory-case-store.js';
import type { Alert } from '../../src/contract/schemas.js';
import { loadConfig } from '../../src/config/config.js';
import { createKafka } from '../../src/kafka/client.js';
import { Monitor } from '../../src/monitor/monitor.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { caughtUp, cleanupRun, expectedOf, newRun, produceSample, readAll, waitFor, type Expected, type Run } from '../helpers/kafka.js';
import { ofacLabels, rules, sampleLines } from '../helpers/sample.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const runs: Run[] = [];
let expected: Expected;

beforeAll(async () => {
  expected = await expectedOf(sampleLines());
});

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

/** A case store that holds every write until `open` is called: a case store (or broker) that has become slow. */
class GatedCaseStore extends MemoryCaseStore {
  held = 0;
  private openGate: () => void = () => undefined;
  private readonly gate = new Promise<void>((r) => { this.openGate = r; });

  open(): void {
    this.openGate();
  }

  override async addAlert(alert: Alert): Promise<{ caseId: string; added: boolean }> {
    this.held++;
    await this.gate;
    return super.addAlert(alert);
  }
}

describe('monitor commits beside its steps (real Kafka, in process)', () => {
  it('applies the rest of the stream while a slot commit waits on the case store, then publishes exactly a file replay', async () => {
    const run = newRun();
    runs.push(run);
    const total = await produceSample(run);
    const config = loadConfig(process.env, { KAFKA_GROUP_ID: run.group, KAFKA_TOPIC_PARTITIONS: '2', REDIS_KEY_PREFIX: run.prefix, KAFKA_SESSION_TIMEOUT_MS: '10000' });
    const labels = ofacLabels();
    const cases = new GatedCaseStore();
    const monitor = new Monitor({
      config, kafka: createKafka(config), cases, createPipeline: (r) => new Pipeline({ rules: r, labels }),
      rules: rules(), logger: pino({ level: 'silent' }), instanceId: `overlap-${run.id}`, inputTopics: run.topics, alertTopic: run.alertTopic,
      maxStep: 200,
    });
    await monitor.start();
    try {
      // A commit is stuck in the case store, yet every message is applied meanwhile.
      await waitFor(async () => cases.held > 0, 180_000, 'a case write to be held');
      await waitFor(async () => monitor.stats.applied >= total, 180_000, 'every message to be applied while a commit waits');
      // The held commits published nothing: fewer alerts are out than the stream raises.
      expect(monitor.stats.published).toBeLessThan(expected.alerts.length);
      cases.open();
      await waitFor(() => caughtUp(run), 180_000, 'every slot cursor to reach the end of the input');
      expect((await readAll(run.alertTopic)).sort()).toEqual(expected.alerts);
    } finally {
      cases.open();
      await monitor.stop();
    }
  }, 600_000);
});
