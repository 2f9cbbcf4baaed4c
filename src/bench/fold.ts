/**
 * `--only=fold`: what a scheduled whole checkpoint costs the monitor's processing, written from
 * the live state (CHECKPOINT_FOLD=off: processing waits) against folded from the journal in a
 * worker thread (CHECKPOINT_FOLD=worker: processing waits only for the segment), on the
 * issue-shaped stream, wired as the monitor wires it. It also times the fold itself and the
 * rate of processing while the fold runs beside it against the rate right after.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { JournalRecord } from '../checkpoint/journal.js';
import { groupCheckpointKeys } from '../checkpoint/redis-checkpoint-keys.js';
import { checkpointName, nextSequence } from '../checkpoint/store.js';
import { workerFolds } from '../cli/checkpoint-folder.js';
import { checkpointStoreFor, monitorPipelines } from '../cli/monitor-wiring.js';
import { loadConfig, type Config } from '../config/config.js';
import { DEFAULT_SDN_PATH, loadSdnFile, sdnLabels } from '../intel/ofac.js';
import { saveMonitorCheckpoint, saveMonitorJournal } from '../monitor/checkpoints.js';
import type { Cut } from '../monitor/ownership.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { BenchArgs } from './args.js';
import { mixedStream } from './mixed-stream.js';
import { fmt, heading, table } from './report.js';
import { shippedRules } from './replay-run.js';
import { benchFile } from './workdir.js';

const TOPIC = 'in';
const cutAt = (offset: number): Cut => new Map([[`${TOPIC}/0`, BigInt(offset)]]);
const seconds = (t0: number): number => (performance.now() - t0) / 1000;

/** Applies lines [from, to) as the monitor does; the journal records they make. */
function apply(pipeline: Pipeline, lines: readonly string[], from: number, to: number): JournalRecord[] {
  const out: JournalRecord[] = [];
  for (let i = from; i < to; i++) {
    const raw = lines[i]!;
    const decodedAt = Date.now();
    pipeline.processDecoded(pipeline.decode(raw, decodedAt), raw, { topic: TOPIC, partition: 0, offset: String(i) });
    out.push({ topic: TOPIC, partition: 0, offset: String(i), decodedAt, raw });
  }
  return out;
}

/** The store kinds `--fold-store` selects: directory (the default store), redis, or both in turn. */
type StoreKind = 'directory' | 'redis';

export async function foldBenchmark(args: BenchArgs): Promise<void> {
  const messages = args.scaled('fold-messages', 210_000);
  const after = Math.round(messages / 4);
  const choice = args.string('fold-store', 'both');
  const kinds: StoreKind[] = choice === 'both' ? ['directory', 'redis'] : [choice as StoreKind];
  heading(`checkpoint folds: a whole checkpoint at ${fmt(messages)} messages of the issue-shaped stream, from the live state against folded from the journal in a worker thread, in a ${kinds.join(' and then a ')} store; then ${fmt(after)} more messages while the fold runs and ${fmt(after)} after it`);
  const lines = [...mixedStream({ messages: messages + 2 * after, accounts: args.scaled('accounts', 20_000), seed: 7 })];
  for (const kind of kinds) await foldIn(kind, lines, messages, after);
}

/** The store of `kind` for one instance of the benchmark's group (checkpoint directory, or Redis under a run-unique group). */
function benchConfig(kind: StoreKind, dir: string, group: string): Config {
  return loadConfig({}, { CHECKPOINT_STORE: kind, CHECKPOINT_DIR: dir, KAFKA_GROUP_ID: group, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
}

async function foldIn(kind: StoreKind, lines: readonly string[], messages: number, after: number): Promise<void> {
  const dir = benchFile(`fold-checkpoints-${kind}`);
  const group = `bench-fold-${process.pid}-${Date.now()}`;
  const config = benchConfig(kind, dir, group);
  const wiring = checkpointStoreFor(config, 'fold');
  const wholeWiring = checkpointStoreFor(benchConfig(kind, join(dir, 'whole'), group), 'fold-whole');
  const store = wiring.store!;
  const rules = shippedRules();
  try {
    const live = monitorPipelines(config, sdnLabels(loadSdnFile(DEFAULT_SDN_PATH)))(rules);
    const half = Math.round(messages / 2);
    apply(live, lines, 0, half);
    const base = await saveMonitorCheckpoint(store, live, rules, group, cutAt(half), 3);
    const records = apply(live, lines, half, messages);
    let t0 = performance.now();
    const segment = await saveMonitorJournal(store, records, rules, group, cutAt(messages), { base: base.name, previous: base.name });
    const segmentPause = seconds(t0);
    // What CHECKPOINT_FOLD=off writes at the same point, in a store of its own.
    t0 = performance.now();
    const whole = await saveMonitorCheckpoint(wholeWiring.store!, live, rules, group, cutAt(messages), 3);
    const wholePause = seconds(t0);
    const name = checkpointName(nextSequence(await store.list()));
    t0 = performance.now();
    const running = workerFolds(config, 'fold')({ through: segment.name, name, keep: 3 }, rules);
    let foldSeconds = Number.NaN;
    const folded = running.done.then((o) => { foldSeconds = seconds(t0); return o; });
    const during = performance.now();
    apply(live, lines, messages, messages + after);
    const duringRate = after / seconds(during);
    const outcome = await folded;
    const afterStart = performance.now();
    apply(live, lines, messages + after, messages + 2 * after);
    const afterRate = after / seconds(afterStart);
    table([`${kind} store: checkpoint at ${fmt(messages)}`, 'processing waits', 'written in the background', 'bytes'], [
      ['whole, from the live state (CHECKPOINT_FOLD=off)', `${wholePause.toFixed(2)} s`, '-', fmt(whole.bytes)],
      ['fold (CHECKPOINT_FOLD=worker): the segment of the messages since the last state', `${segmentPause.toFixed(2)} s`, `${foldSeconds.toFixed(2)} s (restore ${fmt(half)}-message state, apply ${fmt(outcome.messages)} messages, write)`, `${fmt(segment.bytes)} + ${fmt(outcome.saved.bytes)}`],
    ]);
    console.log(`${kind} store: processing while the fold ran: ${fmt(duringRate)} msg/s; right after it: ${fmt(afterRate)} msg/s (${(duringRate / afterRate).toFixed(2)}x; the fold's thread takes a core of this machine's two${kind === 'redis' ? ', and the Redis server shares them' : ''})`);
  } finally {
    // Every checkpoint this run wrote goes (Redis keys included), then the connections.
    for (const w of [wiring, wholeWiring]) for (const n of await w.store!.list().catch(() => [])) await w.store!.remove(n).catch(() => undefined);
    await wiring.close();
    await wholeWiring.close();
    if (kind === 'redis') await forgetGroup(config);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Removes the benchmark group's list of instances, the one key its checkpoints' removal leaves. */
async function forgetGroup(config: Config): Promise<void> {
  const redis = new Redis(config.REDIS_URL);
  try {
    await redis.del(groupCheckpointKeys(config.REDIS_KEY_PREFIX, config.KAFKA_GROUP_ID).instances);
  } finally {
    await redis.quit();
  }
}
