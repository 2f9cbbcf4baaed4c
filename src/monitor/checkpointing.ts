/**
 * The monitor's checkpoint orchestration: a whole checkpoint every CHECKPOINT_EVERY_MESSAGES
 * messages or CHECKPOINT_EVERY_SECONDS and once more on a clean stop, in between a journal
 * segment (checkpoint/journal.ts) every CHECKPOINT_JOURNAL_EVERY_SECONDS, and, when a folder is
 * wired, scheduled whole checkpoints folded from the chain in the background (checkpoint/fold.ts).
 * What is written, and which checkpoint a start restores, is checkpoints.ts's; the file formats
 * and the stores are src/checkpoint's.
 *
 * Each checkpoint is written right after every owned slot committed up to the applied position
 * (CheckpointSource.commitAll), so its cut is covered by their cursors. The monitor calls
 * checkpointIfDue from its serial work queue, between the steps that apply messages.
 */
import type { Logger } from 'pino';
import type { JournalLink } from '../checkpoint/journal.js';
import { JournalLog } from '../checkpoint/journal-log.js';
import { checkpointName, nextSequence, type CheckpointStore } from '../checkpoint/store.js';
import type { Config } from '../config/config.js';
import type { LoadedRule } from '../engine/loader.js';
import type { Metrics } from '../observability/metrics.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { checkpointDue, CheckpointSchedule, saveMonitorCheckpoint, saveMonitorJournal, type RunningFold, type StartFold } from './checkpoints.js';
import type { Cut } from './ownership.js';

/** What the checkpoints are taken of, read at the moment each one is written. */
export interface CheckpointSource {
  /** The live pipeline (a re-read replaces it). */
  pipeline(): Pipeline;
  /** The rules in force. */
  rules(): readonly LoadedRule[];
  /** Per input partition, the next offset not in the state. */
  appliedCut(): Cut;
  /** Messages applied since the start (said with each segment). */
  appliedCount(): number;
  /** The monitor has failed for good: nothing more is written. */
  failed(): boolean;
  /** Every owned slot commits up to the applied position; resolves when all have. */
  commitAll(): Promise<void>;
  /** Messages taken from the reorder buffer and not yet applied (the lateness stage's); none when absent. */
  held?(): number;
}

export type CheckpointMetrics = Pick<Metrics, 'checkpointSeconds' | 'checkpointFoldSeconds' | 'checkpointBytes' | 'checkpointLastSuccess' | 'checkpointFailures'>;

export interface CheckpointingOptions {
  /** None: no checkpoint is ever written. */
  store: CheckpointStore | undefined;
  /** Folds the chain away from this thread (MonitorOptions.foldCheckpoint); none: whole checkpoints are written from the live state. */
  foldCheckpoint: StartFold | undefined;
  config: Pick<Config, 'CHECKPOINT_EVERY_MESSAGES' | 'CHECKPOINT_EVERY_SECONDS' | 'CHECKPOINT_JOURNAL_EVERY_SECONDS' | 'CHECKPOINT_KEEP'>;
  group: string;
  logger: Logger;
  metrics: CheckpointMetrics | undefined;
  source: CheckpointSource;
}

/** What a loaded starting state (starting-state.ts) says about the chain to go on with. */
export interface LoadedChainState {
  /** The checkpoint restored from this instance's own store: its chain is ours to extend. */
  ownRestored?: { name: string; base: string };
  /** Where the state was restored from (ours or a peer's); absent for a rebuild. */
  restoredFrom?: string;
  /** On a rebuild, where the fresh state stands. */
  earliest?: Cut;
}

