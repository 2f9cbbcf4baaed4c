/**
 * Review 57 of the batch reader (file-source.ts `readJsonLineBatches`): its lines are, in text,
 * number, byte count and invalid bytes, those of a plain split of the file's bytes at `\n`, also
 * where a line, a `\r\n` or a multi-byte sequence straddles the 1 MiB chunks, where a line holds
 * a U+FFFD that is really in the text (no invalid bytes reported), in an empty file and where the
 * last line has no newline.
 */
import { isUtf8 } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonLineBatches, type SourceLine } from '../../src/sources/file-source.js';
import { removeTempDirs, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const CHUNK = 1 << 20;

/** The lines a plain split gives: the reader's contract, written out the slow way. */
function expected(bytes: Buffer, file: string): SourceLine[] {
  const out: SourceLine[] = [];
  let start = 0;
  let line = 0;
  let read = 0;
  while (start < bytes.length) {
    let nl = bytes.indexOf(0x0a, start);
    if (nl === -1) nl = bytes.length;
    line++;
    read += nl - start + 1;
    let body = bytes.subarray(start, nl);
    if (body.length > 0 && body[body.length - 1] === 0x0d) body = body.subarray(0, body.length - 1);
    const text = body.toString('utf8');
    if (text.trim() !== '') out.push(isUtf8(body) ? { text, file, line, bytes: read } : { text, file, line, bytes: read, invalidBytes: Buffer.from(body) });
    start = nl + 1;
  }
  return out;
}

async function actual(file: string): Promise<SourceLine[]> {
  const out: SourceLine[] = [];
  for await (const batch of readJsonLineBatches(file)) out.push(...batch);
  return out;
}

function written(name: string, bytes: Buffer): string {
  const file = join(tempDir('tw-review57-source-'), name);
  writeFileSync(file, bytes);
  return file;
}

/** A JSON line padded so that the next byte after it sits at `at`. */
const padTo = (at: number, used: number): Buffer => Buffer.from(`{"pad":"${'x'.repeat(at - used - 11)}"}\n`);

describe('review 57: the batch reader against a plain split', () => {
  it('a \\r\\n split across the chunk boundary, a line spanning three chunks, and a last line without newline', async () => {
    const first = Buffer.from('{"a":"cr-split"}\r');
    const head = padTo(CHUNK - first.length, 0);
    const long = Buffer.from(`{"long":"${'y'.repeat(2 * CHUNK + 17)}"}\r\n`);
    const bytes = Buffer.concat([head, first, Buffer.from('\n'), long, Buffer.from('\n\r\n'), Buffer.from('{"last":true}')]);
    expect(head.length + first.length).toBe(CHUNK); // the \r ends the first chunk, its \n starts the second
    const file = written('boundaries.jsonl', bytes);
    const lines = await actual(file);
    expect(lines).toEqual(expected(bytes, file));
    expect(lines.map((l) => l.text.slice(0, 9))).toEqual(['{"pad":"x', '{"a":"cr-', '{"long":"', '{"last":t']);
  });

  it('a multi-byte character and an invalid sequence split across the chunk boundary', async () => {
    const euro = Buffer.from('{"v":"€"}\n'); // € is three bytes: the boundary falls inside it
    const bad = Buffer.from([0x7b, 0x22, 0x76, 0x22, 0x3a, 0x22, 0xe2, 0x82, 0x22, 0x7d, 0x0a]); // a truncated sequence
    const head = padTo(CHUNK - 7, 0);
    const bytes = Buffer.concat([head, euro, padTo(2 * CHUNK - 8, head.length + euro.length), bad]);
    const file = written('multibyte.jsonl', bytes);
    const lines = await actual(file);
    expect(lines).toEqual(expected(bytes, file));
    expect(lines[1]!.text).toBe('{"v":"€"}');
    expect(lines[1]!.invalidBytes).toBeUndefined();
    expect(lines[3]!.invalidBytes).toEqual(bad.subarray(0, bad.length - 1));
  });

  it('a U+FFFD that is in the text is not an invalid byte', async () => {
    const bytes = Buffer.from('{"v":"\uFFFD"}\n{"w":1}\n', 'utf8');
    const file = written('replacement.jsonl', bytes);
    const lines = await actual(file);
    expect(lines).toEqual(expected(bytes, file));
    expect(lines[0]!.invalidBytes).toBeUndefined();
  });

  it('an empty file and a file of blank lines give no line', async () => {
    expect(await actual(written('empty.jsonl', Buffer.alloc(0)))).toEqual([]);
    expect(await actual(written('blank.jsonl', Buffer.from('\n\r\n   \n')))).toEqual([]);
  });
});
