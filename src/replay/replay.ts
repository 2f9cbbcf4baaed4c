/**
 * `replay`: the whole pipeline over JSONL files on the embedded in-memory stores. The same input
 * and rules give byte-identical alerts and dead letters. This is also the main test harness.
 */
import { createWriteStream, fchmodSync, fstatSync, mkdirSync, openSync, type WriteStream } from 'node:fs';
import { dirname, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Alert } from '../contract/schemas.js';
import type { DecodeResult } from '../decode/decode.js';
import type { Origin } from '../decode/events.js';
import type { CaseStore } from '../cases/case-model.js';
import { MemoryCaseStore } from '../cases/memory-case-store.js';
import type { TimelineRecorder } from '../timeline/timeline-recorder.js';
import type { LoadedRule } from '../engine/loader.js';
import type { SdnLabel } from '../intel/ofac.js';
import { Pipeline, type PipelineOptions, type PipelineStats, type ProcessResult } from '../pipeline/pipeline.js';
import { serialiseAlert, serialiseDeadLetter } from '../sinks/serialise.js';
import { fileSize, readJsonLineBatches } from '../sources/file-source.js';
import { notUtf8 } from '../decode/encoding.js';
import { PriceMerge } from './price-merge.js';
import { compareWithinInstant } from '../sources/instant-order.js';
import { InstantRun, type InputLine } from './instant-run.js';
import { LatenessBuffer } from '../sources/lateness-buffer.js';
import { SuspectFieldTally, type SuspectSeries } from '../pipeline/suspect-field-tally.js';

/** Files holding personal data are readable by their owner only, whatever the umask allows. */
const OWNER_ONLY = 0o600;

export interface ReplayRecord {
  text: string;
  origin: Origin;
  decoded?: DecodeResult;
  /** Whether its alerts and dead letter are written; the source decides when it knows more than the event time (see kafka-replay.ts). */
  emit?: boolean;
  /**
   * Its order key, where the source merged by one (kafka-replay.ts): records of one key form one
   * instant, applied in the instant order. Without it, consecutive records of one event time do.
   */
  key?: number;
  /** Everything read before it is applied first, as at the end of the input (lateness-buffer.ts `cut`): kafka-replay.ts marks the first record past `since`. */
  cutBefore?: boolean;
}

