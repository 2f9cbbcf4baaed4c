/**
 * The monitor fed and read by Kafka's own command-line clients, as an exchange's tooling (or a
 * peer system) would use it: kafka-console-producer writes each contract topic from a JSON Lines
 * file (no keys, the producer's own partitioning; each topic compressed with another codec:
 * LZ4, Snappy, ZSTD, gzip, none), and kafka-console-consumer reads the alert
 * topic with read_committed. The clients are Apache Kafka's (org.apache.kafka.tools, fetched from
 * Maven Central by `npm run services:up` into .cache/kafka/tools), not kafkajs.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicFor } from '../../src/contract/schemas.js';
import { ensureTopics } from '../../src/kafka/client.js';
import { caughtUp, cleanupRun, expectedOf, kafka, newRun, startMonitor, stopMonitor, waitFor, type Run } from '../helpers/kafka.js';
import { root, sampleLines } from '../helpers/sample.js';

const TOOLS = join(root, '.cache', 'kafka', 'tools');
const BROKER = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0]!;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const runs: Run[] = [];
/** Every codec a Kafka producer may use, one per topic in turn. */
const CODECS = ['lz4', 'snappy', 'zstd', 'gzip', 'none'] as const;
let expectedAlerts: string[];

/** Runs one of Kafka's console clients with `input` on its stdin; resolves with its stdout and stderr, rejects on a non-zero exit. */
function runConsoleClient(mainClass: string, args: string[], input?: string): Promise<{ out: string; err: string }> {
  return new Promise((resolve, reject) => {
    // The clients' logging as the scripts in .cache/kafka/bin set it: warnings and errors on stderr.
    const child = spawn('java', ['-cp', `${TOOLS}/*`, `-Dlog4j2.configurationFile=${join(root, 'infra', 'tools-log4j2.properties')}`, mainClass, '--bootstrap-server', BROKER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString('utf8'); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve({ out, err }) : reject(new Error(`${mainClass} exited ${code}: ${err.slice(-2000)}`))));
    child.stdin.end(input ?? '');
  });
}

/** Runs one of Kafka's console clients with `input` on its stdin; resolves with its stdout. */
async function consoleClient(mainClass: string, args: string[], input?: string): Promise<string> {
  return (await runConsoleClient(mainClass, args, input)).out;
}

beforeAll(async () => {
  expect(existsSync(join(TOOLS, '.complete')), `Kafka's console clients are missing from ${TOOLS}: run npm run services:up`).toBe(true);
  ({ alerts: expectedAlerts } = await expectedOf(sampleLines()));
});

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

describe("monitor with Kafka's own console clients", () => {
  it('alerts read by kafka-console-consumer equal a file replay, for input written by kafka-console-producer without keys, in every compression codec', async () => {
    const run = newRun();
    runs.push(run);
    await ensureTopics(kafka, [...run.topics, run.alertTopic], 2);
    const byTopic = new Map<string, string[]>();
    for (const line of sampleLines()) {
      const topic = `e2e-${run.id}-${topicFor(JSON.parse(line))}`;
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), line]);
    }
    // One producer per topic, each a line per record, as `kafka-console-producer.sh --topic t < file` does,
    // each topic's batches compressed with another of Kafka's codecs (kafkajs reads only gzip by itself).
    let producers = 0;
    for (const [topic, lines] of byTopic) {
      const codec = CODECS[producers++ % CODECS.length]!;
      await consoleClient('org.apache.kafka.tools.ConsoleProducer', ['--topic', topic, '--producer-property', 'acks=all', '--compression-codec', codec], lines.join('\n') + '\n');
    }
    expect(producers).toBeGreaterThanOrEqual(CODECS.length);
    const monitor = startMonitor(run, 'a');
    try {
      await waitFor(() => caughtUp(run), 180_000, 'the monitor to cover every input partition');
      // Read until the topic stays quiet for 30 s, not up to the expected count: an alert published
      // twice must show as one too many (session 43 QA: --max-messages stopped at the count).
      const consumed = await consoleClient('org.apache.kafka.tools.consumer.ConsoleConsumer', [
        '--topic', run.alertTopic, '--from-beginning', '--isolation-level', 'read_committed', '--timeout-ms', '30000',
      ]);
      const alerts = consumed.split('\n').filter((l) => l.trim() !== '');
      expect(alerts.length).toBe(expectedAlerts.length);
      expect(alerts.sort()).toEqual(expectedAlerts);
    } finally {
      expect(await stopMonitor(monitor, 'SIGTERM')).toBe(0);
    }
    // A JVM per client: on a loaded 2-core machine the producers alone can take a minute.
  }, 420_000);

  it('the console producer reports a record it cannot send (session 51 QA: without an SLF4J binding it dropped one without a word)', async () => {
    const run = newRun();
    runs.push(run);
    await ensureTopics(kafka, [run.topics[0]!], 1);
    // Larger than the producer's max.request.size (1 MiB): refused before it reaches the broker, as
    // a record past the topic's max.message.bytes is refused by the broker.
    const oversized = JSON.stringify({ schema: 'exchange.transfer.v1', memo: 'x'.repeat(1_100_000) });
    const { err } = await runConsoleClient('org.apache.kafka.tools.ConsoleProducer', ['--topic', run.topics[0]!], `${oversized}\n`);
    expect(err).toMatch(/RecordTooLargeException/);
  }, 120_000);
});
