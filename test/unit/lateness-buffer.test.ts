/**
 * The replay's reorder buffer (src/sources/lateness-buffer.ts): a message waits until the stream
 * has read the lateness past it; later than that it goes at once; bounded by a count; a message
 * dated past the leap bound does not move the clock; a cut releases everything.
 */
import { describe, expect, it } from 'vitest';
import { AHEAD_SUPPORT, AHEAD_WINDOW, LatenessBuffer, LEAP_SUPPORT, MAX_AHEAD } from '../../src/sources/lateness-buffer.js';

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

  describe('with aheadMs (the monitor stage: a message dated more than the lateness past the newest time read)', () => {
    it('a lone message dated a day ahead neither moves the clock nor waits a day: what follows is still reordered, and it goes at the newest time read after AHEAD_WINDOW messages, released the lateness after that', () => {
      const b = new LatenessBuffer<string>({ latenessMs: 10, aheadMs: 10 });
      // Minute-like times: 0, then the stray at 1,440 (a "day"), then 2, 1, 4, 3, ... within the lateness.
      const inOrder: [string, number][] = [];
      for (let t = 1; t <= AHEAD_WINDOW; t++) inOrder.push([`m${t}`, t % 2 === 1 ? t + 1 : t - 1]);
      const out = feed(b, [['m0', 0], ['stray', 1440], ...inOrder, ['n', 18], ['o', 21], ['p', 30]]);
      expect(out.slice(0, 1 + 1 + AHEAD_WINDOW).join('')).toBe(''); // nothing released: the clock stayed under 10
      // n (18) releases m0 and m1..m8 dated before 8 in event order; the stray went at the clock (8)
      // after the 8th message, behind m7 (8), and goes with it once the stream reads past 18.
      expect(out.slice(1 + 1 + AHEAD_WINDOW)).toEqual(['m0,m2,m1,m4,m3,m6,m5,m8', 'm7,stray', 'n']);
    });

    it('a message the stream follows (one read after it dated within aheadMs before it or later: a gap in event time) is held at its own time, so the gap keeps event order', () => {
      const b = new LatenessBuffer<string>({ latenessMs: 10, aheadMs: 10 });
      // 0..2, a gap to 100, then 103, 101, 102 (the gap's side shuffled), 113, 120.
      const out = feed(b, [['a', 0], ['b', 2], ['c', 1], ['x', 103], ['y', 101], ['z', 102], ['w', 113], ['v', 120]]);
      expect(out).toEqual(['', '', '', '', 'a,c,b', '', 'y,z', 'x']);
      expect(rest(b)).toEqual(['w', 'v']);
    });

    it('two day-ahead messages of a skewed producer read among ordinary traffic (0, 1, +1 d, 2, +1 d + 1, 3, 40, 10, 50 ...) do not move the time a day: the ordinary messages come out in event order and the two go at the newest time read after AHEAD_WINDOW ordinary ones, released the lateness after that (the second used to admit the first: everything went at once, 40 before 10, and both waited a day)', () => {
      const DAY = 86_400;
      const b = new LatenessBuffer<string>({ latenessMs: 60, aheadMs: 60 });
      const input: [string, number][] = [['m0', 0], ['m1', 1], ['d1', DAY], ['m2', 2], ['d2', DAY + 1], ['m3', 3], ['m40', 40], ['m10', 10], ['m50', 50], ['m55', 55], ['m61', 61], ['m70', 70], ['m80', 80], ['m100', 100], ['m120', 120], ['m140', 140]];
      const out = feed(b, input);
      expect(out.slice(0, 10).join('')).toBe(''); // the clock stayed at 55: nothing is past the lateness yet
      // m70 is the AHEAD_WINDOW-th message within the bound since d1: d1 and d2 go at 70, behind m70.
      expect(out.slice(10)).toEqual(['m0', 'm1,m2,m3', 'm10', '', 'm40,m50,m55', 'm61,m70,d1,d2']);
      expect(b.size).toBe(4);
    });

    it('after a straggler within the bound, AHEAD_SUPPORT followers in a row admit the messages waiting past it (a gap the stream went on from)', () => {
      const b = new LatenessBuffer<string>({ latenessMs: 10, aheadMs: 10 });
      const followers = Array.from({ length: AHEAD_SUPPORT }, (_, i): [string, number] => [`f${i}`, 101 + i]);
      const out = feed(b, [['a', 0], ['b', 2], ['x', 103], ['c', 1], ...followers]);
      // Up to the last follower nothing moves (one follower no longer admits x after c); the last moves the clock to x (103).
      expect(out.slice(0, -1).join('')).toBe('');
      expect(out.at(-1)).toBe('a,c,b');
      expect(rest(b)).toEqual([...followers.slice(0, 2).map(([n]) => n), 'x', ...followers.slice(2).map(([n]) => n)]);
    });

    it('holds at most MAX_AHEAD messages past the bound: more go at the newest time read', () => {
      const b = new LatenessBuffer<string>({ latenessMs: 10, aheadMs: 10 });
      // Each dated further back than the one before, all past the bound: none follows another.
      const strays = Array.from({ length: MAX_AHEAD + 1 }, (_, i): [string, number] => [`s${i}`, 100_000 - i * 100]);
      feed(b, [['a', 0], ...strays]);
      expect(b.size).toBe(MAX_AHEAD + 2);
      // The MAX_AHEAD + 1-th went at the clock (0) with those before it, in the order read: 10 then 11 release them all.
      expect(feed(b, [['b', 10], ['c', 11]])).toEqual(['', ['a', ...strays.map(([n]) => n)].join(',')]);
      expect(rest(b)).toEqual(['b', 'c']);
    });

    it('a cut releases the messages waiting past the bound too, at their own times', () => {
      const b = new LatenessBuffer<string>({ latenessMs: 10, aheadMs: 10 });
      feed(b, [['a', 0], ['far', 500], ['b', 3]]);
      expect(b.size).toBe(3);
      expect(rest(b)).toEqual(['a', 'b', 'far']);
      expect(b.size).toBe(0);
    });

    it('without aheadMs (replay) a message dated past the lateness moves the clock as before', () => {
      const b = new LatenessBuffer<string>({ latenessMs: 10 });
      expect(feed(b, [['a', 0], ['far', 500], ['b', 3]])).toEqual(['', 'a', 'b']);
    });
  });
});
