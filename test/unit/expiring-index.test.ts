/**
 * The transfer index expires in insertion order; `neverExpired` and `removals` let a memo of items
 * found earlier (payer-risk's cluster memo) know they are still held without asking the index.
 * The promise: while `removals` has not moved, an item found earlier whose time `neverExpired`
 * accepts is still found.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpiringIndex } from '../../src/state/expiring-index.js';

type Op = { kind: 'set'; id: number; time: number } | { kind: 'delete'; id: number } | { kind: 'advance'; time: number } | { kind: 'retention'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), id: fc.integer({ min: 0, max: 12 }), time: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ kind: fc.constant('delete' as const), id: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ kind: fc.constant('advance' as const), time: fc.integer({ min: 0, max: 120 }) }),
  fc.record({ kind: fc.constant('retention' as const), ms: fc.integer({ min: 5, max: 60 }) }),
);

describe('ExpiringIndex: what a memo of found items may trust', () => {
  it('an item found earlier is still there while removals stand and its time is one expiry never reached', () => {
    let trusted = 0;
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const index = new ExpiringIndex<{ time: number; n: number }>(30);
      // What a memo would keep: each found item with the removals count when it was found.
      const memo = new Map<string, { item: { time: number; n: number }; removals: number }>();
      ops.forEach((o, n) => {
        if (o.kind === 'set') index.set(`id-${o.id}`, { time: o.time, n });
        else if (o.kind === 'delete') index.delete(`id-${o.id}`);
        else if (o.kind === 'advance') index.advance(o.time);
        else index.setRetention(o.ms);
        for (const [id, kept] of memo) {
          if (kept.removals !== index.removals || !index.neverExpired(kept.item.time)) continue;
          trusted++;
          expect(index.get(id), `${id} after op ${n}`).toBe(kept.item);
        }
        for (let id = 0; id <= 12; id++) {
          const found = index.get(`id-${id}`);
          if (found) memo.set(`id-${id}`, { item: found, removals: index.removals });
        }
      });
    }), { numRuns: 500 });
    expect(trusted).toBeGreaterThan(0);
  });

  it('counts a delete that removes and a set that replaces, not a delete of nothing', () => {
    const index = new ExpiringIndex<{ time: number }>(10);
    index.set('a', { time: 1 });
    expect(index.removals).toBe(0);
    index.delete('missing');
    expect(index.removals).toBe(0);
    index.set('a', { time: 2 });
    expect(index.removals).toBe(1);
    index.delete('a');
    expect(index.removals).toBe(2);
  });

  it('never trusts a time a longer retention brought back within the horizon', () => {
    const index = new ExpiringIndex<{ time: number }>(10);
    index.set('old', { time: 0 });
    index.advance(50); // expires 'old' (horizon 40)
    index.setRetention(100); // the horizon falls back to -50, but 'old' is gone
    expect(index.get('old')).toBeUndefined();
    expect(index.neverExpired(0)).toBe(false);
    expect(index.neverExpired(40)).toBe(true);
  });
});

describe('ExpiringIndex with a cap', () => {
  it('keeps at most maxEntries, taking out the first inserted and counting them as removals', () => {
    const index = new ExpiringIndex<{ time: number }>(1000, undefined, 3);
    for (let i = 0; i < 5; i++) index.set(`e${i}`, { time: i });
    expect([...index.entriesInOrder()].map(([id]) => id)).toEqual(['e2', 'e3', 'e4']);
    expect(index.removals).toBe(2);
    index.delete('e3');
    index.set('e5', { time: 5 });
    expect([...index.entriesInOrder()].map(([id]) => id)).toEqual(['e2', 'e4', 'e5']);
  });
});