export interface ReplayOptions {
  files: string[];
  /** market.price.v1 JSONL files (in event-time order), merged by event time into `files` (see price-merge.ts). */
  priceFiles?: string[];
  /**
   * Instead of files: records already read (e.g. from Kafka). A record may carry its text already
   * decoded, with the pipeline's decode options, so it is not decoded twice.
   */
  records?: AsyncIterable<ReplayRecord> | Iterable<ReplayRecord>;
  rules: LoadedRule[];
  labels: SdnLabel[];
  alertsPath?: string;
  dlqPath?: string;
  progress?: boolean;
  pipeline?: Partial<PipelineOptions>;
  /**
   * Event time (ms) from which outputs are written. Earlier messages are applied (they build the
   * state) but their alerts and dead letters are not output. A reject has no event time: it goes
   * with the newest event time applied before it.
   */
  emitFrom?: number;
  /**
   * A pipeline the caller built (its composition root, or one restored from a checkpoint); then
   * `rules`, `labels` and `pipeline` are not used to build one.
   */
  pipelineInstance?: Pipeline;
  /** Where cases go. @defaultValue a new in-memory store */
  caseStore?: CaseStore;
  /**
   * What the run keeps in memory besides the files it writes: every alert (`result.alerts`, for
   * scoring and comparing) and the cases. A replay of years writes millions of alerts: kept, they
   * outgrow the heap long before the state does (bounds QA: 1.2 GB of alerts ended a 20 MiB-state
   * replay out of memory). The summary is counted either way. @defaultValue both kept
   */
  keep?: { alerts?: boolean; cases?: boolean };
  /** Keeps the exchange events of accounts with a case (flushed after each message). */
  timeline?: TimelineRecorder;
  /**
   * Awaited after each message is handled and written (e.g. to save a checkpoint every N
   * messages); `text` is its raw line. A file's lines of one instant are applied in the instant
   * order and then told here in file order: `settled` is false until the last of them, as a
   * message after it is already applied (a checkpoint belongs only where it is true).
   */
  afterEach?: (pipeline: Pipeline, origin: Origin, text: string, settled: boolean) => Promise<void> | void;
  /**
   * Files (resolved paths) whose lines up to the given number a restored checkpoint already
   * applied: they are skipped, not applied a second time (counted as duplicates, their bad lines
   * dead-lettered again). The caller checks beforehand that they are the lines it applied.
   */
  coveredLines?: ReadonlyMap<string, number>;
  /**
   * Called once the last input message is applied, before the price lines dated after it: a
   * checkpoint written there covers no price line newer than its inputs, so a replay that goes on
   * from it applies those prices in their place among its own messages (a checkpoint taken after
   * them held only the last week's prices of the whole file, and the next files' transfers were
   * valued at the fixed table: session 41 QA).
   */
  inputsDone?: (pipeline: Pipeline) => Promise<void>;
  /**
   * Leave the verdicts the pipeline still holds at the end of the input (transfers judged again
   * behind a late event: held-rejudgements.ts) held, for a checkpoint written at the end to carry
   * to the replay that goes on from it; otherwise they are taken and written last. A function is
   * asked once the input has ended (kafka-replay.ts: a run `--until S` that stopped at S leaves
   * them to the run `--since S`, where the message after S that takes them is). @defaultValue false
   */
  holdAtEnd?: boolean | (() => boolean);
  /**
   * Asked once the input has ended: whether the verdicts taken at the end are written (records
   * marked by `emit`: kafka-replay.ts answers whether its input reached `since`; a run whose
   * input ended before it leaves them to the run `--until`). Without it, `emitFrom` decides.
   */
  writeHeldAtEnd?: () => boolean;
  /**
   * Event time (ms) a message waits for earlier-dated messages read after it (lateness-buffer.ts):
   * any order whose messages are read at most this much event time after a later-dated one gives
   * event order's outputs. Released in full at the end of the input. @defaultValue 0 (applied as read)
   */
  latenessMs?: number;
  /** With `latenessMs`: messages it holds at most. @defaultValue DEFAULT_MAX_BUFFERED */
  maxBuffered?: number;
  /** With `latenessMs`: a message dated further after the newest time read is not held (EVENT_TIME_MAX_LEAP_DAYS). */
  leapMs?: number;
  /**
   * With `latenessMs`: every this many input lines read, everything held is applied, and the
   * buffer starts afresh once the last instant run ends (a cut), so a checkpoint
   * (`--checkpoint-every`) written there covers exactly the lines read, and a replay that goes
   * on from it gives the bytes of the run that wrote it. `afterEach` is told `settled` only at
   * the end of a cut or of the input: elsewhere the lines applied are not those read.
   */
  cutEvery?: number;
}

export interface ReplaySummary extends PipelineStats {
  alerts: number;
  /** Operator label names no rule traces, with their counts (untraced-labels.ts). */
  untracedLabels: { names: [string, number][]; others: number };
  /** Applied messages' unknown fields that look like a misspelt optional field they lack, by topic (src/decode/suspect-fields.ts). */
  suspectFields: (SuspectSeries & { count: number })[];
  byTypology: Record<string, number>;
  bySeverity: Record<string, number>;
  heldMerges: number;
}

export interface ReplayResult {
  summary: ReplaySummary;
  alerts: Alert[];
  cases: CaseStore;
  pipeline: Pipeline;
}

/**
 * The output file opened now, so a path that cannot be written (a directory, no permission) fails
 * before the replay runs, naming it. Owner-only (0600), as checkpoints are: alerts and dead letters
 * hold personal data (a rejected line's raw text: IPs, device ids, KYC fields). A file left by an
 * earlier run is made owner-only too before it is rewritten (QA D11). Only a regular file: a
 * device, pipe or socket given as the output (`--alerts /dev/null`, `/dev/stdout`) keeps its mode
 * (session 42: run as root, `--alerts /dev/null` made /dev/null 0600, and every other user's
 * processes that write to it failed; RabbitMQ's helpers spun on it).
 */
