/**
 * `replay --checkpoint-from/--checkpoint-out/--checkpoint-every`: a backtest of last month
 * starts from a checkpoint instead of the years before it, and a replay can leave one behind.
 * Positions are the files and last lines applied, appended to those of the checkpoint it
 * started from, so a chain of replays says which input its state covers.
 */
import type { LoadedRule } from '../engine/loader.js';
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

export async function replayCheckpoints(flags: ReplayCheckpointFlags, rules: LoadedRule[], log: (line: string) => void, pipelineOptions: Partial<PipelineOptions> = {}): Promise<ReplayCheckpoints> {
  let earlier: ReplayPositions['files'] = [];
  let pipeline: Pipeline | undefined;
  if (flags.checkpointFrom) {
    const restored = await loadNewestValid(flags.checkpointFrom, { build: () => new Pipeline({ ...pipelineOptions, rules, labels: [] }), rules, onWarning: (w) => log(`warning: ${w}`) });
    // A replay of the later files alone on an empty state would be wrong, not just slow: refuse.
    if (!restored) throw new Error(`--checkpoint-from ${flags.checkpointFrom}: no valid checkpoint there; replay the whole history instead`);
    earlier = (restored.header.positions as Partial<ReplayPositions> | undefined)?.files ?? [];
    log(`restored ${restored.location} (${restored.pipeline.stats.read} messages; ${earlier.map((p) => `${p.file}:${p.line}`).join(', ') || 'no positions'})`);
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
