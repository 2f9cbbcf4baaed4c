/**
 * The replay's reorder buffer (src/sources/lateness-buffer.ts): a message waits until the stream
 * has read the lateness past it; later than that it goes at once; bounded by a count; a message
 * dated past the leap bound does not move the clock; a cut releases everything.
 */
import { describe, expect, it } from 'vitest';
import { LatenessBuffer, LEAP_SUPPORT } from '../../src/sources/lateness-buffer.js';

/** Adds each [name, time] and returns what was released after each add, joined. */
function feed(buffer: LatenessBuffer<string>, items: [string, number | undefined][]): string[] {
  return items.map(([name, time]) => {
    buffer.add(name, time);
    const out: string[] = [];
    for (let n = buffer.next(); n !== undefined; n = buffer.next()) out.push(n);
    return out.join(',');
  });
}

function rest(buffer: LatenessBuffer<string>): string[] {
  buffer.cut();
  const out: string[] = [];
  for (let n = buffer.next(); n !== undefined; n = buffer.next()) out.push(n);
  return out;
}

describe('the lateness buffer', () => {
  it('releases in event order what arrives within the lateness, once the stream has read the lateness past it', () => {
    const buffer = new LatenessBuffer<string>({ latenessMs: 10 });
    // c (30) read before b (25) and a (21): displacements 5 and 9, within 10.
    expect(feed(buffer, [['c', 30], ['b', 25], ['a', 21], ['d', 31], ['e', 40], ['f', 41], ['g', 52]])).toEqual(['', '', '', '', 'a,b', 'c', 'd,e,f']);
    expect(rest(buffer)).toEqual(['g']);
  });

  it('keeps the arrival order of ties and of input already in event order', () => {
    const buffer = new LatenessBuffer<string>({ latenessMs: 0 });
    expect(feed(buffer, [['x1', 5], ['x2', 5], ['y', 6], ['z', 6]])).toEqual(['', '', 'x1,x2', '']);
    expect(rest(buffer)).toEqual(['y', 'z']);
  });

  it('releases a message later than the lateness at once, ahead of what it holds', () => {
    const buffer = new LatenessBuffer<string>({ latenessMs: 10 });
    expect(feed(buffer, [['a', 100], ['b', 105], ['late', 89], ['edge', 95]])).toEqual(['', '', 'late', '']);
    expect(rest(buffer)).toEqual(['edge', 'a', 'b']);
  });

  it('puts a message without a time at the newest time read, or with the first timed message', () => {
    const buffer = new LatenessBuffer<string>({ latenessMs: 10 });
    expect(feed(buffer, [['r0', undefined], ['a', 100], ['r1', undefined], ['b', 95], ['c', 120]])).toEqual(['', 'r0', '', '', 'b,a,r1']);
  });

  it('is bounded: past the count the earliest goes at once', () => {
    const buffer = new LatenessBuffer<string>({ latenessMs: 1_000, maxBuffered: 3 });
    expect(feed(buffer, [['d', 40], ['c', 30], ['b', 20], ['a', 10], ['e', 50]])).toEqual(['', '', '', 'a', 'b']);
    expect(buffer.size).toBe(3);
    expect(rest(buffer)).toEqual(['c', 'd', 'e']);
  });

  it('does not let a message dated past the leap bound move the clock: it goes at the newest time read, and what is held stays held', () => {
    const buffer = new LatenessBuffer<string>({ latenessMs: 10, leapMs: 1_000 });
    expect(feed(buffer, [['a', 100], ['b', 98], ['ahead', 5_000], ['c', 104], ['d', 99]])).toEqual(['', '', '', '', '']);
    // d (99), read after the leap within the lateness, still goes in event order (session 58 review).
    expect(rest(buffer)).toEqual(['b', 'd', 'a', 'ahead', 'c']);
  });

  it('follows LEAP_SUPPORT leaps in a row (a stream that goes on after a long gap), in their order', () => {
    const buffer = new LatenessBuffer<string>({ latenessMs: 10, leapMs: 1_000 });
    const leaps = Array.from({ length: LEAP_SUPPORT }, (_, i): [string, number] => [`g${i}`, 10_000 + i]);
    const out = feed(buffer, [['a', 100], ...leaps, ['late', 9_998], ['past', 5_000]]);
    // The first LEAP_SUPPORT - 1 wait at the old clock; the last moves it, releasing them in their order.
    const held = leaps.slice(0, -1).map(([n]) => n);
    expect(out.join(';')).toBe(['', ...held.map(() => ''), ['a', ...held].join(','), '', 'past'].join(';'));
    expect(rest(buffer)).toEqual(['late', leaps[LEAP_SUPPORT - 1]![0]]);
  });

  it('starts afresh after a cut: the clock read before it no longer makes a message late', () => {
    const buffer = new LatenessBuffer<string>({ latenessMs: 10 });
    feed(buffer, [['a', 100]]);
    expect(rest(buffer)).toEqual(['a']);
    expect(feed(buffer, [['b', 50], ['c', 45]])).toEqual(['', '']);
    expect(rest(buffer)).toEqual(['c', 'b']);
  });
});