export function openOutput(path: string | undefined): WriteStream | undefined {
  if (!path) return undefined;
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, 'w', OWNER_ONLY);
    if (fstatSync(fd).isFile()) fchmodSync(fd, OWNER_ONLY);
  } catch (err) {
    throw new Error(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return createWriteStream(path, { encoding: 'utf8', fd });
}

async function close(stream: WriteStream | undefined): Promise<void> {
  if (stream) await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

export async function replayFiles(options: ReplayOptions): Promise<ReplayResult> {
  const pipeline = options.pipelineInstance ?? new Pipeline({ ...options.pipeline, rules: options.rules, labels: options.labels });
  const cases = options.caseStore ?? new MemoryCaseStore();
  const keepAlerts = options.keep?.alerts ?? true;
  const keepCases = options.keep?.cases ?? true;
  const alerts: Alert[] = [];
  const byTypology: Record<string, number> = {};
  const bySeverity: Record<string, number> = {};
  let alertCount = 0;
  const alertOut = openOutput(options.alertsPath);
  const dlqOut = openOutput(options.dlqPath);
  let newestTime = Number.NEGATIVE_INFINITY;
  const suspects = new SuspectFieldTally();
  /** Counts and writes one alert; true when it also goes to the case store (awaited by the caller). */
  const emitAlert = (alert: Alert): boolean => {
    alertCount++;
    byTypology[alert.typology] = (byTypology[alert.typology] ?? 0) + 1;
    bySeverity[alert.severity] = (bySeverity[alert.severity] ?? 0) + 1;
    if (keepAlerts) alerts.push(alert);
    alertOut?.write(serialiseAlert(alert) + '\n');
    return keepCases && alert.severity !== 'low'; // low is informational: no analyst case
  };
  /** A message's outputs from alert `next` on, once `sent` (the alert before, if any) is in the case store: awaited in turn. */
  const emitAwaited = async (result: ProcessResult, sent: Alert | undefined, next: number): Promise<void> => {
    if (sent) await cases.addAlert(sent);
    for (let i = next; i < result.alerts.length; i++) {
      const alert = result.alerts[i]!;
      if (emitAlert(alert)) await cases.addAlert(alert);
    }
    if (options.timeline) {
      options.timeline.observe(result, (account) => pipeline.state.history(account));
      await options.timeline.flush();
    }
  };
  /**
   * Applies one message and writes its outputs. Returns a promise only when something must be
   * awaited (a case store, a timeline): most messages are handled without one, so the replay
   * loop makes no promise per message (session 57).
   */
  const handle = (text: string, origin: Origin, decoded?: DecodeResult, emit?: boolean): Promise<void> | undefined => {
    const result = decoded ? pipeline.processDecoded(decoded, text, origin) : pipeline.process(text, origin);
    if (result.suspects) for (const field of result.suspects.fields) suspects.note(result.suspects.topic, field);
    if (result.event) newestTime = Math.max(newestTime, result.event.time);
    if (!(emit ?? (options.emitFrom === undefined || (result.event?.time ?? newestTime) >= options.emitFrom))) return undefined;
    if (result.deadLetter) dlqOut?.write(serialiseDeadLetter(result.deadLetter) + '\n');
    for (let i = 0; i < result.alerts.length; i++) {
      const alert = result.alerts[i]!;
      if (emitAlert(alert)) return emitAwaited(result, alert, i + 1);
    }
    return options.timeline ? emitAwaited(result, undefined, result.alerts.length) : undefined;
  };
  /** The verdicts held at the end, written as a message's alerts are (none when the output starts after the input's end). */
  const emitHeld = async (held: Alert[]): Promise<void> => {
    if (options.writeHeldAtEnd ? !options.writeHeldAtEnd() : options.emitFrom !== undefined && newestTime < options.emitFrom) return;
    for (const alert of held) if (emitAlert(alert)) await cases.addAlert(alert);
  };
  const prices = options.priceFiles?.length ? new PriceMerge(options.priceFiles, (text) => pipeline.decode(text), options.coveredLines) : undefined;
  const applyPrice = async (line: { text: string; origin: Origin; decoded: DecodeResult }): Promise<void> => {
    await handle(line.text, line.origin, line.decoded);
    // With a buffer, lines read before this price line may not be applied yet: no checkpoint here until the input has ended.
    await options.afterEach?.(pipeline, line.origin, line.text, buffer === undefined || inputEnded);
  };
  /** With price files, each message is decoded first: the prices before its event time go ahead of it. */
  const handleAfterPrices = async (text: string, origin: Origin, decoded?: DecodeResult, emit?: boolean): Promise<void> => {
    const result = decoded ?? pipeline.decode(text);
    await prices!.applyUpTo(result.ok ? result.event.time : newestTime, applyPrice);
    await handle(text, origin, result, emit);
  };
  const handleInput = (text: string, origin: Origin, decoded?: DecodeResult, emit?: boolean): Promise<void> | undefined =>
    prices ? handleAfterPrices(text, origin, decoded, emit) : handle(text, origin, decoded, emit);
  // The messages of one instant are applied in the instant order (instant-order.ts), not in the
  // order they are read: the same lines in any order within an instant give the same bytes.
  const run = new InstantRun<InputLine>();
  // Messages read out of event time wait for their past (lateness-buffer.ts) before the instant runs.
  const buffer = options.latenessMs ? new LatenessBuffer<InputLine>({ latenessMs: options.latenessMs, ...(options.maxBuffered ? { maxBuffered: options.maxBuffered } : {}), ...(options.leapMs ? { leapMs: options.leapMs } : {}) }) : undefined;
  /** Whether a cut's last run is being applied: with a buffer, only its end is a place where every line read is applied. */
  let cutting = false;
  const settledHere = (): boolean => buffer === undefined || cutting;
  // Told in read order once the whole run is applied, so a checkpoint's line covers what it holds.
  const tellApplied = async (lines: InputLine[]): Promise<void> => {
    for (let i = 0; i < lines.length; i++) await options.afterEach?.(pipeline, lines[i]!.origin, lines[i]!.raw, i === lines.length - 1 && settledHere());
  };
  /** The rest of a run, from `ordered[next]` on, once `pending` (the message before) is settled. */
  const finishRun = async (lines: InputLine[], ordered: InputLine[], next: number, pending: Promise<void>): Promise<void> => {
    await pending;
    for (let i = next; i < ordered.length; i++) await handleInput(ordered[i]!.raw, ordered[i]!.origin, ordered[i]!.decoded, ordered[i]!.emit);
    await tellApplied(lines);
  };
  /** Applies a run; a promise only once something must be awaited (see `handle`). */
  const applyRun = (lines: InputLine[]): Promise<void> | undefined => {
    const ordered = lines.length > 1 ? [...lines].sort(compareWithinInstant) : lines;
    for (let i = 0; i < ordered.length; i++) {
      const l = ordered[i]!;
      const pending = handleInput(l.raw, l.origin, l.decoded, l.emit);
      if (pending) return finishRun(lines, ordered, i + 1, pending);
    }
    return options.afterEach ? tellApplied(lines) : undefined;
  };
  const toRun = (line: InputLine): Promise<void> | undefined => {
    const ready = run.add(line);
    return ready ? applyRun(ready) : undefined;
  };
  /** The rest of what the buffer releases, once `pending` is settled. */
  const drainAfter = async (pending: Promise<void>): Promise<void> => {
    await pending;
    for (let l = buffer!.next(); l !== undefined; l = buffer!.next()) await toRun(l);
  };
  /** What the buffer releases now goes to the instant runs; a promise only once something must be awaited. */
  const drain = (): Promise<void> | undefined => {
    for (let l = buffer!.next(); l !== undefined; l = buffer!.next()) {
      const pending = toRun(l);
      if (pending) return drainAfter(pending);
    }
    return undefined;
  };
  /** Applies everything read (the buffer's messages, then the last instant run): the end of the input, or a merge's cut. */
  const applyAllRead = async (): Promise<void> => {
    if (buffer) {
      buffer.cut();
      await drain();
    }
    const last = run.take();
    cutting = true;
    if (last) await applyRun(last);
    cutting = false;
  };
  let inputEnded = false;
  /** Input lines read since the last cut ended (the line that ended it counts). */
  let sinceCut = 0;
  /** Between a cut's start and the end of the instant run it left: lines go to that run, not to the buffer. */
  let finishingCut = false;
  /** A cut ends where the last run ends, as a checkpoint in a replay without a buffer falls: that run is applied (told `settled`), and `line`, which ends it, starts the buffer afresh. */
  const endCut = async (line: InputLine): Promise<void> => {
    finishingCut = false;
    const last = run.take();
    cutting = true;
    if (last) await applyRun(last);
    cutting = false;
    sinceCut = 1;
    buffer!.add(line, line.decoded.ok ? line.decoded.event.time : undefined);
    await drain();
  };
  /** Every `cutEvery` lines, everything held is applied; the lines after join the last run until one ends it (endCut). */
  const startCut = (): Promise<void> | undefined => {
    buffer!.cut();
    finishingCut = true;
    return drain();
  };
  const read = (line: InputLine): Promise<void> | undefined => {
    if (!buffer) return toRun(line);
    if (finishingCut) {
      if (run.endedBy(line)) return endCut(line);
      run.add(line);
      return undefined;
    }
    buffer.add(line, line.decoded.ok ? line.decoded.event.time : undefined);
    const pending = drain();
    if (options.cutEvery === undefined || ++sinceCut < options.cutEvery) return pending;
    return pending ? pending.then(startCut) : startCut();
  };
  if (options.records) {
    for await (const r of options.records) {
      if (r.cutBefore && buffer) await applyAllRead();
      await read({ raw: r.text, origin: r.origin, decoded: r.decoded ?? pipeline.decode(r.text), ...(r.emit === undefined ? {} : { emit: r.emit }), ...(r.key === undefined ? {} : { key: r.key }) });
    }
  }
  const total = options.files.reduce((s, f) => s + fileSize(f), 0);
  const bar = options.progress && total > 5_000_000
    ? new cliProgress.SingleBar({ format: 'replay [{bar}] {percentage}% | {value}/{total} MB | {messages} msgs', stream: process.stderr }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(Math.round(total / 1e6), 0, { messages: 0 });
  let doneBytes = 0;
  for (const file of options.files) {
    let fileBytes = 0;
    const covered = options.coveredLines?.get(resolve(file)) ?? 0; // applied by a restored checkpoint
    for await (const batch of readJsonLineBatches(file)) {
      for (const line of batch) {
        fileBytes = line.bytes;
        if (line.line <= covered) continue;
        const pending = read({ raw: line.text, origin: { file, line: line.line }, decoded: line.invalidBytes ? notUtf8(line.invalidBytes) : pipeline.decode(line.text) });
        if (pending) await pending;
        if (bar && pipeline.stats.read % 10_000 === 0) bar.update(Math.round((doneBytes + fileBytes) / 1e6), { messages: pipeline.stats.read });
      }
    }
    doneBytes += fileSize(file);
  }
  await applyAllRead();
  inputEnded = true;
  await options.inputsDone?.(pipeline);
  await prices?.applyUpTo(Number.POSITIVE_INFINITY, applyPrice);
  const holdAtEnd = typeof options.holdAtEnd === 'function' ? options.holdAtEnd() : options.holdAtEnd === true;
  if (!holdAtEnd) await emitHeld(pipeline.releaseHeld());
  bar?.update(Math.round(total / 1e6), { messages: pipeline.stats.read });
  bar?.stop();
  await Promise.all([close(alertOut), close(dlqOut)]);
  return { summary: { ...pipeline.stats, alerts: alertCount, byTypology, bySeverity, untracedLabels: pipeline.untracedLabels.summary, suspectFields: suspects.summary() }, alerts, cases, pipeline };
}
