/**
 * The transfer index expires in insertion order; `neverExpired` and `removals` let a memo of items
 * found earlier (payer-risk's cluster memo) know they are still held without asking the index.
 * The promise: while `removals` has not moved, an item found earlier whose time `neverExpired`
 * accepts is still found.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

/**
 * The index as its contract reads, with no shortcut: a queue of ids in first-insertion order; an
 * advance takes items out from the head while the head is taken out already or older than the
 * horizon, and stops at the first live one within it.
 */
class ReferenceIndex {
  private readonly queue: string[] = [];
  readonly items = new Map<string, { time: number; n: number }>();
  private newest = Number.NEGATIVE_INFINITY;
  readonly expired: string[] = [];
  /** The items let go of, in order (`expired` holds their ids). */
  readonly expiredItems: { time: number; n: number }[] = [];
  constructor(private retention: number, private readonly cap: number) {}

  set(id: string, item: { time: number; n: number }): void {
    if (!this.items.has(id)) this.queue.push(id);
    this.items.set(id, item);
    this.advance(item.time);
    while (this.items.size > this.cap) {
      const first = this.queue.shift()!;
      const item = this.items.get(first);
      if (item && this.items.delete(first)) { this.expired.push(first); this.expiredItems.push(item); }
    }
  }

  delete(id: string): void {
    this.items.delete(id);
  }

  advance(time: number): void {
    if (time <= this.newest) return;
    this.newest = time;
    this.expire();
  }

  setRetention(ms: number): void {
    this.retention = ms;
    this.expire();
  }

  private expire(): void {
    const horizon = this.newest - this.retention;
    while (this.queue.length > 0) {
      const item = this.items.get(this.queue[0]!);
      if (item && item.time >= horizon) return;
      const id = this.queue.shift()!;
      if (item) { this.items.delete(id); this.expired.push(id); this.expiredItems.push(item); }
    }
  }
}

describe('ExpiringIndex: the head it knows without a look-up', () => {
  it('holds and lets go of exactly what an index without the shortcut does, whatever is replaced, deleted or capped', () => {
    let expiries = 0;
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 2, max: 14 }), (ops, cap) => {
      const gone: string[] = [];
      const index = new ExpiringIndex<{ time: number; n: number }>(30, (item) => gone.push(`id-${item.n}`), cap);
      const reference = new ReferenceIndex(30, cap);
      ops.forEach((o, n) => {
        if (o.kind === 'set') {
          const item = { time: o.time, n };
          index.set(`id-${o.id}`, item);
          reference.set(`id-${o.id}`, item);
        } else if (o.kind === 'delete') {
          index.delete(`id-${o.id}`);
          reference.delete(`id-${o.id}`);
        } else if (o.kind === 'advance') {
          index.advance(o.time);
          reference.advance(o.time);
        } else {
          index.setRetention(o.ms);
          reference.setRetention(o.ms);
        }
        for (let id = 0; id <= 12; id++) expect(index.get(`id-${id}`), `id-${id} after op ${n}`).toBe(reference.items.get(`id-${id}`));
      });
      expiries += gone.length;
      expect(gone.length).toBe(reference.expired.length);
    }), { numRuns: 800 });
    expect(expiries).toBeGreaterThan(100);
  });

  it('tells the items it lets go of, in the order an index without the shortcut lets them go, whatever is replaced, deleted, set again or capped', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 2, max: 14 }), (ops, cap) => {
      const gone: { time: number; n: number }[] = [];
      const index = new ExpiringIndex<{ time: number; n: number }>(30, (item) => gone.push(item), cap);
      const reference = new ReferenceIndex(30, cap);
      ops.forEach((o, n) => {
        if (o.kind === 'set') {
          const item = { time: o.time, n };
          index.set(`id-${o.id}`, item);
          reference.set(`id-${o.id}`, item);
        } else if (o.kind === 'delete') {
          index.delete(`id-${o.id}`);
          reference.delete(`id-${o.id}`);
        } else if (o.kind === 'advance') {
          index.advance(o.time);
          reference.advance(o.time);
        } else {
          index.setRetention(o.ms);
          reference.setRetention(o.ms);
        }
        expect(gone, `after op ${n}`).toEqual(reference.expiredItems);
      });
    }), { numRuns: 800 });
  });

  it('expires a head replaced by an older item at the next advance', () => {
    const index = new ExpiringIndex<{ time: number }>(10);
    index.set('a', { time: 50 });
    index.set('b', { time: 55 });
    index.advance(56); // the head, 'a' at 50, is known to be within the horizon (46)
    index.set('a', { time: 40 }); // replaced in place: now past the horizon
    index.advance(57);
    expect(index.get('a')).toBeUndefined();
    expect(index.get('b')).toEqual({ time: 55 });
  });
});

describe('ExpiringIndex read in order: the look-ups it costs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('finds nothing by id to set a new item or let the head go: one write per set, one delete per expiry', () => {
    const index = new ExpiringIndex<{ time: number }>(100);
    for (let t = 0; t < 1000; t++) index.set(`warm-${t}`, { time: t });
    const gets = vi.spyOn(Map.prototype, 'get');
    const has = vi.spyOn(Map.prototype, 'has');
    const sets = vi.spyOn(Map.prototype, 'set');
    const deletes = vi.spyOn(Map.prototype, 'delete');
    // Each set is one newer than the last: each lets exactly one item go.
    for (let t = 1000; t < 2000; t++) index.set(`id-${t}`, { time: t });
    expect(index.size).toBe(101);
    expect({ gets: gets.mock.calls.length, has: has.mock.calls.length, sets: sets.mock.calls.length, deletes: deletes.mock.calls.length }).toEqual({ gets: 0, has: 0, sets: 1000, deletes: 1000 });
  });
});
