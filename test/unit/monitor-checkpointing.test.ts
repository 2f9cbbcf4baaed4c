/**
 * The monitor's checkpoint orchestration on its own (src/monitor/checkpointing.ts), over a
 * directory store and a live pipeline fed from the sample: when a whole checkpoint or a journal
 * segment is written, that the chain it builds restores to the live state, how a fold is started,
 * fails over to a live whole checkpoint and is cut short, and what a failed write or a rule reload
 * does to the chain.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readCheckpointHeader } from '../../src/checkpoint/checkpoint.js';
import { DirectoryStore } from '../../src/checkpoint/directory-store.js';
import { foldChain, type FoldOutcome, type FoldRequest } from '../../src/checkpoint/fold.js';
import { verifyJournal } from '../../src/checkpoint/journal.js';
import { isJournal, sequenceOf, type CheckpointStore } from '../../src/checkpoint/store.js';
import { restoreNewestUsable, type StartFold } from '../../src/monitor/checkpoints.js';
import { Checkpointing, HELD_JOURNAL_MAX } from '../../src/monitor/checkpointing.js';
import { Metrics } from '../../src/observability/metrics.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { emptyPipeline, removeTempDirs, tempDir } from '../helpers/checkpoint.js';
import { apply, cutAt, start, stateBytes } from '../helpers/journal-chain.js';
import { ofacLabels, rules, sampleLines } from '../helpers/sample.js';

afterAll(removeTempDirs);
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-06-01T00:00:00Z'));
});
afterEach(() => vi.useRealTimers());

const lines = sampleLines();
const ruleSet = rules();
const JOURNAL_MS = 5000;
const EVERY_MESSAGES = 1000;

/** A fold the test settles: by folding the chain for real (`fold`), by failing it, or by cutting it short. */
interface HeldFold {
  request: FoldRequest;
  cancelled: boolean;
  fold(store: CheckpointStore): Promise<void>;
  fail(err: Error): void;
}

function heldFolds(): { start: StartFold; held: HeldFold[] } {
  const held: HeldFold[] = [];
  const start: StartFold = (request) => {
    let resolve!: (o: FoldOutcome) => void;
    let reject!: (err: Error) => void;
    const done = new Promise<FoldOutcome>((res, rej) => { resolve = res; reject = rej; });
    const h: HeldFold = {
      request, cancelled: false,
      fold: async (store) => resolve(await foldChain(store, request, { build: emptyPipeline(ruleSet), rules: ruleSet })),
      fail: (err) => reject(err),
    };
    held.push(h);
    return { done, cancel: async () => { h.cancelled = true; reject(new Error('the fold was cut short')); } };
  };
  return { start, held };
}

interface Options {
  fold?: StartFold;
  /** Wraps the directory store (to fail or hold some writes). */
  store?: (inner: DirectoryStore) => CheckpointStore;
  failOnCommit?: boolean;
  /** Messages a lateness stage holds: the test sets `held` (nothing here releases them: only the monitor's quiet drain does). */
  stage?: { held: number };
}

function harness(options: Options = {}) {
  const inner = new DirectoryStore(tempDir('tw-checkpointing-'));
  const store = options.store ? options.store(inner) : inner;
  const live = new Pipeline({ rules: ruleSet, labels: ofacLabels() });
  const logs: { msg: string; err?: string; checkpoint?: string; messages?: number }[] = [];
  const commits: number[] = [];
  const metrics = new Metrics();
  let at = 0;
  let failed = false;
  const checkpointing = new Checkpointing({
    store, foldCheckpoint: options.fold, group: 'g', metrics,
    config: { CHECKPOINT_EVERY_MESSAGES: EVERY_MESSAGES, CHECKPOINT_EVERY_SECONDS: 3600, CHECKPOINT_JOURNAL_EVERY_SECONDS: JOURNAL_MS / 1000, CHECKPOINT_KEEP: 3 },
    logger: pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) }),
    source: {
      pipeline: () => live, rules: () => ruleSet, appliedCut: () => cutAt(at), appliedCount: () => at, failed: () => failed,
      commitAll: async () => {
        commits.push(at);
        if (options.failOnCommit) failed = true;
      },
      ...(options.stage ? { held: () => options.stage!.held } : {}),
    },
  });
  return {
    checkpointing, store, inner, live, logs, commits, metrics,
    /** Applies the next `n` sample lines as a monitor step does: journaled while a chain is open, counted toward the schedule. */
    step(n: number): void {
      const journal = checkpointing.journalForStep();
      for (const r of apply(live, lines, at, at + n)) journal?.append(r.topic, r.partition, r.offset, r.decodedAt, r.raw);
      at += n;
      checkpointing.applied(n);
    },
    names: () => store.list(),
    said: (msg: string) => logs.filter((l) => l.msg === msg),
    failures: async () => (await metrics.checkpointFailures.get()).values[0]?.value ?? 0,
  };
}

