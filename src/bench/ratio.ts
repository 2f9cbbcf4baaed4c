/**
 * Replay ratio on the issue's stream shape, and the same traffic over a 10x longer event-time span
 * (same messages a day, so history grows): the throughput drop shows whether state grows into the
 * per-event cost.
 */
import type { BenchArgs } from './args.js';
import { mixedStream } from './mixed-stream.js';
import { fmt, heading, table } from './report.js';
import { measureChunkedRatio, measureRatio, RATIO_HEADER, ratioRow, writeLines, type RatioFigures } from './replay-run.js';
import { benchFile, removeFile } from './workdir.js';

/**
 * The short stream is measured after the pipeline's code is warmed on a stream of the same shape
 * and size with another seed (other accounts and addresses), as the bare parse is warmed on its
 * file: the ratio compares steady work, and the warm-up run is shown as the cold figure.
 */
async function mixedRatio(args: BenchArgs, messages: number, label: string, warm: boolean, chunkEvery?: number): Promise<RatioFigures> {
  const file = benchFile(`mixed-${messages}.jsonl`);
  const warmFile = warm ? benchFile(`mixed-warm-up-${messages}.jsonl`) : undefined;
  const accounts = args.scaled('accounts', 20_000);
  await writeLines(file, mixedStream({ messages, accounts, seed: 7 }));
  if (warmFile) await writeLines(warmFile, mixedStream({ messages, accounts, seed: 8 }));
  try {
    const limits = { seconds: args.number('limit', 1800), progressSeconds: 60 };
    return await (chunkEvery ? measureChunkedRatio(file, messages, limits, label, chunkEvery) : measureRatio(file, messages, limits, label, warmFile));
  } finally {
    removeFile(file);
    if (warmFile) removeFile(warmFile);
  }
}

export async function ratioBenchmarks(args: BenchArgs, which: { short: boolean; long: boolean }): Promise<void> {
  const messages = args.scaled('messages', 210_000);
  heading(`replay ratio: issue-shaped stream (44% logins, 27% transfers, 29% chain: ERC-20/TRC-20 logs, ETH txs, Bitcoin txs), ~8,600 messages a day, every shipped rule on`);
  const rows: string[][] = [];
  const short = which.short || which.long ? await mixedRatio(args, messages, 'short', true) : undefined;
  if (short?.cold) rows.push(ratioRow('short, JIT cold (seed 8)', { ...short, run: short.cold.run, ratio: short.cold.run.rate / short.bare, cpuRatio: short.cold.cpuRatio }));
  if (short) rows.push(ratioRow('short', short));
  // The long run is measured in chunks the short stream's size, each paired with a bare parse of
  // its own bytes right after it (see measureChunkedRatio).
  const long = which.long ? await mixedRatio(args, messages * 10, '10x longer', false, messages) : undefined;
  if (long) rows.push(ratioRow('10x longer', long));
  table(RATIO_HEADER, rows);
  if (short) console.log(`ratio (short stream, pipeline JIT warmed as the bare parse is): ${short.ratio.toFixed(3)} wall-clock, ${short.cpuRatio.toFixed(3)} in CPU time  (bar >= 0.2, goal 0.5)${short.cold ? `; JIT cold: ${short.cold.cpuRatio.toFixed(3)} in CPU time` : ''}`);
  if (short) console.log(`bare parse around the short run (in a process of its own): ${fmt(short.bareSpread[0])} msg per CPU-s before it, ${fmt(short.bareSpread[1])} after it`);
  if (long?.chunks) {
    const ratios = long.chunks.map((c) => c.bareCpuSeconds / c.pipelineCpuSeconds);
    console.log(`10x longer, chunk by chunk (${fmt(messages)} messages each, bare parse of the same bytes right after each): bare ${fmt(long.bareSpread[0])} to ${fmt(long.bareSpread[1])} msg per CPU-s; ratio in CPU time per chunk: ${ratios.map((r) => r.toFixed(3)).join(', ')}`);
    if (ratios.length > 2) console.log(`  last chunk against the second (the first carries a new pipeline's recompilation): ${(100 * (1 - ratios[ratios.length - 1]! / ratios[1]!)).toFixed(1)}% lower`);
    // Each side on its own, so a trend in the pipeline shows apart from the baseline's moves.
    const micros = (cpuSeconds: number, messages: number): string => ((cpuSeconds / messages) * 1e6).toFixed(1);
    console.log(`  CPU µs per message per chunk, pipeline: ${long.chunks.map((c) => micros(c.pipelineCpuSeconds, c.messages)).join(', ')}; bare parse: ${long.chunks.map((c) => micros(c.bareCpuSeconds, c.messages)).join(', ')}`);
    // How much of the pipeline's growth is the collector pausing the main thread, and the heap it works on.
    console.log(`  of which garbage-collection pauses, µs per message: ${long.chunks.map((c) => micros(c.gcPauseSeconds, c.messages)).join(', ')}; heap in use at each chunk's end, MB: ${long.chunks.map((c) => (c.heapUsed / 1e6).toFixed(0)).join(', ')}`);
    // A major collection's concurrent marking runs on other threads and is in the chunk's CPU: a chunk with one costs more.
    console.log(`  major collections per chunk: ${long.chunks.map((c) => c.majorCollections).join(', ')}`);
  }
  if (short && long) {
    const drop = 100 * (1 - long.run.rate / short.run.rate);
    const cpuDrop = 100 * (1 - long.run.cpuRate / short.run.cpuRate);
    // The ratios' drop: each run against its paired bare parse, so a change in the machine's load
    // between the two runs (or within the long one) moves both sides of each ratio alike.
    const ratioDrop = 100 * (1 - long.cpuRatio / short.cpuRatio);
    console.log(`throughput drop, 10x longer vs short: ${drop.toFixed(1)}% wall-clock, ${cpuDrop.toFixed(1)}% in CPU time; the ratio's drop (each run against its paired bare parse): ${ratioDrop.toFixed(1)}%  (bar: at most 20%)${long.run.finished ? '' : ' — the long run was cut short, so this is the drop over the part it processed'}`);
  }
}
