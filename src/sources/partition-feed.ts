/**
 * One partition's records between the consumer and the event-time merge: a bounded queue that
 * ends when the consumer's position reaches the end offset read at start.
 *
 * The end is judged by position, not by seeing the record at end−1: a transaction marker, an
 * aborted record or a compaction gap may sit there, and no record is ever delivered for it. The
 * consumer reports its position after every batch, including batches that held only markers or
 * aborted records (see kafka-range-source.ts).
 *
 * When the queue holds `maxBufferedBytes` the partition is paused, and it is resumed once the
 * merge has drained it to half: the merge takes from one partition at a time, so without this a
 * fast partition would be buffered whole while the merge waits on a slow one.
 */

export interface FeedRecord {
  offset: bigint;
  value: string;
  /** The record's bytes, present only when they are not UTF-8 (`value` then holds U+FFFD for each bad sequence). */
  invalidBytes?: Buffer;
}

export interface FlowControl {
  pause(): void;
  resume(): void;
}

export interface FeedLimits {
  /** Queued value bytes (UTF-16 units) at which the partition is paused. */
  maxBufferedBytes: number;
  /** How long a read may wait for a partition that has not reached its end before it fails. */
  stallTimeoutMs: number;
}

export class PartitionFeed {
  private queue: FeedRecord[] = [];
  private head = 0;
  private bytes = 0;
  /** Next offset the consumer will fetch: everything before it was delivered or skipped. */
  private position: bigint;
  private paused = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(readonly topic: string, readonly partition: number, start: bigint, readonly end: bigint, private readonly flow: FlowControl, private readonly limits: FeedLimits) {
    this.position = start;
  }

  get done(): boolean {
    return this.position >= this.end;
  }

  get buffered(): number {
    return this.queue.length - this.head;
  }

  /** Records of one fetched batch, in offset order. Offsets already delivered (a re-fetch) or at or past the end are dropped. */
  push(records: readonly FeedRecord[]): void {
    for (const r of records) {
      if (r.offset < this.position || r.offset >= this.end) continue;
      this.queue.push(r);
      this.bytes += r.value.length;
      this.position = r.offset + 1n;
    }
    if (!this.paused && this.bytes >= this.limits.maxBufferedBytes) {
      this.paused = true;
      this.flow.pause();
    }
    this.notify();
  }

  /** The consumer's next fetch offset after a batch; markers and aborted records move it without a record. */
  advanceTo(position: bigint): void {
    if (position > this.position) this.position = position;
    this.notify();
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.notify();
  }

  /** The records in offset order, ending once the position reaches the end and the queue is drained. */
  async *records(): AsyncGenerator<FeedRecord> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.head < this.queue.length) yield this.take();
      else if (this.done) return;
      else await this.changed();
    }
  }

  private take(): FeedRecord {
    const r = this.queue[this.head++]!;
    this.bytes -= r.value.length;
    if (this.head === this.queue.length) { this.queue = []; this.head = 0; }
    else if (this.head > 4096) { this.queue = this.queue.slice(this.head); this.head = 0; }
    if (this.paused && this.bytes <= this.limits.maxBufferedBytes / 2) {
      this.paused = false;
      this.flow.resume();
    }
    return r;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Waits for a push, a position change or a failure; fails after the stall timeout without one. */
  private changed(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        reject(new Error(`${this.topic}/${this.partition}: read to offset ${this.position} of ${this.end}, and nothing new for ${this.limits.stallTimeoutMs} ms (is its leader unreachable?)`));
      }, this.limits.stallTimeoutMs);
      this.wake = () => { clearTimeout(timer); resolve(); };
    });
  }
}