const later = (ms: number): void => void vi.setSystemTime(Date.now() + ms);
/** Lets a settled fold's callbacks run to their end. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
/** The directory store with its writes going through `create`. */
const creatingWith = (inner: DirectoryStore, create: CheckpointStore['create']): CheckpointStore => ({ list: () => inner.list(), read: (n) => inner.read(n), locate: (n) => inner.locate(n), remove: (n) => inner.remove(n), create });
const whole = (names: string[]): string[] => names.filter((n) => !isJournal(n));
const segments = (names: string[]): string[] => names.filter(isJournal);

describe('checkpointing: whole checkpoints and journal segments', () => {
  it('a rebuild opens its chain with a whole checkpoint at once; segments follow each journal interval and restore to the live state; the schedule then writes a whole one', async () => {
    const h = harness();
    await h.checkpointing.stateLoaded({ earliest: cutAt(0) });
    const [base] = await h.names();
    expect(isJournal(base!)).toBe(false);
    expect(h.checkpointing.journalForStep()?.length).toBe(0);

    h.step(200);
    await h.checkpointing.checkpointIfDue();
    expect(await h.names()).toEqual([base]); // the journal interval has not passed
    expect(h.commits).toEqual([]);

    later(JOURNAL_MS);
    await h.checkpointing.checkpointIfDue();
    const [s1] = await h.names();
    expect(isJournal(s1!)).toBe(true);
    expect(h.commits).toEqual([200]); // every slot committed up to the cut before it was written
    expect((await verifyJournal(h.store, s1!)).journal).toEqual({ base, previous: base });

    h.step(300);
    later(JOURNAL_MS);
    await h.checkpointing.checkpointIfDue();
    const [s2] = await h.names();
    expect((await verifyJournal(h.store, s2!)).journal).toEqual({ base, previous: s1 });
    expect(h.said('journal segment written').map((l) => l.messages)).toEqual([200, 300]);

    const restored = await restoreNewestUsable(h.store, { build: emptyPipeline(ruleSet), rules: ruleSet, start, warn: () => undefined });
    expect(restored).toMatchObject({ name: s2, base, journal: { segments: 2, messages: 500 } });
    expect(restored!.cut).toEqual(cutAt(500));
    expect((await stateBytes(restored!.pipeline)).equals(await stateBytes(h.live))).toBe(true);

    h.step(600); // 1,100 applied since the whole checkpoint: the schedule is due before the journal interval
    await h.checkpointing.checkpointIfDue();
    const names = await h.names();
    expect(whole(names)).toHaveLength(2);
    expect(whole(names)[0]).toBe(names[0]);
    expect(h.checkpointing.journalForStep()?.length).toBe(0); // the chain goes on from the new whole state
    expect(h.commits).toEqual([200, 500, 1100]);
  }, 60_000);

  it('with messages held in a lateness stage, a due segment and a scheduled whole checkpoint wait for it to empty (a cut at each instance\'s own time: 1,533 alerts against 1,514 after a hand-over); a stop writes none', async () => {
    const stage = { held: 0 };
    const h = harness({ stage });
    await h.checkpointing.stateLoaded({ earliest: cutAt(0) });
    h.step(200);
    stage.held = 40;
    later(JOURNAL_MS);
    await h.checkpointing.checkpointIfDue();
    expect(segments(await h.names())).toEqual([]);
    expect(h.commits).toEqual([]);
    stage.held = 0; // a quiet input drained it
    await h.checkpointing.checkpointIfDue();
    expect(segments(await h.names())).toHaveLength(1);
    h.step(900); // the schedule is due, but the stage holds messages: nothing is cut, nothing written
    stage.held = 25;
    await h.checkpointing.checkpointIfDue();
    expect(whole(await h.names())).toHaveLength(1);
    expect(h.commits).toEqual([200]);
    h.step(10);
    stage.held = 0; // a quiet input drained it: the due whole checkpoint is written now
    await h.checkpointing.checkpointIfDue();
    expect(whole(await h.names())).toHaveLength(2);
    expect(h.commits).toEqual([200, 1110]);
    h.step(10);
    stage.held = 5;
    const before = await h.names();
    await h.checkpointing.checkpointIfDue(true); // the restart re-reads the held messages from the cursors
    expect(await h.names()).toEqual(before);
    stage.held = 0;
    await h.checkpointing.checkpointIfDue(true);
    expect(whole(await h.names())).toHaveLength(3);
  }, 60_000);

  it(`with messages held for long in a lateness stage, the journal chain ends after ${HELD_JOURNAL_MAX} records (nothing is journaled meanwhile), and a whole checkpoint reopens it once the stage is empty`, async () => {
    const stage = { held: 0 };
    const h = harness({ stage });
    await h.checkpointing.stateLoaded({ earliest: cutAt(0) });
    stage.held = 3;
    h.step(10);
    await h.checkpointing.checkpointIfDue();
    expect(h.checkpointing.journalForStep()?.length).toBe(10); // under the bound: kept
    const journal = h.checkpointing.journalForStep()!;
    for (let i = journal.length; i < HELD_JOURNAL_MAX; i++) journal.append('t', 0, String(i), 0, '{}');
    await h.checkpointing.checkpointIfDue();
    expect(h.checkpointing.journalForStep()).toBeUndefined();
    expect(whole(await h.names())).toHaveLength(1);
    h.step(10);
    stage.held = 0; // a quiet input drained it: the chain reopens with a whole checkpoint
    await h.checkpointing.checkpointIfDue();
    expect(whole(await h.names())).toHaveLength(2);
    expect(h.checkpointing.journalForStep()?.length).toBe(0);
  }, 60_000);

  it("with messages held in a lateness stage, the whole checkpoint that reopens a chain after a peer's checkpoint was restored waits for the stage to empty: it cuts nowhere another instance cuts (20 alerts published twice after a hand-over)", async () => {
    const stage = { held: 0 };
    const h = harness({ stage });
    await h.checkpointing.stateLoaded({ restoredFrom: 'a peer' });
    h.step(393);
    stage.held = 30;
    await h.checkpointing.checkpointIfDue();
    expect(await h.names()).toEqual([]);
    expect(h.commits).toEqual([]);
    stage.held = 0; // a quiet input drained it
    await h.checkpointing.checkpointIfDue();
    expect(whole(await h.names())).toHaveLength(1);
    expect(h.commits).toEqual([393]);
  }, 60_000);

  it("goes on with its own restored chain; a peer's restored checkpoint reopens one with a whole checkpoint as soon as anything is applied", async () => {
    const own = harness();
    const restored = { name: 'checkpoint-000000000007.twj', base: 'checkpoint-000000000005.twc' };
    await own.checkpointing.stateLoaded({ ownRestored: restored, restoredFrom: 'its own store' });
    expect(await own.names()).toEqual([]);
    own.step(10);
    later(JOURNAL_MS);
    await own.checkpointing.checkpointIfDue();
    const [segment] = await own.names();
    expect((await verifyJournal(own.store, segment!)).journal).toEqual({ base: restored.base, previous: restored.name });

    const peer = harness();
    await peer.checkpointing.stateLoaded({ restoredFrom: 'a peer' });
    expect(peer.checkpointing.journalForStep()).toBeUndefined();
    await peer.checkpointing.checkpointIfDue();
    expect(await peer.names()).toEqual([]); // nothing applied: nothing to write
    peer.step(1);
    await peer.checkpointing.checkpointIfDue();
    expect(whole(await peer.names())).toHaveLength(1);
    expect(peer.checkpointing.journalForStep()?.length).toBe(0);
  }, 60_000);

  it('on a clean stop writes a whole checkpoint when anything was applied, from the live state even with a folder wired; else nothing', async () => {
    const folds = heldFolds();
    const h = harness({ fold: folds.start });
    await h.checkpointing.stateLoaded({ earliest: cutAt(0) });
    await h.checkpointing.checkpointIfDue(true);
    expect(await h.names()).toHaveLength(1);
    h.step(50);
    later(JOURNAL_MS);
    await h.checkpointing.checkpointIfDue(true);
    const names = await h.names();
    expect(names).toHaveLength(2);
    expect(isJournal(names[0]!)).toBe(false);
    expect(folds.held).toEqual([]);
  }, 60_000);

  it('writes nothing once the monitor failed, nor when the commits before a checkpoint failed it', async () => {
    const h = harness({ failOnCommit: true });
    await h.checkpointing.stateLoaded({ earliest: cutAt(0) });
    h.step(EVERY_MESSAGES);
    await h.checkpointing.checkpointIfDue();
    expect(h.commits).toEqual([EVERY_MESSAGES]);
    expect(await h.names()).toHaveLength(1);
    await h.checkpointing.checkpointIfDue(true);
    expect(h.commits).toEqual([EVERY_MESSAGES]); // failed: not even the commits are asked for
  }, 60_000);

  it('a failed segment write ends the chain (nothing is journaled) until the next whole checkpoint reopens it', async () => {
    let failSegments = true;
    const h = harness({ store: (inner) => creatingWith(inner, (n) => (failSegments && isJournal(n) ? Promise.reject(new Error('disk full')) : inner.create(n))) });
    await h.checkpointing.stateLoaded({ earliest: cutAt(0) });
    h.step(100);
    later(JOURNAL_MS);
    await h.checkpointing.checkpointIfDue();
    expect(h.said('journal segment write failed; the chain ends here, and the next checkpoint is whole')).toMatchObject([{ err: 'disk full' }]);
    expect(await h.failures()).toBe(1);
    expect(h.checkpointing.journalForStep()).toBeUndefined();

    failSegments = false;
    h.step(100);
    later(JOURNAL_MS);
    await h.checkpointing.checkpointIfDue();
    expect(await h.names()).toHaveLength(1); // no chain: no segment
    h.step(EVERY_MESSAGES);
    await h.checkpointing.checkpointIfDue();
    expect(whole(await h.names())).toHaveLength(2);
    expect(h.checkpointing.journalForStep()?.length).toBe(0);
  }, 60_000);

  it('a whole checkpoint under way when the rules are replaced does not reopen the chain: the next one, written as soon as anything is applied, does', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const holding = new Promise<void>((r) => (reached = r));
    let hold = false;
    const h = harness({
      store: (inner) => creatingWith(inner, async (n) => {
        if (hold) {
          hold = false;
          reached();
          await held;
        }
        return inner.create(n);
      }),
    });
    await h.checkpointing.stateLoaded({ earliest: cutAt(0) });
    h.step(EVERY_MESSAGES);
    hold = true;
    const writing = h.checkpointing.checkpointIfDue();
    await holding;
    h.checkpointing.rulesReplaced();
    release();
    await writing;
    expect(whole(await h.names())).toHaveLength(2);
    expect(h.checkpointing.journalForStep()).toBeUndefined();
    h.step(1);
    await h.checkpointing.checkpointIfDue();
    expect(whole(await h.names())).toHaveLength(3);
    expect(h.checkpointing.journalForStep()?.length).toBe(0);
  }, 60_000);
});

