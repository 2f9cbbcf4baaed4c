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
}

export interface ReplayCheckpoints {
  /** The restored pipeline to continue, when starting from a checkpoint. */
  pipeline?: Pipeline;
  /** Given files (resolved paths) whose first lines the restored checkpoint applied: the replay skips them. */
  coveredLines: Map<string, number>;
  afterEach: (pipeline: Pipeline, origin: Origin, text: string) => Promise<void>;
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

export async function replayCheckpoints(flags: ReplayCheckpointFlags, rules: LoadedRule[], log: (line: string) => void, pipelineOptions: Partial<PipelineOptions> = {}, files: readonly string[] = []): Promise<ReplayCheckpoints> {
  let earlier: ReplayPositions['files'] = [];
  let pipeline: Pipeline | undefined;
  let coveredLines = new Map<string, number>();
  if (flags.checkpointFrom) {
    const restored = await loadNewestValid(flags.checkpointFrom, { build: () => new Pipeline({ ...pipelineOptions, rules, labels: (pipelineOptions.labels ?? []).filter((l) => l.caseInsensitive) }), rules, onWarning: (w) => log(`warning: ${w}`) });
    // A replay of the later files alone on an empty state would be wrong, not just slow: refuse.
    if (!restored) throw new Error(`--checkpoint-from ${flags.checkpointFrom}: no valid checkpoint there; replay the whole history instead`);
    earlier = (restored.header.positions as Partial<ReplayPositions> | undefined)?.files ?? [];
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
  const positions = (): ReplayPositions => ({ files: [...earlier, ...[...lines].map(([file, { line, text }]) => ({ file, line, lineSha256: sha256(text) }))] });
  const save = async (p: Pipeline): Promise<void> => {
    if (!flags.checkpointOut) return;
    const started = performance.now();
    const saved = await saveCheckpoint(flags.checkpointOut, p, { rules, positions: positions(), keep: flags.checkpointKeep ?? DEFAULT_KEEP });
    log(`checkpoint ${saved.location}: ${saved.bytes} bytes in ${Math.round(performance.now() - started)} ms`);
  };
  return {
    ...(pipeline ? { pipeline } : {}),
    coveredLines,
    afterEach: async (p, origin, text) => {
      if (origin.file !== undefined && origin.line !== undefined) {
        const last = lines.get(origin.file);
        if (last) { last.line = origin.line; last.text = text; } else lines.set(origin.file, { line: origin.line, text });
      }
      if (flags.checkpointEvery && ++handled % flags.checkpointEvery === 0) await save(p);
    },
    finish: save,
  };
}
