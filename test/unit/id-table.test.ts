/**
 * IdTable holds the graph's flow-edge lists and cluster records by address id, in place of a
 * ShardedMap: it must hold and give back exactly what a Map would, iterate in id order, sweep
 * through the ids in a rolling cursor that a checkpoint can put back, and move its entries as a
 * compaction renumbers the ids.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdTable } from '../../src/state/id-table.js';

type Op = { kind: 'set'; id: number; value: number } | { kind: 'delete'; id: number } | { kind: 'sweep'; count: number; below: number };

// Ids across three chunks (a chunk holds 65,536), most of them near each chunk's start.
const anId = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 65_530, max: 65_545 }), fc.integer({ min: 200_000, max: 200_010 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), id: anId, value: fc.integer({ min: 0, max: 99 }) }),
  fc.record({ kind: fc.constant('delete' as const), id: anId }),
  fc.record({ kind: fc.constant('sweep' as const), count: fc.integer({ min: 1, max: 5 }), below: fc.integer({ min: 0, max: 99 }) }),
);

const sortedEntries = (m: Map<number, number>): [number, number][] => [...m].sort((a, b) => a[0] - b[0]);

describe('IdTable', () => {
  it('holds what a Map holds, whatever is set, replaced, deleted or swept, and lists it in id order', () => {
    let swept = 0;
    fc.assert(fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
      const table = new IdTable<number>();
      const reference = new Map<number, number>();
      for (const o of ops) {
        if (o.kind === 'set') {
          table.set(o.id, o.value);
          reference.set(o.id, o.value);
        } else if (o.kind === 'delete') {
          expect(table.delete(o.id)).toBe(reference.delete(o.id));
        } else {
          // Whatever the sweep visits and drops, it drops only dormant entries, and the reference loses the same.
          const dropped: number[] = [];
          const removed = table.sweepSome(o.count, (value, id) => {
            expect(reference.get(id)).toBe(value);
            if (value >= o.below) return false;
            dropped.push(id);
            return true;
          });
          expect(removed).toBe(dropped.length);
          for (const id of dropped) reference.delete(id);
          swept += removed;
        }
        expect(table.size).toBe(reference.size);
      }
      expect([...table.entries()]).toEqual(sortedEntries(reference));
      for (const [id, value] of reference) expect(table.get(id)).toBe(value);
      expect(table.get(123_456)).toBeUndefined();
    }), { numRuns: 400 });
    expect(swept).toBeGreaterThan(0);
  });

  it('sweeps the ids in order and wraps, one pass per call at most', () => {
    const table = new IdTable<string>();
    for (const id of [3, 7, 9]) table.set(id, `v${id}`);
    const seen: number[] = [];
    table.sweepSome(2, (_, id) => { seen.push(id); return false; });
    table.sweepSome(2, (_, id) => { seen.push(id); return false; });
    table.sweepSome(5, (_, id) => { seen.push(id); return false; });
    expect(seen).toEqual([3, 7, 9, 3, 7, 9]);
  });

  it('reads a bounded number of slots per call in a sparse table, and still reaches every entry', () => {
    const table = new IdTable<string>();
    for (const id of [3, 60_000, 300_000]) table.set(id, `v${id}`);
    const seen: number[] = [];
    let calls = 0;
    while (seen.length < 4 && calls < 100_000) {
      calls++;
      table.sweepSome(2, (_, id) => { seen.push(id); return false; });
    }
    expect(seen).toEqual([3, 60_000, 300_000, 3]);
    // 16 slots a call: chunk 0's 65,536 slots, then chunk 4's up to id 300,000 (37,857); the
    // chunks never made between them (1 to 3) cost one read each.
    const slots = 65_536 + 37_857;
    expect(calls).toBeGreaterThan(slots / 16 - 10);
    expect(calls).toBeLessThan(slots / 16 + 10);
  });

  it('a table restored from its entries and sweep position sweeps on as the original does', () => {
    const original = new IdTable<number>();
    for (let id = 0; id < 60; id += 3) original.set(id, id);
    original.sweepSome(4, () => false);
    const restored = new IdTable<number>();
    for (const [id, value] of original.entries()) restored.set(id, value);
    restored.seekSweep(original.sweepPosition());
    const visits = (table: IdTable<number>): number[] => {
      const ids: number[] = [];
      for (let call = 0; call < 8; call++) table.sweepSome(3, (_, id) => { ids.push(id); return id % 2 === 0; });
      return ids;
    };
    const fromOriginal = visits(original);
    expect(fromOriginal.slice(0, 3)).toEqual([12, 15, 18]);
    expect(visits(restored)).toEqual(fromOriginal);
    expect([...restored.entries()]).toEqual([...original.entries()]);
  });

  it('moves entries as a compaction renumbers the ids, dropping the forgotten, and refuses a renumbering out of order', () => {
    const table = new IdTable<string>();
    for (const id of [1, 4, 9, 70_000]) table.set(id, `a${id}`);
    table.rekey((id) => (id === 4 ? undefined : id === 70_000 ? 2 : id === 9 ? 1 : 0));
    expect([...table.entries()]).toEqual([[0, 'a1'], [1, 'a9'], [2, 'a70000']]);
    expect(table.size).toBe(3);
    expect(() => table.rekey((id) => 2 - id)).toThrow(/order/);
  });

  it('refuses an id that is not a whole number from 0', () => {
    const table = new IdTable<number>();
    expect(() => table.set(-1, 1)).toThrow(RangeError);
    expect(() => table.set(1.5, 1)).toThrow(RangeError);
  });
});