describe('checkpointing: folds', () => {
  /** A chain W, S1 with a fold wired, then enough applied for the schedule: the harness and the fold it started. */
  async function foldStarted() {
    const folds = heldFolds();
    const h = harness({ fold: folds.start });
    await h.checkpointing.stateLoaded({ earliest: cutAt(0) });
    h.step(200);
    later(JOURNAL_MS);
    await h.checkpointing.checkpointIfDue();
    h.step(EVERY_MESSAGES);
    await h.checkpointing.checkpointIfDue();
    return { h, folds };
  }

  it('a scheduled whole checkpoint writes the pending segment and folds the chain through it under a reserved name; segments written meanwhile come after it and extend the fold', async () => {
    const { h, folds } = await foldStarted();
    const names = await h.names();
    expect(whole(names)).toHaveLength(1); // nothing whole written from the live state
    const [s2, s1, base] = names;
    expect(folds.held.map((f) => f.request)).toEqual([{ through: s2, name: expect.stringMatching(/\.twc$/), keep: 3 }]);
    const reserved = folds.held[0]!.request.name;
    expect(sequenceOf(reserved)).toBe(sequenceOf(s2!)! + 1);
    expect(h.said('checkpoint fold started')).toMatchObject([{ checkpoint: reserved }]);
    expect((await verifyJournal(h.store, s2!)).journal).toEqual({ base, previous: s1 });

    // While it runs the schedule waits: only segments, after the reserved name.
    h.step(EVERY_MESSAGES + 100);
    await h.checkpointing.checkpointIfDue();
    expect(await h.names()).toHaveLength(3);
    later(JOURNAL_MS);
    await h.checkpointing.checkpointIfDue();
    const [s3] = await h.names();
    expect(sequenceOf(s3!)).toBe(sequenceOf(reserved)! + 1);
    expect(folds.held).toHaveLength(1);

    await folds.held[0]!.fold(h.store);
    await vi.waitFor(() => expect(h.said('checkpoint folded')).toHaveLength(1));
    await settle();
    expect((await readCheckpointHeader(h.store, reserved)).folded).toMatchObject({ base, through: s2 });
    const restored = await restoreNewestUsable(h.store, { build: emptyPipeline(ruleSet), rules: ruleSet, start, warn: () => undefined });
    expect(restored).toMatchObject({ name: s3, base: reserved, journal: { segments: 1, messages: EVERY_MESSAGES + 100 } });
    expect((await stateBytes(restored!.pipeline)).equals(await stateBytes(h.live))).toBe(true);

    // Folded: the schedule runs again, and folds the next whole checkpoint too.
    h.step(EVERY_MESSAGES);
    await h.checkpointing.checkpointIfDue();
    expect(folds.held).toHaveLength(2);
  }, 120_000);

  it('a failed fold is counted and logged; the next scheduled whole checkpoint is written from the live state, and the one after it is folded again', async () => {
    const { h, folds } = await foldStarted();
    folds.held[0]!.fail(new Error('the worker ran out of heap'));
    await vi.waitFor(() => expect(h.said('checkpoint fold failed; the journal goes on, the next whole checkpoint is written from the live state, and folds resume after it')).toMatchObject([{ err: 'the worker ran out of heap' }]));
    await settle();
    expect(await h.failures()).toBe(1);

    h.step(EVERY_MESSAGES);
    await h.checkpointing.checkpointIfDue();
    expect(folds.held).toHaveLength(1);
    const names = await h.names();
    expect(whole(names)).toHaveLength(2);
    expect(names[0]).toBe(whole(names)[0]); // the newest is a whole state from the live pipeline
    expect(h.said('checkpoint written')).toHaveLength(2);

    h.step(200);
    later(JOURNAL_MS);
    await h.checkpointing.checkpointIfDue();
    h.step(EVERY_MESSAGES);
    await h.checkpointing.checkpointIfDue();
    expect(folds.held).toHaveLength(2);
    expect(h.said('checkpoint written')).toHaveLength(2);
  }, 120_000);

  it('cancelling stops the running fold: it is cut short, not failed, and the next scheduled whole checkpoint is folded again', async () => {
    const { h, folds } = await foldStarted();
    await h.checkpointing.cancelFold();
    expect(folds.held[0]!.cancelled).toBe(true);
    await vi.waitFor(() => expect(h.said('checkpoint fold cut short')).toMatchObject([{ checkpoint: folds.held[0]!.request.name }]));
    expect(await h.failures()).toBe(0);

    h.step(EVERY_MESSAGES);
    await h.checkpointing.checkpointIfDue();
    expect(folds.held).toHaveLength(2);
    expect(h.said('checkpoint written')).toHaveLength(1); // only the rebuild's opening one
  }, 120_000);

  it('replacing the rules cuts the running fold short and ends the chain: the next checkpoint is whole, from the live state, as soon as anything is applied', async () => {
    const { h, folds } = await foldStarted();
    h.checkpointing.rulesReplaced();
    expect(folds.held[0]!.cancelled).toBe(true);
    expect(h.checkpointing.journalForStep()).toBeUndefined();
    h.step(1);
    await h.checkpointing.checkpointIfDue();
    expect(folds.held).toHaveLength(1);
    expect(h.said('checkpoint written')).toHaveLength(2);
    expect(h.checkpointing.journalForStep()?.length).toBe(0);
  }, 120_000);
});
