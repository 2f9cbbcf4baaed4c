import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointDirectory, wireMonitor, type WiredMonitor } from '../../src/cli/monitor-wiring.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { caughtUp, checkpointRoot, cleanupRun, newRun, produceSample, slotCursor, waitFor, type Run } from '../helpers/kafka.js';
import { ofacLabels, rules } from '../helpers/sample.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const runs: Run[] = [];

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

/** A monitor wired as the CLI wires it, in this process; its log lines are kept, and `onLog` sees each as it is written. */
function wired(run: Run, config: Config, onLog: (line: string) => void = () => undefined): WiredMonitor & { logs: string[] } {
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => { logs.push(line); onLog(line); } });
  const monitor = wireMonitor(config, { rules: rules(), labels: ofacLabels(), logger, instanceId: `a-${run.id}`, inputTopics: run.topics, alertTopic: run.alertTopic });
  return { ...monitor, logs };
}

const cursors = (run: Run): Promise<Map<string, bigint>[]> => Promise.all([0, 1].map((s) => slotCursor(run, s)));

describe('a stop asked for while the monitor starts (real Kafka and Redis, in process)', () => {
  it('ends the start at its next step: start and stop both resolve, nothing fails, and no cursor or checkpoint moves', async () => {
    const run = newRun();
    runs.push(run);
    await produceSample(run);
    const config = loadConfig(process.env, { KAFKA_GROUP_ID: run.group, KAFKA_TOPIC_PARTITIONS: '2', REDIS_KEY_PREFIX: run.prefix, KAFKA_SESSION_TIMEOUT_MS: '10000', CHECKPOINT_DIR: checkpointRoot(run) });
    const dir = checkpointDirectory(config, `a-${run.id}`)!;

    // A first monitor catches up and stops cleanly: its stop writes the checkpoint the next start restores.
    const first = wired(run, config);
    await first.monitor.start();
    try {
      await waitFor(() => caughtUp(run), 120_000, 'the first monitor caught up');
    } finally {
      await first.stop();
    }
    const files = readdirSync(dir).sort();
    const committed = await cursors(run);
    expect(files.some((f) => f.startsWith('checkpoint-'))).toBe(true);

    // Stopped the moment its checkpoint is restored, before it joins the group (the race a SIGTERM right after a restart runs).
    let stopping: Promise<void> | undefined;
    const second: WiredMonitor & { logs: string[] } = wired(run, config, (line) => {
      if (line.includes('"restored checkpoint') && !stopping) stopping = second.stop();
    });
    await second.monitor.start();
    expect(stopping).toBeDefined();
    await stopping;
    expect(second.logs.some((l) => l.includes('"restored checkpoint'))).toBe(true);
    expect(second.logs.filter((l) => l.includes('"monitor started"'))).toEqual([]);
    expect(second.logs.filter((l) => l.includes('"slots assigned"'))).toEqual([]);
    expect(second.logs.filter((l) => (JSON.parse(l) as { level: number }).level >= 50)).toEqual([]);

    // Stopped at once: the start ends after its topic checks, before any state is loaded.
    const third = wired(run, config);
    const started = third.monitor.start();
    await third.stop();
    await started;
    expect(third.logs.filter((l) => l.includes('"restored checkpoint') || l.includes('"monitor started"'))).toEqual([]);
    expect(third.logs.filter((l) => (JSON.parse(l) as { level: number }).level >= 50)).toEqual([]);

    // Stopped the moment the group hands it its slots: it takes none if it has not finished starting, and leaves cleanly either way.
    let leaving: Promise<void> | undefined;
    const fourth: WiredMonitor & { logs: string[] } = wired(run, config, (line) => {
      if (line.includes('"slots assigned"') && !leaving) leaving = fourth.stop();
    });
    await fourth.monitor.start();
    await waitFor(async () => leaving !== undefined, 60_000, 'the slots assigned');
    await leaving;
    expect(fourth.logs.filter((l) => (JSON.parse(l) as { level: number }).level >= 50)).toEqual([]);

    // No stop committed or checkpointed a state it had not reached.
    expect(await cursors(run)).toEqual(committed);
    expect(readdirSync(dir).sort()).toEqual(files);
  }, 300_000);

  it('says at once that it connects to the brokers, and a stop while they do not answer ends the start without waiting out the client\'s retries (CLI QA: about 50 s of silence)', async () => {
    const run = newRun();
    runs.push(run);
    // A "broker" that takes connections and never answers: the client waits out its request
    // timeout (30 s) before it gives up.
    let accepted = 0;
    const silent = createServer((socket) => {
      accepted++;
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const broker = `127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const config = loadConfig(process.env, { KAFKA_BROKERS: broker, KAFKA_GROUP_ID: run.group, REDIS_KEY_PREFIX: run.prefix, KAFKA_STARTUP_TIMEOUT_MS: '300000', CHECKPOINT_DIR: checkpointRoot(run) });
      const monitor: WiredMonitor & { logs: string[] } = wired(run, config);
      const started = monitor.monitor.start();
      await waitFor(async () => accepted > 0, 60_000, 'the client connected to the silent broker');
      const asked = Date.now();
      await monitor.stop();
      await started;
      // Not a speed figure: without giving the step up, the stop waits for the client's 30 s request
      // timeout; with it, the stop is immediate. 25 s leaves a loaded machine all the room it needs.
      expect(Date.now() - asked).toBeLessThan(25_000);
      expect(monitor.logs.filter((l) => l.includes('"connecting to the brokers"')).map((l) => (JSON.parse(l) as { brokers: string }).brokers)).toEqual([broker]);
      expect(monitor.logs.filter((l) => l.includes('"monitor started"'))).toEqual([]);
    } finally {
      silent.close();
    }
  });
});

