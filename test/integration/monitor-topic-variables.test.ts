/**
 * The monitor's topics set by configuration variables alone (KAFKA_INPUT_TOPICS, KAFKA_ALERT_TOPIC,
 * KAFKA_OWNERSHIP_TOPIC), as a deployment configured by its environment (monitor.env, compose, a
 * peer's test harness) sets them. Session 61 QA: the topics were flags only, so a monitor started
 * with the variables set read the contract's default topics (`exchange.deposits`, …), shared with
 * whoever else used the brokers, and published to `compliance.alerts`, without a word.
 */
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TIDEWATCH } from '../helpers/built-sources.js';
import { caughtUp, checkpointRoot, cleanupRun, expectedOf, kafka, newRun, produceSample, readAll, stopMonitor, waitFor, type MonitorProcess, type Run } from '../helpers/kafka.js';
import { root, sampleLines } from '../helpers/sample.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const runs: Run[] = [];

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

/** `tidewatch monitor` with no topic flag: every topic from the environment. */
function startMonitorByVariables(run: Run): MonitorProcess {
  const env = {
    ...process.env, LOG_LEVEL: 'warn', METRICS_PORT: '0', KAFKA_TOPIC_PARTITIONS: '2', KAFKA_SESSION_TIMEOUT_MS: '10000',
    KAFKA_GROUP_ID: run.group, REDIS_KEY_PREFIX: run.prefix, CHECKPOINT_DIR: checkpointRoot(run),
    KAFKA_INPUT_TOPICS: run.topics.join(','), KAFKA_ALERT_TOPIC: run.alertTopic, KAFKA_OWNERSHIP_TOPIC: run.topics[0]!,
  };
  const child = spawn('node', [TIDEWATCH, 'monitor', '--instance', `vars-${run.id}`], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] }) as MonitorProcess;
  child.logs = [];
  child.stdout!.on('data', (d: Buffer) => child.logs.push(...d.toString('utf8').split('\n').filter((l) => l !== '')));
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[monitor vars-${run.id}] ${d}`));
  return child;
}

async function topicsOnBroker(): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

describe('monitor topics from configuration variables', () => {
  it('reads KAFKA_INPUT_TOPICS, creates their dead-letter topics and publishes to KAFKA_ALERT_TOPIC the alerts of a file replay', async () => {
    const run = newRun();
    runs.push(run);
    const expected = (await expectedOf(sampleLines())).alerts;
    await produceSample(run);
    const monitor = startMonitorByVariables(run);
    try {
      // The monitor creates each input's dead-letter topic at start: those of the variables' topics.
      await waitFor(async () => (await topicsOnBroker()).includes(`${run.topics[0]}.dlq`), 90_000, `the monitor to create ${run.topics[0]}.dlq (it read other topics)`);
      await waitFor(() => caughtUp(run), 180_000, 'the monitor to cover every input partition of KAFKA_INPUT_TOPICS');
      const alerts = await readAll(run.alertTopic);
      expect(alerts.length).toBe(expected.length);
      expect(alerts.sort()).toEqual(expected);
    } finally {
      expect(await stopMonitor(monitor, 'SIGTERM')).toBe(0);
    }
  }, 360_000);
});
