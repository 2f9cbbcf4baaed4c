/**
 * The periodic reads of the input's high watermarks (the tick's each second, sooner for topics
 * that look caught up, and the watch's while the work queue holds the tick): `/readyz`'s
 * `behind`, the lag gauges and the first-feed window read them. Unlike the start-up reads
 * (broker-positions.ts) they do not wait for a whole answer: the next period looks again.
 *
 * kafkajs builds `fetchTopicOffsets`' answer from the topic metadata its client holds, and a
 * client that holds none or part of it answers some partitions, none, or throws a TypeError of
 * its own (kafka/complete-answers.ts). Read raw, that TypeError (or any failed request) left the
 * tick, a monitor step, and so stopped the monitor (a fatal failure, exit 1); and a partition the
 * answer left out dropped out of the partitions owed, so `/readyz` could say ready with records
 * unread. A look here never throws: a topic whose answer failed or had a gap is reported apart,
 * and what the last good look found of it stays in force.
 */
import type { KafkaClient } from '../kafka/client.js';
import { offsetsGap } from '../kafka/complete-answers.js';
import { partitionKey } from './ownership.js';

type Admin = ReturnType<KafkaClient['admin']>;

export interface PartitionOffsets {
  topic: string;
  partition: number;
  low: bigint;
  high: bigint;
}

export interface HighsLook {
  /** Every partition of the topics whose answer was whole. */
  read: PartitionOffsets[];
  /** The topics whose answer failed or had a gap, with why. */
  failed: { topic: string; reason: string }[];
}

/** One look at each topic's partition offsets, `expectedOf(topic)` among them (the partitions known to exist); never throws. */
export async function lookAtHighs(admin: Admin, topics: Iterable<string>, expectedOf: (topic: string) => readonly number[]): Promise<HighsLook> {
  const look: HighsLook = { read: [], failed: [] };
  for (const topic of topics) {
    try {
      const answer = await admin.fetchTopicOffsets(topic);
      const gap = offsetsGap(topic, answer, expectedOf(topic));
      if (gap !== undefined) look.failed.push({ topic, reason: gap });
      else for (const p of answer) look.read.push({ topic, partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) });
    } catch (err) {
      look.failed.push({ topic, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return look;
}

/**
 * The input partitions the reader has not been given (added to a topic since its assignment),
 * with their record counts, after a look: those the look read with records and `notGiven`, and,
 * for a topic whose look failed, those the last good look found (a gap is not "nothing owed").
 */
export function unreadAfter(previous: ReadonlyMap<string, bigint>, look: HighsLook, notGiven: (pk: string) => boolean): Map<string, bigint> {
  const unread = new Map<string, bigint>();
  const failed = new Set(look.failed.map((f) => f.topic));
  for (const [pk, records] of previous) if (failed.has(topicOfKey(pk))) unread.set(pk, records);
  for (const p of look.read) {
    const pk = partitionKey(p.topic, p.partition);
    if (p.high > p.low && notGiven(pk)) unread.set(pk, p.high - p.low);
  }
  return unread;
}

/** The topic of a partition key (`topic/partition`; a topic name has no "/"). */
function topicOfKey(pk: string): string {
  return pk.slice(0, pk.lastIndexOf('/'));
}

/**
 * Which topics' looks fail now: a failure is told once per run of failures (`first`), and the
 * first good look after a run (`recovered`), so a broker outage is one warning, not one a second.
 */
export class FailingLooks {
  private readonly failing = new Set<string>();

  note(look: HighsLook): { first: { topic: string; reason: string }[]; recovered: string[] } {
    const first = look.failed.filter((f) => !this.failing.has(f.topic));
    for (const f of first) this.failing.add(f.topic);
    const readTopics = new Set(look.read.map((p) => p.topic));
    const recovered = [...this.failing].filter((t) => readTopics.has(t));
    for (const t of recovered) this.failing.delete(t);
    return { first, recovered };
  }
}
