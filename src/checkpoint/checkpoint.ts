/**
 * Saving and restoring the whole pipeline state.
 *
 *   saveCheckpoint(store, pipeline, { rules, positions })   → the new checkpoint's name and size
 *   loadNewestValid(store, { build, rules })                 → the newest checkpoint that restores, or undefined
 *
 * The pipeline must not process messages while a save is under way (await it): the sections
 * are read from the live structures as they are written.
 */
import type { LoadedRule } from '../engine/loader.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { DirectoryStore } from './directory-store.js';
import { CheckpointError } from './errors.js';
import { FrameReader } from './frame-reader.js';
import { FrameWriter } from './frame-writer.js';
import { buildHeader, checkHeader, ruleDrift, type CheckpointHeader, type FoldedFrom } from './header.js';
import { readPipeline, writePipeline } from './pipeline-sections.js';
import { beyondKept, checkpointName, isJournal, nextSequence, type CheckpointStore } from './store.js';

export const DEFAULT_KEEP = 3;

export interface SaveOptions {
  rules: readonly LoadedRule[];
  /** How far into the input the state reaches (file lines, topic-partition offsets): opaque JSON. */
  positions: unknown;
  /** Checkpoints kept, newest first; older ones are deleted after a save. @defaultValue 3 */
  keep?: number;
  /** @defaultValue now (tests pass a fixed time for byte-identical files) */
  createdAt?: Date;
  /** The name to write under (a sequence reserved beforehand, fold.ts). @defaultValue the one after the store's newest */
  name?: string;
  /** For a state folded from a journal chain: what it was folded from (the header says so). */
  folded?: FoldedFrom;
}

export interface SavedCheckpoint {
  name: string;
  location: string;
  bytes: number;
  sha256: string;
}

const asStore = (store: CheckpointStore | string): CheckpointStore => (typeof store === 'string' ? new DirectoryStore(store) : store);

export async function saveCheckpoint(target: CheckpointStore | string, pipeline: Pipeline, options: SaveOptions): Promise<SavedCheckpoint> {
  const store = asStore(target);
  const name = options.name ?? checkpointName(nextSequence(await store.list()));
  const sink = await store.create(name);
  let writer: FrameWriter;
  let sha256: string;
  try {
    writer = new FrameWriter(sink);
    await writer.json(buildHeader(options.rules, options.positions, options.createdAt ?? new Date(), options.folded));
    await writePipeline(writer, pipeline);
    sha256 = await writer.finish();
    await sink.commit();
  } catch (err) {
    await sink.abort();
    throw err;
  }
  for (const old of beyondKept(await store.list(), options.keep ?? DEFAULT_KEEP)) await store.remove(old);
  return { name, location: store.locate(name), bytes: writer.size, sha256 };
}

/** Reads a checkpoint through, checking its header, framing and checksum, without restoring anything. */
export async function verifyCheckpoint(target: CheckpointStore | string, name: string): Promise<CheckpointHeader> {
  const store = asStore(target);
  const r = new FrameReader(store.read(name), store.locate(name));
  const header = await readHeader(r);
  await r.skipToChecksum();
  return header;
}

/** A whole state's header alone, checked for a version this build reads; nothing else is read or verified. */
export async function readCheckpointHeader(target: CheckpointStore | string, name: string): Promise<CheckpointHeader> {
  const store = asStore(target);
  const r = new FrameReader(store.read(name), store.locate(name));
  try {
    return await readHeader(r);
  } finally {
    await r.close();
  }
}

async function readHeader(r: FrameReader): Promise<CheckpointHeader> {
  await r.start();
  return checkHeader(await r.json<Partial<CheckpointHeader>>(), r.location);
}

/** Restores a checkpoint into a fresh pipeline built without labels; checks the checksum again at the end. */
export async function restoreCheckpoint(target: CheckpointStore | string, name: string, pipeline: Pipeline): Promise<CheckpointHeader> {
  const store = asStore(target);
  if (isJournal(name)) throw new CheckpointError(store.locate(name), 'it is a journal segment, which extends the whole state before it, not a state of its own');
  const r = new FrameReader(store.read(name), store.locate(name));
  const header = await readHeader(r);
  await readPipeline(r, pipeline);
  await r.finish();
  return header;
}

export interface RestoredCheckpoint {
  name: string;
  location: string;
  header: CheckpointHeader;
  pipeline: Pipeline;
  /** Checkpoints refused on the way (newest first), and a rule-set change, each a sentence. */
  warnings: string[];
}

export interface LoadOptions {
  /** A fresh pipeline, built without labels (the checkpoint carries the labels in force). */
  build: () => Pipeline;
  /** The rules in force: a checkpoint written under others restores with a warning. */
  rules: readonly LoadedRule[];
  /** Told each warning as it happens (also when none is left). */
  onWarning?: (message: string) => void;
}

/**
 * The newest checkpoint that verifies and restores, into a pipeline from `build`. A corrupt or
 * incompatible one is refused with a warning and the one before it is tried. Undefined when
 * none is left (the caller then rebuilds from history, and should say how far back it sees).
 */
export async function loadNewestValid(target: CheckpointStore | string, options: LoadOptions): Promise<RestoredCheckpoint | undefined> {
  const store = asStore(target);
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    options.onWarning?.(message);
  };
  for (const name of await store.list()) {
    try {
      // Verified whole before anything is restored: no byte of a corrupt file is interpreted.
      await verifyCheckpoint(store, name);
      const pipeline = options.build();
      const header = await restoreCheckpoint(store, name, pipeline);
      const drift = ruleDrift(header, options.rules, store.locate(name));
      if (drift) warn(drift);
      return { name, location: store.locate(name), header, pipeline, warnings };
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
      warn(`${err.message}; trying the one before it`);
    }
  }
  return undefined;
}
