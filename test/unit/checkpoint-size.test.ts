/**
 * Checkpoint size and write/read time, printed (never asserted: this machine's figures move by
 * 2x between runs). Replay time is printed beside them: a restore is worth it when it is faster.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { generateStream } from '../../src/bench/generate.js';
import { loadNewestValid, saveCheckpoint, verifyCheckpoint } from '../../src/checkpoint/index.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { emptyPipeline, FIXED_TIME, removeTempDirs, tempDir } from '../helpers/checkpoint.js';
import { ofacLabels, rules, sampleLines } from '../helpers/sample.js';

afterAll(removeTempDirs);

async function measure(label: string, lines: Iterable<string>): Promise<void> {
  const ruleSet = rules();
  const pipeline = new Pipeline({ rules: ruleSet, labels: ofacLabels() });
  let t = performance.now();
  let line = 0;
  for (const text of lines) pipeline.process(text, { line: ++line });
  const replayMs = performance.now() - t;
  const dir = tempDir('tw-ckpt-size-');
  t = performance.now();
  const saved = await saveCheckpoint(dir, pipeline, { rules: ruleSet, positions: { line }, createdAt: FIXED_TIME });
  const writeMs = performance.now() - t;
  t = performance.now();
  await verifyCheckpoint(dir, saved.name);
  const verifyMs = performance.now() - t;
  t = performance.now();
  const restored = await loadNewestValid(dir, { build: emptyPipeline(ruleSet), rules: ruleSet });
  const loadMs = performance.now() - t;
  expect(restored?.pipeline.stats).toEqual(pipeline.stats);
  // The restored state is the same state: written again, it is the same bytes.
  const againDir = tempDir('tw-ckpt-size-again-');
  const again = await saveCheckpoint(againDir, restored!.pipeline, { rules: ruleSet, positions: { line }, createdAt: FIXED_TIME });
  expect(again.sha256).toBe(saved.sha256);
  removeTempDirs(); // about 20 MB at 60 k messages
  const { graph, state } = pipeline;
  const ms = (x: number): string => `${Math.round(x)} ms`;
  console.log(`[checkpoint] ${label}: ${line} messages replayed in ${ms(replayMs)}; ${graph.sizes.addresses} addresses, ${state.sizes.transfers} transfers, ${state.sizes.accounts} accounts;`
    + ` checkpoint ${(saved.bytes / 1e6).toFixed(2)} MB (${Math.round(saved.bytes / line)} B/message), write ${ms(writeMs)}, verify ${ms(verifyMs)}, verify+restore ${ms(loadMs)}`);
}

describe('checkpoint size and speed (printed)', () => {
  it('the bundled sample', async () => {
    await measure('sample', sampleLines());
  });

  it('a generated stream of 60 k messages', { timeout: 600_000 }, async () => {
    await measure('generated 60k', generateStream({ messages: 60_000, accounts: 5_000, seed: 7 }));
  });
});
