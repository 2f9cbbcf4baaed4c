import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { loadConfig } from '../../src/config/config.js';
import { INPUT_TOPICS, topicFor } from '../../src/contract/schemas.js';
import { decodeMessage, DEFAULT_DECODE_OPTIONS } from '../../src/decode/decode.js';
import { createKafka, ensureTopics, type KafkaClient } from '../../src/kafka/client.js';
import { replayFiles } from '../../src/replay/replay.js';
import { serialiseAlert } from '../../src/sinks/serialise.js';
import { ofacLabels, root, rules, sampleLines } from './sample.js';
import { TIDEWATCH } from './built-sources.js';
import { readHighWatermarks, readSlotCursor, slotCursorsCaughtUp } from './slot-cursors.js';

export const kafka: KafkaClient = createKafka(loadConfig());

export interface Run {
  id: string;
  topics: string[];
  alertTopic: string;
  group: string;
  prefix: string;
}

export function newRun(): Run {
  const id = randomUUID().slice(0, 8);
  return { id, topics: INPUT_TOPICS.map((t) => `e2e-${id}-${t}`), alertTopic: `e2e-${id}-alerts`, group: `e2e-${id}`, prefix: `twe2e:${id}:` };
}

/** The run's checkpoint directory (CHECKPOINT_DIR of its monitors), kept across their restarts and removed by cleanupRun. */
export const checkpointRoot = (run: Run): string => join(tmpdir(), `tw-e2e-ckpt-${run.id}`);

/** Produces the sample to its contract topics (keys as the contract gives them), in file order per topic. */
export async function produceSample(run: Run, lines = sampleLines()): Promise<number> {
  await ensureTopics(kafka, [...run.topics, run.alertTopic], 2);
  const byTopic = new Map<string, { key: string; value: string }[]>();
  for (const value of lines) {
    const m = JSON.parse(value);
    const topic = `e2e-${run.id}-${topicFor(m)}`;
    const key = keyOf(m);
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key, value }]);
  }
  const producer = kafka.producer();
  await producer.connect();
  for (const [topic, messages] of byTopic) for (let i = 0; i < messages.length; i += 500) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
  await producer.disconnect();
  return lines.length;
}

/**
 * Produces lines in the order given (a monitor order: event time first), across topics, one
 * sendBatch per chunk. What is on the topics is then always an event-time prefix of the stream, so
 * a monitor reading meanwhile never has to rely on its hold to put topics back in order, however
 * slowly the production runs on a loaded machine.
 */
export async function produceInOrder(run: Run, lines: string[], chunk = 500): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < lines.length; i += chunk) {
      const byTopic = new Map<string, { key: string; value: string }[]>();
      for (const value of lines.slice(i, i + chunk)) {
        const m = JSON.parse(value);
        const topic = `e2e-${run.id}-${topicFor(m)}`;
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key: keyOf(m), value }]);
      }
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    }
  } finally {
    await producer.disconnect();
  }
}

export type MonitorProcess = ChildProcess & { logs: string[] };

/**
 * Starts `tidewatch monitor` as a child process; its JSON log lines are collected in `logs` (and
 * echoed when TW_TEST_VERBOSE is set). It reads every input topic of the run unless `topics` names
 * some of them.
 */
