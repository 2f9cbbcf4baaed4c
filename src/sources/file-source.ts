/**
 * A JSON Lines file as a source: each line with its file and line number. Lines end at `\n` (a
 * `\r` before it is dropped); blank lines are skipped. The file is read as bytes and each line
 * decoded on its own, so a line that is not UTF-8 is handed on with its original bytes (to be
 * refused as TW_ENCODING) instead of being silently mended with U+FFFD.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream, statSync } from 'node:fs';

export interface SourceLine {
  text: string;
  file: string;
  line: number;
  /** Bytes read so far (for progress). */
  bytes: number;
  /** The line's own bytes, present only when they are not UTF-8 (`text` then holds U+FFFD for each bad sequence). */
  invalidBytes?: Buffer;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export async function* readJsonLines(file: string): AsyncGenerator<SourceLine> {
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  let pending: Buffer[] = []; // the current line's earlier chunks, joined once its end is found
  let line = 0;
  let bytes = 0;
  const lineOf = (content: Buffer): SourceLine | undefined => {
    line++;
    bytes += content.length + 1;
    const end = content.length > 0 && content[content.length - 1] === CARRIAGE_RETURN ? content.length - 1 : content.length;
    const body = content.subarray(0, end);
    const text = body.toString('utf8');
    if (text.trim() === '') return undefined;
    return isUtf8(body) ? { text, file, line, bytes } : { text, file, line, bytes, invalidBytes: Buffer.from(body) };
  };
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, nl);
      const out = lineOf(pending.length ? Buffer.concat([...pending, piece]) : piece);
      pending = [];
      start = nl + 1;
      if (out) yield out;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length) {
    const out = lineOf(Buffer.concat(pending));
    if (out) yield out;
  }
}

export function fileSize(file: string): number {
  return statSync(file).size;
}
