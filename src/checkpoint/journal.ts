/**
 * Journal segments: a command log between whole checkpoints. The pipeline is deterministic (the
 * same messages in the same order give the same state, byte for byte), so the messages applied
 * since a whole state, in the order they were applied, are as good as the state they lead to. A
 * segment holds those messages (raw text, where each came from, and the clock reading its
 * decoding used) and, like a whole checkpoint, a header with the positions it reaches and a
 * checksum. Writing one costs what the messages weigh, not what the state weighs, so it can be
 * taken every few seconds; the whole state is written less often.
 *
 * A segment names the whole state it extends (`base`) and the segment before it (`previous`,
 * the base itself for the first). A restore reads the base, then applies each segment of the
 * chain in order, checking every link; a broken or missing one ends the chain there.
 */
import { decodeBytes } from '../decode/encoding.js';
import type { LoadedRule } from '../engine/loader.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SavedCheckpoint } from './checkpoint.js';
import { CheckpointError } from './errors.js';
import { FrameReader } from './frame-reader.js';
import { FrameWriter } from './frame-writer.js';
import { KIND } from './frames.js';
import { buildHeader, checkHeader, type CheckpointHeader } from './header.js';
import { JournalLog, type JournalMeta } from './journal-log.js';
import { checkpointName, isJournal, nextSequence, type CheckpointStore } from './store.js';

/** One applied message as the journal keeps it. */
export interface JournalRecord {
  topic: string;
  partition: number;
  offset: string;
  /** The clock reading (ms) its decoding used: the one decision that reads the clock is taken again with it. */
  decodedAt: number;
  raw: string;
  /** The original bytes when they are not UTF-8 (`raw` is then their mended text): kept, so the replay refuses them again. */
  bytes?: Buffer;
}

export interface JournalLink {
  /** The whole state this segment extends. */
  base: string;
  /** The segment before this one in the chain, or the base for the first. */
  previous: string;
}

export type JournalHeader = CheckpointHeader & { journal: JournalLink };

export interface SaveJournalOptions {
  rules: readonly LoadedRule[];
  positions: unknown;
  link: JournalLink;
  createdAt?: Date;
  /** A sequence set aside for a fold being written: the segment takes a later one. */
  reserved?: number;
}

/** The records as a journal log (journal-log.ts), in their order. */
export function journalLogOf(records: readonly JournalRecord[]): JournalLog {
  const log = new JournalLog();
  for (const r of records) log.append(r.topic, r.partition, r.offset, r.decodedAt, r.bytes ?? r.raw);
  return log;
}

/**
 * Writes the records as the next segment of the store's sequence: groups of them (journal-log.ts),
 * each a JSON frame of its records' origins, clock readings and byte lengths, then one bytes frame
 * with their texts back to back (no escaping, no second copy as a JSON string).
 */
export async function saveJournal(store: CheckpointStore, records: readonly JournalRecord[] | JournalLog, options: SaveJournalOptions): Promise<SavedCheckpoint> {
  const log = records instanceof JournalLog ? records : journalLogOf(records);
  const name = checkpointName(nextSequence(await store.list(), options.reserved), 'journal');
  const sink = await store.create(name);
  let writer: FrameWriter;
  let sha256: string;
  try {
    writer = new FrameWriter(sink);
    const header: JournalHeader = { ...buildHeader(options.rules, options.positions, options.createdAt ?? new Date()), journal: options.link };
    await writer.json(header);
    for (const group of log.groups()) {
      await writer.json(group.meta);
      await writer.bytes(group.bytes);
    }
    await writer.end();
    sha256 = await writer.finish();
    await sink.commit();
  } catch (err) {
    await sink.abort();
    throw err;
  }
  return { name, location: store.locate(name), bytes: writer.size, sha256 };
}

/** A segment's header, after reading it through and checking its checksum (nothing is applied). */
export async function verifyJournal(store: CheckpointStore, name: string): Promise<JournalHeader> {
  const r = new FrameReader(store.read(name), store.locate(name));
  const header = await readJournalHeader(r, name);
  await r.skipToChecksum();
  return header;
}

