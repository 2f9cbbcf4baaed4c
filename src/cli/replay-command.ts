import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { loadConfig } from '../config/config.js';
import { parseIsoUtc } from '../contract/primitives.js';
import { INPUT_TOPICS } from '../contract/schemas.js';
import { createKafka } from '../kafka/client.js';
import { formatScore, scoreAlerts, type Truth } from '../replay/score.js';
import { compareRuns, formatCompare } from '../replay/compare-report.js';
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_RULES_DIR } from '../config/paths.js';
import { loadRuleSet, type LoadedRule } from '../engine/loader.js';
import { DEFAULT_SDN_PATH, loadSdnFile, sdnLabels } from '../intel/ofac.js';
import { replayFiles, type ReplayOptions, type ReplayResult } from '../replay/replay.js';
import { replayFromKafka } from '../replay/kafka-replay.js';
import { printCases, printSummary } from './report.js';
import { replayCheckpoints, sdnFingerprint } from '../checkpoint/replay-checkpoints.js';
import { SharedIpRanges } from '../engine/shared-ip-ranges.js';
import { saslCleartextWarning } from '../kafka/sasl.js';

/**
 * The checkpoint folders, checked before the replay runs: a `--checkpoint-out` that is a file (or
 * cannot be made) failed only after the whole replay, with a raw ENOTDIR and no checkpoint
 * (session 41 QA), and a `--checkpoint-from` that is missing or a file said only ENOENT/ENOTDIR.
 */
