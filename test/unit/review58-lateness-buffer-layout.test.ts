/**
 * Session 58 review: the lateness buffer puts an entry earlier than all it holds into a gap before
 * them (insertFirst) instead of splicing at the front, which cost about 100 µs a message on a full
 * buffer read backwards (a 210,000-message stream squeezed into 117 minutes and reversed: 31.0 s
 * of CPU against 16.8 s without the buffer). The release order must be what a plain sorted list
 * gives: this compares the buffer with one on random streams read backwards, forwards and
 * shuffled, with rejects, leaps, cuts and a small count bound, long enough to compact.
 */
import { describe, expect, it } from 'vitest';
import { LatenessBuffer, LEAP_SUPPORT } from '../../src/sources/lateness-buffer.js';
import { prng } from '../../src/simulate/builders.js';

/** The buffer's rules on one sorted array spliced in place: the reference. */
class PlainBuffer {
  private entries: { item: number; time: number }[] = [];
  private due = 0;
  private clock = Number.NEGATIVE_INFINITY;
  private leaps = 0;
  constructor(private readonly lateness: number, private readonly max: number, private readonly leap: number) {}

  add(item: number, time: number | undefined): void {
    if (time === undefined) return this.insert(item, this.clock);
    if (this.clock !== Number.NEGATIVE_INFINITY && time - this.clock > this.leap) {
      if (++this.leaps < LEAP_SUPPORT) return this.insert(item, this.clock);
      this.insert(item, time);
      this.clock = time;
      return;
    }
    this.leaps = 0;
    this.insert(item, time);
    if (time > this.clock) this.clock = time;
  }

  next(): number | undefined {
    if (this.entries.length === 0) return undefined;
    if (this.due > 0) this.due--;
    else if (!(this.clock - this.entries[0]!.time > this.lateness) && this.entries.length <= this.max) return undefined;
    return this.entries.shift()!.item;
  }

  cut(): void {
    this.due = this.entries.length;
    this.clock = Number.NEGATIVE_INFINITY;
    this.leaps = 0;
  }

  private insert(item: number, time: number): void {
    let at = this.due;
    while (at < this.entries.length && this.entries[at]!.time <= time) at++;
    this.entries.splice(at, 0, { item, time });
  }
}

type Shape = 'backwards' | 'forwards' | 'shuffled';

function timesOf(shape: Shape, n: number, rand: () => number): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  for (let i = 0; i < n; i++) {
    const base = shape === 'backwards' ? (n - i) * 10 : i * 10;
    const r = rand();
    if (r < 0.02) out.push(undefined);
    else if (r < 0.025) out.push(base + 1e9); // a leap
    else out.push(shape === 'shuffled' ? base + Math.floor(rand() * 500) : base);
  }
  return out;
}

function released(buffer: { add(i: number, t: number | undefined): void; next(): number | undefined; cut(): void }, times: (number | undefined)[], cutEvery: number): number[] {
  const out: number[] = [];
  const drain = (): void => {
    for (let x = buffer.next(); x !== undefined; x = buffer.next()) out.push(x);
  };
  times.forEach((t, i) => {
    buffer.add(i, t);
    drain();
    if ((i + 1) % cutEvery === 0) {
      buffer.cut();
      drain();
    }
  });
  buffer.cut();
  drain();
  return out;
}

describe('session 58 review: the lateness buffer\'s front gap', () => {
  for (const shape of ['backwards', 'forwards', 'shuffled'] as const) {
    it(`releases a ${shape} stream in the order a plain sorted list does`, () => {
      for (const [seed, max, lateness, cutEvery] of [[1, 65_536, 1_000_000, 1e9], [2, 300, 1_000_000, 7_000], [3, 5_000, 200, 1e9], [4, 50, 2_000, 999]] as const) {
        const times = timesOf(shape, 20_000, prng(seed));
        const buffer = new LatenessBuffer<number>({ latenessMs: lateness, maxBuffered: max, leapMs: 1e8 });
        const plain = new PlainBuffer(lateness, max, 1e8);
        const got = released(buffer, times, cutEvery);
        expect(got.length).toBe(times.length);
        expect(got).toEqual(released(plain, times, cutEvery));
      }
    });
  }
});