async function readJournalHeader(r: FrameReader, name: string): Promise<JournalHeader> {
  await r.start();
  const header = checkHeader(await r.json<Partial<JournalHeader>>(), r.location) as Partial<JournalHeader>;
  const link = header.journal;
  if (!isJournal(name) || typeof link?.base !== 'string' || typeof link.previous !== 'string') throw new CheckpointError(r.location, 'it is not a journal segment (no link to the state it extends)');
  return header as JournalHeader;
}

/**
 * Applies a verified segment's messages to `pipeline`, in their order, as the monitor applied
 * them (outputs are dropped: they were published before the segment was written). The checksum
 * is checked again at the end.
 */
export async function applyJournal(store: CheckpointStore, name: string, pipeline: Pipeline): Promise<number> {
  const r = new FrameReader(store.read(name), store.locate(name));
  await readJournalHeader(r, name);
  let applied = 0;
  for (;;) {
    const head = await r.next();
    if (head.kind === KIND.end) break;
    const meta = head.kind === KIND.json ? parseMeta(head.payload) : undefined;
    if (!meta) return r.fail(`journal group ${applied} has no list of messages before byte ${r.position}`);
    const body = await r.next();
    if (body.kind !== KIND.bytes) return r.fail(`journal group ${applied} has no bytes frame before byte ${r.position}`);
    let at = 0;
    for (const m of meta) {
      if (!Array.isArray(m) || m.length !== 5 || !Number.isInteger(m[4]) || at + m[4] > body.payload.length) return r.fail(`journal message ${applied} is not [topic, partition, offset, decodedAt, bytes] within its group`);
      const [topic, partition, offset, decodedAt, length] = m;
      const { raw, decoded } = decodeBytes(body.payload.subarray(at, at + length), (text) => pipeline.decode(text, decodedAt));
      at += length;
      pipeline.processDecoded(decoded, raw, { topic, partition, offset });
      applied++;
    }
    if (at !== body.payload.length) return r.fail(`journal group ending at byte ${r.position} holds ${body.payload.length - at} bytes beyond its messages`);
  }
  await r.finish();
  return applied;
}

function parseMeta(payload: Buffer): JournalMeta[] | undefined {
  try {
    const meta = JSON.parse(payload.toString('utf8')) as unknown;
    return Array.isArray(meta) ? (meta as JournalMeta[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The chain that `name` ends: its base (a whole state) and its segments, oldest first. Every link
 * is checked against the store's names; a gap is a CheckpointError naming it. Where a whole state
 * folded in the background (fold.ts) covers the chain up to one of its segments (`folds`, by that
 * segment's name), the chain starts there instead: the folded state and the segments after it.
 */
export async function journalChain(store: CheckpointStore, name: string, names: readonly string[], folds: ReadonlyMap<string, FoldSite> = new Map()): Promise<{ base: string; segments: string[]; header: JournalHeader }> {
  const present = new Set(names);
  const segments: string[] = [];
  let header: JournalHeader | undefined;
  let at = name;
  for (;;) {
    const h = await verifyJournal(store, at);
    header ??= h;
    segments.unshift(at);
    const previous = h.journal.previous;
    const fold = folds.get(previous);
    if (fold !== undefined && fold.chain === h.journal.base) return { base: fold.name, segments, header };
    if (!present.has(previous)) throw new CheckpointError(store.locate(at), `the ${previous === h.journal.base ? 'whole state' : 'segment'} it extends, ${previous}, is gone`);
    if (previous === h.journal.base) return { base: previous, segments, header };
    if (!isJournal(previous)) throw new CheckpointError(store.locate(at), `it names ${previous} as the segment before it, which is a whole state other than its base ${h.journal.base}`);
    at = previous;
  }
}

/** A folded whole state (`name`) and the base its chain's links name (FoldedFrom.chain). */
export interface FoldSite {
  name: string;
  chain: string;
}
