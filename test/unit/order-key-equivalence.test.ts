/**
 * The monitor's reorder buffer, fed pre-filled partitions a few messages at a time (backlog after
 * a restart), applies them in the order `replay --from-kafka`'s merge gives, also when messages
 * are dated far ahead of the ones after them: both order by the same key (order-key.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventTimeBuffer } from '../../src/monitor/event-time-buffer.js';
import { mergeByEventTime, type PartitionStream } from '../../src/sources/event-time-merge.js';

interface Part { topic: string; partition: number; times: number[] }

/** Partitions in event-time order (times distinct across partitions), with some messages dated far ahead. */
const partitions = fc.array(fc.record({ steps: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 30 }), skews: fc.array(fc.nat(), { maxLength: 3 }) }), { minLength: 1, maxLength: 5 })
  .map((ps): Part[] => ps.map(({ steps, skews }, p) => {
    let t = 0;
    const times = steps.map((d) => (t += d) * 10 + p);
    for (const s of skews) if (times.length > 0) times[s % times.length] = 1_000_000 + p + 10 * s;
    return { topic: `t${p % 2}`, partition: p, times };
  }));

async function mergeOrderOf(parts: Part[]): Promise<string[]> {
  const streams: PartitionStream<number>[] = parts.map((p) => ({ topic: p.topic, partition: p.partition, records: (async function* () { for (const [o, t] of p.times.entries()) yield { offset: BigInt(o), value: t }; })() }));
  const out: string[] = [];
  for await (const m of mergeByEventTime(streams, (t) => t)) out.push(`${m.topic}/${m.partition}@${m.offset}`);
  return out;
}

function bufferOrderOf(parts: Part[], chunk: number, maxStep: number): string[] {
  const b = new EventTimeBuffer<number>();
  for (const p of parts) b.register(p.topic, p.partition, 0n, BigInt(p.times.length));
  const fetched = parts.map(() => 0);
  const out: string[] = [];
  const HOLD = 1_000_000_000; // never waited out: the order comes from the data alone
  for (let round = 0; round < 10_000; round++) {
    let more = false;
    for (const [i, p] of parts.entries()) {
      for (let k = 0; k < chunk && fetched[i]! < p.times.length; k++, fetched[i]!++) b.add(p.topic, p.partition, BigInt(fetched[i]!), p.times[fetched[i]!]!, p.times[fetched[i]!]!, 0);
      more ||= fetched[i]! < p.times.length;
      for (const e of b.take(maxStep, 0, HOLD)) out.push(`${e.topic}/${e.partition}@${e.offset}`);
    }
    if (!more) break;
  }
  // Everything fetched and nothing newer will come: the rest goes once the hold is waited out.
  for (let s = b.take(1_000_000, HOLD, HOLD); s.length > 0; s = b.take(1_000_000, HOLD, HOLD)) for (const e of s) out.push(`${e.topic}/${e.partition}@${e.offset}`);
  return out;
}

describe('order keys', () => {
  it('give the monitor\'s backlog the merge\'s order, messages dated far ahead included (property)', async () => {
    await fc.assert(fc.asyncProperty(partitions, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 20 }), async (parts, chunk, maxStep) => {
      expect(bufferOrderOf(parts, chunk, maxStep)).toEqual(await mergeOrderOf(parts));
    }), { numRuns: 300 });
  });
});
