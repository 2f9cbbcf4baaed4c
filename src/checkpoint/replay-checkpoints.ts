/**
 * `replay --checkpoint-from/--checkpoint-out/--checkpoint-every`: a backtest of last month
 * starts from a checkpoint instead of the years before it, and a replay can leave one behind.
 * Positions are the files and last lines applied, appended to those of the checkpoint it
 * started from, so a chain of replays says which input its state covers.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LoadedRule } from '../engine/loader.js';
import { readJsonLines } from '../sources/file-source.js';
import type { Origin } from '../decode/events.js';
import { Pipeline, type PipelineOptions } from '../pipeline/pipeline.js';
import type { SdnLabel } from '../intel/ofac.js';
import { DEFAULT_KEEP, loadNewestValid, saveCheckpoint } from './checkpoint.js';

export interface ReplayCheckpointFlags {
  checkpointFrom?: string;
  checkpointOut?: string;
  checkpointEvery?: number;
  checkpointKeep?: number;
}

export interface ReplayPositions {
  /** Each file's last applied line, with the SHA-256 of that line's text (since session 25) to tell a file replaced since. */
  files: { file: string; line: number; lineSha256?: string }[];
  /** The sanctions list the state's labels came from (since session 41; absent in older checkpoints). */
  sdn?: SdnFingerprint;
}

/** What tells two sanctions lists apart: the SHA-256 of their sorted label ids, their count and the list's name. */
export interface SdnFingerprint {
  sha256: string;
  labels: number;
  list: string;
}

