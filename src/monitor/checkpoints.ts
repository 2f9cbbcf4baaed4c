/**
 * The monitor's checkpoints: when to take one, what its positions say, and which one a start can
 * restore. The file format and the store are src/checkpoint's; this module adds what only the
 * monitor knows.
 *
 * - A checkpoint's positions are the applied cut: per input partition, the next offset not in
 *   the state. It is taken right after every owned slot committed up to that cut, so a restart
 *   from it never needs an output of an earlier message.
 * - A start restores the newest checkpoint that verifies and is usable now: it covers the same
 *   input topics, every record past its cut is still on the broker, and every slot's committed
 *   cursor covers its cut (outputs of messages before the cut cannot be produced again, so each
 *   slot must already have published them, whoever owns it).
 */
import type { CheckpointStore } from '../checkpoint/store.js';
import { saveCheckpoint, type SavedCheckpoint } from '../checkpoint/checkpoint.js';
import { restoreCheckpoint, verifyCheckpoint } from '../checkpoint/checkpoint.js';
import { CheckpointError } from '../checkpoint/errors.js';
import { ruleDrift, type CheckpointHeader } from '../checkpoint/header.js';
import { foldSites, type FoldOutcome, type FoldRequest } from '../checkpoint/fold.js';
import type { JournalLog } from '../checkpoint/journal-log.js';
import { applyJournal, journalChain, saveJournal, type JournalHeader, type JournalLink, type JournalRecord } from '../checkpoint/journal.js';
import { checkpointName, isJournal, nextSequence } from '../checkpoint/store.js';
import type { LoadedRule } from '../engine/loader.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { covers, partitionKey, splitKey, type Cut } from './ownership.js';

export interface MonitorPositions {
  monitor: { group: string; inputs: { topic: string; partition: number; offset: string }[] };
}

export function positionsOf(group: string, cut: Cut): MonitorPositions {
  const inputs = [...cut].map(([pk, offset]) => ({ ...splitKey(pk), offset: offset.toString() })).sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  return { monitor: { group, inputs } };
}

/** The cut a checkpoint's positions record, or why they are not a monitor's. */
export function cutOf(positions: unknown): Cut | string {
  const inputs = (positions as Partial<MonitorPositions> | undefined)?.monitor?.inputs;
  if (!Array.isArray(inputs)) return 'it was not written by a monitor (no topic-partition offsets; a replay checkpoint, perhaps)';
  const cut: Cut = new Map();
  for (const i of inputs) {
    if (typeof i?.topic !== 'string' || !Number.isInteger(i.partition) || typeof i.offset !== 'string' || !/^\d+$/.test(i.offset)) return `its position ${JSON.stringify(i)} is not a topic, partition and offset`;
    cut.set(partitionKey(i.topic, i.partition), BigInt(i.offset));
  }
  return cut;
}

/** What the broker and the slot cursors say at start, against which a checkpoint is judged. */
export interface StartingPoint {
  topics: readonly string[];
  /** Each input partition's first available offset. */
  earliest: ReadonlyMap<string, bigint>;
  /** Every slot's committed cursor, owned here or not. */
  cursors: readonly Cut[];
}

/** Why a checkpoint at `cut` cannot be used from this starting point; undefined when it can. */
export function unusableReason(cut: Cut, start: StartingPoint): string | undefined {
  const topics = new Set([...cut.keys()].map((pk) => splitKey(pk).topic));
  const wanted = new Set(start.topics);
  if (topics.size !== wanted.size || [...topics].some((t) => !wanted.has(t))) return `it covers the topics ${[...topics].sort().join(', ')}, and this monitor reads ${[...wanted].sort().join(', ')}`;
  for (const [pk, offset] of cut) {
    const earliest = start.earliest.get(pk);
    if (earliest === undefined) return `its partition ${pk} no longer exists`;
    if (earliest > offset) return `it needs ${pk} from offset ${offset}, and the earliest record left there is at ${earliest} (retention or deleteRecords removed the rest)`;
  }
  const behind = start.cursors.findIndex((c) => !covers(c, cut));
  if (behind >= 0) return `slot ${behind}'s committed cursor has not reached it (outputs of messages before it may still be unpublished)`;
  return undefined;
}

export interface Restored {
  /** The checkpoint restored: a whole state, or the last journal segment of a chain applied to one. */
  name: string;
  /** The whole state restored: `name` itself, or the base of the journal chain `name` ends. */
  base: string;
  /** Journal segments applied on top of the whole state, and the messages they held. */
  journal: { segments: number; messages: number };
  location: string;
  pipeline: Pipeline;
  cut: Cut;
  createdAt: string;
}

