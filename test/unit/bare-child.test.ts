import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BareParser } from '../../src/bench/bare-child.js';

// The benchmarks' baseline runs in a child process and parses whole files or byte ranges of them;
// the long run pairs each chunk of the pipeline with a parse of exactly that chunk's bytes.
describe('bare-parse child', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-bare-'));
  const parser = new BareParser();
  afterAll(() => {
    parser.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ n: i, text: 'é'.repeat(i % 7) }));
  const file = join(dir, 'lines.jsonl');
  writeFileSync(file, lines.join('\n') + '\n\n');

  it('parses every non-blank line of a file and reports its own CPU time', async () => {
    const r = await parser.parse({ file });
    expect(r.lines).toBe(300);
    expect(r.cpuSeconds).toBeGreaterThan(0);
    expect(r.wallSeconds).toBeGreaterThan(0);
  });

  it('parses only the lines of a byte range that starts and ends on line boundaries', async () => {
    const bytesOf = (n: number): number => lines.slice(0, n).reduce((b, l) => b + Buffer.byteLength(l) + 1, 0);
    expect((await parser.parse({ file, start: bytesOf(100), end: bytesOf(250) })).lines).toBe(150);
    expect((await parser.parse({ file, start: bytesOf(250) })).lines).toBe(50);
  });

  it('rejects a range that cuts a line, naming the file and the parse error', async () => {
    await expect(parser.parse({ file, start: 3 })).rejects.toThrow(/bare parse of .*lines\.jsonl: .*JSON/);
    // ... and the child still answers afterwards.
    expect((await parser.parse({ file, end: Buffer.byteLength(lines[0]!) + 1 })).lines).toBe(1);
  });
});
