/**
 * The monitor subscribes to market.prices (market.price.v1): on real Kafka, a price produced
 * there values the later deposits the exchange did not value, the alert's evidence names that
 * price as its USD source, the alerts equal a file replay of the same messages in the monitor's
 * order, and a bad price message reaches the price topic's dead-letter topic with its reason.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { caughtUp, cleanupRun, expectedOf, monitorOrder, newRun, produceSample, readAll, readAllWithHeaders, startMonitor, stopMonitor, waitFor, type Run } from '../helpers/kafka.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const runs: Run[] = [];

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

const T0 = Date.parse('2025-03-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const HOUR = 3_600_000;

const deposit = (i: number): string => JSON.stringify({
  schema: 'exchange.transfer.v1', eventId: `kp-dep-${i}`, kind: 'deposit', occurredAt: iso(T0 + i * HOUR), accountId: 'acct-kafka-prices', chain: 'ethereum',
  asset: 'ETH', amount: '3', from: [`0x${String(i).padStart(40, '7')}`], to: '0x3333333333333333333333333333333333333333',
});
const price = JSON.stringify({ schema: 'market.price.v1', asset: 'ETH', quote: 'USD', price: '3166.67', observedAt: iso(T0), source: 'feed-a' });
const badPrice = JSON.stringify({ schema: 'market.price.v1', asset: 'ETH', quote: 'USD', price: 'cheap', observedAt: iso(T0 + HOUR), source: 'feed-a' });

describe('market.prices on real Kafka', () => {
  it('values deposits at the market price before them, names it in the evidence, and dead-letters a bad price', async () => {
    const run = newRun();
    runs.push(run);
    const lines = [price, badPrice, deposit(1), deposit(2), deposit(3)];
    await produceSample(run, lines);
    const expected = await expectedOf(monitorOrder(lines));
    const monitor = startMonitor(run);
    try {
      await waitFor(() => caughtUp(run), 90_000, 'the monitor caught up with every topic, market.prices included');
      const alerts = (await readAll(run.alertTopic)).sort();
      expect(alerts).toEqual(expected.alerts);
      const structuring = alerts.map((a) => JSON.parse(a)).find((a) => a.ruleId === 'structuring.just-under');
      expect(structuring?.evidence.usd).toEqual({ value: '9500.01', source: `market.prices:feed-a@${iso(T0)}` });
      const priceTopic = run.topics.find((t) => t.endsWith('market.prices'))!;
      const dlq = await readAllWithHeaders(`${priceTopic}.dlq`);
      expect(dlq.map((m) => [m.value, m.headers.code])).toEqual([[badPrice, 'TW_SCHEMA']]);
    } finally {
      expect(await stopMonitor(monitor, 'SIGTERM')).toBe(0);
    }
  });
});
