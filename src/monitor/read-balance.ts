/**
 * Read balance: which input partitions the reader fetches. One fetch fills partitions in turn up
 * to its byte limit, so with many partitions some get nothing in a round; and the monitor applies
 * in event time, so it can apply only up to the partition furthest behind. A partition far ahead
 * (many messages waiting in the reorder buffer) is paused, and the fetches go to the partitions
 * that hold the next step back; it is fetched again once the buffer has drained it. This is what
 * Kafka Streams does with `buffered.records.per.partition`. On pre-filled topics (16 partitions of
 * a generated stream, session 36) the monitor had waited on fetches that brought only partitions
 * already far ahead: a third of its time idle.
 *
 * Pauses change which records arrive when, never which are applied or in what order: the
 * reorder buffer decides that, from event times and offsets alone.
 */

import { ORDER_LOOKAHEAD } from '../sources/order-key.js';

/** What the balance needs of the reader (a kafkajs consumer that has been run). */
export interface PausableReader {
  pause(topicPartitions: { topic: string; partitions: number[] }[]): void;
  resume(topicPartitions: { topic: string; partitions: number[] }[]): void;
}

/** What it needs of the reorder buffer (see EventTimeBuffer.readBalance). */
export interface BufferedCounts {
  readBalance(paused: ReadonlySet<string>, pauseAt: number, resumeAt: number): { pause: string[]; resume: string[] };
}

export class ReadBalance {
  private readonly paused = new Set<string>();

  private readonly resumeAt: number;

  /**
   * @param pauseAt messages waiting in a partition's buffer past which it is paused
   *   (MONITOR_PARTITION_BUFFER); it resumes at a quarter of that. A paused partition always
   *   keeps more than ORDER_LOOKAHEAD messages, so its oldest is settled and can be taken: the
   *   partitions still fetched, or a paused one, always let the buffer move on.
   */
  constructor(private readonly pauseAt: number) {
    this.resumeAt = Math.floor(pauseAt / 4);
    if (!(this.resumeAt >= ORDER_LOOKAHEAD && this.resumeAt < pauseAt)) throw new Error(`read balance: a pause threshold of ${pauseAt} messages is too small (at least ${4 * ORDER_LOOKAHEAD})`);
  }

  /** Partitions paused now ("topic/partition"). */
  get pausedPartitions(): readonly string[] {
    return [...this.paused].sort();
  }

  /** Pauses the partitions holding too many waiting messages and resumes those drained enough. */
  balance(buffer: BufferedCounts, reader: PausableReader): void {
    const { pause, resume } = buffer.readBalance(this.paused, this.pauseAt, this.resumeAt);
    if (pause.length > 0) {
      reader.pause(byTopic(pause));
      for (const pk of pause) this.paused.add(pk);
    }
    if (resume.length > 0) {
      reader.resume(byTopic(resume));
      for (const pk of resume) this.paused.delete(pk);
    }
  }

  /** Resumes every partition it paused (on `reader`, when given) and forgets them: a new reader, or a rejoin. */
  reset(reader?: PausableReader): void {
    if (reader && this.paused.size > 0) reader.resume(byTopic([...this.paused]));
    this.paused.clear();
  }
}

/** Partition keys ("topic/partition") grouped by topic, as kafkajs' pause and resume take them. */
export function byTopic(keys: readonly string[]): { topic: string; partitions: number[] }[] {
  const topics = new Map<string, number[]>();
  for (const pk of keys) {
    const cut = pk.lastIndexOf('/');
    const topic = pk.slice(0, cut);
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = []));
    partitions.push(Number(pk.slice(cut + 1)));
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}
