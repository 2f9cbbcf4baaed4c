/**
 * The checkpoint's framing: a magic, then frames of `kind (1 byte) | length (u32 LE) | payload`,
 * then a checksum frame holding the sha256 of every byte before it. Frames let a multi-GB state
 * be written and read as a stream, one bounded piece at a time, with no giant string anywhere.
 *
 * Kinds: `J` a JSON value, `B` raw bytes (typed arrays, in the writer's byte order, which the
 * header records), `E` the end of a sequence of J or B frames, `Z` the checksum.
 */

export const MAGIC = Buffer.from('TWCKPT\r\n', 'latin1');
export const KIND = { json: 0x4a, bytes: 0x42, end: 0x45, checksum: 0x5a } as const;
export const HEADER_BYTES = 5;
/** No frame may exceed this: a larger length read back is corruption, not a huge allocation. */
export const MAX_FRAME = 64 << 20;
/** Typed arrays go out in frames of at most this many bytes. */
export const BYTES_FRAME = 8 << 20;
/** Small frames are gathered into writes of about this size. */
export const WRITE_SIZE = 1 << 20;

/** Where a checkpoint's bytes go (a temporary file, an upload, a producer). */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
}

export function frameHeader(kind: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header[0] = kind;
  header.writeUInt32LE(length, 1);
  return header;
}

export interface Frame {
  kind: number;
  payload: Buffer;
}

export const KIND_NAMES: Record<number, string> = { [KIND.json]: 'JSON', [KIND.bytes]: 'bytes', [KIND.end]: 'end', [KIND.checksum]: 'checksum' };
