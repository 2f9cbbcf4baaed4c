/**
 * How far back a monitor that rebuilds without a checkpoint can see: for each partition read
 * from its earliest offset, that offset and the record timestamp of the first record there. The
 * offsets are known at start; the timestamps only when the first batch of each partition
 * arrives, so each partition is reported once, as it is seen.
 */
export interface HorizonEntry {
  topic: string;
  partition: number;
  earliestOffset: string;
  /** Record timestamp (the broker's or the producer's) of the earliest record, ISO. */
  earliestRecordTime: string;
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

  /** The partition's horizon, once: when the batch holds its earliest record. */
  observe(topic: string, partition: number, pk: string, first: { offset: string; timestamp: string } | undefined): HorizonEntry | undefined {
    const earliest = this.waiting.get(pk);
    if (earliest === undefined || first === undefined) return undefined;
    this.waiting.delete(pk);
    return { topic, partition, earliestOffset: first.offset, earliestRecordTime: new Date(Number(first.timestamp)).toISOString(), historyDeleted: earliest > 0n };
  }
}