export interface RestoreOptions {
  /** A fresh pipeline without labels (the checkpoint carries the labels in force). */
  build: () => Pipeline;
  rules: readonly LoadedRule[];
  start: StartingPoint;
  /** Each checkpoint passed over and why, and a rule-set change, as sentences. */
  warn: (message: string) => void;
  /** Bytes read of the checkpoint being restored, and its size when the store knows it. */
  progress?: (read: number, total: number | undefined) => void;
  /**
   * Sets aside (CheckpointStore.setAside) each checkpoint refused as corrupt or of another
   * format: the instance's own store, never a peer's. Else the refused files keep places that
   * retention (CHECKPOINT_KEEP) would give to the valid checkpoints it deletes.
   */
  setAsideRefused?: boolean;
}

/**
 * The newest checkpoint that verifies, restores and is usable from `start`; undefined when none
 * is. A journal segment is restored with its chain, from the newest whole state folded from it
 * (fold.ts) where there is one; a folded state that fails is refused and the chain is tried again
 * from the state before it.
 */
export async function restoreNewestUsable(store: CheckpointStore, options: RestoreOptions): Promise<Restored | undefined> {
  const names = await store.list();
  // Where a refusal was found (a file or key): a corrupt segment that newer segments link
  // through is refused, and said, once.
  const refusedAt = new Set<string>();
  try {
    return await restoreFromNewest(store, names, refusedAt, options);
  } finally {
    if (options.setAsideRefused && store.setAside) await setAside(store, names.filter((n) => refusedAt.has(store.locate(n))), options.warn);
  }
}

