/**
 * The address memory on a stream longer than it: the issue-shaped traffic spread over 600 days,
 * replayed by the shipped pipeline with compactions (as shipped) and without (checks off), twice
 * each, alternating. Prints the address index as it goes, the addresses forgotten, the CPU time
 * of each run and whether their alerts are the same bytes.
 */
import { createHash } from 'node:crypto';
import { loadRuleSet } from '../engine/loader.js';
import { DEFAULT_RULES_DIR } from '../config/paths.js';
import { DEFAULT_SDN_PATH, loadSdnFile, sdnLabels } from '../intel/ofac.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { BenchArgs } from './args.js';
import { mixedStream } from './mixed-stream.js';
import { fmt, heading, table } from './report.js';
import { cpuSecondsSince } from './replay-run.js';

const DAY = 86_400_000;

interface MemoryRun {
  sizes: string[];
  addresses: number;
  forgotten: number;
  compactions: { runs: number; ms: number; checks: number; checkMs: number };
  cpuSeconds: number;
  alertsHash: string;
  alerts: number;
}

function run(lines: readonly string[], compact: boolean, everyDays: number): MemoryRun {
  const pipeline = new Pipeline({ rules: loadRuleSet(DEFAULT_RULES_DIR), labels: sdnLabels(loadSdnFile(DEFAULT_SDN_PATH)), ...(compact ? {} : { graph: { compactEvery: Number.MAX_SAFE_INTEGER } }) });
  const hash = createHash('sha256');
  const sizes: string[] = [];
  let alerts = 0;
  let first: number | undefined;
  let nextReport = 0;
  const c0 = process.cpuUsage();
  for (const [i, line] of lines.entries()) {
    const result = pipeline.process(line, { line: i + 1 });
    for (const a of result.alerts) { hash.update(JSON.stringify(a)); alerts++; }
    const time = result.event?.time;
    if (time === undefined) continue;
    first ??= time;
    const day = Math.floor((time - first) / DAY);
    if (day >= nextReport) {
      sizes.push(`day ${day}: ${fmt(pipeline.graph.index.size)}`);
      nextReport = day + everyDays;
    }
  }
  return { sizes, addresses: pipeline.graph.index.size, forgotten: pipeline.graph.forgotten, compactions: { ...pipeline.graph.compactions }, cpuSeconds: cpuSecondsSince(c0), alertsHash: hash.digest('hex').slice(0, 16), alerts };
}

export function addressMemoryBenchmark(args: BenchArgs): void {
  const messages = args.scaled('memory-messages', 300_000);
  const days = args.number('memory-days', 600);
  heading(`address memory: ${fmt(messages)} issue-shaped messages over ${days} days (address memory 400 days), with compactions and without`);
  const lines = [...mixedStream({ messages, accounts: args.scaled('accounts', 20_000), seed: 7, meanGapMs: (days * DAY) / messages })];
  // A JIT warm-up on the first sixth, then each run twice, alternating, and the faster of each kept:
  // a second run in one process otherwise gains from the first one's compiled code.
  run(lines.slice(0, Math.ceil(lines.length / 6)), true, days);
  // The pairs run in both orders: whichever run comes second in a pair gains from the first.
  const pairs = [0, 1].map((i) => {
    if (i === 0) { const w = run(lines, true, 100); return { with: w, without: run(lines, false, 100) }; }
    const wo = run(lines, false, 100);
    return { with: run(lines, true, 100), without: wo };
  });
  const withCompactions = pairs[1]!.with;
  const without = pairs[1]!.without;
  const row = (label: string, r: MemoryRun): string[] => [label, fmt(r.addresses), fmt(r.forgotten), r.cpuSeconds.toFixed(1), fmt(r.alerts), r.alertsHash];
  table(['run (in the order run)', 'addresses at the end', 'forgotten', 'CPU s', 'alerts', 'alert bytes (sha256)'], [
    row('1 with compactions', pairs[0]!.with), row('2 without', pairs[0]!.without), row('3 without', pairs[1]!.without), row('4 with compactions', pairs[1]!.with),
  ]);
  console.log(`address index with compactions: ${withCompactions.sizes.join(', ')}`);
  console.log(`address index without:          ${without.sizes.join(', ')}`);
  const c = withCompactions.compactions;
  console.log(`compactions: ${c.runs}, ${fmt(c.ms)} ms in all; checks: ${c.checks}, ${fmt(c.checkMs)} ms in all (the CPU-s above also count the garbage collection of what a compaction frees, and move by a second or more between runs)`);
  console.log(`same alert bytes: ${withCompactions.alertsHash === without.alertsHash ? 'yes' : 'NO'}`);
}
