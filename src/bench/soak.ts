/**
 * The soak: millions of messages, mostly logins, over months of event time, generated on the fly
 * and fed straight to `pipeline.process`. Prints heap (after a full GC, so it is live data) and RSS
 * every N messages with the event-time day, the heap at the retention horizon against the end,
 * the peak RSS, and whether events planted at the end are still caught.
 */
import { writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
import type { Alert } from '../contract/schemas.js';
import { parseDuration } from '../engine/units.js';
import type { LoadedRule } from '../engine/loader.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { BenchArgs } from './args.js';
import { catches, plantedEvents } from './planted.js';
import { fmt, gc, heading, mib, table } from './report.js';
import { shippedPipeline, shippedRules } from './replay-run.js';
import { SoakStream, soakAccount, type SoakOptions } from './soak-stream.js';

const DAY = 86_400_000;

/** The longest `within` of any signal in the rules: past it, rule state should stop growing. */
export function longestRuleWindowDays(rules: LoadedRule[]): number {
  let longest = 0;
  const visit = (node: unknown, key: string): void => {
    if (key === 'within') longest = Math.max(longest, typeof node === 'number' ? node : typeof node === 'string' ? parseDuration(node) ?? 0 : 0);
    if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) visit(v, k);
  };
  for (const r of rules) visit(r.spec, '');
  return Math.ceil(longest / DAY);
}

interface Sample { messages: number; day: number; heap: number; rss: number; rate: number; external: number; heapTotal: number }

class SoakRecorder {
  readonly samples: Sample[] = [];
  private lastMessages = 0;
  private lastPipelineMs = 0;

  sample(messages: number, day: number, pipelineMs: number): Sample {
    gc();
    const m = process.memoryUsage();
    const rate = (messages - this.lastMessages) / ((pipelineMs - this.lastPipelineMs) / 1000);
    this.lastMessages = messages;
    this.lastPipelineMs = pipelineMs;
    const s = { messages, day, heap: m.heapUsed, rss: m.rss, rate, external: m.external, heapTotal: m.heapTotal };
    this.samples.push(s);
    console.log(`${fmt(messages).padStart(12)}  day ${String(day).padStart(4)}  heap ${mib(s.heap).padStart(9)}  rss ${mib(s.rss).padStart(9)}  ${fmt(rate).padStart(7)} msg/s  (V8 heap reserved ${mib(s.heapTotal)}, off-heap arrays ${mib(s.external)})`);
    return s;
  }

  atHorizon(horizonDays: number): Sample | undefined {
    return this.samples.find((s) => s.day >= horizonDays);
  }
}

function soakOptions(args: BenchArgs): SoakOptions {
  return { messages: args.scaled('soak-messages', 17_500_000), accounts: args.scaled('soak-accounts', 250_000), days: args.number('soak-days', 300), seed: 17, start: Date.UTC(2025, 0, 1) };
}

