import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mixedStream } from '../../src/bench/mixed-stream.js';
import { closeBareParser, measureChunkedRatio, pipelineReplay, writeLines, type ChunkRange } from '../../src/bench/replay-run.js';

// The long-stream benchmark pairs each chunk of the replay with a bare parse of exactly that
// chunk's bytes: the chunks must tile the file, and each must hold the messages the pipeline took.
describe('a replay measured chunk by chunk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-chunks-'));
  const file = join(dir, 'mixed.jsonl');
  afterAll(() => {
    closeBareParser();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pauses after every N messages with byte ranges that tile the file', async () => {
    await writeLines(file, mixedStream({ messages: 1000, accounts: 200, seed: 3 }));
    const chunks: ChunkRange[] = [];
    const run = await pipelineReplay(file, { seconds: 600, progressSeconds: 0, chunks: { every: 300, measure: async (c) => { chunks.push(c); } } }, 'test');
    expect(run.processed).toBe(1000);
    expect(chunks.map((c) => c.messages)).toEqual([300, 300, 300, 100]);
    expect(chunks[0]!.start).toBe(0);
    for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.start).toBe(chunks[i - 1]!.end);
    expect(chunks.at(-1)!.end).toBe(statSync(file).size);
    for (const c of chunks) expect(c.cpuSeconds).toBeGreaterThan(0);
    // Each chunk says how many major collections ended in it (a count, often 0 on a stream this small).
    for (const c of chunks) expect(Number.isInteger(c.majorCollections) && c.majorCollections >= 0).toBe(true);
  });

  it('pairs each chunk with a bare parse of the same lines, and the ratio is their CPU against the pipeline\'s', async () => {
    const f = await measureChunkedRatio(file, 1000, { seconds: 600, progressSeconds: 0 }, 'test', 400);
    expect(f.chunks!.map((c) => c.messages)).toEqual([400, 400, 200]);
    const bare = f.chunks!.reduce((s, c) => s + c.bareCpuSeconds, 0);
    expect(f.bareCpu).toBeCloseTo(1000 / bare, 6);
    expect(f.cpuRatio).toBeCloseTo(f.run.cpuRate / f.bareCpu, 9);
    expect(f.bareSpread[0]).toBeLessThanOrEqual(f.bareSpread[1]);
  });
});
