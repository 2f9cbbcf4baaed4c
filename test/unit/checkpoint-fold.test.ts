/**
 * Folding a journal chain into a whole state away from the live pipeline (src/checkpoint/fold.ts):
 * the folded state is the chain's state byte for byte; segments written while it was folded
 * extend it; a bad fold falls back to the chain it replaced; retention keeps what the newest
 * chain needs; a fold may start from an earlier fold.
 */
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpointHeader } from '../../src/checkpoint/checkpoint.js';
import { DirectoryStore } from '../../src/checkpoint/directory-store.js';
import { foldChain } from '../../src/checkpoint/fold.js';
import { verifyJournal } from '../../src/checkpoint/journal.js';
import { checkpointName, nextSequence, sequenceOf } from '../../src/checkpoint/store.js';
import { restoreNewestUsable, saveMonitorJournal } from '../../src/monitor/checkpoints.js';
import { emptyPipeline, FIXED_TIME, removeTempDirs, stressedSample, tempDir } from '../helpers/checkpoint.js';
import { apply, chainOf, cutAt, start, stateBytes } from '../helpers/journal-chain.js';
import { rules } from '../helpers/sample.js';

afterAll(removeTempDirs);

describe('folding a journal chain in the background', () => {
  const lines = stressedSample();

  /**
   * A chain W, S1, S2; a fold of it through S2 begun (its name reserved), and S3 written by the
   * live pipeline meanwhile, before the fold is written: built once for the file (the stream's
   * replay is most of a test's time), with the bytes of the live pipeline's state at the end.
   * Each test folds its own copy of the store, so what one test does to its files no other sees.
   */
  let journaled: { dir: string; whole: string; through: string; folded: string; s3: string; liveBytes: Buffer };
  beforeAll(async () => {
    const chain = await chainOf(lines, [3000, 4000, 5000]);
    const [whole, , through] = chain.names as [string, string, string];
    const reserved = nextSequence(await chain.store.list());
    const s3 = await saveMonitorJournal(chain.store, apply(chain.live, lines, 5000, lines.length), rules(), 'g', cutAt(lines.length), { base: whole, previous: through }, reserved);
    journaled = { dir: chain.dir, whole, through, folded: checkpointName(reserved), s3: s3.name, liveBytes: await stateBytes(chain.live) };
  }, 180_000);

  /** The fold of a fresh copy of the journaled store, keeping `keep` whole states. */
  async function foldedWhileJournaling(keep: number) {
    const dir = tempDir('tw-journal-');
    cpSync(journaled.dir, dir, { recursive: true });
    const store = new DirectoryStore(dir);
    const outcome = await foldChain(store, { through: journaled.through, name: journaled.folded, keep }, { build: emptyPipeline(), rules: rules(), createdAt: FIXED_TIME });
    return { ...journaled, dir, store, outcome };
  }

  it('writes the chain’s state under the reserved name, saying what it folded, and the segment written meanwhile takes the next name', async () => {
    const { store, whole, through, folded, s3, outcome } = await foldedWhileJournaling(3);
    expect(outcome).toMatchObject({ base: whole, segments: 2, messages: 2000 });
    expect(outcome.saved.name).toBe(folded);
    expect(sequenceOf(folded)).toBe(sequenceOf(through)! + 1);
    expect(sequenceOf(s3)).toBe(sequenceOf(folded)! + 1);
    const header = await readCheckpointHeader(store, folded);
    expect(header.folded).toEqual({ base: whole, chain: whole, through, segments: 2, messages: 2000 });
    expect(header.positions).toEqual((await verifyJournal(store, through)).positions);
    expect(header.positions).not.toEqual((await readCheckpointHeader(store, whole)).positions);
  }, 120_000);

  it('restores the newest segment from the fold and the segments after it, to the live pipeline’s state byte for byte', async () => {
    const { store, liveBytes, folded, s3 } = await foldedWhileJournaling(3);
    const warnings: string[] = [];
    const restored = await restoreNewestUsable(store, { build: emptyPipeline(), rules: rules(), start, warn: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
    expect(restored).toMatchObject({ name: s3, base: folded, journal: { segments: 1, messages: lines.length - 5000 } });
    expect(restored?.cut).toEqual(cutAt(lines.length));
    expect((await stateBytes(restored!.pipeline)).equals(liveBytes)).toBe(true);
  }, 120_000);

  it('refuses a corrupt fold and restores the same segment from the whole state the fold replaced', async () => {
    const { store, dir, liveBytes, whole, folded, s3 } = await foldedWhileJournaling(3);
    const bytes = readFileSync(join(dir, folded));
    bytes[bytes.length - 40]! ^= 0xff;
    writeFileSync(join(dir, folded), bytes);
    const warnings: string[] = [];
    const restored = await restoreNewestUsable(store, { build: emptyPipeline(), rules: rules(), start, warn: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${folded} refused`);
    expect(restored).toMatchObject({ name: s3, base: whole, journal: { segments: 3, messages: lines.length - 3000 } });
    expect((await stateBytes(restored!.pipeline)).equals(liveBytes)).toBe(true);
  }, 120_000);

  it('folds again from the state a bad fold started from, so one bad file does not fail every later fold', async () => {
    const { store, dir, liveBytes, whole, folded, s3 } = await foldedWhileJournaling(3);
    const bytes = readFileSync(join(dir, folded));
    bytes[bytes.length - 40]! ^= 0xff;
    writeFileSync(join(dir, folded), bytes);
    const again = checkpointName(nextSequence(await store.list()));
    const outcome = await foldChain(store, { through: s3, name: again, keep: 3 }, { build: emptyPipeline(), rules: rules(), createdAt: FIXED_TIME });
    expect(outcome).toMatchObject({ base: whole, segments: 3, messages: lines.length - 3000 });
    const restored = await restoreNewestUsable(store, { build: emptyPipeline(), rules: rules(), start, warn: () => undefined });
    expect(restored).toMatchObject({ name: again, base: again });
    expect((await stateBytes(restored!.pipeline)).equals(liveBytes)).toBe(true);
  }, 120_000);

  it('keeps, with one whole state kept, the fold and the segments after it, and drops the chain it replaced', async () => {
    const { store, dir, liveBytes, folded, s3 } = await foldedWhileJournaling(1);
    expect(readdirSync(dir).sort()).toEqual([folded, s3]);
    const restored = await restoreNewestUsable(store, { build: emptyPipeline(), rules: rules(), start, warn: () => undefined });
    expect(restored).toMatchObject({ name: s3, base: folded, journal: { segments: 1 } });
    expect((await stateBytes(restored!.pipeline)).equals(liveBytes)).toBe(true);
  }, 120_000);

  it('folds from the newest fold of the chain, not from its first', async () => {
    const chain = await chainOf(lines, [2000, 3000]);
    const whole = chain.names[0]!;
    let previous = chain.names[1]!;
    const folds: string[] = [];
    // The live chain's links keep naming its first whole state; each fold starts from the one before.
    const cuts = [3000, 4000, 5000, lines.length];
    for (let k = 0; k + 1 < cuts.length; k++) {
      const name = checkpointName(nextSequence(await chain.store.list()));
      const outcome = await foldChain(chain.store, { through: previous, name, keep: 3 }, { build: emptyPipeline(), rules: rules(), createdAt: FIXED_TIME });
      expect(outcome).toMatchObject({ base: folds.at(-1) ?? whole, segments: 1 });
      folds.push(name);
      const records = apply(chain.live, lines, cuts[k]!, cuts[k + 1]!);
      previous = (await saveMonitorJournal(chain.store, records, rules(), 'g', cutAt(cuts[k + 1]!), { base: whole, previous })).name;
    }
    const restored = await restoreNewestUsable(chain.store, { build: emptyPipeline(), rules: rules(), start, warn: () => undefined });
    expect(restored).toMatchObject({ name: previous, base: folds.at(-1), journal: { segments: 1 } });
    expect((await stateBytes(restored!.pipeline)).equals(await stateBytes(chain.live))).toBe(true);
  }, 120_000);

  it('refuses to fold a whole state, and writes nothing when a link of the chain is gone', async () => {
    const { store, dir, names } = await chainOf(lines, [3000, 4000, 5000]);
    await expect(foldChain(store, { through: names[0]!, name: checkpointName(90), keep: 3 }, { build: emptyPipeline(), rules: rules() })).rejects.toThrow(/it is a whole state/);
    rmSync(join(dir, names[1]!));
    await expect(foldChain(store, { through: names[2]!, name: checkpointName(91), keep: 3 }, { build: emptyPipeline(), rules: rules() })).rejects.toThrow(`${names[1]}, is gone`);
    expect(readdirSync(dir).sort()).toEqual([names[0], names[2]]);
  }, 120_000);
});
