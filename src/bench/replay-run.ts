/**
 * The measurement under every replay ratio: a bare read + JSON.parse of a file against the
 * whole pipeline (every shipped rule, the bundled SDN list) reading the same file. A pipeline run
 * has a time limit, so a quadratic stream reports how far it got instead of hanging.
 */
import { createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import { DEFAULT_RULES_DIR } from '../config/paths.js';
import { loadRuleSet, type LoadedRule } from '../engine/loader.js';
import { DEFAULT_SDN_PATH, loadSdnFile, sdnLabels, type SdnLabel } from '../intel/ofac.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { readJsonLineBatches } from '../sources/file-source.js';
import { BareParser } from './bare-child.js';
import { fmt } from './report.js';

const DAY = 86_400_000;

let shipped: { rules: LoadedRule[]; labels: SdnLabel[] } | undefined;

function shippedInputs(): { rules: LoadedRule[]; labels: SdnLabel[] } {
  shipped ??= { rules: loadRuleSet(DEFAULT_RULES_DIR), labels: sdnLabels(loadSdnFile(DEFAULT_SDN_PATH)) };
  return shipped;
}

export const shippedRules = (): LoadedRule[] => shippedInputs().rules;

/** A pipeline as `tidewatch replay` builds it: every shipped rule and the bundled SDN list. */
export function shippedPipeline(): Pipeline {
  return new Pipeline(shippedInputs());
}

export async function writeLines(file: string, lines: Iterable<string>): Promise<{ lines: number; bytes: number }> {
  const out = createWriteStream(file);
  let count = 0;
  for (const line of lines) {
    count++;
    if (!out.write(line + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { lines: count, bytes: statSync(file).size };
}

/** Messages per second of wall-clock time and per second of this process's CPU time. */
export interface Rates {
  wall: number;
  cpu: number;
}

/** CPU seconds this process used (every thread, GC helpers included) since `start`. */
export function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** One child process parses every baseline of a benchmark run (see bare-child.ts); closed by `closeBareParser`. */
let bareParser: BareParser | undefined;

/** The bare read + JSON.parse of `file` (or of a byte range of it), in the baseline's own process. */
export async function bareParseRate(file: string, range: { start?: number; end?: number } = {}): Promise<Rates & { lines: number; cpuSeconds: number }> {
  const r = await (bareParser ??= new BareParser()).parse({ file, ...range });
  return { wall: r.lines / r.wallSeconds, cpu: r.lines / r.cpuSeconds, lines: r.lines, cpuSeconds: r.cpuSeconds };
}

/**
 * A full collection in this process, when `--expose-gc` allows it (`npm run bench` passes it):
 * the heap a finished pipeline left is collected before the next measurement, not during it. The
 * baseline runs in a process of its own, but on this 2-core machine this process's collector
 * threads, marking a dead pipeline's heap, slowed it by as much as half.
 */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Ends the baseline's process, if one was started (the benchmark exits after). */
export function closeBareParser(): void {
  bareParser?.close();
  bareParser = undefined;
}

export interface ReplayRun {
  processed: number;
  seconds: number;
  rate: number;
  /** Messages per CPU second of this process: steadier than `rate` when other work shares the machine. */
  cpuRate: number;
  alerts: number;
  /** False when the time limit stopped the run: the rate is then that of the prefix processed. */
  finished: boolean;
  lastEventDay: number | undefined;
  stats: Pipeline['stats'];
}

export interface ReplayLimits {
  /** Stop after this many wall-clock seconds. */
  seconds: number;
  /** Print a progress line this often (wall-clock seconds); 0 for none. */
  progressSeconds: number;
  /** Stop after this many messages (a warm-up's part of a file). */
  messages?: number;
  /**
   * Every `every` messages, the run pauses and `measure` is told the byte range and the pipeline
   * CPU seconds of the chunk just processed (a pause is not counted in the run's wall-clock time).
   */
  chunks?: { every: number; measure: (chunk: ChunkRange) => Promise<void> };
}

/** A chunk of a replayed file: its bytes, its messages and the CPU the pipeline spent on them. */
export interface ChunkRange {
  start: number;
  end: number;
  messages: number;
  cpuSeconds: number;
  /** Garbage-collection pauses of this process's main thread during the chunk, in seconds (concurrent marking on helper threads is in `cpuSeconds`, not here). */
  gcPauseSeconds: number;
  /** The V8 heap in use when the chunk ended, in bytes. */
  heapUsed: number;
  /**
   * Major (mark-compact) collections that ended during the chunk. Their concurrent marking runs on
   * other threads, which `cpuSeconds` counts: a chunk of a long run costs visibly more when one of
   * a large heap falls in it (session 51: 9 to 25 µs a message on the 10x longer stream).
   */
  majorCollections: number;
}

/**
 * Sums the main thread's garbage-collection pauses while it runs and counts the major collections
 * (`take` returns and resets both, the pauses in seconds).
 */
function gcPauses(): { take: () => { seconds: number; majors: number }; stop: () => void } {
  let ms = 0;
  let majors = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      ms += entry.duration;
      if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) majors++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return { take: () => { const taken = { seconds: ms / 1000, majors }; ms = 0; majors = 0; return taken; }, stop: () => observer.disconnect() };
}

/** Replays `file` through a fresh shipped pipeline until the file ends or the time limit passes. */
export async function pipelineReplay(file: string, limits: ReplayLimits, label: string): Promise<ReplayRun> {
  const pipeline = shippedPipeline();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let nextProgress = t0 + limits.progressSeconds * 1000;
  let processed = 0;
  let alerts = 0;
  let firstTime: number | undefined;
  let lastTime: number | undefined;
  let finished = true;
  let paused = 0;
  let chunk = { start: 0, messages: 0, cpu: process.cpuUsage() };
  const gc = limits.chunks ? gcPauses() : undefined;
  const endChunk = async (end: number): Promise<void> => {
    if (!limits.chunks || chunk.messages === 0) return;
    const cpuSeconds = cpuSecondsSince(chunk.cpu);
    // Observer entries arrive on a later turn of the event loop: let the chunk's last ones in.
    await new Promise((resolve) => setImmediate(resolve));
    const pauseStart = performance.now();
    const collected = gc!.take();
    await limits.chunks.measure({ start: chunk.start, end, messages: chunk.messages, cpuSeconds, gcPauseSeconds: collected.seconds, majorCollections: collected.majors, heapUsed: process.memoryUsage().heapUsed });
    paused += performance.now() - pauseStart;
    gc!.take(); // what collected during the pause is not the next chunk's
    chunk = { start: end, messages: 0, cpu: process.cpuUsage() };
  };
  let bytes = 0;
  // Read as the replay reads (a batch per chunk, no promise per line): the pipeline's figure is the replay's.
  reading: for await (const batch of readJsonLineBatches(file)) {
    for (const line of batch) {
      const result = pipeline.process(line.text, { file, line: line.line });
      alerts += result.alerts.length;
      processed++;
      chunk.messages++;
      bytes = line.bytes;
      if (result.event) { firstTime ??= result.event.time; lastTime = result.event.time; }
      if (processed === limits.messages) break reading;
      if (limits.chunks && chunk.messages === limits.chunks.every) await endChunk(line.bytes);
      // Checked on every message: on a quadratic stream one message can take seconds.
      const now = performance.now();
      if (now - t0 - paused > limits.seconds * 1000) { finished = false; break reading; }
      if (limits.progressSeconds > 0 && now > nextProgress) {
        nextProgress = now + limits.progressSeconds * 1000;
        console.log(`  … ${label}: ${fmt(processed)} messages in ${((now - t0) / 1000).toFixed(0)} s (${fmt(processed / ((now - t0) / 1000))} msg/s), event day ${dayOf(firstTime, lastTime)}`);
      }
    }
  }
  await endChunk(bytes);
  gc?.stop();
  const seconds = (performance.now() - t0 - paused) / 1000;
  return { processed, seconds, rate: processed / seconds, cpuRate: processed / cpuSecondsSince(c0), alerts, finished, lastEventDay: dayOf(firstTime, lastTime), stats: { ...pipeline.stats } };
}

const dayOf = (first: number | undefined, last: number | undefined): number | undefined =>
  first === undefined || last === undefined ? undefined : Math.floor((last - first) / DAY);

export interface RatioFigures {
  messages: number;
  megabytes: number;
  bare: number;
  /** Bare parse per CPU second. */
  bareCpu: number;
  /** The bare parse per CPU second right before and right after the pipeline run (bareCpu is their mean). */
  bareSpread: [number, number];
  run: ReplayRun;
  ratio: number;
  /** The same ratio in CPU time: what each side costs, whatever else ran on the machine meanwhile. */
  cpuRatio: number;
  /** The warm-up run (a fresh process's first pipeline, JIT cold) on a stream of the same shape, when there was one. */
  cold?: { run: ReplayRun; cpuRatio: number };
  /** For a run measured chunk by chunk: each chunk's messages, the pipeline's CPU on it and the bare parse's, measured right after it. */
  chunks?: { messages: number; pipelineCpuSeconds: number; bareCpuSeconds: number; gcPauseSeconds: number; majorCollections: number; heapUsed: number }[];
}

/**
 * Bare parse (warmed once, so page cache and JIT favour neither side) against the pipeline. The
 * bare parse is measured right before the pipeline run and again right after it, and the two are
 * averaged: on this shared machine one bare run moved by 40% between runs of the benchmark (the
 * neighbours' load changes), and a baseline taken on both sides of the run sees what the run saw. With
 * `warmUp`, a stream of the same shape and other addresses and accounts, the pipeline's code is
 * warmed too: a throw-away pipeline replays it first, and that cold run is reported beside the
 * measured one (`cold`). A second throw-away pipeline then replays the first tenth of it: code
 * optimised while one pipeline ran is specialised to that instance's objects and closures, and a
 * new pipeline deoptimises it once (48 deoptimisations and 230 recompilations on the 210 k
 * stream in one measurement, 15% more CPU than after a second warm-up), which a monitor's one
 * long-lived pipeline never pays. Without `warmUp`, the pipeline's JIT warm-up is counted against it alone.
 */
export async function measureRatio(file: string, messages: number, limits: ReplayLimits, label: string, warmUp?: string): Promise<RatioFigures> {
  await bareParseRate(file);
  const cold = warmUp === undefined ? undefined : await pipelineReplay(warmUp, limits, `${label} (warm-up)`);
  if (cold) await pipelineReplay(warmUp!, { ...limits, messages: Math.ceil(cold.processed / 10) }, `${label} (second warm-up)`);
  collectGarbage();
  const before = await bareParseRate(file);
  const run = await pipelineReplay(file, limits, label);
  collectGarbage();
  const after = await bareParseRate(file);
  const bare = { wall: (before.wall + after.wall) / 2, cpu: (before.cpu + after.cpu) / 2 };
  const figures: RatioFigures = { messages, megabytes: statSync(file).size / 1e6, bare: bare.wall, bareCpu: bare.cpu, bareSpread: [before.cpu, after.cpu], run, ratio: run.rate / bare.wall, cpuRatio: run.cpuRate / bare.cpu };
  if (cold) figures.cold = { run: cold, cpuRatio: cold.cpuRate / bare.cpu };
  return figures;
}

/**
 * The ratio of a long run measured chunk by chunk: after every `every` messages the pipeline
 * pauses while the baseline's process parses the same bytes, so each chunk's pipeline time is
 * paired with a bare parse taken minutes apart at most, not one before a run of many minutes and
 * one after it (the machine's load moves within such a run). The ratio is the bare parse's CPU
 * over all chunks against the pipeline's (its pauses counted against it).
 */
export async function measureChunkedRatio(file: string, messages: number, limits: ReplayLimits, label: string, every: number): Promise<RatioFigures> {
  await bareParseRate(file); // the baseline's process and the page cache warmed on the whole file
  collectGarbage(); // the heaps of the pipelines run before are not this run's to collect
  const chunks: NonNullable<RatioFigures['chunks']> = [];
  let bareWall = 0;
  const run = await pipelineReplay(file, { ...limits, chunks: { every, measure: async (c) => {
    const b = await bareParseRate(file, { start: c.start, end: c.end });
    if (b.lines !== c.messages) throw new Error(`the bare parse read ${b.lines} lines of a chunk of ${c.messages} messages (bytes ${c.start}-${c.end})`);
    bareWall += b.lines / b.wall;
    chunks.push({ messages: c.messages, pipelineCpuSeconds: c.cpuSeconds, bareCpuSeconds: b.cpuSeconds, gcPauseSeconds: c.gcPauseSeconds, majorCollections: c.majorCollections, heapUsed: c.heapUsed });
  } } }, label);
  const lines = chunks.reduce((n, c) => n + c.messages, 0);
  const bareCpuSeconds = chunks.reduce((n, c) => n + c.bareCpuSeconds, 0);
  const rates = chunks.map((c) => c.messages / c.bareCpuSeconds);
  const bare = { wall: lines / bareWall, cpu: lines / bareCpuSeconds };
  return { messages, megabytes: statSync(file).size / 1e6, bare: bare.wall, bareCpu: bare.cpu, bareSpread: [Math.min(...rates), Math.max(...rates)], run, ratio: run.rate / bare.wall, cpuRatio: run.cpuRate / bare.cpu, chunks };
}

/** One table row: the stream, both rates and their ratio side by side. */
export function ratioRow(name: string, f: RatioFigures): string[] {
  const done = f.run.finished ? 'yes' : `no: stopped after ${f.run.seconds.toFixed(0)} s at ${fmt(f.run.processed)} (${((100 * f.run.processed) / f.messages).toFixed(1)}%)`;
  return [name, fmt(f.messages), f.megabytes.toFixed(0), fmt(f.bare), fmt(f.run.rate), f.ratio.toFixed(3), fmt(f.bareCpu), fmt(f.run.cpuRate), f.cpuRatio.toFixed(3), fmt(f.run.alerts), String(f.run.lastEventDay ?? '-'), done];
}

export const RATIO_HEADER = ['stream', 'messages', 'MB', 'bare msg/s', 'pipeline msg/s', 'ratio', 'bare msg/cpu-s', 'pipeline msg/cpu-s', 'cpu ratio', 'alerts', 'days', 'finished'];