/** Records journaled while the lateness stage holds messages after which the chain ends (dropLongJournal). */
export const HELD_JOURNAL_MAX = 100_000;

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class Checkpointing {
  private schedule: CheckpointSchedule;
  /** The chain the next journal segment extends; undefined until a whole checkpoint is written or restored (and after a break). */
  private journalLink: JournalLink | undefined;
  /** Messages applied since the last checkpoint of either kind, while a chain is open. */
  private journal = new JournalLog();
  private lastJournalAt = Date.now();
  /** Write one whole checkpoint as soon as anything is applied, to reopen the chain (see checkpointDue). */
  private reopenChain = false;
  /** The fold under way, if any (one at a time). */
  private fold: RunningFold | undefined;
  /**
   * The last fold failed: the next scheduled whole checkpoint is written from the live state, so
   * a fold that cannot succeed (a heap bound too small for the state, a worker that cannot start)
   * never leaves the journal chain growing without a whole state. A live save clears it.
   */
  private foldFailed = false;
  /** The sequence the newest fold took when it began: checkpoints written meanwhile take later ones. */
  private reservedSequence = 0;
  /** Moves on each rule reload and each start over: a write that was under way meanwhile must not reopen or extend a chain. */
  private chainEpoch = 0;

  constructor(private readonly options: CheckpointingOptions) {
    this.schedule = this.freshSchedule();
  }

  private freshSchedule(): CheckpointSchedule {
    const { config } = this.options;
    return new CheckpointSchedule(config.CHECKPOINT_EVERY_MESSAGES, config.CHECKPOINT_EVERY_SECONDS * 1000, Date.now());
  }

  /** Journal segments are on: a checkpoint store and a journal interval. */
  private get journaling(): boolean {
    return this.options.store !== undefined && this.options.config.CHECKPOINT_JOURNAL_EVERY_SECONDS > 0;
  }

  /** Where the messages of the next step are journaled, in the order applied; undefined while no chain is open. */
  journalForStep(): JournalLog | undefined {
    return this.journalLink ? this.journal : undefined;
  }

  /** Counts a step's applied messages toward the schedule. */
  applied(messages: number): void {
    this.schedule.applied(messages);
  }

  /**
   * A state was loaded anew (at start, or a re-read): its own chain goes on, a peer's is not ours
   * to extend (the chain reopens with our first whole checkpoint), and a rebuilt state opens its
   * chain at once: a whole checkpoint of the fresh state (the built-in labels, a few hundred kB)
   * at the earliest offsets, which the segments then extend, so a crash during a long rebuild
   * restarts from seconds ago, not from the first offset. The caller cancels any fold first.
   */
  async stateLoaded(state: LoadedChainState): Promise<void> {
    this.chainEpoch++;
    this.journal = new JournalLog();
    this.journalLink = state.ownRestored === undefined || !this.journaling ? undefined : { base: state.ownRestored.base, previous: state.ownRestored.name };
    this.reopenChain = this.journaling && state.restoredFrom !== undefined && state.ownRestored === undefined;
    this.schedule = this.freshSchedule();
    if (state.earliest && this.journaling) await this.saveWhole(this.options.store!, state.earliest);
  }

  /** A journal replays under one rule set: the chain ends, and the next checkpoint is whole. */
  rulesReplaced(): void {
    this.journalLink = undefined;
    this.journal = new JournalLog();
    this.reopenChain = this.journaling;
    this.chainEpoch++;
    void this.cancelFold();
  }

  /**
   * Writes a checkpoint when one is due (checkpointDue): a whole one on the schedule, in between
   * a journal segment every CHECKPOINT_JOURNAL_EVERY_SECONDS (the messages applied since the last
   * one), so a crash loses seconds, not the whole interval. Every owned slot first commits
   * up to the applied position, so the checkpoint's cut is covered by their cursors. A failed
   * write is logged and counted, never fatal: the state in memory is whole; only the next restart
   * needs more history (a failed segment also ends the chain, and the next checkpoint is whole).
   */
  async checkpointIfDue(onStop = false): Promise<void> {
    const { store, source } = this.options;
    if (!store || source.failed()) return;
    const held = (source.held?.() ?? 0) > 0;
    if (held) this.dropLongJournal();
    const now = Date.now();
    // While a fold is under way the schedule waits for it: only segments are written meanwhile.
    const scheduleDue = this.schedule.due(now) && this.fold === undefined;
    const due = checkpointDue({
      now, onStop, scheduleDue, dirty: this.schedule.dirty, chainOpen: this.journalLink !== undefined, reopenChain: this.reopenChain,
      journaled: this.journal.length, lastJournalAt: this.lastJournalAt, journalEveryMs: this.options.config.CHECKPOINT_JOURNAL_EVERY_SECONDS * 1000,
    });
    if (due === undefined) return;
    // A checkpoint never holds a message of the lateness stage (lateness-stage.ts): every kind
    // waits until the stage is empty (a quiet input drains it). A checkpoint written then finds
    // the stage fresh, as an instance that restores it starts, and no checkpoint cuts the stage:
    // a cut falls on each instance's own wall clock, and after a hand-over the instances' orders,
    // and so their outputs, differ across the slot cursor (session 59: the chain-reopening cut
    // published 20 alerts twice; session 60: a scheduled cut every 5 s, 1,533 alerts against
    // 1,514, 20 twice and 1 missing). A stop writes none either: the slot cursors wait at the held
    // messages, and the restart re-reads them from the last checkpoint, as after a crash.
    if (held) return;
    await source.commitAll();
    if (source.failed()) return;
    if (due === 'whole' && this.canFold(onStop)) await this.startFold(store);
    else if (due === 'whole') await this.saveWhole(store);
    else await this.saveSegment(store);
  }

  /**
   * While the stage holds messages no segment is written, so the journal would grow for as long
   * as the input is never quiet: past HELD_JOURNAL_MAX records the chain ends (a whole
   * checkpoint reopens it once the stage is empty) and nothing more is journaled until then.
   */
  private dropLongJournal(): void {
    if (this.journalLink === undefined || this.journal.length < HELD_JOURNAL_MAX) return;
    this.options.logger.info({ journaled: this.journal.length }, 'the lateness stage has held messages for long: the journal chain ends, and the next checkpoint is whole');
    this.journalLink = undefined;
    this.journal = new JournalLog();
    this.reopenChain = true;
    this.chainEpoch++;
    void this.cancelFold();
  }

  /** A scheduled whole checkpoint is folded when a folder is wired and the chain is open and ours (not on a stop, nor to reopen a chain). */
  private canFold(onStop: boolean): boolean {
    return this.options.foldCheckpoint !== undefined && !onStop && !this.reopenChain && !this.foldFailed && this.journalLink !== undefined;
  }

  /**
   * Writes the journal applied since the last segment, then starts folding the chain up to it
   * into a whole checkpoint under a sequence reserved now (fold.ts). Processing goes on; so do
   * segments, which extend the fold once it is written. A fold that fails is logged and counted;
   * the next scheduled whole checkpoint is then written from the live state, and the one after
   * it is folded again.
   */
  private async startFold(store: CheckpointStore): Promise<void> {
    if (this.journal.length > 0) await this.saveSegment(store);
    this.schedule.saved(Date.now());
    const link = this.journalLink;
    if (!link || link.previous === link.base) return; // the chain broke, or has no segment to fold
    const { logger, metrics, config } = this.options;
    try {
      this.reservedSequence = nextSequence(await store.list(), this.reservedSequence);
    } catch (err) {
      metrics?.checkpointFailures.inc();
      logger.error({ err: errorText(err) }, 'checkpoint fold not started: the store cannot be listed');
      return;
    }
    const request = { through: link.previous, name: checkpointName(this.reservedSequence), keep: config.CHECKPOINT_KEEP };
    const started = performance.now();
    const running = this.options.foldCheckpoint!(request, this.options.source.rules());
    this.fold = running;
    logger.info({ through: request.through, checkpoint: request.name }, 'checkpoint fold started');
    running.done.then(
      (outcome) => {
        const seconds = (performance.now() - started) / 1000;
        metrics?.checkpointFoldSeconds.observe(seconds);
        metrics?.checkpointBytes.set(outcome.saved.bytes);
        metrics?.checkpointLastSuccess.set(Date.now() / 1000);
        logger.info({ checkpoint: outcome.saved.location, bytes: outcome.saved.bytes, seconds: Math.round(seconds * 100) / 100, base: outcome.base, segments: outcome.segments, messages: outcome.messages }, 'checkpoint folded');
      },
      (err: unknown) => {
        if (this.fold !== running) return logger.info({ checkpoint: request.name }, 'checkpoint fold cut short');
        metrics?.checkpointFailures.inc();
        this.foldFailed = true;
        logger.error({ err: errorText(err) }, 'checkpoint fold failed; the journal goes on, the next whole checkpoint is written from the live state, and folds resume after it');
      },
    ).finally(() => {
      if (this.fold === running) this.fold = undefined;
    });
  }

  /** Cuts short the fold under way, if any (its chain ended, a state is loaded anew, or the monitor stops). */
  async cancelFold(): Promise<void> {
    const running = this.fold;
    this.fold = undefined;
    await running?.cancel().catch(() => undefined);
  }

  private async saveWhole(store: CheckpointStore, cut: Cut = this.options.source.appliedCut()): Promise<void> {
    await this.cancelFold();
    this.reopenChain = false;
    const epoch = this.chainEpoch;
    const { logger, metrics, config, source } = this.options;
    const started = performance.now();
    try {
      const saved = await saveMonitorCheckpoint(store, source.pipeline(), source.rules(), this.options.group, cut, config.CHECKPOINT_KEEP, this.reservedSequence);
      const seconds = (performance.now() - started) / 1000;
      metrics?.checkpointSeconds.observe(seconds);
      metrics?.checkpointBytes.set(saved.bytes);
      metrics?.checkpointLastSuccess.set(Date.now() / 1000);
      logger.info({ checkpoint: saved.location, bytes: saved.bytes, seconds: Math.round(seconds * 100) / 100, messages: source.pipeline().stats.read }, 'checkpoint written');
      this.foldFailed = false;
      if (epoch === this.chainEpoch) {
        this.journal = new JournalLog();
        this.journalLink = this.journaling ? { base: saved.name, previous: saved.name } : undefined;
        this.lastJournalAt = Date.now();
      }
    } catch (err) {
      metrics?.checkpointFailures.inc();
      logger.error({ err: errorText(err) }, 'checkpoint write failed; the monitor goes on, and a restart needs the history since the last good one');
    }
    this.schedule.saved(Date.now());
  }

  private async saveSegment(store: CheckpointStore): Promise<void> {
    const link = this.journalLink!;
    const records = this.journal;
    const epoch = this.chainEpoch;
    this.journal = new JournalLog();
    const { logger, metrics, source } = this.options;
    try {
      const saved = await saveMonitorJournal(store, records, source.rules(), this.options.group, source.appliedCut(), link, this.reservedSequence);
      if (epoch === this.chainEpoch) this.journalLink = { base: link.base, previous: saved.name };
      metrics?.checkpointLastSuccess.set(Date.now() / 1000);
      logger.info({ checkpoint: saved.location, bytes: saved.bytes, messages: records.length, applied: source.appliedCount() }, 'journal segment written');
    } catch (err) {
      this.journalLink = undefined;
      metrics?.checkpointFailures.inc();
      logger.error({ err: errorText(err) }, 'journal segment write failed; the chain ends here, and the next checkpoint is whole');
    }
    this.lastJournalAt = Date.now();
  }
}