function checkCheckpointDirs(opts: { checkpointFrom?: string; checkpointOut?: string }): void {
  const from = opts.checkpointFrom;
  if (from !== undefined) {
    if (!existsSync(from)) throw new Error(`--checkpoint-from: ${from} does not exist`);
    if (!statSync(from).isDirectory()) throw new Error(`--checkpoint-from: ${from} is a file; give the folder that holds the checkpoints`);
  }
  const out = opts.checkpointOut;
  if (out === undefined) return;
  if (existsSync(out) && !statSync(out).isDirectory()) throw new Error(`--checkpoint-out: ${out} is a file, not a folder for checkpoints`);
  try {
    mkdirSync(out, { recursive: true });
    accessSync(out, constants.W_OK);
  } catch (err) {
    throw new Error(`--checkpoint-out: cannot write checkpoints into ${out} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('run the whole pipeline over JSONL files on the embedded in-memory stores')
    .argument('[files...]', 'JSON Lines input files, replayed in order')
    .option('--from-kafka', 'read the input topics from Kafka instead of files (KAFKA_BROKERS): every partition up to its end offset at start, merged in event time')
    .option('--since <time>', 'with --from-kafka: ISO-8601 event time from which alerts and dead letters are written (earlier messages still build the state)')
    .option('--until <time>', 'with --from-kafka: ISO-8601 event time, exclusive, at which the replay stops')
    .option('--topics <list>', 'with --from-kafka: comma-separated topics', INPUT_TOPICS.join(','))
    .option('--prices <files>', 'comma-separated market.price.v1 JSONL files, merged by event time into the inputs', (v: string) => v.split(',').filter(Boolean))
    .option('--alerts <file>', 'write each alert as one JSON line here')
    .option('--dlq <file>', 'write each rejected line, with its reason and line number, here')
    .option('--rules <dir>', 'rules folder', DEFAULT_RULES_DIR)
    .option('--ofac <file>', 'OFAC SDN data file', DEFAULT_SDN_PATH)
    .option('--no-ofac', 'do not load the bundled OFAC SDN labels')
    .option('--cases', 'print the case queue the alerts would open')
    .option('--compare <dir>', 'also replay with rule set <dir>: a verdict line, then alerts added and dropped per rule and severity (with --cases: cases opened and no longer opened; with --truth: recall and precision before and after)')
    .option('--truth <file>', 'score the alerts against a truth.json: recall per typology, precision per account')
    .option('--quiet', 'print nothing but errors')
    .option('--checkpoint-from <dir>', 'start from the newest valid checkpoint in <dir> and continue with the given (later) files')
    .option('--checkpoint-out <dir>', 'write a checkpoint of the whole state into <dir> at the end')
    .option('--checkpoint-every <n>', 'with --checkpoint-out: also write one every <n> messages', positiveInt)
    .option('--checkpoint-keep <n>', 'with --checkpoint-out: checkpoints kept, newest first', positiveInt, 3)
    .action(async (files: string[], opts: { prices?: string[]; fromKafka?: boolean; since?: string; until?: string; topics: string; alerts?: string; dlq?: string; rules: string; ofac: string | false; cases?: boolean; quiet?: boolean; truth?: string; compare?: string; checkpointFrom?: string; checkpointOut?: string; checkpointEvery?: number; checkpointKeep?: number }) => {
      if (!opts.fromKafka && files.length === 0) throw new Error('give input files, or --from-kafka');
      if (opts.quiet && (opts.truth || opts.cases)) throw new Error('--quiet prints nothing, so it would ignore --truth and --cases: drop one');
      if (opts.truth && !existsSync(opts.truth)) throw new Error(`--truth: file not found: ${opts.truth}`);
      const truth = opts.truth ? readTruth(opts.truth) : undefined;
      for (const f of files) {
        if (!existsSync(f)) throw new Error(`input file not found: ${f}`);
        if (statSync(f).isDirectory()) throw new Error(`input ${f} is a directory, not a JSONL file`);
      }
      for (const f of opts.prices ?? []) if (!existsSync(f)) throw new Error(`--prices: file not found: ${f}`);
      if (opts.prices && opts.fromKafka) throw new Error('--prices is for file replays: with --from-kafka, prices come from the market.prices topic');
      if ((opts.since !== undefined || opts.until !== undefined) && !opts.fromKafka) throw new Error('--since and --until select a window of topics read with --from-kafka; a file replay reads its whole files (cut the file, or write a checkpoint with --checkpoint-out and start from it)');
      const since = parseTime('--since', opts.since);
      const until = parseTime('--until', opts.until);
      if (since !== undefined && until !== undefined && since >= until) throw new Error(`--since ${opts.since} is not before --until ${opts.until}: the window would hold nothing`);
      const checkpointing = opts.checkpointFrom !== undefined || opts.checkpointOut !== undefined;
      if (opts.checkpointEvery !== undefined && !opts.checkpointOut) throw new Error('--checkpoint-every needs --checkpoint-out <dir>');
      if (checkpointing && (opts.fromKafka || opts.compare)) throw new Error('--checkpoint-from/--checkpoint-out work with file replays only (not --from-kafka or --compare)');
      checkCheckpointDirs(opts);
      const rules = loadRuleSet(opts.rules);
      const config = loadConfig();
      const pipelineOptions = { decode: { maxAheadMs: config.EVENT_TIME_MAX_AHEAD_DAYS * 86_400_000, ipFormat: config.SESSION_IP_FORMAT }, topicSchemaCheck: config.TOPIC_SCHEMA_CHECK === 'on', maxLeapMs: config.EVENT_TIME_MAX_LEAP_DAYS * 86_400_000, rejudgementHoldMs: config.REJUDGEMENT_HOLD_MINUTES * 60_000, state: { maxTransfers: config.STATE_MAX_TRANSFERS, sharedIpRanges: SharedIpRanges.parse(config.SHARED_IP_RANGES) }, graph: { maxAddresses: config.STATE_MAX_ADDRESSES } };
      const labels = opts.ofac === false ? [] : sdnLabels(loadSdnFile(opts.ofac));
      // A restored state holds the labels; a listing matched ignoring case is configuration, given again.
      // Warnings (a refused checkpoint, other rules, another sanctions list) print under --quiet too.
      const checkpointLog = (line: string): void => { if (!opts.quiet || line.startsWith('warning:')) console.error(line); };
      const checkpoints = checkpointing ? await replayCheckpoints(opts, rules, checkpointLog, { ...pipelineOptions, labels: labels.filter((l) => l.caseInsensitive) }, [...files, ...(opts.prices ?? [])], sdnFingerprint(labels)) : undefined;
      const cleartext = opts.fromKafka ? saslCleartextWarning(config) : undefined;
      if (cleartext) console.error(`warning: ${cleartext}`);
      const fromKafka = opts.fromKafka
        ? { kafka: createKafka(config), topics: opts.topics.split(','), since, until }
        : undefined;
      // Messages read out of event time wait REPLAY_LATENESS_MINUTES for their past; a checkpoint every N lines is a cut (everything read is applied first).
      const lateness = { latenessMs: config.REPLAY_LATENESS_MINUTES * 60_000, leapMs: config.EVENT_TIME_MAX_LEAP_DAYS * 86_400_000, ...(opts.checkpointEvery ? { cutEvery: opts.checkpointEvery } : {}) };
      const run = (ruleSet: LoadedRule[], outputs: Pick<ReplayOptions, 'alertsPath' | 'dlqPath' | 'progress' | 'keep'>): Promise<ReplayResult> =>
        fromKafka ? replayFromKafka({ ...fromKafka, ...lateness, pipeline: pipelineOptions, rules: ruleSet, labels, ...outputs }) : replayFiles({ files, ...lateness, pipeline: pipelineOptions, ...(opts.prices ? { priceFiles: opts.prices } : {}), rules: ruleSet, labels, ...outputs, ...(checkpoints?.pipeline ? { pipelineInstance: checkpoints.pipeline } : {}), ...(checkpoints ? { afterEach: checkpoints.afterEach, coveredLines: checkpoints.coveredLines, inputsDone: checkpoints.finish } : {}), ...(opts.checkpointOut ? { holdAtEnd: true } : {}) });
      // Only what a flag reads stays in memory: the alerts for --truth and --compare, the cases for --cases.
      const keep = { alerts: truth !== undefined || opts.compare !== undefined, cases: opts.cases === true };
      const { summary, cases, alerts } = await run(rules, {
        keep,
        progress: process.stderr.isTTY && !opts.quiet,
        ...(opts.alerts ? { alertsPath: opts.alerts } : {}),
        ...(opts.dlq ? { dlqPath: opts.dlq } : {}),
      });
      if (opts.compare) {
        const other = await run(loadRuleSet(opts.compare), { keep });
        const report = compareRuns({ alerts, ...(opts.cases ? { cases: await cases.list() } : {}) }, { alerts: other.alerts, ...(opts.cases ? { cases: await other.cases.list() } : {}) }, truth);
        console.log(formatCompare(report));
        return;
      }
      if (summary.rejected > 0 && !opts.dlq) console.error(`${summary.rejected} rejected line(s) were written nowhere: give --dlq <file> to keep each with its reason`);
      if (opts.quiet) return;
      printSummary(summary, rules.length);
      if (opts.cases) printCases(await cases.list(), 15);
      if (truth) console.log('\n' + formatScore(scoreAlerts(alerts, truth)));
    });
}

/** A truth.json (see examples/truth.json): `accounts` maps each planted account to its typologies. */
function readTruth(path: string): Truth {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`--truth ${path}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const accounts = (doc as { accounts?: unknown } | null)?.accounts;
  if (typeof accounts !== 'object' || accounts === null || Object.values(accounts).some((v) => !Array.isArray(v))) throw new Error(`--truth ${path}: needs "accounts": { accountId: [typology, …] }`);
  return doc as Truth;
}

function parseTime(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const time = parseIsoUtc(text);
  if (time === undefined) throw new Error(`${flag}: not an ISO-8601 UTC time: ${text}`);
  return time;
}

function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`not a positive integer: ${text}`);
  return n;
}
