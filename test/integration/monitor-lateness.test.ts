/**
 * The monitor with a lateness (MONITOR_LATENESS_MS, src/monitor/lateness-stage.ts): a hot account
 * whose lines are shuffled within blocks of 200 (about 33 minutes of event time), written by
 * Kafka's own kafka-console-producer to one partition per topic, gives the alerts of a file replay
 * in event order byte for byte; without it the monitor applies each partition in offset order
 * (session 59, 8,000 lines: 2,698 and 2,579 alerts for two shuffles against event order's 1,514;
 * session 65, these 2,000 lines with the stage turned off in the code: 542 against 344, and the
 * first case checks that each shuffle used here matters). Also across a SIGKILL or a SIGTERM while
 * the stage holds messages: nothing lost, nothing published twice.
 *
 * Session 65 cut the file's CPU (its monitors, JVMs and worker) from about 190 s to about 77 s: the
 * stream from 8,000 lines to 2,000 (the first 2,000 shuffle the same, and still cross the default
 * grid's cut at 04:00), the far-ahead cases to 1,400 lines, and only the console producer's own
 * case starts its JVMs (the others write the same keyless records with kafkajs).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hotShapeStream } from '../../src/bench/hot-shapes-stream.js';
import { topicFor } from '../../src/contract/schemas.js';
import { ensureTopics } from '../../src/kafka/client.js';
import { prng } from '../../src/simulate/builders.js';
import { answered, caughtUp, checkpointRoot, cleanupRun, expectedOf, highWatermarks, kafka, monitorOrder, newRun, readAll, slotCursor, startMonitor, stopMonitor, waitFor, type MonitorProcess, type Run } from '../helpers/kafka.js';
import { root } from '../helpers/sample.js';

const TOOLS = join(root, '.cache', 'kafka', 'tools');
const BROKER = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0]!;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const runs: Run[] = [];
const LATENESS_MS = '3600000';
/** About 5.5 hours of event time (a line every ~10 s), across one cut of the default grid (04:00). */
const STREAM_LINES = 2000;
/** Lines shuffled together: about 33 minutes of event time, within the lateness. */
const BLOCK = 200;
const lines = [...hotShapeStream('one-account', STREAM_LINES, 42)];
/**
 * The far-ahead cases: their message after the AHEAD_AT-th line (01:35), then lines to
 * AHEAD_INPUT_LINES (03:48), over twice the lateness past it; a 30-day cut grid keeps every cut out.
 */
const AHEAD_AT = 600;
const AHEAD_INPUT_LINES = 1400;
const NO_CUT_MS = '2592000000';
let expected: string[];
/** The shuffles the cases use. */
const SEEDS = [1, 2, 3, 4];

/** Fisher-Yates within consecutive blocks of BLOCK lines. */
function shuffledInBlocks(input: readonly string[], seed: number): string[] {
  const rand = prng(seed);
  const out = [...input];
  for (let start = 0; start < out.length; start += BLOCK) {
    for (let i = Math.min(start + BLOCK, out.length) - 1; i > start; i--) {
      const j = start + Math.floor(rand() * (i - start + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
  }
  return out;
}

/** `kafka-console-producer --topic t < lines`, a record a line, no keys. */
function consoleProduce(topic: string, input: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-cp', `${TOOLS}/*`, `-Dlog4j2.configurationFile=${join(root, 'infra', 'tools-log4j2.properties')}`, 'org.apache.kafka.tools.ConsoleProducer', '--bootstrap-server', BROKER, '--topic', topic, '--producer-property', 'acks=all'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString('utf8'); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kafka-console-producer exited ${code}: ${err.slice(-2000)}`))));
    child.stdin.end(input.join('\n') + '\n');
  });
}

/** A run over the stream's two topics only (logins, transfers), each of one partition. */
async function hotRun(): Promise<Run> {
  const base = newRun();
  const used = [...new Set(lines.map((l) => topicFor(JSON.parse(l))))].sort();
  const run = { ...base, topics: used.map((t) => `e2e-${base.id}-${t}`) };
  runs.push(run);
  await ensureTopics(kafka, [...run.topics, run.alertTopic], 1);
  return run;
}

/**
 * The records consoleProduce writes (a line each, no key, acks=all), written by kafkajs from the
 * test's own process: the cases that do not test the console producer start no JVM (about 2.3 s
 * of CPU each at a load of 30, one a topic: 3 a stream).
 */
async function keylessProduce(topic: string, input: readonly string[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < input.length; i += 500) await producer.send({ topic, acks: -1, messages: input.slice(i, i + 500).map((value) => ({ value })) });
  } finally {
    await producer.disconnect();
  }
}

