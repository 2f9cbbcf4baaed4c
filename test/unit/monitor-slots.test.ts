import { describe, expect, it } from 'vitest';
import type { Cut, Output } from '../../src/monitor/ownership.js';
import { SlotTable } from '../../src/monitor/slots.js';

const cut = (entries: Record<string, number>): Cut => new Map(Object.entries(entries).map(([k, v]) => [k, BigInt(v)]));
const out = (pk: string, offset: number): Output => ({ pk, offset: BigInt(offset), dead: { code: 'X', reason: `${pk}@${offset}`, origin: {}, raw: '' } });
const offsets = (outputs: Output[]): string[] => outputs.map((o) => o.dead!.reason);

describe('slot table (which slots this instance owns, hand-over decisions)', () => {
  it('takes the assigned slots it lacks, in order, and drops the ones it lost', () => {
    const t = new SlotTable<string>(4, 100);
    expect(t.gained(new Set([2, 0]))).toEqual([0, 2]);
    t.take(0, 'p0', new Map());
    t.take(2, 'p2', new Map());
    expect(t.gained(new Set([0, 2, 3]))).toEqual([3]);
    expect(t.lost(new Set([2, 3])).map((o) => o.slot)).toEqual([0]);
    expect(t.ownedNumbers()).toEqual([0, 2]);
  });

  it('refuses a slot beyond the partition count seen at start (partitions were added)', () => {
    expect(() => new SlotTable<string>(2, 100).gained(new Set([2]))).toThrow(/beyond the 2 partitions/);
  });

  it('publishes an owned slot\'s outputs past its cursor only, and logs an unowned slot\'s', () => {
    const t = new SlotTable<string>(2, 100);
    t.take(0, 'p0', cut({ 'a/0': 5 }));
    t.route(0, out('a/0', 4)); // inside the cursor: already published by an earlier owner
    t.route(0, out('a/0', 5));
    t.route(1, out('a/0', 6));
    expect(offsets(t.get(0)!.pending)).toEqual(['a/0@5']);
    t.take(1, 'p1', cut({ 'a/0': 6 }));
    expect(offsets(t.get(1)!.pending)).toEqual(['a/0@6']);
  });

  it('serves a slot taken back from the log it kept since giving it up, past the new owner\'s cursor', () => {
    const t = new SlotTable<string>(1, 100);
    t.take(0, 'mine', cut({ 'a/0': 2 }));
    t.route(0, out('a/0', 3));
    t.drop(t.get(0)!); // the group moved it: the pending output stays, as the log's first entry
    t.route(0, out('a/0', 4));
    t.route(0, out('a/0', 7));
    // The other owner published up to offset 5 and died; we take the slot back from its cursor.
    expect(t.take(0, 'mine again', cut({ 'a/0': 5 }))).toEqual({ fromLog: 1 });
    expect(offsets(t.get(0)!.pending)).toEqual(['a/0@7']);
    expect(t.get(0)!.producer).toBe('mine again');
  });

  it('asks for a re-read when its log of an unowned slot overflowed', () => {
    const t = new SlotTable<string>(1, 2);
    for (let i = 0; i < 3; i++) t.route(0, out('a/0', i));
    expect(t.take(0, 'p', new Map())).toEqual({ reread: true });
    expect(t.get(0)!.pending).toEqual([]);
  });

  it('asks for a re-read when the cursor it takes is behind where its log starts', () => {
    const t = new SlotTable<string>(1, 100);
    t.take(0, 'p', cut({ 'a/0': 10 }));
    t.drop(t.get(0)!);
    expect(t.take(0, 'p', cut({ 'a/0': 8 }))).toEqual({ reread: true });
  });

  it('ignores dropping a slot entry it no longer holds (a hand-over already dropped it)', () => {
    const t = new SlotTable<string>(1, 100);
    t.take(0, 'old', new Map());
    const stale = t.get(0)!;
    t.drop(stale);
    t.take(0, 'new', new Map());
    t.drop(stale);
    expect(t.get(0)?.producer).toBe('new');
  });

  it('before a re-read, clears what is pending and restarts every unowned log from offset 0', () => {
    const t = new SlotTable<string>(2, 2);
    t.take(0, 'p', new Map());
    t.route(0, out('a/0', 1));
    for (let i = 0; i < 3; i++) t.route(1, out('a/0', i)); // overflows slot 1's log
    t.resetForReread();
    expect(t.get(0)!.pending).toEqual([]);
    t.route(1, out('a/0', 0));
    expect(t.take(1, 'p', new Map())).toEqual({ fromLog: 1 });
  });

  it('lists only unowned logs that hold outputs for pruning', () => {
    const t = new SlotTable<string>(3, 100);
    t.take(0, 'p', new Map());
    t.route(2, out('a/0', 1));
    expect(t.prunable().map((x) => x.slot)).toEqual([2]);
  });
});
