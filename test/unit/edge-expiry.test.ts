/** The expiry ring: which flow edges have passed the retention, in the order they came, and their two ends. */
import { describe, expect, it } from 'vitest';
import { EdgeExpiry } from '../../src/graph/edge-expiry.js';

function drain(ring: EdgeExpiry, horizon: number, max = Number.POSITIVE_INFINITY): [number, number][] {
  const seen: [number, number][] = [];
  ring.expire(horizon, max, (from, to) => seen.push([from, to]));
  return seen;
}

describe('edge expiry ring', () => {
  it('gives back the entries dated before the horizon, oldest added first, and stops at the first inside it', () => {
    const ring = new EdgeExpiry();
    ring.push(10, 1, 2);
    ring.push(20, 3, 4);
    ring.push(30, 5, 6);
    expect(drain(ring, 25)).toEqual([[1, 2], [3, 4]]);
    expect(ring.size).toBe(1);
    expect(drain(ring, 25)).toEqual([]);
    expect(drain(ring, 31)).toEqual([[5, 6]]);
  });

  it('keeps an entry that came out of time order behind the newer one before it', () => {
    const ring = new EdgeExpiry();
    ring.push(50, 1, 1);
    ring.push(5, 2, 2);
    expect(drain(ring, 40)).toEqual([]);
    expect(drain(ring, 60)).toEqual([[1, 1], [2, 2]]);
  });

  it('takes at most `max` a call, the rest on the next', () => {
    const ring = new EdgeExpiry();
    for (let i = 0; i < 10; i++) ring.push(i, i, i);
    expect(drain(ring, 100, 4).map(([f]) => f)).toEqual([0, 1, 2, 3]);
    expect(drain(ring, 100, 4).map(([f]) => f)).toEqual([4, 5, 6, 7]);
    expect(ring.size).toBe(2);
  });

  it('keeps the order across wrap-arounds, growth past its first size and shrinking back', () => {
    const ring = new EdgeExpiry();
    let next = 0;
    let expected = 0;
    // Wraps: take some off the front while adding, past the first 1,024 slots.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 700; i++, next++) ring.push(next, next, -1 - next);
      for (const [from, to] of drain(ring, next - 300)) {
        expect([from, to]).toEqual([expected, -1 - expected]);
        expected++;
      }
    }
    // A burst that grows it to 8,192 slots, then taken off whole.
    for (let i = 0; i < 5_000; i++, next++) ring.push(next, next, -1 - next);
    for (const [from] of drain(ring, next)) expect(from).toBe(expected++);
    expect(expected).toBe(next);
    expect(ring.size).toBe(0);
    ring.push(next, 7, 8);
    expect(drain(ring, next + 1)).toEqual([[7, 8]]);
  });

  it('renames both ends as a compaction renumbers addresses, a forgotten one as -1', () => {
    const ring = new EdgeExpiry();
    ring.push(1, 0, 3);
    ring.push(2, 2, 1);
    ring.renumber(Int32Array.from([0, -1, 1, 2]));
    expect(drain(ring, 10)).toEqual([[0, 2], [1, -1]]);
  });
});