export function startMonitor(run: Run, instance = 'a', env: Record<string, string> = {}, topics = run.topics): MonitorProcess {
  const child = spawn('node', [TIDEWATCH, 'monitor', '--topics', topics.join(','), '--alert-topic', run.alertTopic, '--group', run.group, '--instance', `${instance}-${run.id}`, '--metrics-port', '0', '--partitions', '2'], {
    cwd: root, env: { ...process.env, REDIS_KEY_PREFIX: run.prefix, LOG_LEVEL: 'warn', KAFKA_SESSION_TIMEOUT_MS: '10000', CHECKPOINT_DIR: checkpointRoot(run), ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  }) as MonitorProcess;
  child.logs = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    child.logs.push(...lines);
    if (process.env.TW_TEST_VERBOSE) process.stderr.write(lines.map((l) => `[monitor ${instance}-${run.id}] ${l}\n`).join(''));
  });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[monitor ${instance}-${run.id}] ${d}`));
  return child;
}

/**
 * Signals a monitor and waits for it to exit; its exit code (null when a signal ended it). A monitor
 * still running `graceMs` after the signal is SIGKILLed, and null comes back, so a hung shutdown
 * fails the test's assertion on the code rather than the whole test's time limit.
 */
export async function stopMonitor(child: ChildProcess, signal: NodeJS.Signals, graceMs = 90_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    if (child.exitCode !== 0) reportUncleanExit(child, child.exitCode);
    return child.exitCode;
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  const grace = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    const code = await exited;
    if (code !== 0 && signal !== 'SIGKILL') reportUncleanExit(child, code);
    return code;
  } finally {
    clearTimeout(grace);
  }
}

/** A monitor that did not stop cleanly leaves its last log lines in the test output, so a CI failure shows why. */
function reportUncleanExit(child: ChildProcess, code: number | null): void {
  const logs = (child as Partial<MonitorProcess>).logs;
  if (!logs) return;
  process.stderr.write(`monitor exited with ${code ?? 'a signal'}; its last log lines:\n${logs.slice(-40).join('\n')}\n`);
}

/** The committed offsets of a publishing slot's cursor group, as `topic/partition` → offset (every input partition; never committed: 0). */
export async function slotCursor(run: Run, slot: number): Promise<Map<string, bigint>> {
  return withAdmin((admin) => readSlotCursor(admin, run.group, slot, run.topics));
}

/** Every input partition's high watermark, as `topic/partition` → offset. */
export async function highWatermarks(run: Run): Promise<Map<string, bigint>> {
  return withAdmin((admin) => readHighWatermarks(admin, run.topics));
}

/** True once every publishing slot's cursor (`<group>.slot-<s>`) has reached every input partition's high watermark; an incomplete answer is read again, never taken as caught up. */
export async function caughtUp(run: Run): Promise<boolean> {
  return withAdmin((admin) => slotCursorsCaughtUp(admin, run.group, run.topics));
}

async function withAdmin<T>(use: (admin: ReturnType<KafkaClient['admin']>) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Polls `check` until it holds. The limit is an upper bound for a condition that must happen, not a
 * guess at how long it takes: it is generous because a loaded machine is slow. A check that
 * throws (a broker busy with a rebalance) counts as not yet; the last error is in the time-out.
 */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what = 'a condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})` : ''}`);
}

/**
 * A read of the broker's state that a test needs once, outside a wait: a call that throws (the
 * group coordinator still loading a fresh group's offsets, a busy broker) is made again every half
 * second, as `waitFor` does, until it answers or `timeoutMs` has passed.
 */
export async function answered<T>(read: () => Promise<T>, what: string, timeoutMs = 120_000): Promise<T> {
  let answer: { value: T } | undefined;
  await waitFor(async () => {
    answer = { value: await read() };
    return true;
  }, timeoutMs, what);
  return answer!.value;
}

/** Every committed record of a topic (read_committed), up to the end it has when the read starts. */
export async function readAll(topic: string, timeoutMs = 120_000): Promise<string[]> {
  return (await readAllWithHeaders(topic, timeoutMs)).map((r) => r.value);
}

/**
 * Every committed record of a topic with its headers (as strings), up to the high watermark each
 * partition has when the read starts. The read ends when every partition's position reaches it,
 * counting transaction markers, which kafkajs reports in its batch events but never delivers, so
 * no idle period has to be guessed. Call it once the writers' transactions are committed.
 */
export async function readAllWithHeaders(topic: string, timeoutMs = 120_000): Promise<{ value: string; bytes: Buffer; headers: Record<string, string>; key?: string }[]> {
  const ends = await withAdmin((admin) => readHighWatermarks(admin, [topic]));
  const positions = new Map<string, bigint>();
  const reached = (): boolean => [...ends].every(([pk, end]) => (positions.get(pk) ?? 0n) >= end);
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, readUncommitted: false, maxBytesPerPartition: 8 * 1024 * 1024 });
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    const pk = `${e.payload.topic}/${e.payload.partition}`;
    const next = BigInt(e.payload.lastOffset) + 1n;
    if (next > (positions.get(pk) ?? 0n)) positions.set(pk, next);
  });
  const records: { value: string; bytes: Buffer; headers: Record<string, string>; key?: string }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => {
      records.push({ value: message.value!.toString(), bytes: message.value!, headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])), ...(message.key ? { key: message.key.toString() } : {}) });
    } });
    await waitFor(async () => reached(), timeoutMs, `a read of ${topic} to its end`);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

export async function deleteRun(run: Run): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  await admin.deleteTopics({ topics: [...run.topics, ...run.topics.map((t) => `${t}.dlq`), run.alertTopic].filter((t) => existing.has(t)) }).catch(() => undefined);
  await admin.disconnect();
}

export const keyOf = (m: Record<string, string | undefined>): string => (m.accountId ?? m.txid ?? m.hash ?? m.txHash ?? m.address ?? m.asset)!;
const partitioner = kafkajs.Partitioners.DefaultPartitioner();

/**
 * Lines in the order a monitor applies them once they sit on `partitions`-partition topics: event
 * time, then topic, partition and offset. A file replay of this order is the exact reference for a
 * monitor run, even where messages on different topics share a timestamp.
 */
export function monitorOrder(lines: string[], partitions = 2): string[] {
  const meta = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0 }));
  const seen = new Map<string, number>();
  return lines
    .map((line, i) => {
      const m = JSON.parse(line);
      const topic = topicFor(m) ?? '';
      const partition = partitioner({ topic, partitionMetadata: meta as never, message: { key: keyOf(m), value: null } });
      const k = `${topic}/${partition}`;
      const offset = seen.get(k) ?? 0;
      seen.set(k, offset + 1);
      const decoded = decodeMessage(line, DEFAULT_DECODE_OPTIONS);
      const time = decoded.ok ? decoded.event.time : 0;
      return { line, time, topic, partition, offset, i };
    })
    .sort((a, b) => a.time - b.time || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0) || a.partition - b.partition || a.offset - b.offset)
    .map((x) => x.line);
}

export interface CaseView { subject: string; alertIds: string[] }

/** Cases as the tests compare them: subject and sorted alert ids, sorted by subject. */
export function caseViews(cases: readonly { subject: string; alertIds: readonly string[] }[]): CaseView[] {
  return cases.map((c) => ({ subject: c.subject, alertIds: [...c.alertIds].sort() })).sort((a, b) => a.subject.localeCompare(b.subject));
}

/** Deletes a run's topics and its Redis keys. */
export async function cleanupRun(run: Run, redis: { keys(p: string): Promise<string[]>; del(...k: string[]): Promise<number> }): Promise<void> {
  await deleteRun(run).catch(() => undefined);
  rmSync(checkpointRoot(run), { recursive: true, force: true });
  const keys = await redis.keys(`${run.prefix}*`);
  if (keys.length) await redis.del(...keys);
}

export interface Expected { alerts: string[]; cases: CaseView[] }

/** What a file replay of `lines` gives: serialised alerts (sorted) and cases, the reference every monitor test compares with. */
export async function expectedOf(lines: string[]): Promise<Expected> {
  const replay = await replayFiles({ files: [], records: lines.map((text, i) => ({ text, origin: { line: i + 1 } })), rules: rules(), labels: ofacLabels() });
  return { alerts: replay.alerts.map(serialiseAlert).sort(), cases: caseViews(await replay.cases.list()) };
}
