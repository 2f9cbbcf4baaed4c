/**
 * What the broker says about positions: slot cursors (committed offsets), each input partition's
 * offset range, and the ownership topic's partition count. Each is read again until kafkajs'
 * answer is whole (kafka/complete-answers.ts), for at most `timeoutMs`: an answer built from
 * metadata the client did not hold yet read as a cursor at offset 0, or failed the start with a
 * TypeError.
 */
import type { KafkaClient } from '../kafka/client.js';
import { committedOffsetsGap, metadataGap, offsetsGap, partitionCountOf, readComplete, type CompleteReadOptions } from '../kafka/complete-answers.js';
import { isUnknownTopic } from '../kafka/topic-choice.js';
import { partitionKey, slotGroup, type Cut } from './ownership.js';

type Admin = ReturnType<KafkaClient['admin']>;

/**
 * How long a read waits for a whole answer (the monitor passes KAFKA_STARTUP_TIMEOUT_MS), and who
 * is told of each gap. The reads of one start share one `deadline`, so that the start-up as a
 * whole, not each read in turn, is bounded by it.
 */
export interface PositionsWait {
  timeoutMs: number;
  /** The end (Date.now() time) shared by every read given this wait. */
  deadline?: number;
  onRetry?: (what: string, attempt: number, waitMs: number, gap: string) => void;
}

const DEFAULT_WAIT: PositionsWait = { timeoutMs: 60_000 };

function readOptions(wait: PositionsWait, what: string): CompleteReadOptions {
  const onRetry = wait.onRetry;
  return { timeoutMs: wait.timeoutMs, ...(wait.deadline === undefined ? {} : { deadline: wait.deadline }), ...(onRetry ? { onRetry: (attempt: number, waitMs: number, gap: string) => onRetry(what, attempt, waitMs, gap) } : {}) };
}

/** A slot's committed cursor; a partition it never committed is absent (offset 0). */
export async function committedCursor(admin: Admin, group: string, slot: number, topics: string[], wait = DEFAULT_WAIT): Promise<Cut> {
  const groupId = slotGroup(group, slot);
  const what = `the committed offsets of ${groupId}`;
  const answer = await readComplete(what, () => admin.fetchOffsets({ groupId, topics }), (a) => committedOffsetsGap(topics, a), readOptions(wait, what));
  const cut: Cut = new Map();
  for (const t of answer) {
    for (const p of t.partitions) if (p.offset !== '-1') cut.set(partitionKey(t.topic, p.partition), BigInt(p.offset));
  }
  return cut;
}

export interface OffsetRange {
  /** First offset still on the broker (records before it were deleted). */
  low: bigint;
  /** High watermark: one past the last record. */
  high: bigint;
}

/** Each partition's offsets of `topic`, `expected` among them. */
export function topicOffsets(admin: Admin, topic: string, expected: readonly number[] = [], wait = DEFAULT_WAIT): Promise<{ partition: number; low: string; high: string }[]> {
  const what = `the offsets of ${topic}`;
  return readComplete(what, () => admin.fetchTopicOffsets(topic), (a) => offsetsGap(topic, a, expected), readOptions(wait, what));
}

export async function offsetRanges(admin: Admin, topics: string[], wait = DEFAULT_WAIT): Promise<Map<string, OffsetRange>> {
  const ranges = new Map<string, OffsetRange>();
  for (const topic of topics) {
    for (const p of await topicOffsets(admin, topic, [], wait)) ranges.set(partitionKey(topic, p.partition), { low: BigInt(p.low), high: BigInt(p.high) });
  }
  return ranges;
}

/** The partition count of `topic`, once the metadata lists every partition with a leader; a topic the broker does not have fails at once. */
export async function readPartitionCount(admin: Admin, topic: string, wait = DEFAULT_WAIT): Promise<number> {
  const what = `the partitions of ${topic}`;
  const answer = await readComplete(what, () => admin.fetchTopicMetadata({ topics: [topic] }), (a) => metadataGap(a, topic), { ...readOptions(wait, what), final: isUnknownTopic });
  return partitionCountOf(answer, topic);
}
