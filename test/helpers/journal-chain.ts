/**
 * A journal chain in a temporary directory store (or one the caller gives), built as the monitor builds one: a whole state
 * at the first cut, then one segment per later cut, with the live pipeline beside it.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { saveCheckpoint } from '../../src/checkpoint/checkpoint.js';
import { DirectoryStore } from '../../src/checkpoint/directory-store.js';
import type { CheckpointStore } from '../../src/checkpoint/store.js';
import type { JournalRecord } from '../../src/checkpoint/journal.js';
import { saveMonitorCheckpoint, saveMonitorJournal, type StartingPoint } from '../../src/monitor/checkpoints.js';
import type { Cut } from '../../src/monitor/ownership.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { FIXED_TIME, tempDir } from './checkpoint.js';
import { ofacLabels, rules } from './sample.js';

export const TOPIC = 'in';
export const cutAt = (offset: number): Cut => new Map([[`${TOPIC}/0`, BigInt(offset)]]);
export const start: StartingPoint = { topics: [TOPIC], earliest: new Map([[`${TOPIC}/0`, 0n]]), cursors: [cutAt(1_000_000)] };

/** Applies lines [from, to) as the monitor does, returning what its journal would record. */
export function apply(pipeline: Pipeline, lines: string[], from: number, to: number): JournalRecord[] {
  const out: JournalRecord[] = [];
  for (let i = from; i < to; i++) {
    const raw = lines[i]!;
    const decodedAt = Date.parse('2026-12-01T00:00:00Z') + i;
    pipeline.processDecoded(pipeline.decode(raw, decodedAt), raw, { topic: TOPIC, partition: 0, offset: String(i) });
    out.push({ topic: TOPIC, partition: 0, offset: String(i), decodedAt, raw });
  }
  return out;
}

/** The bytes of a pipeline's whole state (a checkpoint at a fixed time and position). */
export async function stateBytes(pipeline: Pipeline): Promise<Buffer> {
  const dir = tempDir('tw-journal-state-');
  const saved = await saveCheckpoint(dir, pipeline, { rules: rules(), positions: 'p', createdAt: FIXED_TIME });
  const bytes = readFileSync(join(dir, saved.name));
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}

/** A store with a whole state at `cuts[0]` and one journal segment per later cut; the live pipeline beside it. */
export async function chainOf(lines: string[], cuts: number[]): Promise<{ store: DirectoryStore; dir: string; live: Pipeline; names: string[] }> {
  const dir = tempDir('tw-journal-');
  const store = new DirectoryStore(dir);
  return { dir, ...(await chainIn(store, lines, cuts)) };
}

/** chainOf in a store of the caller's (a Redis one, say). */
export async function chainIn<S extends CheckpointStore>(store: S, lines: string[], cuts: number[]): Promise<{ store: S; live: Pipeline; names: string[] }> {
  const live = new Pipeline({ rules: rules(), labels: ofacLabels() });
  apply(live, lines, 0, cuts[0]!);
  const base = await saveMonitorCheckpoint(store, live, rules(), 'g', cutAt(cuts[0]!), 3);
  const names = [base.name];
  let previous = base.name;
  for (let k = 1; k < cuts.length; k++) {
    const records = apply(live, lines, cuts[k - 1]!, cuts[k]!);
    const saved = await saveMonitorJournal(store, records, rules(), 'g', cutAt(cuts[k]!), { base: base.name, previous });
    names.push(saved.name);
    previous = saved.name;
  }
  return { store, live, names };
}
