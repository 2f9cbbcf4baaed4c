/**
 * Ordering: fetched Kafka batches go in, steps of messages in event-time order come out, each
 * partition as a prefix in offset order. It decodes on the way in (the event time is needed to
 * order), feeds the reorder buffer (event-time-buffer.ts) and keeps the applied cut that slot
 * cursors record. No Kafka and no clock of its own: the monitor passes batches and `now`, so the
 * unit tests drive it directly.
 */
import type { DecodeResult } from '../decode/decode.js';
import { decodeBytes } from '../decode/encoding.js';
import { EventTimeBuffer, type Entry } from './event-time-buffer.js';
import { partitionKey, type Cut } from './ownership.js';
import { sortInstantRuns, type InstantItem } from '../sources/instant-order.js';
import { PartitionCopies } from '../sources/order-key.js';
import type { TopicSchemaCheck } from '../contract/topic-schemas.js';

const keyOfEntry = (e: Entry<Fetched>): number => e.key;
const timeOfEntry = (e: Entry<Fetched>): number => e.time;
const viewOfEntry = (e: Entry<Fetched>): InstantItem => e.value;

/**
 * A fetched message, decoded once. Its bytes (the record's key and value) are kept in one buffer
 * per fetched batch, not as strings: its text is needed again only for a dead letter, and the
 * journal copies its bytes. A buffered message outlives young-generation collections while it
 * waits for the other partitions; as a string and a key object it was copied by each, then
 * promoted (about 350 of the 850 bytes a buffered message added to the old generation, session 59).
 */
export class Fetched {
  constructor(
    readonly decoded: DecodeResult,
    /** The clock reading `decode` was given (`now` of accept): the journal records it. */
    readonly decodedAt: number,
    /** The batch's key and value bytes, back to back. */
    private readonly data: Buffer,
    /** Where its key starts in `data` (-1: the record has none) and its value starts and ends. */
    private readonly keyStart: number,
    private readonly valueStart: number,
    private readonly valueEnd: number,
    private readonly tombstone: boolean,
  ) {}

  /** The message's text, as decoded (the mended text of bytes that are not UTF-8; empty for a tombstone). */
  get raw(): string {
    return this.data.toString('utf8', this.valueStart, this.valueEnd);
  }

  /** The bytes this message keeps reachable: its batch's whole buffer, or only its own once compacted. */
  get retainedBytes(): number {
    return this.data.buffer.byteLength;
  }

  /**
   * The same message over a copy of its own key and value bytes, for a message held long after
   * the rest of its batch was applied (the lateness stage's): it then keeps its batch's buffer
   * alive alone (session 59 review: 361 messages held a day's lead apart kept 103 MB of batches).
   */
  compacted(): Fetched {
    const start = this.keyStart < 0 ? this.valueStart : this.keyStart;
    const own = Buffer.allocUnsafeSlow(this.valueEnd - start);
    this.data.copy(own, 0, start, this.valueEnd);
    return new Fetched(this.decoded, this.decodedAt, own, this.keyStart < 0 ? -1 : 0, this.valueStart - start, this.valueEnd - start, this.tombstone);
  }

  /** The record value's bytes, as fetched (empty for a tombstone): a view, no copy. */
  get bytes(): Buffer {
    return this.data.subarray(this.valueStart, this.valueEnd);
  }

  /**
   * The record's key and whether it was a tombstone, for a dead letter: kept for every record, as
   * the pipeline refuses some messages only after decoding (TW_TOPIC, an event-time leap, an
   * internal error), and their dead letters lost the key (session 46 Kafka QA).
   */
  get record(): { key?: string; tombstone?: true } | undefined {
    if (this.keyStart < 0) return this.tombstone ? { tombstone: true } : undefined;
    const key = this.data.toString('utf8', this.keyStart, this.valueStart);
    return this.tombstone ? { key, tombstone: true } : { key };
  }
}

