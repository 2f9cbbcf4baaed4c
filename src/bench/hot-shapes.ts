/**
 * One hot key of each kind (hot-shapes-stream.ts): each stream replayed in tenths, each tenth's
 * pipeline CPU per message printed beside the bare parse of the same bytes. A key whose cost per
 * event grows with its size shows as a last tenth dearer than the second (the first carries the
 * JIT's warm-up); O(1) per event shows as a flat row.
 */
import type { BenchArgs } from './args.js';
import { HOT_SHAPES, hotShapeStream, type HotShape } from './hot-shapes-stream.js';
import { fmt, heading, table } from './report.js';
import { measureChunkedRatio, writeLines, type RatioFigures } from './replay-run.js';
import { benchFile, removeFile } from './workdir.js';

/** Messages per shape at --scale=1: the Bitcoin consolidations are 51-input transactions, ten times the bytes of a message. */
const MESSAGES: Record<HotShape, number> = { 'one-account': 60_000, 'shared-device': 60_000, 'one-payer': 60_000, sink: 60_000, consolidation: 60_000, 'fed-hub': 60_000, 'btc-merge': 20_000 };

const microsPerMessage = (cpuSeconds: number, messages: number): number => (cpuSeconds / messages) * 1e6;

async function measureShape(args: BenchArgs, shape: HotShape): Promise<RatioFigures> {
  const messages = args.scaled(`${shape}-messages`, MESSAGES[shape]);
  const file = benchFile(`hot-shape-${shape}.jsonl`);
  await writeLines(file, hotShapeStream(shape, messages));
  try {
    const limits = { seconds: args.number('shape-limit', 300), progressSeconds: 60 };
    return await measureChunkedRatio(file, messages, limits, shape, Math.max(1, Math.ceil(messages / 10)));
  } finally {
    removeFile(file);
  }
}

function shapeRow(shape: HotShape, f: RatioFigures): string[] {
  const chunks = f.chunks ?? [];
  const us = chunks.map((c) => microsPerMessage(c.pipelineCpuSeconds, c.messages));
  const second = us[1] ?? us[0] ?? Number.NaN;
  const last = us[us.length - 1] ?? Number.NaN;
  const done = f.run.finished ? 'yes' : `no (${fmt(f.run.processed)} in ${f.run.seconds.toFixed(0)} s)`;
  return [shape, fmt(f.run.processed), fmt(f.bareCpu), fmt(f.run.cpuRate), f.cpuRatio.toFixed(3), us.map((u) => u.toFixed(0)).join(' '), (last / second).toFixed(2), fmt(f.run.alerts), done];
}

export async function hotShapesBenchmark(args: BenchArgs): Promise<void> {
  heading('hot keys of every kind: one key grows with every message (src/bench/hot-shapes-stream.ts); pipeline CPU µs per message in each tenth of the stream');
  const rows: string[][] = [];
  for (const shape of HOT_SHAPES) rows.push(shapeRow(shape, await measureShape(args, shape)));
  table(['shape', 'messages', 'bare msg/cpu-s', 'pipeline msg/cpu-s', 'cpu ratio', 'µs/msg by tenth', 'last/2nd', 'alerts', 'finished'], rows);
  console.log('a flat row is O(1) per event as the key grows; last/2nd compares the last tenth with the second (the first carries the JIT warm-up)');
}
