/**
 * Restart-to-caught-up with a checkpoint against a full re-read, on `--messages` (1,000,000 by
 * default) of issue-shaped history pre-filled on Kafka, plus `--tail` (20,000) messages that
 * arrive while the monitor is down. Needs `npm run services:up`; run it built:
 *
 *   npm run build && node --max-old-space-size=8192 dist/bench/restart.js [--messages=1000000] [--tail=20000]
 *
 * 1. a monitor applies the history, writing checkpoints as configured, and stops (a final one);
 * 2. the tail is produced;
 * 3. the same instance starts again: restore, then catch up on the tail (timed);
 * 4. another group with checkpoints off starts: it re-reads history and tail (timed).
 * Prints figures; asserts nothing. Removes its topics, Redis keys and checkpoints at the end.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { wireMonitor } from '../cli/monitor-wiring.js';
import { loadConfig, type Config } from '../config/config.js';
import { DEFAULT_RULES_DIR } from '../config/paths.js';
import { INPUT_TOPICS, topicFor } from '../contract/schemas.js';
import { loadRuleSet } from '../engine/loader.js';
import { DEFAULT_SDN_PATH, loadSdnFile, sdnLabels } from '../intel/ofac.js';
import { createKafka, ensureTopics } from '../kafka/client.js';
import { mixedStream } from './mixed-stream.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const HISTORY = Number(args.get('messages') ?? 1_000_000);
const TAIL = Number(args.get('tail') ?? 20_000);
const run = randomUUID().slice(0, 8);
const base = loadConfig();
const kafka = createKafka(base);
const topics = INPUT_TOPICS.map((t) => `bench-rs-${run}-${t}`);
const alertTopic = `bench-rs-${run}-alerts`;
const checkpointRoot = join(tmpdir(), `tw-bench-restart-${run}`);
const prefix = `twbench:rs:${run}:`;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Produces messages [from, to) of the stream, keyed as the contract says, in chunks. */
async function produce(from: number, to: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  let chunk = new Map<string, { key: string; value: string }[]>();
  let n = 0;
  const flush = async (): Promise<void> => {
    await producer.sendBatch({ acks: -1, topicMessages: [...chunk].map(([topic, messages]) => ({ topic, messages })) });
    chunk = new Map();
  };
  let i = 0;
  for (const value of mixedStream({ messages: to, accounts: 20_000, seed: 7 })) {
    if (i++ < from) continue;
    const m = JSON.parse(value) as { schema: string; kind?: string; accountId?: string; txid?: string; hash?: string; txHash?: string };
    const topic = `bench-rs-${run}-${topicFor(m)}`;
    chunk.set(topic, [...(chunk.get(topic) ?? []), { key: m.accountId ?? m.txid ?? m.hash ?? m.txHash ?? '', value }]);
    if (++n % 5000 === 0) await flush();
  }
  if (chunk.size) await flush();
  await producer.disconnect();
}

interface Timed {
  /** Start to restored (or to the decision to rebuild), s. */
  restoredAt: number;
  /** Start to every expected message applied, s. */
  caughtUpAt: number;
  applied: number;
  logs: Record<string, unknown>[];
  rssMiB: number;
}

/** Starts a monitor, waits until it has applied `expected` messages, stops it (a clean stop writes a checkpoint). */
async function runMonitor(config: Config, instance: string, expected: number): Promise<Timed> {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>); done(); } });
  const { monitor, stop } = wireMonitor(config, { rules: loadRuleSet(DEFAULT_RULES_DIR), labels: sdnLabels(loadSdnFile(DEFAULT_SDN_PATH)), logger: pino({ level: 'info' }, sink), instanceId: instance, inputTopics: topics, alertTopic });
  const t0 = performance.now();
  await monitor.start();
  const restoredAt = (performance.now() - t0) / 1000;
  let rss = 0;
  while (monitor.stats.applied < expected) {
    rss = Math.max(rss, process.memoryUsage().rss);
    await new Promise((r) => setTimeout(r, 50));
  }
  const caughtUpAt = (performance.now() - t0) / 1000;
  await stop();
  return { restoredAt, caughtUpAt, applied: monitor.stats.applied, logs, rssMiB: rss / 2 ** 20 };
}

const messageOf = (logs: Record<string, unknown>[], msg: string): Record<string, unknown>[] => logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith(msg));

async function main(): Promise<void> {
  await ensureTopics(kafka, [...topics, alertTopic], 4);
  let t = performance.now();
  await produce(0, HISTORY);
  console.log(`produced ${fmt(HISTORY)} messages of history in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const withCheckpoints = { ...base, KAFKA_GROUP_ID: `bench-rs-${run}`, REDIS_KEY_PREFIX: prefix, CHECKPOINT_DIR: checkpointRoot, METRICS_PORT: 0 };
  const first = await runMonitor(withCheckpoints, 'a', HISTORY);
  const written = messageOf(first.logs, 'checkpoint written');
  const last = written.at(-1);
  console.log(`first run: ${fmt(HISTORY)} messages in ${first.caughtUpAt.toFixed(1)} s (${fmt(HISTORY / first.caughtUpAt)} msg/s), peak RSS ${fmt(first.rssMiB)} MiB; ${written.length} checkpoints, the last ${fmt(Number(last?.bytes ?? 0) / 2 ** 20)} MiB written in ${String(last?.seconds)} s`);

  t = performance.now();
  await produce(HISTORY, HISTORY + TAIL);
  console.log(`produced a tail of ${fmt(TAIL)} messages in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const restart = await runMonitor(withCheckpoints, 'a', TAIL);
  const restored = messageOf(restart.logs, 'restored checkpoint')[0];
  console.log(`restart with a checkpoint: restored in ${restart.restoredAt.toFixed(1)} s (restore itself ${String(restored?.seconds)} s), caught up on the ${fmt(TAIL)}-message tail ${restart.caughtUpAt.toFixed(1)} s after start; applied ${fmt(restart.applied)}`);

  const without = { ...withCheckpoints, KAFKA_GROUP_ID: `bench-rs-${run}-full`, REDIS_KEY_PREFIX: `${prefix}full:`, CHECKPOINT_DIR: '', KAFKA_INPUT_RETENTION_MS: -1 };
  const full = await runMonitor(without, 'b', HISTORY + TAIL);
  console.log(`full re-read: ${fmt(HISTORY + TAIL)} messages, caught up ${full.caughtUpAt.toFixed(1)} s after start (${fmt((HISTORY + TAIL) / full.caughtUpAt)} msg/s)`);
  console.log(`restart-to-caught-up: ${restart.caughtUpAt.toFixed(1)} s with a checkpoint vs ${full.caughtUpAt.toFixed(1)} s re-reading ${fmt(HISTORY)} messages of history (${(full.caughtUpAt / restart.caughtUpAt).toFixed(1)}x)`);
}

async function cleanup(): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  await admin.deleteTopics({ topics: [...topics, ...topics.map((x) => `${x}.dlq`), alertTopic].filter((x) => existing.has(x)) }).catch(() => undefined);
  await admin.disconnect();
  const redis = new Redis(base.REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
  rmSync(checkpointRoot, { recursive: true, force: true });
}

main().then(cleanup, async (err: unknown) => { console.error(err); await cleanup(); process.exitCode = 1; }).then(() => process.exit());