export type Step = Entry<Fetched>[];

/** Messages released in event order (a lateness stage's, lateness-stage.ts): each instant (one event time) put in the instant order. */
export function inInstantOrder(step: Step): Step {
  sortInstantRuns(step, timeOfEntry, viewOfEntry);
  return step;
}

/** The fields of a kafkajs batch message that ordering reads. */
export interface FetchedMessage {
  offset: string;
  /** Record timestamp (ms, as a string). */
  timestamp: string;
  key?: Buffer | null;
  value: Buffer | null;
}

export interface FetchedBatch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: FetchedMessage[];
  /** The batch's last offset, transaction markers and aborted records included (kafkajs `lastOffset()`). */
  lastOffset?: () => string;
  /** The batch's first offset, markers and aborted records included (kafkajs `firstOffset()`; null when empty). */
  firstOffset?: () => string | null;
}

/** Offsets [from, to) of a partition that were deleted before the reader reached them. */
export interface ReadHole {
  topic: string;
  partition: number;
  from: bigint;
  to: bigint;
}


/** The bytes of a batch's keys and values together. */
function bytesOf(messages: readonly FetchedMessage[]): number {
  let n = 0;
  for (const m of messages) n += (m.key?.length ?? 0) + (m.value?.length ?? 0);
  return n;
}

export class Ordering {
  private readonly buffer = new EventTimeBuffer<Fetched>();
  private readonly copies: PartitionCopies;

  /**
   * @param topicCheck the pipeline's topic check (TOPIC_SCHEMA_CHECK=on): a message it refuses takes no order time of its own.
   * @param dedupeWindow the pipeline's dedupe window (ms of event time): a copy of a message read before in its partition within it takes none either.
   * @param dedupeMaxIds the pipeline's dedupe bound (DEDUPE_MAX_IDS), which the copies' memory does not exceed.
   */
  constructor(topicCheck?: TopicSchemaCheck, dedupeWindow = 400 * 86_400_000, dedupeMaxIds?: number) {
    this.copies = new PartitionCopies(dedupeWindow, topicCheck, dedupeMaxIds);
  }

  /** Messages fetched and not yet taken. */
  get size(): number {
    return this.buffer.size;
  }

  /**
   * Starts tracking a partition from its first available offset; a known partition stays as it
   * is. Offsets before `appliedBefore` (an earlier run's slot cursors) are applied before anything
   * after any partition's (see event-time-buffer.ts).
   */
  register(topic: string, partition: number, low: bigint, high: bigint, appliedBefore?: bigint): void {
    this.buffer.register(topic, partition, low, high, appliedBefore);
  }