/** Each topic's lines in turn, in the order given, each topic written whole before the next. */
async function produce(run: Run, input: readonly string[], write = keylessProduce): Promise<void> {
  for (const topic of run.topics) await write(topic, input.filter((l) => `e2e-${run.id}-${topicFor(JSON.parse(l))}` === topic));
}

// The file replay of the hot stream (8,000 lines then) took 209 s at a load of 40 (beside other helpers' suites): past
// the 120 s a hook gets by default, which failed the whole file before any case ran.
beforeAll(async () => {
  expect(existsSync(join(TOOLS, '.complete')), `Kafka's console clients are missing from ${TOOLS}: run npm run services:up`).toBe(true);
  ({ alerts: expected } = await expectedOf(monitorOrder(lines, 1)));
}, 600_000);

afterAll(async () => {
  for (const run of runs) await cleanupRun(run, redis);
  await redis.quit();
});

/**
 * The first half of a shuffled stream, a monitor stopped by `signal` once it has published alerts
 * while its stage holds messages, the second half, a restart: the alerts of event order, each once.
 */
async function stoppedWhileHolding(signal: 'SIGKILL' | 'SIGTERM', seed: number): Promise<void> {
  const run = await hotRun();
  const shuffled = shuffledInBlocks(lines, seed);
  await produce(run, shuffled.slice(0, STREAM_LINES / 2));
  // A long hold: the first half's last messages, and the stage's quiet drain, wait ten minutes (a
  // minute before session 64), so the stop finds messages held however slowly a loaded machine
  // lets the test see the first alerts; the stop does not wait for the hold.
  // No cut point within the stream: on this shuffle the default grid's cut at 04:17
  // made two transfers read after it late on the 8,000 lines, 1,516 alerts in any run (the never-quiet case tests cuts).
  const env = { MONITOR_LATENESS_MS: LATENESS_MS, MONITOR_HOLD_MS: '600000', MONITOR_LATENESS_CUT_MS: '604800000' };
  const first = startMonitor(run, 'a', env);
  let highs: Map<string, bigint>;
  try {
    highs = await answered(() => highWatermarks(run), 'the input partitions\' high watermarks');
    const moved = async (): Promise<boolean> => [...(await slotCursor(run, 0)).values()].some((o) => o > 0n);
    await waitFor(moved, 300_000, 'the first alerts to be published');
  } finally {
    const code = await stopMonitor(first, signal);
    if (signal === 'SIGTERM') expect(code).toBe(0);
  }
  const cursor = await answered(() => slotCursor(run, 0), 'the slot cursor after the stop');
  expect([...highs].some(([pk, high]) => (cursor.get(pk) ?? 0n) < high)).toBe(true); // stopped before it covered the first half
  await produce(run, shuffled.slice(STREAM_LINES / 2));
  const second = startMonitor(run, 'a', { ...env, MONITOR_HOLD_MS: '2000' });
  try {
    await waitFor(() => caughtUp(run), 300_000, 'the restarted monitor to cover every input partition');
    const alerts = await readAll(run.alertTopic);
    expect(alerts.length).toBe(expected.length);
    expect(alerts.sort()).toEqual(expected);
  } finally {
    expect(await stopMonitor(second, 'SIGTERM')).toBe(0);
  }
}

/**
 * A shuffled stream, an owner and a standby that restored the owner's checkpoint, the owner
 * SIGKILLed once it has published alerts: the standby takes the slot and publishes the rest.
 */
async function standbyTakesOver(extraEnv: Record<string, string> = {}): Promise<string[]> {
  const run = await hotRun();
  await produce(run, shuffledInBlocks(lines, 3));
  const env = { MONITOR_LATENESS_MS: LATENESS_MS, ...extraEnv };
  const owner = startMonitor(run, 'a', env);
  const ownerCheckpoints = join(checkpointRoot(run), run.group, `a-${run.id}`);
  await waitFor(async () => existsSync(ownerCheckpoints) && readdirSync(ownerCheckpoints).some((n) => n.endsWith('.twc')), 300_000, "the owner's first checkpoint");
  const standby = startMonitor(run, 'b', env);
  try {
    await waitFor(async () => [...(await slotCursor(run, 0)).values()].some((o) => o > 0n), 300_000, 'the first alerts to be published');
    await stopMonitor(owner, 'SIGKILL');
    await waitFor(() => caughtUp(run), 300_000, 'the standby to cover every input partition');
    return await readAll(run.alertTopic);
  } finally {
    expect(await stopMonitor(standby, 'SIGTERM')).toBe(0);
  }
}

