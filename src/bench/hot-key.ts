/**
 * The hot-key stream: customers paying popular unlabelled services that sweep each fresh deposit
 * address into one hot wallet, so a few clusters gain thousands of addresses and payers. Its
 * replay ratio against that of the same stream without the sweep messages shows what the hot
 * clusters cost. Each run has a time limit: a quadratic pipeline reports its rate so far.
 */
import { servicesScenario } from '../simulate/services.js';
import type { BenchArgs } from './args.js';
import { fmt, heading, table } from './report.js';
import { measureRatio, RATIO_HEADER, ratioRow, writeLines, type RatioFigures } from './replay-run.js';
import { benchFile, removeFile } from './workdir.js';

interface HotKeyShape { customers: number; services: number; days: number }

async function servicesRatio(args: BenchArgs, shape: HotKeyShape, sweeps: boolean, warmUp: string): Promise<RatioFigures & { sweepMessages: number }> {
  const scenario = servicesScenario({ seed: 13, ...shape, start: Date.UTC(2025, 0, 1), sweeps });
  const file = benchFile(`services-${shape.customers}-${sweeps ? 'sweeps' : 'nosweeps'}.jsonl`);
  const written = await writeLines(file, scenario.events.map((e) => e.line));
  scenario.events.length = 0; // the lines are on disk now; free them before measuring
  try {
    const figures = await measureRatio(file, written.lines, { seconds: args.number('hot-limit', 300), progressSeconds: 30 }, sweeps ? 'with sweeps' : 'without sweeps', warmUp);
    return { ...figures, sweepMessages: sweeps ? scenario.sweeps : 0 };
  } finally {
    removeFile(file);
  }
}

export async function hotKeyBenchmark(args: BenchArgs): Promise<void> {
  const shape = { customers: args.scaled('customers', 10_000), services: args.scaled('services', 300), days: args.number('hot-days', 60) };
  heading(`hot keys: ${fmt(shape.customers)} customers paying ${fmt(shape.services)} popular unlabelled services (Zipf popularity) over ${shape.days} days; each payment to a fresh deposit address that the service sweeps into one hot wallet; each run after a JIT warm-up on a smaller stream of the same kind`);
  // Each run is measured after a throw-away pipeline has replayed a smaller stream of the same
  // kind (other customers, services and addresses, sweeps included), as the ratio rows are: the
  // first run measured in a fresh process would otherwise pay the JIT's warm-up alone, and the
  // second would reuse its compiled code.
  const warmShape = { customers: Math.max(200, Math.round(shape.customers / 5)), services: Math.max(12, Math.round(shape.services / 5)), days: shape.days };
  const warmUp = benchFile(`services-warm-up-${warmShape.customers}.jsonl`);
  await writeLines(warmUp, servicesScenario({ seed: 14, ...warmShape, start: Date.UTC(2025, 0, 1), sweeps: true }).events.map((e) => e.line));
  let withSweeps: RatioFigures & { sweepMessages: number };
  let without: RatioFigures & { sweepMessages: number };
  try {
    withSweeps = await servicesRatio(args, shape, true, warmUp);
    without = await servicesRatio(args, shape, false, warmUp);
  } finally {
    removeFile(warmUp);
  }
  table([...RATIO_HEADER, 'merges', 'late re-evaluations'], [
    [...ratioRow('with sweeps', withSweeps), fmt(withSweeps.run.stats.merges), fmt(withSweeps.run.stats.reevaluations)],
    [...ratioRow('without sweeps', without), fmt(without.run.stats.merges), fmt(without.run.stats.reevaluations)],
  ]);
  const partial = !withSweeps.run.finished || !without.run.finished;
  console.log(`sweep messages: ${fmt(withSweeps.sweepMessages)}; quotient of ratios (with / without sweeps): ${(withSweeps.ratio / without.ratio).toFixed(3)} wall-clock, ${(withSweeps.cpuRatio / without.cpuRatio).toFixed(3)} in CPU time  (bar >= 0.8)${partial ? ' — a run was cut short by --hot-limit: its rate is that of the prefix it processed, which flatters a pipeline whose cost grows with the stream' : ''}`);
}
