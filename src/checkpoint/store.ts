/**
 * Where checkpoints live. A store keeps whole, named checkpoints and makes a new one visible
 * only once it is complete (`commit`), so a reader never sees half of one. Two implement it: a
 * local directory (directory-store.ts) and Redis (redis-store.ts), for instances that move.
 */
import type { ByteSink } from './frames.js';

export interface CheckpointSink extends ByteSink {
  /** Makes the checkpoint durable and visible under its name. */
  commit(): Promise<void>;
  /** Drops what was written; the name stays free. */
  abort(): Promise<void>;
}

export interface CheckpointStore {
  /** Committed checkpoint names, newest first. */
  list(): Promise<string[]>;
  create(name: string): Promise<CheckpointSink>;
  read(name: string): AsyncIterable<Uint8Array>;
  remove(name: string): Promise<void>;
  /** Where a checkpoint is, for messages (a path or a URL). */
  locate(name: string): string;
  /** Its size in bytes, when the store knows it cheaply (restore progress). */
  size?(name: string): Promise<number>;
  /**
   * Moves a checkpoint a restore refused (corrupt, of another format) out of the list, kept
   * beside it for inspection, so that it never again holds one of the CHECKPOINT_KEEP places;
   * returns where it now is.
   */
  setAside?(name: string): Promise<string>;
}

const NAME = /^checkpoint-(\d{12})\.tw([cj])$/;

/**
 * Names sort by a sequence number, not a clock: a clock can step back, a sequence cannot. A
 * whole state ends in `.twc`; a journal segment (journal.ts), which extends the newest state
 * before it with the messages applied since, in `.twj`. Both share one sequence.
 */
export function checkpointName(sequence: number, kind: 'state' | 'journal' = 'state'): string {
  return `checkpoint-${String(sequence).padStart(12, '0')}.tw${kind === 'journal' ? 'j' : 'c'}`;
}

/** The sequence after the newest of `names` (newest first) and after `reserved` (one set aside for a fold being written). */
export function nextSequence(names: readonly string[], reserved = 0): number {
  return Math.max(names[0] === undefined ? 0 : sequenceOf(names[0])!, reserved) + 1;
}

export function isJournal(name: string): boolean {
  return NAME.exec(name)?.[2] === 'j';
}

export function sequenceOf(name: string): number | undefined {
  const m = NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Names to remove so that `keep` whole states stay, with every journal segment newer than the
 * oldest of them (segments older than it extend a state that is gone). `names` newest first.
 */
export function beyondKept(names: readonly string[], keep: number): string[] {
  let states = 0;
  for (let i = 0; i < names.length; i++) {
    if (!isJournal(names[i]!) && ++states === keep) return names.slice(i + 1);
  }
  return [];
}

/** Checkpoint names among `names`, newest first. */
export function newestFirst(names: readonly string[]): string[] {
  return names.filter((n) => sequenceOf(n) !== undefined).sort((a, b) => sequenceOf(b)! - sequenceOf(a)!);
}