export interface ReplayCheckpoints {
  /** The restored pipeline to continue, when starting from a checkpoint. */
  pipeline?: Pipeline;
  /** Given files (resolved paths) whose first lines the restored checkpoint applied: the replay skips them. */
  coveredLines: Map<string, number>;
  afterEach: (pipeline: Pipeline, origin: Origin, text: string, settled: boolean) => Promise<void>;
  /** Writes the final checkpoint, when asked for one. */
  finish: (pipeline: Pipeline) => Promise<void>;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The text of the file's line `n` (as the replay numbers lines) and its last non-blank line's number. */
async function lineOf(file: string, n: number): Promise<{ text: string | undefined; last: number }> {
  let text: string | undefined;
  let last = 0;
  for await (const line of readJsonLines(file)) {
    last = line.line;
    if (line.line === n) text = line.text;
  }
  return { text, last };
}

/** The furthest position per file (a chain of replays lists a file again when it was given again). */
function furthest(positions: ReplayPositions['files']): Map<string, ReplayPositions['files'][number]> {
  const out = new Map<string, ReplayPositions['files'][number]>();
  for (const p of positions) {
    const key = resolve(p.file);
    if ((out.get(key)?.line ?? -1) < p.line) out.set(key, p);
  }
  return out;
}

/**
 * What the restored checkpoint covers of each input, checked against the files given:
 * - a file given again resumes after the lines the checkpoint applied (before, they were read
 *   again: counted as duplicates, their bad lines dead-lettered a second time), once the last of
 *   them is found unchanged;
 * - a file not given that the checkpoint applied only in part is refused: the newest checkpoint
 *   was refused and an older one, taken mid-file, was used instead, or the checkpoint was written
 *   mid-file, and the lines between would be skipped silently (QA: 600 messages, an extra alert,
 *   exit 0). A file no longer on disk cannot be checked.
 */
async function coverage(positions: ReplayPositions['files'], given: readonly string[], location: string): Promise<Map<string, number>> {
  const givenPaths = new Set(given.map((f) => resolve(f)));
  const covered = new Map<string, number>();
  for (const [path, { file, line, lineSha256 }] of furthest(positions)) {
    if (!existsSync(file) && !givenPaths.has(path)) continue;
    const { text, last } = await lineOf(file, line);
    if (givenPaths.has(path)) {
      if (text === undefined || (lineSha256 !== undefined && sha256(text) !== lineSha256)) {
        throw new Error(`--checkpoint-from: ${location} applied ${file} to line ${line}, and ${file} ${text === undefined ? `has no line ${line} now (${last} lines)` : `has another line ${line} now`}: it is not the file the checkpoint read. Give only the lines after those it applied, in a file of their own, or start from another checkpoint`);
      }
      covered.set(path, line);
    } else if (line < last) {
      throw new Error(`--checkpoint-from: ${location} covers ${file} only to line ${line} of ${last}, and ${file} is not among the files given: lines ${line + 1} to ${last} would never be applied. Give ${file} again (the lines the checkpoint applied are skipped), or start from another checkpoint`);
    }
  }
  return covered;
}

/**
 * The fingerprint of the labels an SDN file gives (`sdnLabels`): a replay that goes on from a
 * checkpoint keeps the checkpoint's labels, so a list given that differs from them is named in a
 * warning rather than ignored without a word (session 41 QA: an address added to the list raised
 * 2 alerts in a whole replay and none, silently, in one resumed from a checkpoint).
 */
export function sdnFingerprint(labels: readonly SdnLabel[]): SdnFingerprint {
  const ids = labels.map((l) => `${l.key}|${l.record.label}|${String((l.record.detail as { sdnUid?: unknown } | undefined)?.sdnUid ?? '')}`).sort();
  const lists = [...new Set(labels.map((l) => String((l.record.detail as { list?: unknown } | undefined)?.list ?? l.record.source)))].sort();
  return { sha256: sha256(ids.join('\n')), labels: labels.length, list: lists.join(', ') || 'none' };
}

export async function replayCheckpoints(flags: ReplayCheckpointFlags, rules: LoadedRule[], log: (line: string) => void, pipelineOptions: Partial<PipelineOptions> = {}, files: readonly string[] = [], sdn?: SdnFingerprint): Promise<ReplayCheckpoints> {
  let earlier: ReplayPositions['files'] = [];
  // The list whose labels the state holds: the restored checkpoint's when it names one, else the one given.
  let sdnInForce = sdn;
  let pipeline: Pipeline | undefined;
  let coveredLines = new Map<string, number>();
  if (flags.checkpointFrom) {
    const restored = await loadNewestValid(flags.checkpointFrom, { build: () => new Pipeline({ ...pipelineOptions, rules, labels: (pipelineOptions.labels ?? []).filter((l) => l.caseInsensitive) }), rules, onWarning: (w) => log(`warning: ${w}`) });
    // A replay of the later files alone on an empty state would be wrong, not just slow: refuse.
    if (!restored) throw new Error(`--checkpoint-from ${flags.checkpointFrom}: no valid checkpoint there; replay the whole history instead`);
    const restoredPositions = restored.header.positions as Partial<ReplayPositions> | undefined;
    earlier = restoredPositions?.files ?? [];
    if (restoredPositions?.sdn) {
      sdnInForce = restoredPositions.sdn;
      const was = restoredPositions.sdn;
      if (sdn && sdn.sha256 !== was.sha256) log(`warning: the sanctions list given (${sdn.labels} labels, ${sdn.list}) is not the one ${restored.location} was built with (${was.labels} labels, ${was.list}): the checkpoint's labels stay in force, and the list given is not applied; replay the whole history to judge it under the list given`);
    }
    log(`restored ${restored.location} (${restored.pipeline.stats.read} messages; ${earlier.map((p) => `${p.file}:${p.line}`).join(', ') || 'no positions'})`);
    coveredLines = await coverage(earlier, files, restored.location);
    for (const f of files) {
      const line = coveredLines.get(resolve(f));
      if (line !== undefined) log(`${f}: lines 1 to ${line} were applied by the checkpoint; going on from line ${line + 1}`);
    }
    pipeline = restored.pipeline;
  }
  const lines = new Map<string, { line: number; text: string }>();
  let handled = 0;
  /** `handled` when the last checkpoint was saved. */
  let savedAt = 0;
  const positions = (): ReplayPositions => ({ files: [...earlier, ...[...lines].map(([file, { line, text }]) => ({ file, line, lineSha256: sha256(text) }))], ...(sdnInForce ? { sdn: sdnInForce } : {}) });
  const save = async (p: Pipeline): Promise<void> => {
    if (!flags.checkpointOut) return;
    const started = performance.now();
    const saved = await saveCheckpoint(flags.checkpointOut, p, { rules, positions: positions(), keep: flags.checkpointKeep ?? DEFAULT_KEEP });
    log(`checkpoint ${saved.location}: ${saved.bytes} bytes in ${Math.round(performance.now() - started)} ms`);
  };
  return {
    ...(pipeline ? { pipeline } : {}),
    coveredLines,
    afterEach: async (p, origin, text, settled) => {
      if (origin.file !== undefined && origin.line !== undefined) {
        // The furthest line: a replay that holds messages for their past (lateness-buffer.ts) applies them out of line order.
        const last = lines.get(origin.file);
        if (!last) lines.set(origin.file, { line: origin.line, text });
        else if (origin.line >= last.line) { last.line = origin.line; last.text = text; }
      }
      handled++;
      // Only where every line applied is recorded (not inside an instant's run: see replay.ts).
      if (flags.checkpointEvery && settled && handled - savedAt >= flags.checkpointEvery) {
        savedAt = handled;
        await save(p);
      }
    },
    finish: save,
  };
}
