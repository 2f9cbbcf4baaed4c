/**
 * Journal segments (src/checkpoint/journal.ts) restored through the monitor's choice of
 * checkpoint (src/monitor/checkpoints.ts): a whole state plus its segments gives the same state,
 * byte for byte, as the pipeline that applied the messages; a broken chain falls back to its
 * longest intact prefix; old segments go with their whole state.
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { beyondKept } from '../../src/checkpoint/store.js';
import { checkpointDue, type CheckpointMoment, positionsOf, restoreNewestUsable, saveMonitorCheckpoint } from '../../src/monitor/checkpoints.js';
import { emptyPipeline, removeTempDirs, stressedSample } from '../helpers/checkpoint.js';
import { chainOf, cutAt, start, stateBytes, TOPIC } from '../helpers/journal-chain.js';
import { rules } from '../helpers/sample.js';

afterAll(removeTempDirs);

describe('journal segments', () => {
  const lines = stressedSample();

  it('restores a whole state and its segments to the state of the pipeline that applied them, byte for byte, at the last cut', async () => {
    const { store, live, names } = await chainOf(lines, [3000, 4500, 6000, lines.length]);
    const warnings: string[] = [];
    const restored = await restoreNewestUsable(store, { build: emptyPipeline(), rules: rules(), start, warn: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
    expect(restored?.name).toBe(names[3]);
    expect(restored?.journal).toEqual({ segments: 3, messages: lines.length - 3000 });
    expect(restored?.cut).toEqual(cutAt(lines.length));
    expect((await stateBytes(restored!.pipeline)).equals(await stateBytes(live))).toBe(true);
  }, 120_000);

  it('falls back to the longest intact prefix of the chain when its newest segment is corrupt, or a segment in the middle is gone', async () => {
    const { store, dir, names } = await chainOf(lines, [3000, 4500, 6000]);
    const newest = join(dir, names[2]!);
    const intact = readFileSync(newest);
    const bytes = Buffer.from(intact);
    bytes[bytes.length - 40]! ^= 0xff;
    writeFileSync(newest, bytes);
    const warnings: string[] = [];
    const restored = await restoreNewestUsable(store, { build: emptyPipeline(), rules: rules(), start, warn: (w) => warnings.push(w) });
    expect(restored?.name).toBe(names[1]);
    expect(restored?.cut).toEqual(cutAt(4500));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${names[2]} refused`);

    writeFileSync(newest, intact);
    rmSync(join(dir, names[1]!));
    const gapWarnings: string[] = [];
    const fromBase = await restoreNewestUsable(store, { build: emptyPipeline(), rules: rules(), start, warn: (w) => gapWarnings.push(w) });
    expect(fromBase?.name).toBe(names[0]);
    expect(fromBase?.journal).toEqual({ segments: 0, messages: 0 });
    expect(gapWarnings.join('\n')).toContain(`the segment it extends, ${names[1]}, is gone`);
  }, 120_000);

  it('refuses a corrupt segment in the middle of the chain once, not again for each newer segment that links through it', async () => {
    const { store, dir, names } = await chainOf(lines, [3000, 4500, 6000]);
    const middle = join(dir, names[1]!);
    const bytes = readFileSync(middle);
    bytes[bytes.length - 40]! ^= 0xff;
    writeFileSync(middle, bytes);
    const warnings: string[] = [];
    const restored = await restoreNewestUsable(store, { build: emptyPipeline(), rules: rules(), start, warn: (w) => warnings.push(w) });
    expect(restored?.name).toBe(names[0]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${names[1]} refused`);
  }, 120_000);

  it('keeps the newest whole states with the segments newer than the oldest kept, and removes the rest', () => {
    const names = ['checkpoint-000000000009.twj', 'checkpoint-000000000008.twc', 'checkpoint-000000000007.twj', 'checkpoint-000000000006.twc', 'checkpoint-000000000005.twj', 'checkpoint-000000000004.twc'];
    expect(beyondKept(names, 2)).toEqual(['checkpoint-000000000005.twj', 'checkpoint-000000000004.twc']);
    expect(beyondKept(names, 3)).toEqual([]);
    expect(beyondKept(names, 1)).toEqual(['checkpoint-000000000007.twj', 'checkpoint-000000000006.twc', 'checkpoint-000000000005.twj', 'checkpoint-000000000004.twc']);
  });

  it('removes old segments with their whole state when a new whole state is written', async () => {
    const { store, dir, live } = await chainOf(lines, [2000, 2500, 3000]);
    for (let k = 0; k < 3; k++) await saveMonitorCheckpoint(store, live, rules(), 'g', cutAt(3000), 3);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint-000000000004.twc', 'checkpoint-000000000005.twc', 'checkpoint-000000000006.twc']);
    expect(positionsOf('g', cutAt(1)).monitor.inputs).toEqual([{ topic: TOPIC, partition: 0, offset: '1' }]);
  }, 120_000);
});

describe('which checkpoint the monitor writes (checkpointDue)', () => {
  const running: CheckpointMoment = { now: 10_000, onStop: false, scheduleDue: false, dirty: true, chainOpen: true, reopenChain: false, journaled: 50, lastJournalAt: 4_000, journalEveryMs: 5_000 };

  it('writes a segment once the journal interval has passed with messages to write, and nothing before it or with none', () => {
    expect(checkpointDue(running)).toBe('segment');
    expect(checkpointDue({ ...running, lastJournalAt: 6_000 })).toBeUndefined();
    expect(checkpointDue({ ...running, journaled: 0 })).toBeUndefined();
    expect(checkpointDue({ ...running, chainOpen: false })).toBeUndefined();
  });

  it('writes a whole checkpoint on the schedule, and on a clean stop only when something was applied since the last whole one', () => {
    expect(checkpointDue({ ...running, scheduleDue: true })).toBe('whole');
    expect(checkpointDue({ ...running, onStop: true })).toBe('whole');
    expect(checkpointDue({ ...running, onStop: true, dirty: false })).toBeUndefined();
  });

  it('reopens the chain with a whole checkpoint as soon as something is applied after a peer restore or a rule reload, once', () => {
    const reopening = { ...running, chainOpen: false, reopenChain: true };
    expect(checkpointDue(reopening)).toBe('whole');
    expect(checkpointDue({ ...reopening, dirty: false })).toBeUndefined();
    // After that one attempt the caller clears reopenChain: a failing store waits for the schedule.
    expect(checkpointDue({ ...reopening, reopenChain: false })).toBeUndefined();
  });
});
