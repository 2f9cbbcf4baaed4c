import { describe, expect, it } from 'vitest';
import { PartitionFeed } from '../../src/sources/partition-feed.js';

function feed(start: number, end: number, maxBufferedBytes = 1000, stallTimeoutMs = 30_000): { feed: PartitionFeed; flow: string[] } {
  const flow: string[] = [];
  return { feed: new PartitionFeed('t', 0, BigInt(start), BigInt(end), { pause: () => flow.push('pause'), resume: () => flow.push('resume') }, { maxBufferedBytes, stallTimeoutMs }), flow };
}

const rec = (offset: number, value = `v${offset}`) => ({ offset: BigInt(offset), value });

async function drain(f: PartitionFeed): Promise<string[]> {
  const out: string[] = [];
  for await (const r of f.records()) out.push(`${r.offset}:${r.value}`);
  return out;
}

describe('partition feed: one partition read up to its end offset', () => {
  it('an empty partition (start = end) ends at once', async () => {
    expect(await drain(feed(5, 5).feed)).toEqual([]);
  });

  it('ends when the position reaches the end though no record sits at end−1 (a commit or abort marker there)', async () => {
    const { feed: f } = feed(0, 4);
    const read = drain(f);
    f.push([rec(0), rec(1)]);
    await Promise.resolve();
    f.advanceTo(2n); // the batch of the records
    f.advanceTo(4n); // a later batch of aborted records and a marker: no record delivered
    expect(await read).toEqual(['0:v0', '1:v1']);
  });

  it('skips a compaction gap, drops re-fetched offsets and offsets at or past the end', async () => {
    const { feed: f } = feed(0, 10);
    const read = drain(f);
    f.push([rec(0), rec(3)]);
    f.push([rec(3, 'again'), rec(7), rec(10, 'later'), rec(11, 'later')]);
    f.advanceTo(12n);
    expect(await read).toEqual(['0:v0', '3:v3', '7:v7']);
  });

  it('pauses its partition at the byte limit and resumes it once drained to half', async () => {
    const { feed: f, flow } = feed(0, 100, 10);
    f.push([rec(0, 'aaaa'), rec(1, 'bbbb')]);
    expect(flow).toEqual([]);
    f.push([rec(2, 'cccc')]); // 12 bytes queued
    expect(flow).toEqual(['pause']);
    const it = f.records();
    await it.next(); // 8 left
    expect(flow).toEqual(['pause']);
    await it.next(); // 4 left: at most half
    expect(flow).toEqual(['pause', 'resume']);
    await it.return(undefined);
  });

  it('fails a read that waits past the stall timeout, naming the partition and its offsets', async () => {
    const { feed: f } = feed(0, 3, 1000, 50);
    f.push([rec(0)]);
    await expect(drain(f)).rejects.toThrow(/t\/0: read to offset 1 of 3/);
  });

  it('passes a consumer failure to the reader', async () => {
    const { feed: f } = feed(0, 3);
    const read = drain(f);
    f.fail(new Error('consumer crashed'));
    await expect(read).rejects.toThrow('consumer crashed');
  });
});