describe('monitor with MONITOR_LATENESS_MS', () => {
  it("the shuffles matter: each one's first block, applied in the order read (the order each partition holds, which a monitor without the stage keeps), gives other alerts than in event order", async () => {
    const inEventOrder = (await expectedOf(monitorOrder(lines.slice(0, BLOCK), 1))).alerts;
    expect(inEventOrder.length).toBeGreaterThan(0);
    for (const seed of SEEDS) expect((await expectedOf(shuffledInBlocks(lines, seed).slice(0, BLOCK))).alerts, `shuffle ${seed}`).not.toEqual(inEventOrder);
  }, 300_000);

  it("gives a file replay's alerts in event order for a partition shuffled within the lateness, written by kafka-console-producer", async () => {
    const run = await hotRun();
    await produce(run, shuffledInBlocks(lines, 1), consoleProduce);
    const monitor = startMonitor(run, 'a', { MONITOR_LATENESS_MS: LATENESS_MS });
    try {
      await waitFor(() => caughtUp(run), 300_000, 'the monitor to cover every input partition');
      const alerts = await readAll(run.alertTopic);
      expect(expected.length).toBeGreaterThan(300);
      expect(alerts.length).toBe(expected.length);
      expect(alerts.sort()).toEqual(expected);
    } finally {
      expect(await stopMonitor(monitor, 'SIGTERM')).toBe(0);
    }
  }, 600_000);

  it('loses and doubles nothing across a SIGKILL while messages wait in the stage: the restart publishes the rest of event order', () => stoppedWhileHolding('SIGKILL', 2), 900_000);

  it("two instances, the owner SIGKILLed: the standby, which restored the owner's checkpoint, publishes the rest of event order, each alert once (its chain's reopening cut while messages were held published 20 twice)", async () => {
    const alerts = await standbyTakesOver();
    expect(alerts.length).toBe(expected.length);
    expect(alerts.sort()).toEqual(expected);
  }, 900_000);

  it('two instances with a whole checkpoint due every 2 s, the owner SIGKILLed: the standby publishes the rest of event order, each alert once (a scheduled checkpoint cut the stage at each instance\'s own wall-clock time: 1,533 alerts, 20 twice, 1 missing)', async () => {
    const alerts = await standbyTakesOver({ CHECKPOINT_EVERY_SECONDS: '2' });
    expect(alerts.length).toBe(expected.length);
    expect(alerts.sort()).toEqual(expected);
  }, 900_000);

  it("a login dated two days ahead of its neighbours does not hold its partition's slot cursors: it is applied where it was read once the stream has read the lateness past it (no quiet drain, no scheduled checkpoint meanwhile)", async () => {
    const run = await hotRun();
    // In event order; after the AHEAD_AT-th line a login of another account dated two days ahead.
    const ahead = { ...JSON.parse(lines.find((l) => l.includes('exchange.login.v1'))!), eventId: 'far-ahead-1', accountId: 'acct-far-ahead' };
    ahead.occurredAt = new Date(Date.parse(JSON.parse(lines[AHEAD_AT]!).occurredAt) + 2 * 86_400_000).toISOString();
    const input = [...lines.slice(0, AHEAD_AT + 1), JSON.stringify(ahead), ...lines.slice(AHEAD_AT + 1, AHEAD_INPUT_LINES)];
    await produce(run, input);
    const loginTopic = `e2e-${run.id}-${topicFor(ahead)}`;
    const aheadOffset = BigInt(input.slice(0, AHEAD_AT + 1).filter((l) => topicFor(JSON.parse(l)) === topicFor(ahead)).length);
    // A 10-minute hold: the stage cannot drain on quiet; no scheduled checkpoint for an hour; no cut.
    const monitor = startMonitor(run, 'a', { MONITOR_LATENESS_MS: LATENESS_MS, MONITOR_HOLD_MS: '600000', CHECKPOINT_EVERY_SECONDS: '3600', MONITOR_LATENESS_CUT_MS: NO_CUT_MS });
    try {
      const passed = async (): Promise<boolean> => {
        for (const slot of [0, 1]) if (((await slotCursor(run, slot)).get(`${loginTopic}/0`) ?? 0n) > aheadOffset) return true;
        return false;
      };
      await waitFor(passed, 400_000, "a slot cursor to pass the far-ahead login's offset");
    } finally {
      expect(await stopMonitor(monitor, 'SIGTERM')).toBe(0);
    }
  }, 600_000);

  it("two logins of a producer whose clock runs two days fast, read among ordinary traffic, do not hold their partition's slot cursors: they are applied once the stream has read the lateness past the newest time read (session 61: the second admitted the first, the stage's time moved two days and both waited two days of event time)", async () => {
    const run = await hotRun();
    const login = JSON.parse(lines.find((l) => l.includes('exchange.login.v1'))!);
    const skewed = (n: number, plusMs: number): string => JSON.stringify({ ...login, eventId: `skewed-${n}`, accountId: 'acct-skewed-clock', occurredAt: new Date(Date.parse(JSON.parse(lines[AHEAD_AT]!).occurredAt) + 2 * 86_400_000 + plusMs).toISOString() });
    // In event order; the first after the AHEAD_AT-th line, the second a second later three lines on:
    // three ordinary lines between (fewer than AHEAD_WINDOW, which would place the first alone).
    const input = [...lines.slice(0, AHEAD_AT + 1), skewed(1, 0), ...lines.slice(AHEAD_AT + 1, AHEAD_AT + 4), skewed(2, 1000), ...lines.slice(AHEAD_AT + 4, AHEAD_INPUT_LINES)];
    await produce(run, input);
    const loginTopic = `e2e-${run.id}-${topicFor(login)}`;
    const secondOffset = BigInt(input.slice(0, AHEAD_AT + 5).filter((l) => topicFor(JSON.parse(l)) === topicFor(login)).length - 1);
    // No quiet drain (a 10-minute hold), no scheduled checkpoint for an hour, and a 30-day cut grid
    // the stream's day does not cross (the default grid's cut at the two-day jump drained the stage).
    const monitor = startMonitor(run, 'a', { MONITOR_LATENESS_MS: LATENESS_MS, MONITOR_HOLD_MS: '600000', CHECKPOINT_EVERY_SECONDS: '3600', MONITOR_LATENESS_CUT_MS: NO_CUT_MS });
    try {
      const passed = async (): Promise<boolean> => {
        for (const slot of [0, 1]) if (((await slotCursor(run, slot)).get(`${loginTopic}/0`) ?? 0n) > secondOffset) return true;
        return false;
      };
      await waitFor(passed, 400_000, "a slot cursor to pass the second skewed login's offset");
    } finally {
      expect(await stopMonitor(monitor, 'SIGTERM')).toBe(0);
    }
  }, 600_000);

  it('on a stream never quiet (a hold of an hour: no quiet drain) a whole checkpoint is written at a cut point of the stage, and a restart after a SIGKILL resumes from it: event order\'s alerts, each once (session 60\'s first build wrote none: the stage was never empty; a cut in mid-instant lost 3 messages, 1,515 alerts)', async () => {
    const run = await hotRun();
    await produce(run, shuffledInBlocks(lines, 4));
    const env = { MONITOR_LATENESS_MS: LATENESS_MS, MONITOR_HOLD_MS: '3600000', CHECKPOINT_EVERY_SECONDS: '2', LOG_LEVEL: 'info' };
    const logged = (m: MonitorProcess, msg: string): { messages: number }[] => m.logs.filter((l) => l.includes(msg)).map((l) => JSON.parse(l) as { msg: string; messages: number }).filter((l) => l.msg.startsWith(msg));
    const first = startMonitor(run, 'a', env);
    let covered: number;
    try {
      // The rebuild's first whole checkpoint is of the fresh state (0 messages): wait for one past it.
      await waitFor(async () => logged(first, 'checkpoint written').some((l) => l.messages > 0), 300_000, 'a whole checkpoint past the first offsets');
      covered = Math.max(...logged(first, 'checkpoint written').map((l) => l.messages));
      expect(covered).toBeLessThan(lines.length);
    } finally {
      await stopMonitor(first, 'SIGKILL');
    }
    const second = startMonitor(run, 'a', { ...env, MONITOR_HOLD_MS: '2000' });
    try {
      await waitFor(async () => logged(second, 'restored checkpoint').length > 0, 120_000, 'the restart to restore a checkpoint');
      expect(logged(second, 'restored checkpoint')[0]!.messages).toBeGreaterThanOrEqual(covered);
      await waitFor(() => caughtUp(run), 300_000, 'the restarted monitor to cover every input partition');
      const alerts = await readAll(run.alertTopic);
      expect(alerts.length).toBe(expected.length);
      expect(alerts.sort()).toEqual(expected);
    } finally {
      expect(await stopMonitor(second, 'SIGTERM')).toBe(0);
    }
  }, 900_000);

  it('a clean stop with messages held writes no checkpoint of them: the restart publishes the rest of event order, each alert once (a cut at the stop gave 19 more)', () => stoppedWhileHolding('SIGTERM', 2), 900_000);
});