  /**
   * Decodes and buffers a batch; returns how many messages were new. A re-fetch of a buffered or
   * applied offset is skipped. A batch for an unregistered partition throws: the reader's
   * assignment is always registered before its batches. `decode` should read the clock as `now`.
   */
  accept(batch: FetchedBatch, decode: (raw: string) => DecodeResult, now: number, holes?: ReadHole[]): number {
    let added = 0;
    // A batch that starts past the partition's fetch position: the records between were deleted
    // (retention, deleteRecords) before the reader got to them, and the consumer moved on to the
    // earliest offset left. Reported, never silent (QA: 2,855 records skipped without a word).
    const first = batch.firstOffset?.();
    const expected = this.buffer.position(partitionKey(batch.topic, batch.partition));
    if (holes && first !== undefined && first !== null && expected !== undefined && BigInt(first) > expected) holes.push({ topic: batch.topic, partition: batch.partition, from: expected, to: BigInt(first) });
    // Not from Node's shared pool: a batch under 4 kB would take a slice of an 8 kB slab, and each
    // message of it held would keep the slab, and the other buffers cut from it, alive (session 59
    // review: 100 k held one-message batches kept 2.2 to 4.6 kB each, 0.84 kB as strings before).
    const data = Buffer.allocUnsafeSlow(bytesOf(batch.messages));
    let at = 0;
    for (const m of batch.messages) {
      const decoded = m.value ? decodeBytes(m.value, decode).decoded : decode('');
      const keyStart = m.key ? at : -1;
      if (m.key) at += m.key.copy(data, at);
      const valueStart = at;
      if (m.value) at += m.value.copy(data, at);
      // A reject has no event time: it takes that of the message before it in its partition, as
      // `replay --from-kafka` gives it, so it never holds its partition back. (Its record
      // timestamp, the time it was produced, held every later message of a backfilled partition
      // until the other partitions had passed it: the monitor then applied them out of order.)
      // So do a message its topic does not carry and a copy of one read before in its partition
      // (PartitionCopies): the pipeline refuses or drops them however they are dated.
      const time = this.copies.orderTime(decoded, batch.topic, batch.partition) ?? this.buffer.previousTime(batch.topic, batch.partition);
      const fetched = new Fetched(decoded, now, data, keyStart, valueStart, at, m.value === null);
      if (this.buffer.add(batch.topic, batch.partition, BigInt(m.offset), time, fetched, now)) added++;
    }
    if (batch.lastOffset) this.buffer.advance(batch.topic, batch.partition, BigInt(batch.lastOffset()) + 1n);
    this.buffer.setHigh(batch.topic, batch.partition, BigInt(batch.highWatermark));
    return added;
  }

  /** The reader read past offsets with nothing to apply (a batch of markers or aborted records only, which kafkajs hands no handler). */
  advance(topic: string, partition: number, next: bigint): void {
    this.buffer.advance(topic, partition, next);
  }

  /** The next offset to fetch of a registered partition (where a rejoining reader resumes); undefined when unknown. */
  position(pk: string): bigint | undefined {
    return this.buffer.position(pk);
  }

  /** The topics with a partition that looks caught up: the only ones whose high watermarks a step's decisions need fresh (EventTimeBuffer.topicsAtHigh). */
  topicsAtHigh(): Set<string> {
    return this.buffer.topicsAtHigh();
  }

  /** A fresher high watermark: a partition with unread data must never look caught up. */
  setHigh(topic: string, partition: number, high: bigint): void {
    this.buffer.setHigh(topic, partition, high);
  }

  /** The next step: at most `maxStep` messages that may be applied now. Empty when all must wait. */
  next(maxStep: number, now: number, holdMs: number): Step {
    const step = this.buffer.take(maxStep, now, holdMs);
    // Each instant (one order key) in the instant order, whatever partitions its messages came from.
    sortInstantRuns(step, keyOfEntry, viewOfEntry);
    return step;
  }

  /** Records that a taken message was applied, so the applied cut moves past it. */
  applied(entry: Entry<Fetched>): void {
    this.buffer.markApplied(entry);
  }

  /** The applied prefix of every partition: what a slot cursor records. */
  appliedCut(): Cut {
    return this.buffer.appliedCut();
  }

  /** Each partition's waiting messages, those of them that wait for other partitions, and whether the next step waits on it (see EventTimeBuffer.waiting). */
  waiting(): { pk: string; held: number; ahead: number; limiting: boolean }[] {
    return this.buffer.waiting();
  }

  /** Messages between a partition's fetch position and its high watermark. */
  lag(topic: string, partition: number): bigint {
    return this.buffer.lag(topic, partition);
  }

  /** Every registered partition's messages between its fetch position and its high watermark (the consumer-lag gauge, at each scrape). */
  partitionLags(): { topic: string; partition: number; lag: number }[] {
    return this.buffer.partitionLags();
  }

  /** Messages on the broker past `cut`: how far a slot cursor trails. */
  behind(cut: Cut): bigint {
    return this.buffer.behindCut(cut);
  }

  /** Forgets every partition and buffered message (a re-read from the first offset). */
  clear(): void {
    this.buffer.clear();
    this.copies.clear();
  }
}
