import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeByEventTime, mergeOrder, type Merged, type PartitionStream } from '../../src/sources/event-time-merge.js';
import { ORDER_LOOKAHEAD } from '../../src/sources/order-key.js';

/** A partition whose records are labels like "t10" (event time 10) or "bad" (a reject: no event time). */
function partition(topic: string, p: number, values: string[]): PartitionStream<string> {
  return { topic, partition: p, records: (async function* () { for (const [i, value] of values.entries()) yield { offset: BigInt(i), value }; })() };
}

const timeOf = (v: string): number | undefined => (/\d+$/.test(v) ? Number(/\d+$/.exec(v)![0]) : undefined);

async function collect<T>(it: AsyncIterable<Merged<T>>): Promise<Merged<T>[]> {
  const out: Merged<T>[] = [];
  for await (const m of it) out.push(m);
  return out;
}

const values = (ms: Merged<string>[]): string[] => ms.map((m) => `${m.topic}${m.partition}:${m.value}`);

describe('event-time merge of partitions', () => {
  it('interleaves partitions by event time, ties broken by topic, then partition, then offset', async () => {
    const merged = await collect(mergeByEventTime([
      partition('b', 0, ['x5', 'x7', 'x9']),
      partition('a', 1, ['y5', 'y9']),
      partition('a', 0, ['z5', 'z6', 'z9']),
    ], timeOf));
    expect(values(merged)).toEqual(['a0:z5', 'a1:y5', 'b0:x5', 'a0:z6', 'b0:x7', 'a0:z9', 'a1:y9', 'b0:x9']);
  });

  it('places a reject right after its partition neighbour, so it never holds the rest of its partition back', async () => {
    const merged = await collect(mergeByEventTime([
      partition('a', 0, ['bad', 'p10', 'bad', 'bad', 'p30']),
      partition('b', 0, ['q5', 'q20', 'q40']),
    ], timeOf));
    expect(values(merged)).toEqual(['a0:bad', 'b0:q5', 'a0:p10', 'a0:bad', 'a0:bad', 'b0:q20', 'a0:p30', 'b0:q40']);
    expect(merged.filter((m) => m.value === 'bad').map((m) => m.time)).toEqual([Number.NEGATIVE_INFINITY, 10, 10]);
  });

  it('keeps each partition in offset order even when its event times go backwards (as the monitor applies it)', async () => {
    const merged = await collect(mergeByEventTime([partition('a', 0, ['p30', 'p10']), partition('b', 0, ['q20'])], timeOf));
    // p30 is ordered as the record after it (p10): dated ahead of it, it holds nothing back.
    expect(values(merged)).toEqual(['a0:p30', 'a0:p10', 'b0:q20']);
    expect(merged.map((m) => [m.time, m.key])).toEqual([[30, 10], [10, 10], [20, 20]]);
  });

  it('orders a record dated far ahead of the records after it as they are, so the rest of its partition is not held back', async () => {
    const merged = await collect(mergeByEventTime([
      partition('a', 0, ['p10', 'p9000', 'p12', 'p14', 'p16']),
      partition('b', 0, ['q11', 'q13', 'q15', 'q17']),
    ], timeOf));
    expect(values(merged)).toEqual(['a0:p10', 'b0:q11', 'a0:p9000', 'a0:p12', 'b0:q13', 'a0:p14', 'b0:q15', 'a0:p16', 'b0:q17']);
  });

  it('reads a partition no more than ORDER_LOOKAHEAD records ahead: a longer run dated ahead waits for its date', async () => {
    const run = Array.from({ length: ORDER_LOOKAHEAD + 1 }, (_, i) => `p${9000 + i}`);
    const merged = await collect(mergeByEventTime([partition('a', 0, ['p10', ...run, 'p12']), partition('b', 0, ['q11', 'q13'])], timeOf));
    expect(values(merged).slice(0, 4)).toEqual(['a0:p10', 'b0:q11', 'b0:q13', 'a0:p9000']);
  });

  it('handles empty partitions and no partitions at all', async () => {
    expect(values(await collect(mergeByEventTime([partition('a', 0, []), partition('b', 0, ['q1']), partition('c', 0, [])], timeOf)))).toEqual(['b0:q1']);
    expect(await collect(mergeByEventTime([], timeOf))).toEqual([]);
  });

  it('closes every partition when the caller stops early', async () => {
    const closed: string[] = [];
    const tracked = (topic: string, vs: string[]): PartitionStream<string> => ({
      topic, partition: 0,
      records: (async function* () { try { for (const [i, value] of vs.entries()) yield { offset: BigInt(i), value }; } finally { closed.push(topic); } })(),
    });
    for await (const m of mergeByEventTime([tracked('a', ['p1', 'p3']), tracked('b', ['q2', 'q4'])], timeOf)) if (m.time >= 2) break;
    expect(closed.sort()).toEqual(['a', 'b']);
  });

  it('equals a full sort by (time, topic, partition, offset) whenever every partition is in event-time order (property)', async () => {
    const partitions = fc.array(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 15 }), { minLength: 1, maxLength: 6 });
    await fc.assert(fc.asyncProperty(partitions, async (times) => {
      const streams = times.map((ts, i) => partition(`t${i % 3}`, i, [...ts].sort((x, y) => x - y).map((t) => `v${t}`)));
      const merged = await collect(mergeByEventTime(streams, timeOf));
      const expected = times.flatMap((ts, i) => [...ts].sort((x, y) => x - y).map((t, o) => ({ topic: `t${i % 3}`, partition: i, offset: BigInt(o), time: t, key: t, value: `v${t}` }))).sort(mergeOrder);
      expect(merged).toEqual(expected);
    }), { numRuns: 200 });
  });
});
