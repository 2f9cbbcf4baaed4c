/**
 * A bad checkpoint never restores: corrupt (a flipped byte, a truncation, not a checkpoint at
 * all) or incompatible (another format version) is refused naming the file and why, the one
 * before it is used, and with none left the answer is undefined. Writes are atomic and the
 * newest N are kept.
 */
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, DirectoryStore, loadNewestValid, restoreCheckpoint, saveCheckpoint, verifyCheckpoint } from '../../src/checkpoint/index.js';
import { FrameWriter } from '../../src/checkpoint/frame-writer.js';
import { buildHeader, FORMAT_VERSION } from '../../src/checkpoint/header.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';
import { emptyPipeline, records, replayRecords, stressedSample, removeTempDirs, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

let pipeline: Pipeline;
beforeAll(async () => {
  const lines = stressedSample();
  pipeline = (await replayRecords(records(lines, 0, 1_500), tempDir('tw-ckpt-src-'), 'src')).result.pipeline;
});

/** A directory with checkpoints at positions 1, 2, 3 (3 newest). */
async function threeCheckpoints(): Promise<{ dir: string; names: string[] }> {
  const dir = tempDir('tw-ckpt-store-');
  const names: string[] = [];
  for (const n of [1, 2, 3]) names.push((await saveCheckpoint(dir, pipeline, { rules: rules(), positions: { n } })).name);
  return { dir, names };
}

const load = (dir: string, warnings: string[] = []) => loadNewestValid(dir, { build: emptyPipeline(), rules: rules(), onWarning: (w) => warnings.push(w) });

describe('who may read a checkpoint', () => {
  it('only its owner: the files and the directories made for them (they hold the state and raw input; they were 0644)', async () => {
    const dir = join(tempDir('tw-ckpt-mode-'), 'made', 'here');
    const saved = await saveCheckpoint(dir, pipeline, { rules: rules(), positions: { n: 1 } });
    expect(statSync(join(dir, saved.name)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});

describe('refusing a bad checkpoint and falling back', () => {
  it('a flipped byte: refused for its checksum, naming the file; the previous one is restored', async () => {
    const { dir, names } = await threeCheckpoints();
    const newest = join(dir, names[2]!);
    const bytes = readFileSync(newest);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(newest, bytes);
    const restored = await load(dir);
    expect(restored?.name).toBe(names[1]);
    expect(restored?.header.positions).toEqual({ n: 2 });
    expect(restored?.warnings).toHaveLength(1);
    expect(restored?.warnings[0]).toContain(newest);
    expect(restored?.warnings[0]).toMatch(/checksum mismatch|corrupt/);
    expect(restored?.pipeline.stats).toEqual(pipeline.stats);
  });

  it('a truncated file: refused as truncated; with the next one also bad, the oldest is used', async () => {
    const { dir, names } = await threeCheckpoints();
    truncateSync(join(dir, names[2]!), 1000);
    truncateSync(join(dir, names[1]!), readFileSync(join(dir, names[1]!)).length - 1);
    const restored = await load(dir);
    expect(restored?.name).toBe(names[0]);
    expect(restored?.warnings[0]).toMatch(new RegExp(`${names[2]}.*truncated`));
    expect(restored?.warnings[1]).toMatch(new RegExp(`${names[1]}.*truncated`));
  });

  it('another format version: refused as incompatible even with a valid checksum', async () => {
    const { dir, names } = await threeCheckpoints();
    const sink = await new DirectoryStore(dir).create('checkpoint-000000000009.twc');
    const w = new FrameWriter(sink);
    await w.json({ ...buildHeader(rules(), {}, new Date()), version: 99 });
    await w.finish();
    await sink.commit();
    const restored = await load(dir);
    expect(restored?.name).toBe(names[2]);
    expect(restored?.warnings[0]).toMatch(new RegExp(`checkpoint-000000000009\\.twc refused: format version 99 .*reads versions .*${FORMAT_VERSION}`));
  });

  it('a file that is no checkpoint at all is refused by its magic bytes', async () => {
    const dir = tempDir('tw-ckpt-junk-');
    writeFileSync(join(dir, 'checkpoint-000000000001.twc'), '{"not":"a checkpoint"}\n');
    await expect(verifyCheckpoint(dir, 'checkpoint-000000000001.twc')).rejects.toThrow(/not a Tidewatch checkpoint/);
  });

  it('none left: undefined, after a warning for each refused one', async () => {
    const { dir, names } = await threeCheckpoints();
    for (const n of names) truncateSync(join(dir, n), 10);
    const warnings: string[] = [];
    expect(await load(dir, warnings)).toBeUndefined();
    expect(warnings).toHaveLength(3);
    expect(await load(tempDir('tw-ckpt-empty-'))).toBeUndefined();
    expect(await load(join(tempDir('tw-ckpt-none-'), 'missing'))).toBeUndefined();
  });

  it('a restore under other rules works and warns which rules changed', async () => {
    const { dir } = await threeCheckpoints();
    const fewer = rules().filter((r) => !r.spec.id.startsWith('structuring'));
    const restored = await loadNewestValid(dir, { build: emptyPipeline(fewer), rules: fewer });
    expect(restored?.warnings).toHaveLength(1);
    expect(restored?.warnings[0]).toMatch(/other rules.*removed or changed structuring\.just-under@/);
  });

  it('refuses to restore into a pipeline that already holds state', async () => {
    const { dir, names } = await threeCheckpoints();
    await expect(restoreCheckpoint(dir, names[2]!, pipeline)).rejects.toThrow(/fresh pipeline/);
  });
});

describe('the directory store', () => {
  it('keeps the newest N (3 by default), numbered in sequence, and leaves no temporary file', async () => {
    const dir = tempDir('tw-ckpt-keep-');
    for (let n = 1; n <= 5; n++) await saveCheckpoint(dir, pipeline, { rules: rules(), positions: { n } });
    expect(readdirSync(dir).sort()).toEqual(['checkpoint-000000000003.twc', 'checkpoint-000000000004.twc', 'checkpoint-000000000005.twc']);
    await saveCheckpoint(dir, pipeline, { rules: rules(), positions: { n: 6 }, keep: 1 });
    expect(readdirSync(dir)).toEqual(['checkpoint-000000000006.twc']);
  });

  it('a stale .tmp from a crash mid-write is never listed, and the next save removes it', async () => {
    const dir = tempDir('tw-ckpt-tmp-');
    writeFileSync(join(dir, 'checkpoint-000000000001.twc.tmp'), 'half a checkpoint');
    expect(await new DirectoryStore(dir).list()).toEqual([]);
    const saved = await saveCheckpoint(dir, pipeline, { rules: rules(), positions: {} });
    expect(saved.name).toBe('checkpoint-000000000001.twc');
    expect(existsSync(join(dir, 'checkpoint-000000000001.twc.tmp'))).toBe(false);
  });

  it('a failed save leaves no file behind', async () => {
    const dir = tempDir('tw-ckpt-fail-');
    const broken = { ...pipeline, stats: pipeline.stats, heldMerges: pipeline.heldMerges, checkpointHeld: () => pipeline.checkpointHeld(), checkpointDedupe: () => { throw new Error('disk on fire'); } } as unknown as Pipeline;
    await expect(saveCheckpoint(dir, broken, { rules: rules(), positions: {} })).rejects.toThrow('disk on fire');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('errors name the file in a CheckpointError', async () => {
    const { dir, names } = await threeCheckpoints();
    truncateSync(join(dir, names[2]!), 3);
    const err = await verifyCheckpoint(dir, names[2]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).location).toBe(join(dir, names[2]!));
  });
});
