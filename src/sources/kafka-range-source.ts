/**
 * Reads topics from their first offset up to the end offsets captured at start, for
 * `replay --from-kafka`: each partition is a stream of its records in offset order, for the
 * event-time merge (event-time-merge.ts).
 *
 * - The end of a partition is where a read-committed consumer stops when the read starts: kafkajs's
 *   admin lists offsets READ_COMMITTED (its ListOffsets default), so this is the last stable
 *   offset, which equals the high watermark unless a transaction is open. A transaction open at
 *   start, and everything after it, is left to the next replay; the read never waits on it.
 *   Records produced later are not read.
 * - Records are read committed (the kafkajs consumer default): aborted records and transaction
 *   markers are never delivered. A partition is finished when the consumer's position reaches its
 *   end, which kafkajs reports after every batch, also after a batch of only markers or aborted
 *   records (END_BATCH_PROCESS; kafkajs resolves those batches without calling eachBatch). So a
 *   marker, an aborted tail or a compaction gap at the end never leaves the read waiting.
 * - A partition that makes no progress for the stall timeout (an unreachable leader) fails the
 *   read, naming the partition.
 * - A null value (a tombstone) is read as an empty message, which decodes to a reject, as in the
 *   monitor.
 * - Each partition buffers at most about `maxBufferedBytesPerPartition` (1 MiB by default) plus
 *   one fetch (kafkajs's maxBytesPerPartition, 1 MiB): memory grows with partitions, not history.
 */
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { KafkaClient } from '../kafka/client.js';
import { isUndecodableBatch } from '../kafka/compression.js';
import type { PartitionStream } from './event-time-merge.js';
import { PartitionFeed, type FeedLimits, type FeedRecord } from './partition-feed.js';

export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: string;
  value: string;
  /** The value's bytes, present only when they are not UTF-8. */
  invalidBytes?: Buffer;
}

export interface KafkaRangeOptions {
  groupPrefix?: string;
  maxBufferedBytesPerPartition?: number;
  stallTimeoutMs?: number;
}

export interface KafkaRange {
  /** One stream per partition, ordered by topic (as given) and partition. */
  partitions: PartitionStream<KafkaRecord>[];
  close(): Promise<void>;
}

interface PartitionBounds {
  topic: string;
  partition: number;
  low: bigint;
  high: bigint;
}

const feedKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

async function readBounds(kafka: KafkaClient, topics: readonly string[]): Promise<PartitionBounds[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const bounds: PartitionBounds[] = [];
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      for (const o of [...offsets].sort((a, b) => a.partition - b.partition)) bounds.push({ topic, partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) });
    }
    return bounds;
  } finally {
    await admin.disconnect();
  }
}

/** A fetched message as the feed queues it: its text, and its bytes too when they are not UTF-8. */
function feedRecord(m: { offset: string; value: Buffer | null }): FeedRecord {
  const value = m.value?.toString('utf8') ?? '';
  return m.value && !isUtf8(m.value) ? { offset: BigInt(m.offset), value, invalidBytes: m.value } : { offset: BigInt(m.offset), value };
}

function streamOf(feed: PartitionFeed): PartitionStream<KafkaRecord> {
  const { topic, partition } = feed;
  return {
    topic,
    partition,
    records: (async function* () {
      for await (const r of feed.records()) yield { offset: r.offset, value: { topic, partition, offset: r.offset.toString(), value: r.value, ...(r.invalidBytes ? { invalidBytes: r.invalidBytes } : {}) } };
    })(),
  };
}

/** Opens the range: captures the end offsets, then starts a throwaway consumer group that fills each partition's feed. */
export async function openKafkaRange(kafka: KafkaClient, topics: readonly string[], options: KafkaRangeOptions = {}): Promise<KafkaRange> {
  const limits: FeedLimits = { maxBufferedBytes: options.maxBufferedBytesPerPartition ?? 1024 * 1024, stallTimeoutMs: options.stallTimeoutMs ?? 120_000 };
  const bounds = await readBounds(kafka, topics);
  // A short fetch wait: disconnecting waits out the fetch in flight, and at the end of the range
  // that fetch finds nothing and would otherwise hold the close for the default 5 s.
  const consumer = kafka.consumer({ groupId: `${options.groupPrefix ?? 'tidewatch-replay'}-${process.pid}-${randomUUID()}`, allowAutoTopicCreation: false, readUncommitted: false, maxWaitTimeInMs: 250 });
  const feeds = new Map<string, PartitionFeed>();
  for (const b of bounds) {
    const flow = { pause: () => consumer.pause([{ topic: b.topic, partitions: [b.partition] }]), resume: () => consumer.resume([{ topic: b.topic, partitions: [b.partition] }]) };
    feeds.set(feedKey(b.topic, b.partition), new PartitionFeed(b.topic, b.partition, b.low, b.high, flow, limits));
  }
  const partitions = [...feeds.values()].map(streamOf);
  if ([...feeds.values()].every((f) => f.done)) return { partitions, close: async () => undefined };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => feeds.get(feedKey(payload.topic, payload.partition))?.advanceTo(BigInt(payload.lastOffset) + 1n));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    // A batch that cannot be decompressed fails the same way at every refetch: the replay stops with it.
    if (!payload.restart || isUndecodableBatch(payload.error)) for (const f of feeds.values()) f.fail(payload.error);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        feeds.get(feedKey(batch.topic, batch.partition))?.push(batch.messages.map(feedRecord));
      },
    });
  } catch (err) {
    await consumer.disconnect();
    throw err;
  }
  return { partitions, close: () => consumer.disconnect() };
}

/**
 * Every record of the topics up to the end offsets, per partition in offset order (topic as given,
 * then partition). Holds them all: for small topics and tests; a replay streams `openKafkaRange`.
 */
export async function readTopicRange(kafka: KafkaClient, topics: readonly string[]): Promise<KafkaRecord[]> {
  const range = await openKafkaRange(kafka, topics);
  try {
    const records: KafkaRecord[] = [];
    for (const p of range.partitions) for await (const r of p.records) records.push(r.value);
    return records;
  } finally {
    await range.close();
  }
}
