/**
 * A record whose schema belongs on another topic (a login produced to the deposits topic, a
 * deposit to the logins topic) is a producer's mistake: QA found the monitor accepted it. It goes
 * to its topic's dead letters as TW_TOPIC, naming the topic and the schema, and the stream goes on:
 * the alerts are a file replay's of the rest. `replay --from-kafka` over the same topics decides
 * the same.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialiseAlert } from '../../src/sinks/serialise.js';
import { replayFromKafka } from '../../src/replay/kafka-replay.js';
import { caughtUp, cleanupRun, expectedOf, kafka, keyOf, newRun, produceSample, readAll, readAllWithHeaders, startMonitor, stopMonitor, waitFor, type Run } from '../helpers/kafka.js';
import { ofacLabels, rules, sampleLines } from '../helpers/sample.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const run: Run = newRun();
const lines = sampleLines().slice(0, 1500);
const topicOf = (suffix: string): string => run.topics.find((t) => t.endsWith(suffix))!;
const deposits = topicOf('exchange.deposits');
const logins = topicOf('exchange.logins');
const schemaOf = (line: string): string => (JSON.parse(line) as { schema: string }).schema;
const kindOf = (line: string): string | undefined => (JSON.parse(line) as { kind?: string }).kind;
/** Copies of sample records on the wrong topic: two logins on the deposits topic, a deposit on the logins topic. */
const strayLogins = lines.filter((l) => schemaOf(l) === 'exchange.login.v1').slice(0, 2);
const strayDeposit = lines.find((l) => kindOf(l) === 'deposit')!;
let expectedAlerts: string[];

beforeAll(async () => {
  expect(strayLogins).toHaveLength(2);
  ({ alerts: expectedAlerts } = await expectedOf(lines));
  await produceSample(run, lines);
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic: deposits, acks: -1, messages: strayLogins.map((value) => ({ key: keyOf(JSON.parse(value)), value })) });
    await producer.send({ topic: logins, acks: -1, messages: [{ key: keyOf(JSON.parse(strayDeposit)), value: strayDeposit }] });
  } finally {
    await producer.disconnect();
  }
});

afterAll(async () => {
  await cleanupRun(run, redis);
  await redis.quit();
});

describe('records on a topic that does not carry their schema', () => {
  it('the monitor dead-letters each as TW_TOPIC, naming topic and schema, and goes on with the rest', async () => {
    const monitor = startMonitor(run);
    try {
      await waitFor(() => caughtUp(run), 180_000, 'the monitor to catch up');
      let deadDeposits: Awaited<ReturnType<typeof readAllWithHeaders>> = [];
      let deadLogins: typeof deadDeposits = [];
      await waitFor(async () => {
        deadDeposits = await readAllWithHeaders(`${deposits}.dlq`);
        deadLogins = await readAllWithHeaders(`${logins}.dlq`);
        return deadDeposits.length >= 2 && deadLogins.length >= 1;
      }, 180_000, 'the stray records in the dead-letter topics').catch((err: Error) => {
        throw new Error(`${err.message}; dead letters: ${JSON.stringify([...deadDeposits, ...deadLogins].map((d) => d.headers))}`);
      });
      expect(deadDeposits.map((d) => d.headers.code)).toEqual(['TW_TOPIC', 'TW_TOPIC']);
      expect(deadDeposits.map((d) => d.value).sort()).toEqual([...strayLogins].sort());
      expect(deadDeposits[0]!.headers.reason).toContain(`exchange.login.v1: schema: exchange.login.v1 does not belong on topic ${deposits}, which carries exchange.transfer.v1`);
      expect(deadDeposits[0]!.headers.reason).toContain(`produce it to ${logins}`);
      expect(deadLogins.map((d) => [d.headers.code, d.value])).toEqual([['TW_TOPIC', strayDeposit]]);
      // Each keeps its input record's key, so it can be fed again as it came (it was lost: session 46 QA).
      expect(deadDeposits.map((d) => d.key).sort()).toEqual(strayLogins.map((l) => keyOf(JSON.parse(l))).sort());
      expect(deadLogins.map((d) => d.key)).toEqual([keyOf(JSON.parse(strayDeposit))]);
      expect(deadLogins[0]!.headers.reason).toContain(`exchange.transfer.v1 does not belong on topic ${logins}`);
      // The stream went on: the alerts are exactly a file replay's of the records on their own topics.
      expect((await readAll(run.alertTopic)).sort()).toEqual(expectedAlerts);
      expect(monitor.exitCode).toBeNull();
    } finally {
      expect(await stopMonitor(monitor, 'SIGTERM')).toBe(0);
    }
  }, 420_000);

  it('replay --from-kafka refuses the same records with the same reasons, and gives the same alerts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-wrong-topic-'));
    const result = await replayFromKafka({ kafka, topics: run.topics, rules: rules(), labels: ofacLabels(), dlqPath: join(dir, 'dlq.jsonl') });
    expect(result.alerts.map(serialiseAlert).sort()).toEqual(expectedAlerts);
    const dead = readFileSync(join(dir, 'dlq.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { code: string; topic: string; raw: string; reason: string });
    expect(dead.map((d) => [d.code, d.topic, d.raw]).sort()).toEqual([...strayLogins.map((l) => ['TW_TOPIC', deposits, l]), ['TW_TOPIC', logins, strayDeposit]].sort());
    expect(dead.every((d) => d.reason.includes('does not belong on topic'))).toBe(true);
  }, 300_000);
});
