/**
 * An A/B of two builds' replay speed in one process: `npm run bench:ab -- --base=<checkout>`
 * compares the pipeline of another checkout's build (`<checkout>/dist`, e.g. a `git worktree` of
 * the previous commit, built) with this one, on the same generated stream, in alternating
 * rounds (A B, B A, ...), each after a JIT warm-up of its own on a stream of the same shape.
 *
 * Separate runs of a replay on a shared machine move by 20% or more with the neighbours' load;
 * rounds interleaved within one process see the same load, so the median ratio shows changes of
 * a few percent that separate runs cannot. It prints figures and asserts nothing.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { servicesScenario } from '../simulate/services.js';
import { mixedStream } from './mixed-stream.js';
import { median, orderBalancedQuotients } from './ab-stats.js';

interface Build { label: string; shippedPipeline(): { process(raw: string, origin: { line: number }): unknown } }

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));

/** The stream to replay and a warm-up of the same shape: `mixed:<messages>` (the ratio rows' shape) or `services:<customers>` (the hot-key rows'). */
function streams(spec: string): { measured: string[]; warmUp: string[] } {
  const [shape, size] = spec.split(':');
  const n = Number(size);
  if (shape === 'mixed') {
    const accounts = Math.max(1_000, Math.round(n / 10));
    return { measured: [...mixedStream({ messages: n, accounts, seed: 7 })], warmUp: [...mixedStream({ messages: n, accounts, seed: 8 })] };
  }
  if (shape === 'services') {
    const of = (seed: number, customers: number): string[] => servicesScenario({ seed, customers, services: Math.max(12, Math.round(customers * 0.03)), days: 60, start: Date.UTC(2025, 0, 1), sweeps: true }).events.map((e) => e.line);
    return { measured: of(13, n), warmUp: of(14, Math.max(200, Math.round(n / 5))) };
  }
  throw new Error(`--stream must be mixed:<messages> or services:<customers>, not ${spec}`);
}

interface RoundTime { wall: number; cpu: number }

/** Milliseconds of wall-clock and of this process's CPU time for one fresh pipeline to replay the lines. */
function replayMs(build: Build, lines: readonly string[]): RoundTime {
  const pipeline = build.shippedPipeline();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < lines.length; i++) pipeline.process(lines[i]!, { line: i + 1 });
  const used = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (used.user + used.system) / 1000 };
}


/** One build's rounds by one clock, and their median and minimum (the least disturbed round). */
function row(label: string, ms: readonly number[]): string {
  return `${label.padEnd(44)} ${ms.map((m) => m.toFixed(0).padStart(6)).join(' ')} ms; median ${median(ms).toFixed(0)}, min ${Math.min(...ms).toFixed(0)}`;
}

async function main(): Promise<void> {
  const base = args.get('base');
  if (!base) throw new Error('--base=<checkout whose dist/ is built> is required');
  const rounds = Number(args.get('rounds') ?? 8);
  const a: Build = { label: `A ${base}`, ...(await import(pathToFileURL(resolve(base, 'dist/bench/replay-run.js')).href)) };
  const b: Build = { label: 'B this build', ...(await import('./replay-run.js')) };
  const { measured, warmUp } = streams(args.get('stream') ?? 'mixed:42000');
  replayMs(a, warmUp);
  replayMs(b, warmUp);
  // The warm-ups' heaps are collected now, not during the first measured round (which A runs first:
  // session 46 saw A's first round cost 10 to 20% more than its others).
  (globalThis as { gc?: () => void }).gc?.();
  const times = new Map<Build, RoundTime[]>([[a, []], [b, []]]);
  for (let r = 0; r < rounds; r++) {
    for (const build of r % 2 === 0 ? [a, b] : [b, a]) {
      times.get(build)!.push(replayMs(build, measured));
      (globalThis as { gc?: () => void }).gc?.();
    }
  }
  const [ta, tb] = [times.get(a)!, times.get(b)!];
  for (const clock of ['wall', 'cpu'] as const) {
    const [ma, mb] = [ta.map((t) => t[clock]), tb.map((t) => t[clock])];
    console.log(row(`${a.label}, ${clock}`, ma));
    console.log(row(`${b.label}, ${clock}`, mb));
    // Each round's pair ran side by side: the median of their quotients sees the same neighbours on both sides.
    const paired = mb.map((m, i) => m / ma[i]!);
    console.log(`B / A in ${clock === 'wall' ? 'wall-clock' : 'CPU'} time (${rounds} interleaved rounds, ${measured.length.toLocaleString('en-US')} messages): median of pairs ${median(paired).toFixed(3)}, medians ${(median(mb) / median(ma)).toFixed(3)}, minima ${(Math.min(...mb) / Math.min(...ma)).toFixed(3)}`);
    // Each order once per pair of rounds (see ab-stats.ts).
    const balanced = orderBalancedQuotients(paired);
    if (balanced.length > 0) console.log(`  pairs ${paired.map((q) => q.toFixed(3)).join(' ')}; order-balanced (rounds 1+2, 3+4, ...) ${balanced.map((q) => q.toFixed(3)).join(' ')}, median ${median(balanced).toFixed(3)}`);
  }
}

main().catch((err: unknown) => { console.error(err instanceof Error ? err.message : err); process.exit(1); });
