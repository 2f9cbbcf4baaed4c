/**
 * How far back a monitor that rebuilds without a checkpoint can see: for each partition read
 * from its earliest offset, that offset, the record timestamp of the first record there and the
 * event time that record carries (what the rules' windows read: a backfill produced today
 * stamps years-old events with today's record time). The
 * offsets are known at start; the timestamps only when the first batch of each partition
 * arrives, so each partition is reported once, as it is seen.
 */
export interface HorizonEntry {
  topic: string;
  partition: number;
  earliestOffset: string;
  /** Record timestamp (the broker's or the producer's) of the earliest record, ISO. */
  earliestRecordTime: string;
  /** The event time the earliest record carries, ISO; null when it is no valid event (it goes to the dead letters). */
  earliestEventTime: string | null;
  /** True when records before it were deleted (retention or deleteRecords). */
  historyDeleted: boolean;
}

export class HistoryHorizon {
  private readonly waiting = new Map<string, bigint>();

  /** A partition read from its earliest offset `earliest`, not yet reported. */
  expect(pk: string, earliest: bigint): void {
    this.waiting.set(pk, earliest);
  }

  clear(): void {
    this.waiting.clear();
  }

  /** Whether the partition's first batch is still to be reported (its first record is then worth decoding). */
  awaits(pk: string): boolean {
    return this.waiting.has(pk);
  }

  /** The partition's horizon, once: when the batch holds its earliest record, whose event time is `eventTime` (epoch ms). */
  observe(topic: string, partition: number, pk: string, first: { offset: string; timestamp: string } | undefined, eventTime?: number): HorizonEntry | undefined {
    const earliest = this.waiting.get(pk);
    if (earliest === undefined || first === undefined) return undefined;
    this.waiting.delete(pk);
    const earliestEventTime = eventTime === undefined ? null : new Date(eventTime).toISOString();
    return { topic, partition, earliestOffset: first.offset, earliestRecordTime: new Date(Number(first.timestamp)).toISOString(), earliestEventTime, historyDeleted: earliest > 0n };
  }
}
