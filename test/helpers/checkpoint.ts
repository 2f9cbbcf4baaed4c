import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedRule } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { replayFiles, type ReplayRecord, type ReplayResult } from '../../src/replay/replay.js';
import { ofacLabels, rules, sampleLines } from './sample.js';

const made: string[] = [];

/** A fresh directory under the system temp dir, removed by removeTempDirs (checkpoints run to MBs each). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * The sample with what a checkpoint must carry across the cut made visible: a malformed line
 * every 900 lines (dead letters), and every 500th line of the sample delivered again 2,000
 * lines later (the eventId dedupe must remember it across the cut).
 */
export function stressedSample(): string[] {
  const lines = sampleLines();
  const out: string[] = [];
  lines.forEach((line, i) => {
    out.push(line);
    if (i % 900 === 450) out.push(line.slice(0, 40));
    if (i >= 2000 && (i - 2000) % 500 === 0) out.push(lines[i - 2000]!);
  });
  return out;
}

/** Records with origins numbered as lines of one file, whatever slice they are taken from. */
export function records(lines: readonly string[], from: number, to: number): ReplayRecord[] {
  return lines.slice(from, to).map((text, i) => ({ text, origin: { file: 'stream.jsonl', line: from + i + 1 } }));
}

export interface Outputs {
  alerts: string;
  dlq: string;
  result: ReplayResult;
}

export async function replayRecords(input: ReplayRecord[], dir: string, name: string, pipeline?: Pipeline): Promise<Outputs> {
  const alertsPath = join(dir, `${name}.alerts.jsonl`);
  const dlqPath = join(dir, `${name}.dlq.jsonl`);
  const result = await replayFiles({ files: [], records: input, rules: rules(), labels: pipeline ? [] : ofacLabels(), alertsPath, dlqPath, ...(pipeline ? { pipelineInstance: pipeline } : {}) });
  return { alerts: readFileSync(alertsPath, 'utf8'), dlq: readFileSync(dlqPath, 'utf8'), result };
}

/** What a restore needs: a fresh pipeline with the rules and no labels (the checkpoint has them). */
export const emptyPipeline = (ruleSet: LoadedRule[] = rules()) => (): Pipeline => new Pipeline({ rules: ruleSet, labels: [] });

export const FIXED_TIME = new Date('2026-01-01T00:00:00.000Z');
