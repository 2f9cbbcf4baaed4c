import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { beyond, covers, maxCut, slotOfAccount, UnownedLog, type Cut, type Output } from '../../src/monitor/ownership.js';
import { chunkTopicMessages, type OutTopic } from '../../src/sinks/kafka-sink.js';

const cut = (entries: Record<string, number>): Cut => new Map(Object.entries(entries).map(([k, v]) => [k, BigInt(v)]));
const out = (pk: string, offset: number, id = `${pk}@${offset}`): Output => ({ pk, offset: BigInt(offset), dead: { code: 'X', reason: id, origin: {}, raw: id } });

describe('publishing slots', () => {
  it('puts an account in the partition the kafkajs default partitioner gives its key', () => {
    const partitioner = kafkajs.Partitioners.DefaultPartitioner();
    const meta = [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 0 }));
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const account = `acct-${i.toString(16)}`;
      const slot = slotOfAccount(account, 4);
      expect(slot).toBe(partitioner({ topic: 't', partitionMetadata: meta as never, message: { key: account, value: null } }));
      seen.add(slot);
    }
    expect(seen).toEqual(new Set([0, 1, 2, 3]));
  });

  it('treats an output as published exactly when its message lies inside the cursor', () => {
    const c = cut({ 'a/0': 5 });
    expect(beyond(c, out('a/0', 4))).toBe(false);
    expect(beyond(c, out('a/0', 5))).toBe(true);
    expect(beyond(c, out('b/0', 0))).toBe(true); // a partition absent from the cut is at offset 0
  });

  it('never moves a cursor back: the merge is componentwise max', () => {
    const merged = maxCut(cut({ 'a/0': 5, 'b/0': 1 }), cut({ 'a/0': 3, 'b/0': 7, 'c/0': 2 }));
    expect(merged).toEqual(cut({ 'a/0': 5, 'b/0': 7, 'c/0': 2 }));
    expect(covers(merged, cut({ 'a/0': 5 }))).toBe(true);
    expect(covers(cut({ 'a/0': 4 }), cut({ 'a/0': 5 }))).toBe(false);
  });
});

describe('unowned log', () => {
  it('hands over exactly the outputs past the new owner cursor', () => {
    const log = new UnownedLog(cut({ 'a/0': 2 }));
    for (const o of [out('a/0', 2), out('a/0', 3), out('b/0', 0), out('a/0', 6)]) log.push(o, 100);
    expect(log.after(cut({ 'a/0': 4, 'b/0': 1 }))?.map((o) => o.dead!.reason)).toEqual(['a/0@6']);
    expect(log.after(cut({ 'a/0': 2 }))?.length).toBe(4);
  });

  it('refuses a hand-over it cannot prove complete: a cursor behind where the log starts, or an overflow', () => {
    const log = new UnownedLog(cut({ 'a/0': 10 }));
    log.push(out('a/0', 11), 100);
    expect(log.after(cut({ 'a/0': 9 }))).toBeUndefined();
    const small = new UnownedLog(new Map());
    for (let i = 0; i < 3; i++) small.push(out('a/0', i), 2);
    expect(small.overflowed).toBe(true);
    expect(small.after(new Map())).toBeUndefined();
  });

  it('prunes what the owner has published and stays complete past its cursor', () => {
    const log = new UnownedLog(new Map());
    for (let i = 0; i < 10; i++) log.push(out('a/0', i), 100);
    log.prune(cut({ 'a/0': 7 }));
    expect(log.entries.map((o) => Number(o.offset))).toEqual([7, 8, 9]);
    expect(log.after(cut({ 'a/0': 8 }))?.map((o) => Number(o.offset))).toEqual([8, 9]);
    expect(log.after(cut({ 'a/0': 5 }))).toBeUndefined();
  });
});

describe('transaction chunking', () => {
  it('splits records into sendBatch calls under the byte limit, keeping every record once and in order', () => {
    const value = 'x'.repeat(1000);
    const topics: OutTopic[] = [
      { topic: 'alerts', messages: Array.from({ length: 900 }, (_, i) => ({ key: `k${i}`, value, headers: { alertId: `al-${i}` } })) },
      { topic: 'in.dlq', messages: Array.from({ length: 50 }, (_, i) => ({ value, headers: { code: 'TW_JSON', reason: `r${i}` } })) },
    ];
    const chunks = chunkTopicMessages(topics, 64 * 1024);
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) {
      const bytes = chunk.flatMap((t) => t.messages).reduce((s, m) => s + m.value!.length, 0);
      expect(bytes).toBeLessThanOrEqual(64 * 1024);
    }
    const flat = chunks.flatMap((c) => c.flatMap((t) => t.messages.map((m) => `${t.topic}:${m.headers.alertId ?? m.headers.reason}`)));
    expect(flat).toEqual(topics.flatMap((t) => t.messages.map((m) => `${t.topic}:${m.headers.alertId ?? m.headers.reason}`)));
  });

  it('sends a record larger than the limit alone rather than dropping it', () => {
    const chunks = chunkTopicMessages([{ topic: 't', messages: [{ value: 'a', headers: {} }, { value: 'b'.repeat(5000), headers: {} }, { value: 'c', headers: {} }] }], 1000);
    expect(chunks.map((c) => c[0]!.messages.map((m) => m.value![0]).join(''))).toEqual(['a', 'b', 'c']);
  });
});
