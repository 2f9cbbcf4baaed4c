/** A JSON Lines file as a source: each line with its file and line number. Blank lines are skipped. */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface SourceLine {
  text: string;
  file: string;
  line: number;
  /** Bytes read so far (for progress). */
  bytes: number;
}

export async function* readJsonLines(file: string): AsyncGenerator<SourceLine> {
  const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  let bytes = 0;
  for await (const text of lines) {
    line++;
    bytes += Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    yield { text, file, line, bytes };
  }
}

export function fileSize(file: string): number {
  return statSync(file).size;
}
