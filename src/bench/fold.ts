/**
 * `--only=fold`: what a scheduled whole checkpoint costs the monitor's processing, written from
 * the live state (CHECKPOINT_FOLD=off: processing waits) against folded from the journal in a
 * worker thread (CHECKPOINT_FOLD=worker: processing waits only for the segment), on the
 * issue-shaped stream, wired as the monitor wires it. It also times the fold itself and the
 * rate of processing while the fold runs beside it against the rate right after.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalRecord } from '../checkpoint/journal.js';
import { checkpointName, nextSequence } from '../checkpoint/store.js';
import { workerFolds } from '../cli/checkpoint-folder.js';
import { checkpointStoreFor, monitorPipelines } from '../cli/monitor-wiring.js';
import { loadConfig } from '../config/config.js';
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

export async function foldBenchmark(args: BenchArgs): Promise<void> {
  const messages = args.scaled('fold-messages', 210_000);
  const after = Math.round(messages / 4);
  heading(`checkpoint folds: a whole checkpoint at ${fmt(messages)} messages of the issue-shaped stream, from the live state against folded from the journal in a worker thread; then ${fmt(after)} more messages while the fold runs and ${fmt(after)} after it`);
  const dir = benchFile('fold-checkpoints');
  const config = loadConfig({}, { CHECKPOINT_DIR: dir, KAFKA_GROUP_ID: 'bench' });
  const wiring = checkpointStoreFor(config, 'fold');
  const store = wiring.store!;
  const rules = shippedRules();
  const lines = [...mixedStream({ messages: messages + 2 * after, accounts: args.scaled('accounts', 20_000), seed: 7 })];
  try {
    const live = monitorPipelines(config, sdnLabels(loadSdnFile(DEFAULT_SDN_PATH)))(rules);
    const half = Math.round(messages / 2);
    apply(live, lines, 0, half);
    const base = await saveMonitorCheckpoint(store, live, rules, 'bench', cutAt(half), 3);
    const records = apply(live, lines, half, messages);
    let t0 = performance.now();
    const segment = await saveMonitorJournal(store, records, rules, 'bench', cutAt(messages), { base: base.name, previous: base.name });
    const segmentPause = seconds(t0);
    // What CHECKPOINT_FOLD=off writes at the same point, in a directory of its own.
    const wholeDir = join(dir, 'whole');
    t0 = performance.now();
    const whole = await saveMonitorCheckpoint(checkpointStoreFor(loadConfig({}, { CHECKPOINT_DIR: wholeDir, KAFKA_GROUP_ID: 'bench' }), 'fold').store!, live, rules, 'bench', cutAt(messages), 3);
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
    table(['checkpoint at ' + fmt(messages), 'processing waits', 'written in the background', 'bytes'], [
      ['whole, from the live state (CHECKPOINT_FOLD=off)', `${wholePause.toFixed(2)} s`, '-', fmt(whole.bytes)],
      ['fold (CHECKPOINT_FOLD=worker): the segment of the messages since the last state', `${segmentPause.toFixed(2)} s`, `${foldSeconds.toFixed(2)} s (restore ${fmt(half)}-message state, apply ${fmt(outcome.messages)} messages, write)`, `${fmt(segment.bytes)} + ${fmt(outcome.saved.bytes)}`],
    ]);
    console.log(`processing while the fold ran: ${fmt(duringRate)} msg/s; right after it: ${fmt(afterRate)} msg/s (${(duringRate / afterRate).toFixed(2)}x; the fold's thread takes a core of this machine's two)`);
  } finally {
    await wiring.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
