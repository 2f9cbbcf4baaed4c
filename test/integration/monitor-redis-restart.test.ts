import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCaseStore } from '../../src/cases/redis-case-store.js';
import { simulate } from '../../src/simulate/scenarios.js';
import { caseViews, caughtUp, deleteRun, expectedOf, type Expected, monitorOrder, newRun, produceSample, readAll, startMonitor, stopMonitor, waitFor, type Run } from '../helpers/kafka.js';
import { sampleLines } from '../helpers/sample.js';

// The machine's shared Redis on 6379 is never restarted by a test: this one runs its own
// redis-server, with an append-only file so that a restart keeps what was acknowledged.
const haveRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const port = 21000 + Math.floor(Math.random() * 2000);
const dir = mkdtempSync(join(tmpdir(), 'tw-redis-'));
const url = `redis://127.0.0.1:${port}`;
const lines = monitorOrder([...sampleLines(), ...simulate({ seed: 5, scale: 40 }).lines]);
let server: ChildProcess | undefined;
let run: Run | undefined;
let expected: Expected;

async function startRedis(): Promise<void> {
  server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' });
  await waitFor(async () => {
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined); // refused while it starts: the loop asks again
    try { await probe.connect(); return (await probe.ping()) === 'PONG'; } catch { return false; } finally { probe.disconnect(); }
  }, 20_000);
}

async function stopRedis(): Promise<void> {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server!.once('exit', r));
  server.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  if (!haveRedisServer) return;
  expected = await expectedOf(lines);
  await startRedis();
});

afterAll(async () => {
  if (run) await deleteRun(run).catch(() => undefined);
  await stopRedis();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!haveRedisServer)('monitor across a Redis restart (real Kafka, a private real Redis)', () => {
  it('waits out a Redis crash mid-stream without exiting, and ends with the alerts and cases of a file replay', async () => {
    run = newRun();
    await produceSample(run, lines);
    const monitor = startMonitor(run, 'a', { REDIS_URL: url, LOG_LEVEL: 'info' });
    const metricsPort = async (): Promise<number | undefined> => monitor.logs.map((l) => { try { return JSON.parse(l) as { msg?: string; metricsPort?: number }; } catch { return {}; } }).find((l) => l.msg === 'metrics and /healthz listening')?.metricsPort;
    const readyz = async (): Promise<{ status: number; body: { ready: boolean; redis?: string } }> => {
      const r = await fetch(`http://127.0.0.1:${await metricsPort()}/readyz`);
      return { status: r.status, body: await r.json() as { ready: boolean; redis?: string } };
    };
    try {
      // Kill Redis once cases are being written, keep it down for a few seconds, bring it back.
      const redis = new Redis(url);
      redis.on('error', () => undefined);
      await waitFor(async () => (await redis.zcard(`${run!.prefix}cases:open`).catch(() => 0)) > 0 || (await redis.dbsize().catch(() => 0)) > 0, 60_000);
      redis.disconnect();
      const midStream = !(await caughtUp(run));
      await waitFor(async () => (await metricsPort()) !== undefined, 60_000, 'the metrics port in the log');
      await stopRedis();
      // No alert reaches the alert topic while cases cannot be written: not ready, and it says why.
      await waitFor(async () => { const r = await readyz(); return r.status === 503 && r.body.redis !== undefined && r.body.redis !== 'ready'; }, 30_000, '/readyz to answer 503 naming Redis');
      await new Promise((r) => setTimeout(r, 4000));
      expect(monitor.exitCode).toBeNull();
      await startRedis();
      await waitFor(() => caughtUp(run!), 120_000);
      expect(monitor.exitCode).toBeNull(); // it waited for Redis rather than crashing
      await waitFor(async () => (await readyz()).status === 200, 60_000, '/readyz to answer 200 again');
      const alerts = (await readAll(run.alertTopic)).sort();
      expect(alerts).toEqual(expected.alerts);
      const check = new Redis(url);
      const cases = caseViews(await new RedisCaseStore(check, run.prefix).list());
      await check.quit();
      expect(cases).toEqual(expected.cases);
      expect(midStream).toBe(true);
      console.log(`redis restart: killed mid-stream, down 4 s; ${alerts.length} alerts and ${cases.length} cases equal a file replay; the monitor never exited`);
    } finally {
      expect(await stopMonitor(monitor, 'SIGTERM')).toBe(0);
    }
  }, 300_000);
});

describe('monitor stopped while Redis is down (real Kafka)', () => {
  it('exits 0 on SIGTERM when it has nothing to commit, where it waited for ever to say QUIT to Redis', async () => {
    const idle = newRun();
    await produceSample(idle, []); // the topics, empty
    const monitor = startMonitor(idle, 'down', { REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'info' });
    try {
      await waitFor(async () => monitor.logs.some((l) => l.includes('"msg":"caught up"')), 90_000, 'the monitor to catch up on empty topics');
      // The grace is generous: only a wait for ever fails here (this SIGKILLs after it).
      expect(await stopMonitor(monitor, 'SIGTERM', 60_000)).toBe(0);
    } finally {
      await deleteRun(idle).catch(() => undefined);
    }
  }, 180_000);
});