async function setAside(store: CheckpointStore, names: readonly string[], warn: (message: string) => void): Promise<void> {
  for (const name of names) {
    try {
      warn(`checkpoint ${store.locate(name)} set aside as ${await store.setAside!(name)}: it was refused, so it is not read again nor counted among the CHECKPOINT_KEEP kept`);
    } catch (err) {
      warn(`checkpoint ${store.locate(name)} was refused and could not be set aside: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

async function restoreFromNewest(store: CheckpointStore, names: readonly string[], refusedAt: Set<string>, options: RestoreOptions): Promise<Restored | undefined> {
  const refused = new Set<string>();
  let folds = await foldSites(store, names);
  for (const name of names) {
    if (refused.has(name) || refusedAt.has(store.locate(name))) continue;
    for (;;) {
      let fold: string | undefined;
      try {
        // A journal segment is verified with every link of its chain back to its whole state.
        const chain = isJournal(name) ? await journalChain(store, name, names, folds) : undefined;
        if (chain && !isBaseOfOwnLink(chain)) fold = chain.base;
        return await restoreFrom(store, name, chain, options);
      } catch (err) {
        if (err instanceof UnusableCheckpoint) { options.warn(err.message); break; }
        if (!(err instanceof CheckpointError)) throw err;
        if (!refusedAt.has(err.location)) options.warn(`${err.message}; trying the one before it`);
        refusedAt.add(err.location);
        if (fold === undefined) break;
        // The folded state is bad: the same segment again, from the whole state the fold replaced.
        refused.add(fold);
        folds = new Map([...folds].filter(([, site]) => site.name !== fold));
      }
    }
  }
  return undefined;
}

/** Whether the chain starts at the whole state its newest segment names (not at a fold of it). */
function isBaseOfOwnLink(chain: { base: string; header: JournalHeader }): boolean {
  return chain.base === chain.header.journal.base;
}

/** A checkpoint that verified but cannot be used from this starting point (passed over, not corrupt). */
class UnusableCheckpoint extends Error {}

async function restoreFrom(store: CheckpointStore, name: string, chain: { base: string; segments: string[]; header: JournalHeader } | undefined, options: RestoreOptions): Promise<Restored> {
  const location = store.locate(name);
  const header: CheckpointHeader = chain ? chain.header : await verifyCheckpoint(store, name);
  const cut = cutOf(header.positions);
  const reason = typeof cut === 'string' ? cut : unusableReason(cut, options.start);
  if (reason !== undefined || typeof cut === 'string') throw new UnusableCheckpoint(`checkpoint ${location} passed over: ${reason}; trying the one before it`);
  const base = chain?.base ?? name;
  if (chain) await verifyCheckpoint(store, base);
  const pipeline = options.build();
  const baseHeader = await restoreCheckpoint(counting(store, base, options.progress), base, pipeline);
  let messages = 0;
  for (const segment of chain?.segments ?? []) messages += await applyJournal(store, segment, pipeline);
  const drift = ruleDrift(baseHeader, options.rules, store.locate(base));
  if (drift) options.warn(drift);
  return { name, base, location, pipeline, cut, createdAt: header.createdAt, journal: { segments: chain?.segments.length ?? 0, messages } };
}

/** The store, with the reads of one checkpoint counted for restore progress. */
function counting(store: CheckpointStore, name: string, progress: RestoreOptions['progress']): CheckpointStore {
  if (!progress) return store;
  const total = store.size?.(name).catch(() => undefined) ?? Promise.resolve(undefined);
  return {
    list: () => store.list(),
    create: (n) => store.create(n),
    remove: (n) => store.remove(n),
    locate: (n) => store.locate(n),
    read: (n) => countBytes(store.read(n), total, progress),
  };
}

async function* countBytes(source: AsyncIterable<Uint8Array>, total: Promise<number | undefined>, progress: (read: number, total: number | undefined) => void): AsyncGenerator<Uint8Array> {
  const size = await total;
  let read = 0;
  for await (const chunk of source) {
    read += chunk.length;
    progress(read, size);
    yield chunk;
  }
}

/** When the next checkpoint is due: every `everyMessages` applied messages or `everyMs` of wall clock, whichever comes first, and only past new messages. */
export class CheckpointSchedule {
  private appliedSince = 0;
  private lastAt: number;

  constructor(private readonly everyMessages: number, private readonly everyMs: number, now: number) {
    this.lastAt = now;
  }

  applied(n: number): void {
    this.appliedSince += n;
  }

  due(now: number): boolean {
    return this.appliedSince > 0 && (this.appliedSince >= this.everyMessages || now - this.lastAt >= this.everyMs);
  }

  /** Anything applied since the last checkpoint (a stop saves only then). */
  get dirty(): boolean {
    return this.appliedSince > 0;
  }

  saved(now: number): void {
    this.appliedSince = 0;
    this.lastAt = now;
  }
}

/** What the monitor knows when it asks whether a checkpoint is due. */
export interface CheckpointMoment {
  now: number;
  onStop: boolean;
  /** The whole-checkpoint schedule says one is due (messages or seconds). */
  scheduleDue: boolean;
  /** Anything applied since the last whole checkpoint. */
  dirty: boolean;
  /** A journal chain is open (a whole state this instance wrote or restored from its own store). */
  chainOpen: boolean;
  /** A chain should reopen at once: journaling is on and a peer's checkpoint was restored or the rules reloaded. */
  reopenChain: boolean;
  /** Messages applied since the last checkpoint of either kind. */
  journaled: number;
  lastJournalAt: number;
  journalEveryMs: number;
}

/**
 * Which checkpoint to write now, if any. A whole one on the schedule, on a clean stop when
 * anything was applied (a planned restart then applies no journal), and once as soon as anything
 * is applied when the chain should reopen (after a peer's checkpoint was restored or the rules
 * were reloaded: not after the whole interval; the caller clears `reopenChain` after that one
 * attempt, so a failing store is not retried at every step). Otherwise a segment once the
 * journal interval has passed with messages to write.
 */
export function checkpointDue(m: CheckpointMoment): 'whole' | 'segment' | undefined {
  if (m.onStop ? m.dirty : m.scheduleDue || (m.reopenChain && m.dirty)) return 'whole';
  if (!m.onStop && m.chainOpen && m.journaled > 0 && m.now - m.lastJournalAt >= m.journalEveryMs) return 'segment';
  return undefined;
}

/**
 * Writes the messages applied since the last checkpoint as the next segment of the chain `link`
 * describes, after `reserved` (the sequence of a fold being written) when there is one.
 */
export async function saveMonitorJournal(store: CheckpointStore, records: readonly JournalRecord[] | JournalLog, rules: readonly LoadedRule[], group: string, cut: Cut, link: JournalLink, reserved?: number): Promise<SavedCheckpoint> {
  return saveJournal(store, records, { rules, positions: positionsOf(group, cut), link, reserved });
}

export async function saveMonitorCheckpoint(store: CheckpointStore, pipeline: Pipeline, rules: readonly LoadedRule[], group: string, cut: Cut, keep: number, reserved?: number): Promise<SavedCheckpoint> {
  const name = reserved === undefined ? undefined : checkpointName(nextSequence(await store.list(), reserved));
  return saveCheckpoint(store, pipeline, { rules, positions: positionsOf(group, cut), keep, name });
}

/** A fold under way (fold.ts), started by a StartFold: what it wrote, or why not; `cancel` cuts it short. */
export interface RunningFold {
  done: Promise<FoldOutcome>;
  cancel(): Promise<void>;
}

/** Starts folding a journal chain into a whole state away from the monitor's thread (the composition root's worker thread). */
export type StartFold = (request: FoldRequest, rules: readonly LoadedRule[]) => RunningFold;