export async function soakBenchmark(args: BenchArgs): Promise<void> {
  const opts = soakOptions(args);
  const horizonDays = args.number('horizon-days', longestRuleWindowDays(shippedRules()));
  const every = args.scaled('soak-every', 1_000_000);
  // `--soak-snapshot-days=207,290`: a heap snapshot the first time the stream reaches each day.
  const snapshotDays = args.string('soak-snapshot-days', '').split(',').filter(Boolean).map(Number);
  const showSizes = args.string('soak-sizes', 'false') === 'true';
  const limitMs = args.number('soak-limit', 3600) * 1000;
  // Twice the 4 GiB bar: past it the verdict is known, and the machine is shared.
  const maxRss = args.number('soak-max-rss', 8) * 2 ** 30;
  heading(`soak: ${fmt(opts.messages)} messages (82% logins, 13% transfers, 5% token transfers) over ${opts.days} days across ${fmt(opts.accounts)} accounts, generated on the fly; retention horizon ${horizonDays} days (the longest rule window)`);
  const pipeline = shippedPipeline();
  const stream = new SoakStream(opts);
  const recorder = new SoakRecorder();
  const byTypology = new Map<string, number>();
  const t0 = performance.now();
  let pipelineMs = 0;
  let processed = 0;
  for (; processed < opts.messages; processed++) {
    const line = stream.next(processed);
    const t = performance.now();
    const result = pipeline.process(line, { topic: 'soak' });
    pipelineMs += performance.now() - t;
    for (const a of result.alerts) byTypology.set(a.typology, (byTypology.get(a.typology) ?? 0) + 1);
    if ((processed + 1) % every === 0) {
      recorder.sample(processed + 1, Math.floor((stream.now - opts.start) / DAY), pipelineMs);
      if (showSizes) console.log(`              ${Object.entries(pipeline.stateSizes()).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
    }
    if (snapshotDays.length > 0 && (processed & 4095) === 0 && (stream.now - opts.start) / DAY >= snapshotDays[0]!) {
      gc();
      console.log(`heap snapshot at day ${snapshotDays[0]}: ${writeHeapSnapshot(join(args.string('soak-snapshot-dir', '.'), `soak-day-${snapshotDays.shift()}.heapsnapshot`))}`);
    }
    if ((processed & 65535) === 0 && (performance.now() - t0 > limitMs || process.memoryUsage.rss() > maxRss)) break;
  }
  if (processed < opts.messages) console.log(`stopped early: ${performance.now() - t0 > limitMs ? `--soak-limit of ${limitMs / 1000} s reached` : `RSS passed --soak-max-rss=${maxRss / 2 ** 30} GiB (this machine is shared)`}`);
  const lastDay = Math.floor((stream.now - opts.start) / DAY);
  if (recorder.samples.at(-1)?.messages !== processed) recorder.sample(processed, lastDay, pipelineMs);
  reportRun(opts, processed, pipelineMs, (performance.now() - t0) / 1000, byTypology);
  reportMemory(recorder, horizonDays, lastDay);
  reportPlanted(pipeline, stream.now);
}

function reportRun(opts: SoakOptions, processed: number, pipelineMs: number, wallSeconds: number, byTypology: Map<string, number>): void {
  const rate = processed / (pipelineMs / 1000);
  console.log(`processed ${fmt(processed)} of ${fmt(opts.messages)} messages in ${wallSeconds.toFixed(0)} s wall (${(pipelineMs / 1000).toFixed(0)} s in pipeline.process): ${fmt(rate)} msg/s in the pipeline`);
  if (processed < opts.messages) console.log(`at this rate the whole soak would take about ${((opts.messages * wallSeconds) / processed / 60).toFixed(0)} min (extrapolated linearly)`);
  console.log(`background alerts by typology: ${[...byTypology].sort().map(([t, n]) => `${t} ${fmt(n)}`).join(', ') || 'none'}`);
}

function reportMemory(recorder: SoakRecorder, horizonDays: number, lastDay: number): void {
  const last = recorder.samples.at(-1);
  const horizon = recorder.atHorizon(horizonDays);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  if (horizon && last && last !== horizon) {
    const growth = last.heap - horizon.heap;
    console.log(`heap at the retention horizon (day ${horizon.day}): ${mib(horizon.heap)}; at the end (day ${last.day}): ${mib(last.heap)}; change ${growth >= 0 ? '+' : ''}${mib(growth)} over ${last.day - horizon.day} days (${((100 * growth) / horizon.heap).toFixed(1)}%)`);
  } else {
    console.log(`the run ended on day ${lastDay}, before a sample past the retention horizon (day ${horizonDays}): no levelling-off figure`);
  }
  console.log(`peak RSS: ${mib(peakRss)} (${(peakRss / 2 ** 30).toFixed(2)} GiB; bar <= 4 GiB)`);
}

/** Plants the known events after the background and prints which alerts caught each. */
function reportPlanted(pipeline: Pipeline, at: number): void {
  const events = plantedEvents(at, soakAccount(123), soakAccount(456));
  const lines = events.flatMap((e) => e.lines).sort((a, b) => a.time - b.time);
  const alerts: Alert[] = [];
  for (const { line } of lines) {
    const result = pipeline.process(line, { topic: 'soak-planted' });
    if (result.deadLetter) console.log(`planted message dead-lettered: ${result.deadLetter.code} ${result.deadLetter.reason}`);
    alerts.push(...result.alerts);
  }
  const rows = events.map((e) => {
    const caught = catches(e, alerts);
    return [e.name, e.typology, caught.length ? 'yes' : 'NO', caught.map((a) => `${a.alertId} ${a.ruleId} ${a.severity}`).join('; ') || '-'];
  });
  table(['planted event', 'typology', 'caught', 'alerts'], rows);
}
