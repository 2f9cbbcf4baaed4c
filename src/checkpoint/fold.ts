/**
 * Folding a journal chain into a whole state, away from the pipeline that is processing.
 *
 * A whole checkpoint is written from the live structures, so the pipeline waits while it is
 * written: seconds per 100 MB of state. A journal chain (a whole state and the segments that
 * extend it) already holds everything that state is made of, and the pipeline is deterministic.
 * So another pipeline (a worker thread, another process) can restore the chain's whole state,
 * apply its segments and write the result as a new whole state, while the live one goes on
 * processing and journaling. This is what a log-structured store's compaction does, and what
 * Redis does when it rewrites its append-only file in a child.
 *
 * The folded state names what it replaces (header `folded`: base, and `through`, the last
 * segment it applied) and takes a sequence reserved when the fold began, right after `through`:
 * every segment the live pipeline writes meanwhile is newer, extends `through`, and so extends
 * the folded state (journalChain), and retention (beyondKept) counts it as the newest whole state
 * below them.
 */
import type { LoadedRule } from '../engine/loader.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { readCheckpointHeader, restoreCheckpoint, saveCheckpoint, verifyCheckpoint, type SavedCheckpoint } from './checkpoint.js';
import { CheckpointError } from './errors.js';
import { applyJournal, journalChain, verifyJournal, type FoldSite } from './journal.js';
import { isJournal, type CheckpointStore } from './store.js';

export interface FoldRequest {
  /** The newest segment of the chain to fold: the folded state covers the chain up to it. */
  through: string;
  /** The name to write the folded state under (a sequence reserved after `through`). */
  name: string;
  /** Whole states kept afterwards, as after any whole checkpoint. */
  keep: number;
}

export interface FoldOutcome {
  saved: SavedCheckpoint;
  base: string;
  segments: number;
  messages: number;
}

export interface FoldOptions {
  /** A fresh pipeline built without labels, as for a restore. */
  build: () => Pipeline;
  rules: readonly LoadedRule[];
  /** @defaultValue now */
  createdAt?: Date;
}

/**
 * Restores the chain that ends at `request.through` into a fresh pipeline, applies its segments
 * and writes the result as a whole state under `request.name`, with `through`'s positions. The
 * chain may itself start from an earlier fold. Any broken link is a CheckpointError, and nothing
 * is written then.
 */
export async function foldChain(store: CheckpointStore, request: FoldRequest, options: FoldOptions): Promise<FoldOutcome> {
  if (!isJournal(request.through)) throw new CheckpointError(store.locate(request.through), 'it is a whole state: there is no journal to fold into it');
  const names = await store.list();
  const chain = await verifiedChain(store, request.through, names);
  const pipeline = options.build();
  await restoreCheckpoint(store, chain.base, pipeline);
  let messages = 0;
  for (const segment of chain.segments) messages += await applyJournal(store, segment, pipeline);
  const last = await verifyJournal(store, request.through);
  const saved = await saveCheckpoint(store, pipeline, {
    rules: options.rules, positions: last.positions, keep: request.keep, name: request.name, createdAt: options.createdAt,
    folded: { base: chain.base, chain: last.journal.base, through: request.through, segments: chain.segments.length, messages },
  });
  return { saved, base: chain.base, segments: chain.segments.length, messages };
}

/**
 * The chain that ends at `through`, from the newest fold of it whose file verifies: a bad fold is
 * passed over for the state it started from, as a restore does, so one bad file does not make
 * every later fold fail.
 */
async function verifiedChain(store: CheckpointStore, through: string, names: readonly string[]): Promise<{ base: string; segments: string[] }> {
  const refused = new Set<string>();
  for (;;) {
    const chain = await journalChain(store, through, names, await foldSites(store, names, refused));
    try {
      await verifyCheckpoint(store, chain.base);
      return chain;
    } catch (err) {
      if (!(err instanceof CheckpointError) || chain.base === chain.header.journal.base || refused.has(chain.base)) throw err;
      refused.add(chain.base);
    }
  }
}

/**
 * The folded whole states among `names` (newest first), by the segment each folded through; the
 * newest one wins where two fold through the same segment. A state whose header cannot be read
 * is left out here (a restore that tries it refuses it with the reason), and so are `refused`.
 */
export async function foldSites(store: CheckpointStore, names: readonly string[], refused: ReadonlySet<string> = new Set()): Promise<Map<string, FoldSite>> {
  const sites = new Map<string, FoldSite>();
  for (const name of names) {
    if (isJournal(name) || refused.has(name)) continue;
    let folded;
    try {
      folded = (await readCheckpointHeader(store, name)).folded;
    } catch (err) {
      if (err instanceof CheckpointError) continue;
      throw err;
    }
    if (folded && !sites.has(folded.through)) sites.set(folded.through, { name, chain: folded.chain });
  }
  return sites;
}
