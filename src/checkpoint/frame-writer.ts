/** Writes frames (see frames.ts) to a sink, hashing every byte, in writes of about WRITE_SIZE. */
import { createHash, type Hash } from 'node:crypto';
import { BYTES_FRAME, frameHeader, HEADER_BYTES, KIND, MAGIC, MAX_FRAME, WRITE_SIZE, type ByteSink } from './frames.js';

export class FrameWriter {
  private readonly hash: Hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes handed to the sink or pending, checksum included once finished. */
  size = 0;

  constructor(private readonly sink: ByteSink) {
    this.append(MAGIC);
  }

  async json(value: unknown): Promise<void> {
    await this.jsonText(JSON.stringify(value));
  }

  /** A JSON frame from text already serialised (batches are joined from serialised items). */
  async jsonText(text: string): Promise<void> {
    await this.frame(KIND.json, Buffer.from(text, 'utf8'));
  }

  /** One B frame (at most MAX_FRAME bytes), for a caller that frames its own bytes. */
  async bytes(payload: Buffer): Promise<void> {
    await this.frame(KIND.bytes, payload);
  }

  /** A typed array as B frames (views, no copy) closed by E. */
  async typedArray(view: ArrayBufferView): Promise<void> {
    const all = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    for (let at = 0; at < all.length; at += BYTES_FRAME) await this.frame(KIND.bytes, all.subarray(at, at + BYTES_FRAME));
    await this.end();
  }

  async end(): Promise<void> {
    await this.frame(KIND.end, Buffer.alloc(0));
  }

  /** Writes the checksum frame and flushes; nothing may follow. */
  async finish(): Promise<string> {
    const digest = this.hash.digest();
    this.pending.push(frameHeader(KIND.checksum, digest.length), digest);
    this.pendingBytes += HEADER_BYTES + digest.length;
    this.size += HEADER_BYTES + digest.length;
    await this.flush();
    return digest.toString('hex');
  }

  private async frame(kind: number, payload: Buffer): Promise<void> {
    if (payload.length > MAX_FRAME) throw new Error(`a checkpoint frame of ${payload.length} bytes exceeds ${MAX_FRAME}: a reader would refuse it`);
    this.append(frameHeader(kind, payload.length));
    this.append(payload);
    if (this.pendingBytes >= WRITE_SIZE) await this.flush();
  }

  private append(piece: Buffer): void {
    this.hash.update(piece);
    this.pending.push(piece);
    this.pendingBytes += piece.length;
    this.size += piece.length;
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    // A large typed-array piece goes out as is; small frames are joined into one write.
    const out = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.sink.write(out);
  }
}
