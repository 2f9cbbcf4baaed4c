/**
 * Read balance: which input partitions the reader fetches, so the reorder buffer stays bounded.
 *
 * Two things make messages wait in the buffer. Skew: each fetch brings a byte's worth of every
 * partition, so a topic of large, sparse messages (chain data) covers more event time per fetch
 * than one of many small logins, and its messages wait until the other partitions reach them. And
 * the hold: while an input topic is empty or quiet, every message waits MONITOR_HOLD_MS after its
 * fetch, and the reader fetches on meanwhile (on pre-filled topics with two empty ones, 199,990 of
 * 300,000 messages were in the buffer at once). Before session 36 nothing bounded either.
 *
 * - A partition with more than `pauseAt` messages waiting for the others (MONITOR_PARTITION_BUFFER)
 *   is paused, and resumed at a quarter of that, as Kafka Streams does with
 *   `buffered.records.per.partition`. Once the others reach its messages none of them counts and
 *   it resumes.
 * - While the whole buffer holds more than `cap` messages (MONITOR_BUFFER_MAX), every partition
 *   holding more than a quarter of `pauseAt` is paused, until the buffer is down to half the cap.
 *   What a paused partition holds still goes: messages waiting for the hold age.
 *
 * The partition the next step waits on (it still owes data and the others have reached its key)
 * is never paused, by either rule: a record dated back among its newest holds its key down until
 * more of its records come, and paused it could not get them. Every other paused partition has
 * reached further, so the buffer always moves on. Pauses change when records arrive, never which
 * are applied or in what order: the reorder buffer decides that from event times and offsets
 * alone.
 */
import { ORDER_LOOKAHEAD } from '../sources/order-key.js';

/** What the balance needs of the reader (a kafkajs consumer that has been run). */
export interface PausableReader {
  pause(topicPartitions: { topic: string; partitions: number[] }[]): void;
  resume(topicPartitions: { topic: string; partitions: number[] }[]): void;
}

/** What it needs of the reorder buffer (see EventTimeBuffer.waiting). */
export interface WaitingMessages {
  readonly size: number;
  waiting(): { pk: string; held: number; ahead: number; limiting: boolean }[];
}

export class ReadBalance {
  private readonly paused = new Set<string>();
  private readonly resumeAt: number;
  /** Whether the whole buffer went past the cap and has not yet come down to half of it. */
  private full = false;

  /**
   * @param pauseAt messages of one partition waiting for the others past which it is paused.
   * @param cap messages in the whole buffer past which every partition holding more than a
   *   quarter of `pauseAt` is paused.
   */
  constructor(private readonly pauseAt: number, private readonly cap = Number.POSITIVE_INFINITY) {
    this.resumeAt = Math.floor(pauseAt / 4);
    if (!(this.resumeAt >= ORDER_LOOKAHEAD && this.resumeAt < pauseAt)) throw new Error(`read balance: a pause threshold of ${pauseAt} messages is too small (at least ${4 * ORDER_LOOKAHEAD})`);
    if (!(cap >= pauseAt)) throw new Error(`read balance: a buffer cap of ${cap} messages is below the partition threshold of ${pauseAt}`);
  }

  /** Pauses made since the start (a partition paused twice counts twice). */
  get pausesMade(): number {
    return this.pauses;
  }

  private pauses = 0;

  /** How many partitions are paused now. */
  get pausedCount(): number {
    return this.paused.size;
  }

  /** Partitions paused now ("topic/partition"). */
  get pausedPartitions(): readonly string[] {
    return [...this.paused].sort();
  }

  /** Pauses the partitions to pause and resumes those that may be fetched again (see the module comment). */
  balance(buffer: WaitingMessages, reader: PausableReader): void {
    if (buffer.size > this.cap) this.full = true;
    else if (buffer.size <= this.cap / 2) this.full = false;
    const pause: string[] = [];
    const resume: string[] = [];
    for (const { pk, held, ahead, limiting } of buffer.waiting()) {
      const paused = this.paused.has(pk);
      // The partition the next step waits on is always fetched: paused, it could hold the buffer still for good.
      const want = !limiting && (ahead > (paused ? this.resumeAt : this.pauseAt) || (this.full && held > this.resumeAt));
      if (want && !paused) pause.push(pk);
      else if (!want && paused) resume.push(pk);
    }
    if (pause.length > 0) {
      reader.pause(byTopic(pause));
      for (const pk of pause) this.paused.add(pk);
      this.pauses += pause.length;
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
    this.full = false;
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
