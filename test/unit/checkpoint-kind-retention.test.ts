/**
 * The per-kind transfer indexes round-trip through a checkpoint: with withdrawals kept only three
 * days, many have left the history and their index by the cut, and a replay resumed from the
 * checkpoint still gives the straight replay's alerts and state, byte for byte.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';
import { FIXED_TIME, records, removeTempDirs, replayRecords, stressedSample, tempDir } from '../helpers/checkpoint.js';

const DAY = 86_400_000;
const shortWithdrawals = (): Pipeline => new Pipeline({ rules: rules(), labels: [], state: { kindRetention: { withdrawal: 3 * DAY } } });

afterAll(removeTempDirs);

describe('checkpoint of per-kind transfer retention', () => {
  it('resumes with withdrawals already expired and gives the straight replay alerts and state bytes', async () => {
    const lines = stressedSample();
    const cut = 4_000;
    const straightDir = tempDir('tw-ckpt-kind-straight-');
    const straight = await replayRecords(records(lines, 0, lines.length), straightDir, 'straight', shortWithdrawals());
    const straightState = readFileSync((await saveCheckpoint(straightDir, straight.result.pipeline, { rules: rules(), positions: { line: lines.length }, createdAt: FIXED_TIME })).location);

    const dir = tempDir('tw-ckpt-kind-cut-');
    const first = await replayRecords(records(lines, 0, cut), dir, 'first', shortWithdrawals());
    const sizes = first.result.pipeline.state.sizes;
    // Withdrawals past three days have gone: fewer transfers are indexed than the history keeps deposits for.
    const kept = (kind: 'deposit' | 'withdrawal'): number => first.result.pipeline.state.checkpointParts().byEventId[kind].size;
    expect(kept('withdrawal')).toBeGreaterThan(0);
    expect(kept('deposit')).toBeGreaterThan(kept('withdrawal'));
    expect(sizes.transfers).toBe(kept('deposit') + kept('withdrawal'));
    await saveCheckpoint(dir, first.result.pipeline, { rules: rules(), positions: { line: cut }, createdAt: FIXED_TIME });
    const restored = await loadNewestValid(dir, { build: shortWithdrawals, rules: rules() });
    expect(restored?.pipeline.state.checkpointParts().byEventId.withdrawal.size).toBe(kept('withdrawal'));
    const second = await replayRecords(records(lines, cut, lines.length), dir, 'second', restored!.pipeline);

    expect(first.alerts + second.alerts).toBe(straight.alerts);
    const after = await saveCheckpoint(dir, second.result.pipeline, { rules: rules(), positions: { line: lines.length }, createdAt: FIXED_TIME });
    expect(readFileSync(after.location).equals(straightState)).toBe(true);
  });
});
