/**
 * The JSONL reader's batches (session 57): one batch per chunk read, walked by the replay in a
 * plain loop instead of a promise per line. Its lines are the ones `readJsonLines` hands out, one
 * at a time, with the same numbers, byte counts, carriage returns dropped, blank lines skipped,
 * and the original bytes of a line that is not UTF-8.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonLineBatches, readJsonLines, type SourceLine } from '../../src/sources/file-source.js';
import { removeTempDirs, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

async function batchesOf(file: string): Promise<SourceLine[][]> {
  const batches: SourceLine[][] = [];
  for await (const batch of readJsonLineBatches(file)) batches.push(batch);
  return batches;
}

async function linesOf(file: string): Promise<SourceLine[]> {
  const lines: SourceLine[] = [];
  for await (const line of readJsonLines(file)) lines.push(line);
  return lines;
}

describe('readJsonLineBatches', () => {
  it('hands out every line of a chunk in one batch, numbered, with carriage returns dropped and blank lines skipped', async () => {
    const file = join(tempDir('tw-batches-'), 'small.jsonl');
    writeFileSync(file, '{"a":1}\r\n\n  \n{"b":2}\n{"c":3}');
    const batches = await batchesOf(file);
    expect(batches.map((b) => b.map((l) => [l.line, l.text, l.bytes]))).toEqual([
      [[1, '{"a":1}', 9], [4, '{"b":2}', 21]],
      [[5, '{"c":3}', 29]],
    ]);
  });

  it('keeps a line that holds U+FFFD as written, and the bytes of one that is not UTF-8', async () => {
    const file = join(tempDir('tw-batches-'), 'mixed.jsonl');
    writeFileSync(file, Buffer.concat([Buffer.from('{"x":"\uFFFD"}\n{"y":"'), Buffer.from([0xff]), Buffer.from('"}\n')]));
    const [batch] = await batchesOf(file);
    expect(batch!.map((l) => [l.text, l.invalidBytes?.toString('hex')])).toEqual([
      ['{"x":"\uFFFD"}', undefined],
      ['{"y":"\uFFFD"}', Buffer.from('{"y":"\xff"}', 'latin1').toString('hex')],
    ]);
  });

  it('gives the lines readJsonLines gives, in batches split at chunk boundaries', async () => {
    const file = join(tempDir('tw-batches-'), 'long.jsonl');
    const lines = Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ i, pad: 'é'.repeat(i % 37) }));
    writeFileSync(file, lines.join('\n') + '\n');
    const batches = await batchesOf(file);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flat()).toEqual(await linesOf(file));
    expect(batches.flat().map((l) => l.text)).toEqual(lines);
  });
});
