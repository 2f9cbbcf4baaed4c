/**
 * The reorder buffer is bounded when one input topic runs ahead of another in event time (real
 * Kafka, in process). Each fetch brings a byte's worth of every partition, and a topic of larger,
 * sparser messages covers more event time per fetch than one of many small logins: its messages
 * wait in the buffer until the logins catch up. Without the read balance the buffer held most of
 * that topic (a backfilled chain topic: all of it, however long); with it, the reader stops
 * fetching a partition once more than MONITOR_PARTITION_BUFFER of its messages wait for the others.
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { loadConfig } from '../../src/config/config.js';
import { createKafka, ensureTopics } from '../../src/kafka/client.js';
import { Monitor } from '../../src/monitor/monitor.js';
import { Metrics } from '../../src/observability/metrics.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { caughtUp, cleanupRun, expectedOf, kafka, newRun, readAll, waitFor, type Run } from '../helpers/kafka.js';
import { ofacLabels, rules } from '../helpers/sample.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const runs: Run[] = [];

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

const START = Date.UTC(2025, 2, 1);
const DAY = 86_400_000;
const SDN = '0x97b1043abd9e6fc31681635166d430a458d14f9c';
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** 16,000 logins and 2,000 deposits (twenty from an SDN address) spread evenly over one day. */
function skewedStream(): { logins: string[]; deposits: string[] } {
  const logins = Array.from({ length: 16000 }, (_, i) => JSON.stringify({ schema: 'exchange.login.v1', eventId: `rb-login-${i}`, occurredAt: new Date(START + Math.floor((i * DAY) / 16000)).toISOString(), accountId: `acct-rb-${i % 2000}`, ip: `10.1.${(i >> 8) & 255}.${i & 255}`, ipCountry: 'DE', vpn: false, deviceId: `dev-rb-${i % 2000}` }));
  const deposits = Array.from({ length: 2000 }, (_, i) => JSON.stringify({
    schema: 'exchange.transfer.v1', eventId: `rb-dep-${i}`, kind: 'deposit', occurredAt: new Date(START + Math.floor((i * DAY) / 2000) + 7).toISOString(), accountId: `acct-rb-${i % 500}`,
    chain: 'ethereum', asset: 'USDC', amount: `${100 + i}.25`, usdValue: 100 + i, txHash: `0x${hex(i + 1, 64)}`,
    from: [i % 100 === 0 ? SDN : `0x${hex(0xabc000 + i, 40)}`], to: `0x${hex(0xdef000 + (i % 500), 40)}`,
  }));
  return { logins, deposits };
}

/** Produces each topic in small sends: the broker returns whole record batches, so these are a fetch's smallest unit. */
async function produce(run: Run, topic: string, lines: string[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < lines.length; i += 40) {
      await producer.send({ topic, acks: -1, messages: lines.slice(i, i + 40).map((value) => ({ key: (JSON.parse(value) as { accountId: string }).accountId, value })) });
    }
  } finally {
    await producer.disconnect();
  }
}

function monitorOf(run: Run, partitionBuffer: number, metrics?: Metrics): Monitor {
  const config = loadConfig(process.env, {
    KAFKA_GROUP_ID: run.group, KAFKA_TOPIC_PARTITIONS: '2', REDIS_KEY_PREFIX: run.prefix, KAFKA_SESSION_TIMEOUT_MS: '10000',
    // Small fetches, so that the stream takes many of them and the skew builds up as it would over a long backlog.
    KAFKA_FETCH_PARTITION_BYTES: '16384', MONITOR_PARTITION_BUFFER: String(partitionBuffer), MONITOR_BUFFER_MAX: String(Math.max(131_072, partitionBuffer)),
  });
  const labels = ofacLabels();
  return new Monitor({
    config, kafka: createKafka(config), cases: new RedisCaseStore(redis, run.prefix), createPipeline: (r) => new Pipeline({ rules: r, labels }),
    rules: rules(), logger: pino({ level: 'silent' }), instanceId: `balance-${run.id}-${partitionBuffer}`, inputTopics: run.topics, alertTopic: run.alertTopic,
    // No hold for the six empty input topics: what waits in the buffer then waits only for the other topic.
    holdMs: 0,
    ...(metrics ? { metrics } : {}),
  });
}

describe('monitor read balance (real Kafka, in process)', () => {
  it('keeps the reorder buffer to about MONITOR_PARTITION_BUFFER per partition when a topic runs ahead in event time, and publishes exactly a file replay', async () => {
    const balanced = newRun();
    const control: Run = { ...balanced, alertTopic: `${balanced.alertTopic}-control`, group: `${balanced.group}-control`, prefix: `${balanced.prefix}control:` };
    runs.push(balanced, control);
    const { logins, deposits } = skewedStream();
    const total = logins.length + deposits.length;
    await ensureTopics(kafka, [...balanced.topics, balanced.alertTopic, control.alertTopic], 2);
    const topicOf = (suffix: string): string => balanced.topics.find((t) => t.endsWith(suffix))!;
    await produce(balanced, topicOf('-exchange.logins'), logins);
    await produce(balanced, topicOf('-exchange.deposits'), deposits);
    const expected = (await expectedOf([...logins, ...deposits])).alerts;
    expect(expected.length).toBeGreaterThanOrEqual(20);

    // The same topics read twice side by side: with the read balance (64 messages a partition),
    // and with a threshold no partition reaches, as before it existed.
    const metrics = new Metrics();
    const monitors = [monitorOf(balanced, 64, metrics), monitorOf(control, 10_000_000)] as const;
    await Promise.all(monitors.map((m) => m.start()));
    try {
      await waitFor(async () => monitors.every((m) => m.stats.applied >= total), 240_000, 'both monitors to apply every message');
      await waitFor(async () => (await caughtUp(balanced)) && (await caughtUp(control)), 240_000, 'every slot cursor of both to reach the end of the input');
      const [withBalance, without] = monitors.map((m) => m.stats.bufferedPeak);
      // Four partitions, each at most its threshold plus what one fetch brought after it (16 KB:
      // a few dozen deposits or logins), where the control held hundreds of deposits waiting.
      expect(withBalance).toBeLessThanOrEqual(4 * (64 + 120));
      expect(without).toBeGreaterThan(2 * withBalance!);
      // It paused partitions while it read (counted: the gauge, sampled between polls, can miss a
      // brief pause on a loaded machine, as it did once in CI), and none is paused once it has read everything.
      expect(monitors[0].stats.readPauses).toBeGreaterThan(0);
      expect(monitors[1].stats.readPauses).toBe(0);
      expect((await metrics.pausedPartitions.get()).values[0]?.value).toBe(0);
      expect((await readAll(balanced.alertTopic)).sort()).toEqual(expected);
      expect((await readAll(control.alertTopic)).sort()).toEqual(expected);
    } finally {
      await Promise.all(monitors.map((m) => m.stop()));
    }
  }, 600_000);
});
