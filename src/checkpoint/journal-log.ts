/**
 * The messages applied since the last checkpoint, kept as the next journal segment will write
 * them (journal.ts): in groups of at most RECORDS_PER_GROUP records or BYTES_PER_GROUP bytes,
 * each group's texts copied back to back into one byte buffer as they are applied, and its
 * records' origins in columns. A monitor applying 20 k messages a second journals for 5 s between
 * segments: kept as one object and one string per message, they outlived two young-generation
 * collections and were copied by each, then encoded again, one Buffer each, when the segment was
 * written (about 5% of the in-process monitor's time in a profile of bench:kafka, session 59).
 */

/** A group closes after this many records or this many bytes, well under the frame limit. */
export const RECORDS_PER_GROUP = 1000;
export const BYTES_PER_GROUP = 8 << 20;

/** One record's entry in a group's JSON frame: where it came from, its decoding's clock reading, its length in the bytes frame. */
export type JournalMeta = [topic: string, partition: number, offset: string, decodedAt: number, bytes: number];

/** A UTF-16 code unit never takes more than 3 bytes of UTF-8 (a surrogate pair, 2 units, takes 4). */
const MAX_UTF8_BYTES_PER_UNIT = 3;
const FIRST_GROUP_BYTES = 64 << 10;

class JournalGroup {
  readonly topics: string[] = [];
  readonly partitions: number[] = [];
  readonly offsets: string[] = [];
  readonly decodedAts: number[] = [];
  readonly lengths: number[] = [];
  private data: Buffer;
  used = 0;

  constructor(capacity: number) {
    this.data = Buffer.allocUnsafeSlow(capacity);
  }

  get count(): number {
    return this.lengths.length;
  }

  add(topic: string, partition: number, offset: string, decodedAt: number, text: string | Uint8Array): void {
    let length: number;
    if (typeof text === 'string') {
      this.reserve(text.length * MAX_UTF8_BYTES_PER_UNIT);
      length = this.data.write(text, this.used, 'utf8');
    } else {
      this.reserve(text.length);
      this.data.set(text, this.used);
      length = text.length;
    }
    this.used += length;
    this.topics.push(topic);
    this.partitions.push(partition);
    this.offsets.push(offset);
    this.decodedAts.push(decodedAt);
    this.lengths.push(length);
  }

  /** The group's JSON frame. */
  meta(): JournalMeta[] {
    return this.lengths.map((length, i) => [this.topics[i]!, this.partitions[i]!, this.offsets[i]!, this.decodedAts[i]!, length]);
  }

  /** The group's bytes frame: its records' texts back to back (a view, not a copy). */
  bytes(): Buffer {
    return this.data.subarray(0, this.used);
  }

  private reserve(more: number): void {
    if (this.used + more <= this.data.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.data.length, this.used + more));
    this.data.copy(grown, 0, 0, this.used);
    this.data = grown;
  }
}

export class JournalLog {
  private readonly closed: JournalGroup[] = [];
  private open: JournalGroup | undefined;
  /** Records appended. */
  length = 0;

  /**
   * Appends one applied message: its bytes as fetched, or its text (UTF-8 encoded). A message
   * that is not UTF-8 is appended as its original bytes, so that its replay refuses it again.
   */
  append(topic: string, partition: number, offset: string, decodedAt: number, text: string | Uint8Array): void {
    const group = (this.open ??= new JournalGroup(this.nextCapacity()));
    group.add(topic, partition, offset, decodedAt, text);
    this.length++;
    if (group.count >= RECORDS_PER_GROUP || group.used >= BYTES_PER_GROUP) {
      this.closed.push(group);
      this.open = undefined;
    }
  }

  /** The groups in order, each as its JSON frame's records and its bytes frame. */
  *groups(): Generator<{ meta: JournalMeta[]; bytes: Buffer }> {
    for (const group of this.open ? [...this.closed, this.open] : this.closed) yield { meta: group.meta(), bytes: group.bytes() };
  }

  /** A new group starts about as large as the last one ended, so it is seldom grown. */
  private nextCapacity(): number {
    const last = this.closed.at(-1);
    return last === undefined ? FIRST_GROUP_BYTES : Math.max(FIRST_GROUP_BYTES, last.used + (last.used >>> 3));
  }
}
