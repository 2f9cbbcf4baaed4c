import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { caseViews, cleanupRun, caughtUp, expectedOf, type CaseView, kafka, newRun, produceSample, readAll, readAllWithHeaders, startMonitor, stopMonitor, waitFor, type Run } from '../helpers/kafka.js';
import { sampleLines } from '../helpers/sample.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
let expectedAlerts: string[];
let expectedCases: CaseView[];
const runs: Run[] = [];

beforeAll(async () => {
  ({ alerts: expectedAlerts, cases: expectedCases } = await expectedOf(sampleLines()));
});

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

const casesOf = async (run: Run): Promise<CaseView[]> => caseViews(await new RedisCaseStore(redis, run.prefix).list());

describe('monitor against real Kafka and Redis', () => {
  it('end to end: the alerts on the alert topic and the cases in Redis match a file replay; a second delivery adds nothing', async () => {
    const run = newRun();
    runs.push(run);
    await produceSample(run);
    const monitor = startMonitor(run, 'a', { LOG_LEVEL: 'info' });
    try {
      await waitFor(() => caughtUp(run), 90_000);
      expect((await readAll(run.alertTopic)).sort()).toEqual(expectedAlerts);
      expect(await casesOf(run)).toEqual(expectedCases);
      // Operations: /healthz says which slots it holds and that its cursors have caught up;
      // /metrics counts what it published.
      const port = monitor.logs.map((l) => JSON.parse(l)).find((l) => l.metricsPort)?.metricsPort as number;
      const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json() as { status: string; slots: number[]; slotLag: Record<string, number>; redis: string };
      expect(health).toMatchObject({ status: 'ok', slots: [0, 1], slotLag: { 0: 0, 1: 0 }, redis: 'ready' });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const published = [...metrics.matchAll(/^tidewatch_alerts_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
      expect(published).toBe(expectedAlerts.length);
      await produceSample(run);
      await waitFor(() => caughtUp(run), 90_000);
      expect((await readAll(run.alertTopic)).sort()).toEqual(expectedAlerts);
      expect(await casesOf(run)).toEqual(expectedCases);
    } finally {
      expect(await stopMonitor(monitor, 'SIGTERM')).toBe(0);
    }
  });

  it('a reject as large as the broker accepts on input still reaches its dead-letter topic, with its reason, and the stream goes on', async () => {
    const run = newRun();
    runs.push(run);
    const lines = sampleLines();
    await produceSample(run, lines.slice(0, 300));
    // Near the broker's default message.max.bytes (1,048,588 per record batch): the dead letter
    // adds headers, so it only fits because dead-letter topics are created with a larger limit.
    const giant = 'x'.repeat(1_048_440);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: run.topics[0]!, messages: [{ key: 'acct-giant', value: giant }] });
    await producer.disconnect();
    await produceSample(run, lines.slice(300, 600));
    const monitor = startMonitor(run);
    try {
      await waitFor(() => caughtUp(run), 90_000);
      const dlq = await readAllWithHeaders(`${run.topics[0]}.dlq`);
      const big = dlq.find((m) => m.value.length === giant.length);
      expect(big?.value).toBe(giant);
      expect(big?.headers.code).toBe('TW_JSON');
      expect(monitor.exitCode).toBeNull();
    } finally {
      expect(await stopMonitor(monitor, 'SIGTERM')).toBe(0);
    }
  });

  it('SIGKILL mid-stream and restart (TIDEWATCH_CRASH_ROUNDS times, 5 by default): no alert or case lost or doubled', async () => {
    const run = newRun();
    runs.push(run);
    await produceSample(run, sampleLines());
    let kills = 0;
    let midStream = 0;
    const rounds = Number(process.env.TIDEWATCH_CRASH_ROUNDS ?? 5);
    for (let i = 0; i < rounds; i++) {
      const monitor = startMonitor(run);
      await new Promise((r) => setTimeout(r, 2500 + (i % 6) * 700));
      if (!(await caughtUp(run))) midStream++;
      await stopMonitor(monitor, 'SIGKILL');
      kills++;
    }
    const monitor = startMonitor(run);
    try {
      await waitFor(() => caughtUp(run), 120_000);
      const alerts = (await readAll(run.alertTopic)).sort();
      expect(new Set(alerts).size).toBe(alerts.length);
      expect(alerts).toEqual(expectedAlerts);
      expect(await casesOf(run)).toEqual(expectedCases);
      expect(kills).toBe(rounds);
      expect(midStream).toBeGreaterThan(0);
      console.log(`crash test: ${kills} SIGKILLs, ${midStream} of them before every slot cursor had reached the end of the input; ${alerts.length} alerts, 0 lost, 0 doubled`);
    } finally {
      await stopMonitor(monitor, 'SIGTERM');
    }
  }, (Number(process.env.TIDEWATCH_CRASH_ROUNDS ?? 5) * 10 + 180) * 1000);
});
