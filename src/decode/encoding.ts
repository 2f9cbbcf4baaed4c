/**
 * Message bytes that are not UTF-8. JSON text is UTF-8 (RFC 8259 §8.1); decoding such bytes as
 * UTF-8 anyway replaces each bad sequence with U+FFFD, so a mangled account id or address would
 * be accepted as another one. They are refused as `TW_ENCODING` instead, and the dead letter keeps
 * the original bytes (the Kafka record's value itself; `rawBase64` in a dead-letter file).
 */
import { isUtf8 } from 'node:buffer';
import type { DecodeResult } from './decode.js';

/** The offset of the first byte that does not begin or continue a well-formed UTF-8 sequence; -1 when there is none. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) { i++; continue; }
    const [length, min, max] = b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf]
      : b === 0xe0 ? [3, 0xa0, 0xbf] : b === 0xed ? [3, 0x80, 0x9f] : b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf]
        : b === 0xf0 ? [4, 0x90, 0xbf] : b === 0xf4 ? [4, 0x80, 0x8f] : b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf]
          : [0, 0, 0];
    if (length === 0) return i;
    // The second byte's range excludes overlongs, surrogates and code points past U+10FFFF.
    if (i + 1 >= bytes.length || bytes[i + 1]! < min || bytes[i + 1]! > max) return i;
    for (let k = 2; k < length; k++) if (i + k >= bytes.length || (bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}

/** The decode result for bytes that are not UTF-8, carrying them for the dead letter. */
export function notUtf8(bytes: Buffer): DecodeResult {
  const at = firstInvalidUtf8(bytes);
  return {
    ok: false,
    reject: {
      code: 'TW_ENCODING',
      reason: `not UTF-8 text: an invalid byte sequence at byte ${at} of ${bytes.length} (0x${bytes.subarray(at, at + 4).toString('hex')}); JSON must be UTF-8`,
      bytes,
    },
  };
}

/**
 * A message's bytes decoded: refused as `TW_ENCODING` when they are not UTF-8, else their text
 * through `decodeText`. Every input path (files, the monitor, its journal, `replay --from-kafka`)
 * goes through this, so each decides the same.
 */
export function decodeBytes(bytes: Buffer, decodeText: (text: string) => DecodeResult): { raw: string; decoded: DecodeResult } {
  const raw = bytes.toString('utf8');
  return { raw, decoded: isUtf8(bytes) ? decodeText(raw) : notUtf8(bytes) };
}
