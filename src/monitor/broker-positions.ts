/** What the broker says about positions: slot cursors (committed offsets) and each input partition's offset range. */
import { retryRetriable, type KafkaClient } from '../kafka/client.js';
import { partitionKey, slotGroup, type Cut } from './ownership.js';

type Admin = ReturnType<KafkaClient['admin']>;

/** A slot's committed cursor; a partition it never committed is absent (offset 0). */
export async function committedCursor(admin: Admin, group: string, slot: number, topics: string[]): Promise<Cut> {
  const cut: Cut = new Map();
  for (const t of await retryRetriable(() => admin.fetchOffsets({ groupId: slotGroup(group, slot), topics }))) {
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

export async function offsetRanges(admin: Admin, topics: string[]): Promise<Map<string, OffsetRange>> {
  const ranges = new Map<string, OffsetRange>();
  for (const topic of topics) {
    for (const p of await retryRetriable(() => admin.fetchTopicOffsets(topic))) ranges.set(partitionKey(topic, p.partition), { low: BigInt(p.low), high: BigInt(p.high) });
  }
  return ranges;
}
