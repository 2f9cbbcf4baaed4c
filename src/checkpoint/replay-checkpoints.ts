/**
 * `replay --checkpoint-from/--checkpoint-out/--checkpoint-every`: a backtest of last month
 * starts from a checkpoint instead of the years before it, and a replay can leave one behind.
 * Positions are the files and last lines applied, appended to those of the checkpoint it
 * started from, so a chain of replays says which input its state covers.
 */
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
  files: { file: string; line: number }[];
}

export interface ReplayCheckpoints {
  /** The restored pipeline to continue, when starting from a checkpoint. */
  pipeline?: Pipeline;
  afterEach: (pipeline: Pipeline, origin: Origin) => Promise<void>;
  /** Writes the final checkpoint, when asked for one. */
  finish: (pipeline: Pipeline) => Promise<void>;
}

/** The number of the file's last non-blank line (as the replay numbers lines), 0 for none. */
async function lastLineOf(file: string): Promise<number> {
  let last = 0;
  for await (const line of readJsonLines(file)) last = line.line;
  return last;
}

/**
 * Refuses a restored checkpoint that leaves part of an input file unapplied when that file is not
 * among the files given: the newest checkpoint was refused and an older one, taken mid-file, was
 * used instead, or the checkpoint was written mid-file. The lines between would be skipped
 * silently (QA: 600 messages, an extra alert, exit 0). A file no longer on disk cannot be checked.
 */
async function checkCoverage(positions: ReplayPositions['files'], given: readonly string[], location: string): Promise<void> {
  const givenPaths = new Set(given.map((f) => resolve(f)));
  for (const { file, line } of positions) {
    if (givenPaths.has(resolve(file)) || !existsSync(file)) continue;
    const last = await lastLineOf(file);
    if (line < last) {
      throw new Error(`--checkpoint-from: ${location} covers ${file} only to line ${line} of ${last}, and ${file} is not among the files given: lines ${line + 1} to ${last} would never be applied. Give those lines first (for example tail -n +${line + 1} ${file}), or start from another checkpoint`);
    }
  }
}

export async function replayCheckpoints(flags: ReplayCheckpointFlags, rules: LoadedRule[], log: (line: string) => void, pipelineOptions: Partial<PipelineOptions> = {}, files: readonly string[] = []): Promise<ReplayCheckpoints> {
  let earlier: ReplayPositions['files'] = [];
  let pipeline: Pipeline | undefined;
  if (flags.checkpointFrom) {
    const restored = await loadNewestValid(flags.checkpointFrom, { build: () => new Pipeline({ ...pipelineOptions, rules, labels: [] }), rules, onWarning: (w) => log(`warning: ${w}`) });
    // A replay of the later files alone on an empty state would be wrong, not just slow: refuse.
    if (!restored) throw new Error(`--checkpoint-from ${flags.checkpointFrom}: no valid checkpoint there; replay the whole history instead`);
    earlier = (restored.header.positions as Partial<ReplayPositions> | undefined)?.files ?? [];
    log(`restored ${restored.location} (${restored.pipeline.stats.read} messages; ${earlier.map((p) => `${p.file}:${p.line}`).join(', ') || 'no positions'})`);
    await checkCoverage(earlier, files, restored.location);
    pipeline = restored.pipeline;
  }
  const lines = new Map<string, number>();
  let handled = 0;
  const positions = (): ReplayPositions => ({ files: [...earlier, ...[...lines].map(([file, line]) => ({ file, line }))] });
  const save = async (p: Pipeline): Promise<void> => {
    if (!flags.checkpointOut) return;
    const started = performance.now();
    const saved = await saveCheckpoint(flags.checkpointOut, p, { rules, positions: positions(), keep: flags.checkpointKeep ?? DEFAULT_KEEP });
    log(`checkpoint ${saved.location}: ${saved.bytes} bytes in ${Math.round(performance.now() - started)} ms`);
  };
  return {
    ...(pipeline ? { pipeline } : {}),
    afterEach: async (p, origin) => {
      if (origin.file !== undefined && origin.line !== undefined) lines.set(origin.file, origin.line);
      if (flags.checkpointEvery && ++handled % flags.checkpointEvery === 0) await save(p);
    },
    finish: save,
  };
}
