import { createHash, type Hash } from 'node:crypto';
import { CheckpointError } from './errors.js';
import { HEADER_BYTES, KIND, KIND_NAMES, MAGIC, MAX_FRAME, type Frame } from './frames.js';

/** Reads frames from a byte stream, hashing as it goes; `finish` checks the checksum and the end of the file. */
export class FrameReader {
  private readonly hash: Hash = createHash('sha256');
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private offset = 0;
  private readonly source: AsyncIterator<Uint8Array>;
  private done = false;

  constructor(source: AsyncIterable<Uint8Array>, readonly location: string) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** Bytes read so far: where the next frame starts, for messages. */
  get position(): number {
    return this.offset;
  }

  /** Stops reading before the end (a header read alone): the source is closed, its file or connection let go. */
  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.source.return?.();
  }

  fail(reason: string): never {
    throw new CheckpointError(this.location, reason);
  }

  async start(): Promise<void> {
    const magic = await this.take(MAGIC.length, 'its start');
    if (!magic.equals(MAGIC)) this.fail('not a Tidewatch checkpoint (bad magic bytes)');
    this.hash.update(magic);
  }

  async next(): Promise<Frame> {
    const at = this.offset;
    const header = await this.take(HEADER_BYTES, `a frame header at byte ${at}`);
    const kind = header[0]!;
    const length = header.readUInt32LE(1);
    if (!(kind in KIND_NAMES)) this.fail(`unknown frame kind 0x${kind.toString(16)} at byte ${at} (corrupt)`);
    if (length > MAX_FRAME) this.fail(`frame at byte ${at} claims ${length} bytes (corrupt)`);
    if (kind === KIND.checksum) return { kind, payload: await this.take(length, `the checksum at byte ${at}`) };
    this.hash.update(header);
    const payload = await this.take(length, `a ${length}-byte frame at byte ${at}`);
    this.hash.update(payload);
    return { kind, payload };
  }

  async json<T>(): Promise<T> {
    return this.parse<T>(await this.expect(KIND.json));
  }

  private parse<T>(frame: Frame): T {
    try {
      return JSON.parse(frame.payload.toString('utf8')) as T;
    } catch {
      return this.fail(`a JSON frame before byte ${this.offset} does not parse (corrupt)`);
    }
  }

  /** The J frames up to the next E, each parsed. */
  async *jsonSequence<T>(): AsyncGenerator<T> {
    for (;;) {
      const frame = await this.next();
      if (frame.kind === KIND.end) return;
      if (frame.kind !== KIND.json) this.fail(`expected a JSON frame before byte ${this.offset}, found ${KIND_NAMES[frame.kind]}`);
      yield this.parse<T>(frame);
    }
  }

  /** The B frames up to the next E, copied into `target` (which must be filled exactly). */
  async intoTypedArray(target: ArrayBufferView): Promise<void> {
    const bytes = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
    let filled = 0;
    for (;;) {
      const frame = await this.next();
      if (frame.kind === KIND.end) break;
      if (frame.kind !== KIND.bytes) this.fail(`expected a bytes frame before byte ${this.offset}, found ${KIND_NAMES[frame.kind]}`);
      if (filled + frame.payload.length > bytes.length) this.fail(`an array holds more than its declared ${bytes.length} bytes`);
      bytes.set(frame.payload, filled);
      filled += frame.payload.length;
    }
    if (filled !== bytes.length) this.fail(`an array holds ${filled} bytes, ${bytes.length} declared`);
  }

  /** Reads the checksum frame, compares it with what was read, and requires the end of the stream. */
  async finish(): Promise<string> {
    const frame = await this.next();
    if (frame.kind !== KIND.checksum) this.fail(`expected the checksum before byte ${this.offset}, found a ${KIND_NAMES[frame.kind]} frame`);
    return this.checkDigest(frame);
  }

  /** Skips every frame up to the checksum, then checks it as `finish` does (verification without restoring). */
  async skipToChecksum(): Promise<string> {
    for (;;) {
      const frame = await this.next();
      if (frame.kind === KIND.checksum) return this.checkDigest(frame);
    }
  }

  private async checkDigest(frame: Frame): Promise<string> {
    const digest = this.hash.digest();
    if (!digest.equals(frame.payload)) this.fail('checksum mismatch: the file is corrupt');
    while (this.buffered === 0 && (await this.fill()));
    if (this.buffered > 0) this.fail(`bytes after the checksum at byte ${this.offset}`);
    return digest.toString('hex');
  }

  private async expect(kind: number): Promise<Frame> {
    const frame = await this.next();
    if (frame.kind !== kind) this.fail(`expected a ${KIND_NAMES[kind]} frame before byte ${this.offset}, found ${KIND_NAMES[frame.kind]}`);
    return frame;
  }

  /** Pulls one more chunk; false at the end of the stream. */
  private async fill(): Promise<boolean> {
    if (this.done) return false;
    let next: IteratorResult<Uint8Array>;
    try {
      next = await this.source.next();
    } catch (err) {
      // Unreadable (gone, no permission, an I/O error) is refused like corrupt: the caller falls back.
      return this.fail(`cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (next.done) {
      this.done = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    return true;
  }

  private async take(n: number, what: string): Promise<Buffer> {
    while (this.buffered < n) if (!(await this.fill())) this.fail(`truncated: it ends at byte ${this.offset + this.buffered}, inside ${what}`);
    this.offset += n;
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const part = Math.min(c.length, n - at);
      c.copy(out, at, 0, part);
      at += part;
      if (part === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(part);
    }
    return out;
  }
}
