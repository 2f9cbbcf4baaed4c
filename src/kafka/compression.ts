/**
 * The record-batch codecs kafkajs lacks, and a bounded gzip. kafkajs throws "not implemented"
 * for Snappy, LZ4 and ZSTD, which crashes the consumer at the first batch an exchange's Java
 * producer (or kafka-console-producer --compression-codec) compressed that way, and inflates gzip
 * without a bound. Registered once, before any client reads, by `createKafka`.
 *
 * Each decoder refuses a batch that would inflate past MAX_INFLATED_BATCH_BYTES: Snappy chunks
 * and LZ4 frames by the sizes they declare, before the output is allocated; ZSTD as it streams;
 * gzip through zlib's `maxOutputLength`.
 * A compressed batch is bounded by the fetch size, its inflated size only by this check.
 *
 * Framing, as Kafka writes it:
 * - Snappy: Java clients write xerial's stream framing (an 8-byte magic, two 4-byte versions,
 *   then chunks each prefixed by its 4-byte big-endian length); other clients write one raw block.
 * - LZ4: the standard LZ4 frame (magic 0x184D2204).
 * - ZSTD: a standard zstd frame.
 */
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import kafkajs from 'kafkajs';
import * as fzstd from 'fzstd';
import * as lz4 from 'lz4js';
import * as snappy from 'snappyjs';

const { CompressionCodecs, CompressionTypes } = kafkajs;
const unzip = promisify(zlib.unzip) as (input: Buffer, options: zlib.ZlibOptions) => Promise<Buffer>;
const gzip = promisify(zlib.gzip) as (input: Buffer) => Promise<Buffer>;

/** Largest inflated record batch accepted (a fetch asks for at most a few MB compressed). */
export const MAX_INFLATED_BATCH_BYTES = 256 * 1024 * 1024;

export class BatchDecompressionError extends Error {
  constructor(codec: string, reason: string) {
    super(`${codec} record batch refused: ${reason}`);
    this.name = 'BatchDecompressionError';
  }
}

export { isUndecodableBatch } from './undecodable.js';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** Magic (8) and the two version fields (4 + 4) before the first chunk. */
const XERIAL_HEADER_BYTES = 16;

function tooLarge(codec: string, bytes: number, limit: number): BatchDecompressionError {
  return new BatchDecompressionError(codec, `it would inflate to ${bytes} bytes, more than the ${limit} allowed`);
}

/** Snappy, raw or in xerial's framing; each chunk's declared length is checked before it is inflated. */
export function inflateSnappy(input: Buffer, limit = MAX_INFLATED_BATCH_BYTES): Buffer {
  if (input.length < XERIAL_HEADER_BYTES || !input.subarray(0, 8).equals(XERIAL_MAGIC)) return Buffer.from(snappyBlock(input, limit));
  const parts: Buffer[] = [];
  let total = 0;
  let at = XERIAL_HEADER_BYTES;
  while (at < input.length) {
    if (at + 4 > input.length) throw new BatchDecompressionError('snappy', `chunk length cut off at byte ${at}`);
    const size = input.readUInt32BE(at);
    at += 4;
    if (at + size > input.length) throw new BatchDecompressionError('snappy', `chunk of ${size} bytes at byte ${at} runs past the batch (${input.length} bytes)`);
    if (total >= limit) throw tooLarge('snappy', total + 1, limit);
    const part = snappyBlock(input.subarray(at, at + size), limit - total);
    total += part.length;
    parts.push(Buffer.from(part.buffer, part.byteOffset, part.length));
    at += size;
  }
  return Buffer.concat(parts, total);
}

function snappyBlock(block: Uint8Array, limit: number): Uint8Array {
  try {
    return snappy.uncompress(block, limit);
  } catch (err) {
    throw new BatchDecompressionError('snappy', err instanceof Error ? err.message : String(err));
  }
}

/** An LZ4 frame; its inflated size (declared, or blocks x block size) is checked before it is inflated. */
export function inflateLz4(input: Buffer, limit = MAX_INFLATED_BATCH_BYTES): Buffer {
  try {
    const bound = lz4.decompressBound(input);
    if (bound > limit) throw tooLarge('lz4', bound, limit);
    const out = lz4.decompress(input, bound);
    return Buffer.from(out.buffer, out.byteOffset, out.length);
  } catch (err) {
    if (err instanceof BatchDecompressionError) throw err;
    throw new BatchDecompressionError('lz4', err instanceof Error ? err.message : String(err));
  }
}

/** A gzip (or zlib) stream, inflated by Node's zlib with its output bounded. */
export async function inflateGzip(input: Buffer, limit = MAX_INFLATED_BATCH_BYTES): Promise<Buffer> {
  try {
    return await unzip(input, { maxOutputLength: limit });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new BatchDecompressionError('gzip', `it would inflate to more than the ${limit} bytes allowed`);
    throw new BatchDecompressionError('gzip', err instanceof Error ? err.message : String(err));
  }
}

/** ZSTD frames, streamed so that the running size is checked as it grows. */
export function inflateZstd(input: Buffer, limit = MAX_INFLATED_BATCH_BYTES): Buffer {
  const parts: Uint8Array[] = [];
  let total = 0;
  const stream = new fzstd.Decompress((chunk) => {
    total += chunk.length;
    if (total > limit) throw tooLarge('zstd', total, limit);
    parts.push(chunk);
  });
  try {
    stream.push(input, true);
  } catch (err) {
    if (err instanceof BatchDecompressionError) throw err;
    throw new BatchDecompressionError('zstd', err instanceof Error ? err.message : String(err));
  }
  return Buffer.concat(parts, total);
}

interface Encoder { buffer: Buffer }

let registered = false;
/** The bound the registered decoders apply (kafkajs' codecs are one table per process). */
let inflatedLimit = MAX_INFLATED_BATCH_BYTES;

/**
 * Gives kafkajs decoders for Snappy, LZ4 and ZSTD batches and a bounded gzip, each refusing a
 * batch that would inflate past `limit` (KAFKA_MAX_INFLATED_BATCH_BYTES; the last call's holds
 * for the whole process). Tidewatch's own producers send uncompressed batches; a Snappy or LZ4
 * producer would get a raw block or a frame, and a ZSTD producer a clear error.
 */
export function registerCompressionCodecs(limit = MAX_INFLATED_BATCH_BYTES): void {
  inflatedLimit = limit;
  if (registered) return;
  registered = true;
  CompressionCodecs[CompressionTypes.Snappy] = () => ({
    compress: async (encoder: Encoder) => Buffer.from(snappy.compress(encoder.buffer)),
    decompress: async (buffer: Buffer) => inflateSnappy(buffer, inflatedLimit),
  });
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: async (encoder: Encoder) => Buffer.from(lz4.compress(encoder.buffer)),
    decompress: async (buffer: Buffer) => inflateLz4(buffer, inflatedLimit),
  });
  // kafkajs' own gzip codec inflates without a bound: the same batch refused in ZSTD was taken whole in gzip (QA).
  CompressionCodecs[CompressionTypes.GZIP] = () => ({
    compress: async (encoder: Encoder) => gzip(encoder.buffer),
    decompress: async (buffer: Buffer) => inflateGzip(buffer, inflatedLimit),
  });
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: async () => { throw new Error('Tidewatch does not write ZSTD batches (it reads them)'); },
    decompress: async (buffer: Buffer) => inflateZstd(buffer, inflatedLimit),
  });
}
