/**
 * While Redis is down the monitor cannot publish, and the work queue waits; the input's backlog
 * must still show: `/readyz`'s `behind`, `tidewatch_input_behind_messages` and the slot cursor
 * lag follow the broker's high watermarks (session 41 QA: `behind` froze at what had been fetched
 * for more than 25 s while 16,800 messages were outstanding, and every slot's lag gauge read 0).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { caughtUp, deleteRun, monitorOrder, newRun, produceInOrder, produceSample, startMonitor, stopMonitor, waitFor, type Run } from '../helpers/kafka.js';
import { sampleLines } from '../helpers/sample.js';

const haveRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const port = 23000 + Math.floor(Math.random() * 2000);
const dir = mkdtempSync(join(tmpdir(), 'tw-redis-lag-'));
const url = `redis://127.0.0.1:${port}`;
let server: ChildProcess | undefined;
let run: Run | undefined;

async function startRedis(): Promise<void> {
  server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  await waitFor(async () => {
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try { await probe.connect(); return (await probe.ping()) === 'PONG'; } catch { return false; } finally { probe.disconnect(); }
  }, 20_000);
}

async function stopRedis(): Promise<void> {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server!.once('exit', r));
  server.kill('SIGKILL');
  await exited;
}

afterAll(async () => {
  if (run) await deleteRun(run).catch(() => undefined);
  await stopRedis();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!haveRedisServer)('monitor lag figures during a Redis outage (real Kafka, a private real Redis)', () => {
  it('show the backlog that arrives while publishing waits for Redis: /readyz behind, the input-behind gauge and the slot lag', async () => {
    await startRedis();
    run = newRun();
    const lines = monitorOrder(sampleLines());
    const first = lines.slice(0, 2_000);
    const later = lines.slice(2_000);
    await produceSample(run, first);
    // Small reorder buffers: the reader stops fetching soon after publishing stops, so only the broker's
    // high watermarks, read apart from the fetches, can show what arrives.
    const monitor = startMonitor(run, 'lag', { REDIS_URL: url, LOG_LEVEL: 'info', MONITOR_PARTITION_BUFFER: '64', MONITOR_BUFFER_MAX: '1000' });
    const metricsPort = (): number | undefined => monitor.logs.map((l) => { try { return JSON.parse(l) as { msg?: string; metricsPort?: number }; } catch { return {}; } }).find((l) => l.msg === 'metrics and /healthz listening')?.metricsPort;
    const readyz = async (): Promise<{ behind: number | null }> => (await (await fetch(`http://127.0.0.1:${metricsPort()}/readyz`)).json()) as { behind: number | null };
    const gauge = async (name: string): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort()}/metrics`)).text();
      return text.split('\n').filter((l) => l.startsWith(name)).reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    };
    let stoppedCleanly: number | null = null;
    try {
      await waitFor(() => caughtUp(run!), 120_000, 'the monitor to publish the first part');
      await waitFor(async () => metricsPort() !== undefined, 30_000, 'the metrics port in the log');
      await stopRedis();
      await produceInOrder(run, later);
      // The backlog produced while Redis is down shows, though nothing can be published.
      await waitFor(async () => ((await readyz()).behind ?? 0) >= later.length * 0.9, 120_000, `/readyz behind to reach the ${later.length} messages produced during the outage`);
      expect(await gauge('tidewatch_input_behind_messages')).toBeGreaterThanOrEqual(later.length * 0.9);
      expect(await gauge('tidewatch_slot_cursor_lag')).toBeGreaterThanOrEqual(later.length * 0.9);
      expect(monitor.exitCode).toBeNull();
      await startRedis();
      await waitFor(() => caughtUp(run!), 180_000, 'the monitor to publish the rest once Redis is back');
      await waitFor(async () => (await readyz()).behind === 0, 120_000, '/readyz behind to come back to 0');
    } finally {
      // Whatever failed above, Redis comes back before the stop: a monitor stopped while it is down
      // waits for it (and is killed after the grace), which would hide the first failure.
      if (!server || server.exitCode !== null || server.signalCode !== null) await startRedis();
      stoppedCleanly = await stopMonitor(monitor, 'SIGTERM');
    }
    expect(stoppedCleanly).toBe(0);
  }, 900_000);
});
