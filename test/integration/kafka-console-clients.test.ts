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

type ConsoleClient = { exited: Promise<{ code: number | null; out: string; err: string }>; stop: () => void };

/** Starts one of Kafka's console clients with `input` on its stdin; `exited` resolves once it has exited and its output is read. */
function startConsoleClient(mainClass: string, args: string[], input?: string): ConsoleClient {
  // The clients' logging as the scripts in .cache/kafka/bin set it: warnings and errors on stderr.
  // C1 only and the serial collector: a short-lived client spends less CPU starting up (about a
  // third less user time for a producer of 200 lines, measured once at a load of 28).
  const child = spawn('java', ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-cp', `${TOOLS}/*`, `-Dlog4j2.configurationFile=${join(root, 'infra', 'tools-log4j2.properties')}`, mainClass, '--bootstrap-server', BROKER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString('utf8'); });
  const exited = new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err })); // after the output streams end
  });
  child.stdin.end(input ?? '');
  return { exited, stop: () => child.kill('SIGTERM') };
}

/** Runs one of Kafka's console clients with `input` on its stdin; resolves with its stdout and stderr, rejects on a non-zero exit. */
async function runConsoleClient(mainClass: string, args: string[], input?: string): Promise<{ out: string; err: string }> {
  const { code, out, err } = await startConsoleClient(mainClass, args, input).exited;
  if (code !== 0) throw new Error(`${mainClass} exited ${code}: ${err.slice(-2000)}`);
  return { out, err };
}

/** Runs one of Kafka's console clients with `input` on its stdin; resolves with its stdout. */
async function consoleClient(mainClass: string, args: string[], input?: string): Promise<string> {
  return (await runConsoleClient(mainClass, args, input)).out;
}

/** True once `group` has committed, on every partition of `topic`, an offset at or past `ends`. */
async function committedTo(group: string, topic: string, ends: Map<number, bigint>): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return [...ends].every(([partition, end]) => {
      const committed = offsets?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      return end === 0n || (committed !== '-1' && BigInt(committed) >= end);
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every record on `topic` as kafka-console-consumer prints it (read_committed, from the beginning),
 * up to the end the topic has when the read starts. The client runs in its own group, committing
 * what it has printed every half second; once that reaches every partition's end it is stopped as
 * Ctrl-C would stop it. The read waits for the records, not for a quiet period (it waited 30 s of
 * quiet before session 64); every record on the topic is read, so an alert published twice shows
 * as one too many (session 43 QA: --max-messages stopped at the count).
 */
async function consumeToEnd(topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect())).map((p) => [p.partition, BigInt(p.high)] as const));
  const group = `console-${topic}`;
  const consumer = startConsoleClient('org.apache.kafka.tools.consumer.ConsoleConsumer', [
    '--topic', topic, '--from-beginning', '--isolation-level', 'read_committed', '--group', group, '--consumer-property', 'auto.commit.interval.ms=500',
  ]);
  const gone = consumer.exited.then(({ code, err }) => { throw new Error(`the console consumer exited (${code}) before reaching the end of ${topic}: ${err.slice(-2000)}`); });
  gone.catch(() => undefined); // raced below
  try {
    await Promise.race([waitFor(() => committedTo(group, topic, ends), 300_000, `the console consumer to read ${topic} to its end`), gone]);
  } finally {
    consumer.stop();
  }
  const { code, out, err } = await consumer.exited;
  // A JVM stopped by SIGTERM exits 143 once its shutdown hook (the consumer's close) has run.
  expect([0, 143], `the console consumer's exit: ${err.slice(-2000)}`).toContain(code);
  return out.split('\n').filter((l) => l.trim() !== '');
}

beforeAll(() => {
  expect(existsSync(join(TOOLS, '.complete')), `Kafka's console clients are missing from ${TOOLS}: run npm run services:up`).toBe(true);
});

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

// The two tests run side by side (each has its own topics): most of their time is JVM start-ups,
// the monitor's catch-up and the console consumer's quiet period, which overlap.
describe("monitor with Kafka's own console clients", { concurrent: true }, () => {
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
    // The producers (a JVM each) run at once, and the file replay that gives the expected alerts runs
    // meanwhile: the monitor starts once every producer has exited.
    const producing = Promise.all([...byTopic].map(([topic, lines], i) =>
      consoleClient('org.apache.kafka.tools.ConsoleProducer', ['--topic', topic, '--producer-property', 'acks=all', '--compression-codec', CODECS[i % CODECS.length]!], lines.join('\n') + '\n')));
    producing.catch(() => undefined); // awaited below, where a failed producer fails the test
    const { alerts: expectedAlerts } = await expectedOf(sampleLines());
    await producing;
    expect(byTopic.size).toBeGreaterThanOrEqual(CODECS.length);
    const monitor = startMonitor(run, 'a');
    try {
      await waitFor(() => caughtUp(run), 180_000, 'the monitor to cover every input partition');
      const alerts = await consumeToEnd(run.alertTopic);
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
    // One JVM, but beside the first test's producers: 110 s alone at a load of 35 (session 64).
  }, 420_000);
});
