/**
 * A checkpoint carries the whole pipeline state: replaying a stream in two halves, with a
 * checkpoint saved after the first and restored into a fresh pipeline for the second, gives the
 * alerts and dead letters of a straight replay byte for byte, and the same state.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { FORMAT_VERSION } from '../../src/checkpoint/header.js';
import { rules, sampleLines } from '../helpers/sample.js';
import { emptyPipeline, FIXED_TIME, records, replayRecords, stressedSample, removeTempDirs, tempDir, type Outputs } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const lines = stressedSample();
let straight: Outputs;
let straightState: Buffer;

beforeAll(async () => {
  const dir = tempDir('tw-ckpt-straight-');
  straight = await replayRecords(records(lines, 0, lines.length), dir, 'straight');
  const saved = await saveCheckpoint(dir, straight.result.pipeline, { rules: rules(), positions: { line: lines.length }, createdAt: FIXED_TIME });
  straightState = readFileSync(saved.location);
});

describe('replay in two halves with a checkpoint between', () => {
  it('the stream exercises dead letters and redelivered duplicates across every cut', () => {
    expect(straight.dlq.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(7);
    expect(straight.result.summary.duplicates).toBeGreaterThanOrEqual(9);
    expect(straight.alerts.split('\n').filter(Boolean).length).toBeGreaterThan(200);
  });

  for (const cut of [1_000, 3_500, 6_000]) {
    it(`cut at line ${cut}: the same alert and DLQ bytes, counters and state as a straight replay`, async () => {
      const dir = tempDir(`tw-ckpt-${cut}-`);
      const first = await replayRecords(records(lines, 0, cut), dir, 'first');
      await saveCheckpoint(dir, first.result.pipeline, { rules: rules(), positions: { line: cut }, createdAt: FIXED_TIME });
      const restored = await loadNewestValid(dir, { build: emptyPipeline(), rules: rules() });
      expect(restored?.warnings).toEqual([]);
      expect(restored!.header).toMatchObject({ version: FORMAT_VERSION, tidewatch: '0.1.0', createdAt: FIXED_TIME.toISOString(), positions: { line: cut } });
      expect(restored!.header.rules.ids).toHaveLength(rules().length);
      const second = await replayRecords(records(lines, cut, lines.length), dir, 'second', restored!.pipeline);

      expect(first.alerts + second.alerts).toBe(straight.alerts);
      expect(first.dlq + second.dlq).toBe(straight.dlq);
      expect(second.result.pipeline.stats).toEqual(straight.result.pipeline.stats);
      // Beyond the outputs: the resumed state is the straight run's state, byte for byte.
      const after = await saveCheckpoint(dir, second.result.pipeline, { rules: rules(), positions: { line: lines.length }, createdAt: FIXED_TIME });
      expect(readFileSync(after.location).equals(straightState)).toBe(true);
    });
  }

  it('holds on the late-evidence path too: every chain and intel message after the exchange messages', async () => {
    const rank = (l: string): number => { const s = JSON.parse(l).schema as string; return s.startsWith('exchange') ? 0 : s.startsWith('chain') ? 1 : 2; };
    const lagged = [...sampleLines()].sort((a, b) => rank(a) - rank(b));
    const dir = tempDir('tw-ckpt-late-');
    const whole = await replayRecords(records(lagged, 0, lagged.length), dir, 'whole');
    const cut = lagged.findIndex((l) => rank(l) === 1) + 200; // inside the chain messages: merges and flows re-examine restored transfers
    const first = await replayRecords(records(lagged, 0, cut), dir, 'first');
    await saveCheckpoint(dir, first.result.pipeline, { rules: rules(), positions: { line: cut } });
    const restored = await loadNewestValid(dir, { build: emptyPipeline(), rules: rules() });
    const second = await replayRecords(records(lagged, cut, lagged.length), dir, 'second', restored!.pipeline);
    expect(second.result.summary.reevaluations).toBeGreaterThan(0);
    expect(first.alerts + second.alerts).toBe(whole.alerts);
  });
});

describe('canonical bytes', () => {
  it('checkpoint → restore → checkpoint gives identical bytes', async () => {
    const dir = tempDir('tw-ckpt-again-');
    const first = await replayRecords(records(lines, 0, 3_500), dir, 'first');
    const a = await saveCheckpoint(dir, first.result.pipeline, { rules: rules(), positions: { line: 3_500 }, createdAt: FIXED_TIME });
    const restored = await loadNewestValid(dir, { build: emptyPipeline(), rules: rules() });
    const b = await saveCheckpoint(tempDir('tw-ckpt-again2-'), restored!.pipeline, { rules: rules(), positions: { line: 3_500 }, createdAt: FIXED_TIME });
    expect(b.bytes).toBe(a.bytes);
    expect(b.sha256).toBe(a.sha256);
    expect(readFileSync(b.location).equals(readFileSync(a.location))).toBe(true);
  });
});
