/**
 * Admin answers read again until they are whole. kafkajs builds several of them from the topic
 * metadata its client holds, and a client that holds none yet for a topic (just created, a leader
 * not yet elected, or a metadata request whose failure kafkajs swallowed) answers incompletely
 * instead of failing:
 *
 * - `fetchOffsets` lists no partition of the topic, which reads as a cursor that never committed;
 * - `fetchTopicOffsets` lists some partitions or none, or throws a TypeError inside kafkajs
 *   (kafkajs#461: "Cannot destructure property 'partitions' of 'high.pop(...)'");
 * - `fetchTopicMetadata` throws a TypeError inside kafkajs when every broker's answer failed
 *   (kafkajs#549: "Cannot read properties of null (reading 'topicMetadata')").
 *
 * Each read here names what it waits for, retries with a backoff (100 ms up to 2 s) while the
 * answer has a gap, Kafka calls the error retriable, or kafkajs tripped over its own metadata, and
 * gives up after `timeoutMs`, or at a `deadline` shared with other reads if that comes first,
 * naming the gap.
 */
import { isRetriable } from './client.js';

export interface CompleteReadOptions {
  timeoutMs: number;
  /** An end (Date.now() time) shared by several reads, one after another: the earlier of it and `timeoutMs` from now applies. */
  deadline?: number;
  /** Errors the caller handles at once although Kafka calls them retriable (an ownership topic that does not exist). */
  final?: (err: unknown) => boolean;
  /** Told each attempt that found a gap (the monitor logs it). */
  onRetry?: (attempt: number, waitMs: number, gap: string) => void;
}

/** A read that reached its deadline (or the shared one) without a whole answer. */
export class NoWholeAnswer extends Error {
  override readonly name = 'NoWholeAnswer';
}

/** Whether the error is a TypeError thrown inside kafkajs: it read metadata it did not hold. */
export function isKafkajsMetadataSlip(err: unknown): boolean {
  return err instanceof TypeError && /[\\/]kafkajs[\\/]/.test(err.stack ?? '');
}

/** Reads until `gapOf` finds nothing missing in the answer; `what` names the read in the error past the deadline. */
export async function readComplete<T>(what: string, read: () => Promise<T>, gapOf: (answer: T) => string | undefined, options: CompleteReadOptions): Promise<T> {
  const began = Date.now();
  const deadline = Math.min(began + options.timeoutMs, options.deadline ?? Number.POSITIVE_INFINITY);
  // What the error names: the time this read had (a shared deadline may leave less than timeoutMs).
  const allowedMs = Math.max(0, deadline - began);
  for (let attempt = 1; ; attempt++) {
    let gap: string;
    let cause: unknown;
    try {
      const answer = await read();
      const missing = gapOf(answer);
      if (missing === undefined) return answer;
      gap = missing;
    } catch (err) {
      if (options.final?.(err) || !(isRetriable(err) || isKafkajsMetadataSlip(err))) throw err;
      gap = err instanceof Error ? err.message : String(err);
      cause = err;
    }
    if (Date.now() >= deadline) throw new NoWholeAnswer(`${what}: no whole answer within ${allowedMs} ms: ${gap}`, cause === undefined ? undefined : { cause });
    const waitMs = Math.min(100 * 2 ** (attempt - 1), 2000, Math.max(0, deadline - Date.now()));
    options.onRetry?.(attempt, waitMs, gap);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

interface TopicMetadataAnswer {
  topics?: readonly { name: string; partitions?: readonly { partitionId: number; leader: number }[] }[];
}

/** What the metadata answer lacks for `topic`: the topic, its partitions, or a leader for each. */
export function metadataGap(answer: TopicMetadataAnswer | null | undefined, topic: string): string | undefined {
  const entry = answer?.topics?.find((t) => t.name === topic);
  if (!entry) return `the metadata does not list ${topic}`;
  if (!Array.isArray(entry.partitions) || entry.partitions.length === 0) return `the metadata lists no partition of ${topic}`;
  const leaderless = entry.partitions.filter((p) => !(p.leader >= 0)).map((p) => p.partitionId);
  return leaderless.length > 0 ? `no leader yet for partition ${leaderless.join(', ')} of ${topic}` : undefined;
}

/** The partition count of a topic whose metadata answer has no gap (metadataGap). */
export function partitionCountOf(answer: TopicMetadataAnswer, topic: string): number {
  return answer.topics!.find((t) => t.name === topic)!.partitions!.length;
}

interface TopicOffsetsEntry { partition: number; low?: string; high?: string }

/** What an answer of `fetchTopicOffsets(topic)` lacks: any partition, one of `expected`, or an entry's offsets. */
export function offsetsGap(topic: string, answer: readonly TopicOffsetsEntry[] | null | undefined, expected: readonly number[] = []): string | undefined {
  if (!Array.isArray(answer) || answer.length === 0) return `no partition offsets for ${topic}`;
  const missing = expected.filter((p) => !answer.some((o) => o.partition === p));
  if (missing.length > 0) return `no offsets for partition ${missing.join(', ')} of ${topic}`;
  const blank = answer.filter((o) => typeof o.low !== 'string' || typeof o.high !== 'string').map((o) => o.partition);
  return blank.length > 0 ? `partition ${blank.join(', ')} of ${topic} without its low and high offsets` : undefined;
}

/** What an answer of `fetchOffsets({ topics })` lacks: a topic, or any partition of one (every topic has at least one). */
export function committedOffsetsGap(topics: readonly string[], answer: readonly { topic: string; partitions?: readonly unknown[] }[] | null | undefined): string | undefined {
  const missing = topics.filter((t) => !(answer ?? []).some((a) => a.topic === t && Array.isArray(a.partitions) && a.partitions.length > 0));
  return missing.length > 0 ? `no committed-offset entry for any partition of ${missing.join(', ')}` : undefined;
}
