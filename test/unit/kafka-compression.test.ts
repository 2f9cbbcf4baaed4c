/**
 * The Snappy, LZ4 and ZSTD batch decoders kafkajs lacks: they inflate what Kafka's producers
 * write, and refuse a corrupt batch or one that would inflate past the limit with an error that
 * names the codec, before allocating the output where the format declares its size.
 * (test/integration/kafka-console-clients.test.ts feeds the monitor batches compressed by
 * Kafka's own Java producer.)
 */
import kafkajs from 'kafkajs';
import * as lz4 from 'lz4js';
import * as snappy from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { BatchDecompressionError, inflateGzip, inflateLz4, inflateSnappy, inflateZstd, isUndecodableBatch, registerCompressionCodecs } from '../../src/kafka/compression.js';

const text = Buffer.from('{"schema":"exchange.login.v1","accountId":"acct-1"}\n'.repeat(400));

/** xerial's framing as Kafka's Java producer writes it: magic, two versions, length-prefixed raw chunks. */
function xerial(chunks: Buffer[]): Buffer {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
  const framed = chunks.map((c) => {
    const block = Buffer.from(snappy.compress(c));
    const size = Buffer.alloc(4);
    size.writeUInt32BE(block.length);
    return Buffer.concat([size, block]);
  });
  return Buffer.concat([header, ...framed]);
}

/** A zstd frame (no content size, 128 KiB window) of one last block: raw bytes, or one byte repeated (RLE). */
function zstdFrame(block: { raw: Buffer } | { rle: number; size: number }): Buffer {
  const magic = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
  const descriptor = Buffer.from([0x00, 7 << 3]);
  const [type, size, body] = 'raw' in block ? [0, block.raw.length, block.raw] : [1, block.size, Buffer.from([block.rle])];
  const header = (size << 3) | (type << 1) | 1;
  return Buffer.concat([magic, descriptor, Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]), body]);
}

describe('record-batch decompression', () => {
  it('inflates Snappy as a raw block and in xerial framing of several chunks', () => {
    expect(inflateSnappy(Buffer.from(snappy.compress(text)))).toEqual(text);
    const framed = xerial([text.subarray(0, 5000), text.subarray(5000, 12000), text.subarray(12000)]);
    expect(inflateSnappy(framed)).toEqual(text);
  });

  it('refuses a Snappy chunk whose declared length passes the limit, and a chunk cut short', () => {
    const framed = xerial([text.subarray(0, 5000), text.subarray(5000)]);
    expect(() => inflateSnappy(framed, 8_000)).toThrow(BatchDecompressionError);
    expect(() => inflateSnappy(framed, 8_000)).toThrow(/snappy record batch refused/);
    expect(() => inflateSnappy(framed.subarray(0, framed.length - 10))).toThrow(/runs past the batch/);
  });

  it('inflates an LZ4 frame, and refuses one whose size passes the limit before inflating it', () => {
    const frame = Buffer.from(lz4.compress(text));
    expect(inflateLz4(frame)).toEqual(text);
    expect(() => inflateLz4(frame, 1_000)).toThrow(/lz4 record batch refused: it would inflate to \d+ bytes, more than the 1000 allowed/);
    expect(() => inflateLz4(Buffer.from('not an lz4 frame at all'))).toThrow(/lz4 record batch refused: invalid magic number/);
  });

  it('inflates a ZSTD frame, and stops one that inflates past the limit while streaming', () => {
    expect(inflateZstd(zstdFrame({ raw: text.subarray(0, 20_000) }))).toEqual(text.subarray(0, 20_000));
    const bomb = zstdFrame({ rle: 0x78, size: 100_000 });
    expect(inflateZstd(bomb)).toEqual(Buffer.alloc(100_000, 0x78));
    expect(() => inflateZstd(bomb, 50_000)).toThrow(/zstd record batch refused: it would inflate to 100000 bytes, more than the 50000 allowed/);
    expect(() => inflateZstd(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/zstd record batch refused/);
  });

  it('inflates gzip, and refuses a gzip batch that inflates past the limit, as the other codecs do (QA: gzip had no bound)', async () => {
    expect(await inflateGzip(gzipSync(text))).toEqual(text);
    const bomb = gzipSync(Buffer.alloc(200_000, 0x78));
    await expect(inflateGzip(bomb, 50_000)).rejects.toThrow(/gzip record batch refused: it would inflate to more than the 50000 bytes allowed/);
    await expect(inflateGzip(Buffer.from('not gzip at all'))).rejects.toThrow(BatchDecompressionError);
  });

  it('marks its refusals as batches no refetch can read (the monitor and replay stop on them), and nothing else', () => {
    const refusal = ((): unknown => { try { inflateLz4(Buffer.from('garbage!')); } catch (err) { return err; } })();
    expect(isUndecodableBatch(refusal)).toBe(true);
    expect(isUndecodableBatch(new Error('The group coordinator is not available'))).toBe(false);
    expect(isUndecodableBatch('lz4')).toBe(false);
  });

  it('finds a refusal that kafkajs hands over wrapped, as the cause of the retries it gave up (QA: the reader restarted forever)', () => {
    const refusal = new BatchDecompressionError('zstd', 'it would inflate to 268566528 bytes, more than the 268435456 allowed');
    const { KafkaJSNumberOfRetriesExceeded, KafkaJSError } = kafkajs as unknown as Record<string, new (e: unknown, o?: unknown) => Error>;
    const gaveUp = new KafkaJSNumberOfRetriesExceeded!(refusal, { retryCount: 5, retryTime: 1000 });
    expect(gaveUp.name).toBe('KafkaJSNumberOfRetriesExceeded');
    expect(isUndecodableBatch(gaveUp)).toBe(true);
    expect(isUndecodableBatch(Object.assign(new Error('wrapped'), { originalError: refusal }))).toBe(true);
    expect(isUndecodableBatch(new KafkaJSNumberOfRetriesExceeded!(new KafkaJSError!('Connection timeout'), { retryCount: 5, retryTime: 1000 }))).toBe(false);
  });

  it('registers with kafkajs, which throws "not implemented" for these codecs by itself', async () => {
    const { CompressionCodecs, CompressionTypes } = kafkajs;
    registerCompressionCodecs();
    const lz4Codec = CompressionCodecs[CompressionTypes.LZ4]!() as { decompress(b: Buffer): Promise<Buffer> };
    expect(await lz4Codec.decompress(Buffer.from(lz4.compress(text)))).toEqual(text);
    const snappyCodec = CompressionCodecs[CompressionTypes.Snappy]!() as { decompress(b: Buffer): Promise<Buffer> };
    expect(await snappyCodec.decompress(xerial([text]))).toEqual(text);
    const gzipCodec = CompressionCodecs[CompressionTypes.GZIP]!() as { decompress(b: Buffer): Promise<Buffer> };
    expect(await gzipCodec.decompress(gzipSync(text))).toEqual(text);
    const zstdCodec = CompressionCodecs[CompressionTypes.ZSTD]!() as { decompress(b: Buffer): Promise<Buffer> };
    expect(await zstdCodec.decompress(zstdFrame({ raw: text }))).toEqual(text);
  });
});
