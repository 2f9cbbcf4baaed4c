/**
 * A checkpoint a restore refuses (truncated, random bytes, a directory where a file should be) is
 * set aside in the instance's own store, so retention (CHECKPOINT_KEEP) never again gives it a
 * place and deletes a valid checkpoint instead (session 33 operations QA: with three kept, a
 * truncated file, a garbage file and a directory held the places and both valid states went).
 */
import { existsSync, mkdirSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryStore } from '../../src/checkpoint/directory-store.js';
import { checkpointName } from '../../src/checkpoint/store.js';
import { restoreNewestUsable, saveMonitorCheckpoint } from '../../src/monitor/checkpoints.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { emptyPipeline, removeTempDirs, tempDir } from '../helpers/checkpoint.js';
import { apply, cutAt, start } from '../helpers/journal-chain.js';
import { rules, sampleLines } from '../helpers/sample.js';

afterAll(removeTempDirs);

describe('checkpoints a restore refuses', () => {
  it('are set aside beside the store, so the next save keeps the valid ones', async () => {
    const dir = tempDir('tw-set-aside-');
    const store = new DirectoryStore(dir);
    const lines = sampleLines().slice(0, 1500);
    const live = new Pipeline({ rules: rules(), labels: [] });
    const saved: string[] = [];
    for (const to of [500, 1000]) {
      apply(live, lines, to - 500, to);
      saved.push((await saveMonitorCheckpoint(store, live, rules(), 'g', cutAt(to), 3)).name);
    }
    // Newer than both: a truncated copy, random bytes, and a directory with a checkpoint's name.
    const [truncated, garbage, directory] = [3, 4, 5].map((n) => checkpointName(n));
    writeFileSync(join(dir, truncated!), Buffer.alloc(100_000, 1));
    truncateSync(join(dir, truncated!), 99_000);
    writeFileSync(join(dir, garbage!), Buffer.from('not a checkpoint at all'));
    mkdirSync(join(dir, directory!));
    const warnings: string[] = [];
    const restored = await restoreNewestUsable(store, { build: emptyPipeline(), rules: rules(), start, warn: (w) => warnings.push(w), setAsideRefused: true });
    expect(restored?.name).toBe(saved[1]);
    for (const name of [truncated, garbage, directory]) {
      expect(existsSync(join(dir, `${name}.refused`)), name).toBe(true);
      expect(warnings.join('\n')).toContain(`${name} set aside as`);
    }
    expect(await store.list()).toEqual([...saved].reverse());
    apply(live, lines, 1000, 1500);
    const next = await saveMonitorCheckpoint(store, live, rules(), 'g', cutAt(1500), 3);
    expect(await store.list()).toEqual([next.name, saved[1], saved[0]]); // both valid states kept
    expect(readdirSync(dir).filter((f) => f.endsWith('.refused'))).toHaveLength(3);
  }, 120_000);

  it('stay where they are in a store the restore was not told to tidy (another instance\'s)', async () => {
    const dir = tempDir('tw-peer-');
    const store = new DirectoryStore(dir);
    writeFileSync(join(dir, checkpointName(1)), Buffer.from('garbage'));
    const warnings: string[] = [];
    expect(await restoreNewestUsable(store, { build: emptyPipeline(), rules: rules(), start, warn: (w) => warnings.push(w) })).toBeUndefined();
    expect(await store.list()).toEqual([checkpointName(1)]);
    expect(warnings.join('\n')).not.toContain('set aside');
  });
});
