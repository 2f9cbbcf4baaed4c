import { describe, expect, it } from 'vitest';
import { EventTimeBuffer } from '../../src/monitor/event-time-buffer.js';

const HOLD = 2000;
const ids = (entries: { value: string }[]): string[] => entries.map((e) => e.value);

/** A buffer over partitions t/0 and u/0; `highs` sets how much each holds on the broker. */
function buffer(highs: { t: number; u: number }): EventTimeBuffer<string> {
  const b = new EventTimeBuffer<string>();
  b.register('t', 0, 0n, BigInt(highs.t));
  b.register('u', 0, 0n, BigInt(highs.u));
  return b;
}

describe('event-time reorder buffer', () => {
  it('holds everything newer than what a partition with unread data has surely reached, however long it waits', () => {
    const b = buffer({ t: 2, u: 20 });
    b.add('t', 0, 0n, 10, 't10', 0);
    b.add('t', 0, 1n, 30, 't30', 0);
    // u owes 10 more: u20 and u21 have ORDER_LOOKAHEAD (8) messages after them, so their keys are
    // settled; u21's key (21) is the one u has surely reached, and u may still hold more messages
    // of that instant, so it waits until u moves past it (instant-order.ts).
    for (let i = 0; i < 10; i++) b.add('u', 0, BigInt(i), 20 + i, `u${20 + i}`, 0);
    expect(ids(b.take(100, 1_000_000, HOLD))).toEqual(['t10', 'u20']);
    for (let i = 10; i < 20; i++) b.add('u', 0, BigInt(i), 20 + i, `u${20 + i}`, 1_000_000);
    expect(ids(b.take(100, 1_000_000, HOLD))).toEqual(['u21', 'u22', 'u23', 'u24', 'u25', 'u26', 'u27', 'u28', 'u29', 't30', 'u30']); // u31… are newer than t has shown
    expect(b.size).toBe(9);
  });

  it('orders a message dated ahead of the messages after it as the next of them is, so it holds its partition back no longer', () => {
    const b = buffer({ t: 20, u: 20 });
    const tTimes = [10, 9000, ...Array.from({ length: 18 }, (_, i) => 12 + 2 * i)];
    for (const [i, time] of tTimes.entries()) b.add('t', 0, BigInt(i), time, `t${time}`, 0);
    for (let i = 0; i < 20; i++) b.add('u', 0, BigInt(i), 11 + 2 * i, `u${11 + 2 * i}`, 0);
    expect(ids(b.take(5, 0, HOLD))).toEqual(['t10', 'u11', 't9000', 't12', 'u13']);
  });

  it('merges caught-up partitions in (time, topic, partition, offset) order', () => {
    const b = buffer({ t: 3, u: 3 });
    [[0n, 5], [1n, 7], [2n, 9]].forEach(([o, t]) => b.add('t', 0, o as bigint, t as number, `t${t}`, 0));
    [[0n, 5], [1n, 6], [2n, 9]].forEach(([o, t]) => b.add('u', 0, o as bigint, t as number, `u${t}`, 0));
    expect(ids(b.take(100, 0, HOLD))).toEqual(['t5', 'u5', 'u6', 't7', 't9', 'u9']);
  });

  it('lets a quiet or empty partition delay a message only for the hold', () => {
    const b = buffer({ t: 1, u: 0 }); // u is empty: it sits at minus infinity
    b.add('t', 0, 0n, 10, 't10', 1000);
    expect(b.take(100, 1000 + HOLD - 1, HOLD)).toEqual([]);
    expect(ids(b.take(100, 1000 + HOLD, HOLD))).toEqual(['t10']);
  });

  it('never lets an aged message overtake an older one that is still inside its hold', () => {
    const b = buffer({ t: 1, u: 1 });
    b.add('t', 0, 0n, 50, 't50', 0); // fetched early: ages first
    b.register('v', 0, 0n, 0n); // an empty partition keeps `all` at minus infinity
    b.add('u', 0, 0n, 20, 'u20', 1500); // older event, fetched later
    expect(ids(b.take(100, HOLD, HOLD))).toEqual(['u20', 't50']);
  });

  it('applies each partition as a prefix in offset order, even when its event times go backwards', () => {
    const b = buffer({ t: 2, u: 1 });
    b.add('t', 0, 0n, 30, 't30', 0);
    b.add('t', 0, 1n, 10, 't10', 0);
    b.add('u', 0, 0n, 20, 'u20', 0);
    // t30 is ordered as t10 after it: both go first; u20 then waits for the hold (t has shown only 10).
    expect(ids(b.take(100, 0, HOLD))).toEqual(['t30', 't10']);
    expect(ids(b.take(100, HOLD, HOLD))).toEqual(['u20']);
  });

  it('takes at most maxStep per step, and the steps together keep the global order', () => {
    const b = buffer({ t: 50, u: 50 });
    for (let i = 0; i < 50; i++) { b.add('t', 0, BigInt(i), i * 2, `t${i * 2}`, 0); b.add('u', 0, BigInt(i), i * 2 + 1, `u${i * 2 + 1}`, 0); }
    const steps: string[][] = [];
    for (let s = b.take(7, HOLD, HOLD); s.length; s = b.take(7, HOLD, HOLD)) steps.push(ids(s));
    expect(steps.every((s) => s.length <= 7)).toBe(true);
    expect(steps.flat()).toEqual(Array.from({ length: 100 }, (_, i) => `${i % 2 ? 'u' : 't'}${i}`));
  });

  it('ignores a re-fetched offset, refuses an unassigned partition, and records the applied prefix for cursors', () => {
    const b = buffer({ t: 3, u: 0 });
    expect(b.add('t', 0, 0n, 1, 'a', 0)).toBe(true);
    expect(b.add('t', 0, 0n, 1, 'a-again', 0)).toBe(false);
    expect(b.add('t', 0, 1n, 2, 'b', 0)).toBe(true);
    expect(() => b.add('w', 3, 0n, 1, 'x', 0)).toThrow(/not assigned/);
    expect(b.take(1, HOLD, HOLD)).toEqual([]); // t owes offset 2, which may lower a's and b's keys
    b.setHigh('t', 0, 2n);
    const [e] = b.take(1, HOLD, HOLD);
    expect(e?.value).toBe('a');
    b.markApplied(e!);
    expect(b.appliedCut()).toEqual(new Map([['t/0', 1n], ['u/0', 0n]]));
    expect(b.lag('t', 0)).toBe(0n);
  });
});

describe('replay barrier: what an earlier run applied goes first after a restart', () => {
  it('applies the messages before the barriers, in key order, before an older message after them (a label read after the crash)', () => {
    const b = new EventTimeBuffer<string>();
    b.register('chain', 0, 0n, 1n, 1n); // the killed run applied the log ...
    b.register('deposits', 0, 0n, 1n, 1n); // ... and the deposit
    b.register('labels', 0, 0n, 1n, 0n); // the label came after the crash
    b.add('labels', 0, 0n, 50, 'label50', 0);
    b.add('chain', 0, 0n, 100, 'log100', 0);
    b.add('deposits', 0, 0n, 200, 'deposit200', 0);
    expect(ids(b.take(100, 0, HOLD))).toEqual(['log100', 'deposit200']);
    expect(ids(b.take(100, 0, HOLD))).toEqual(['label50']);
  });

  it('without barriers the same messages go in key order (the newer ones after the hold, all partitions being quiet)', () => {
    const b = new EventTimeBuffer<string>();
    for (const t of ['chain', 'deposits', 'labels']) b.register(t, 0, 0n, 1n);
    b.add('labels', 0, 0n, 50, 'label50', 0);
    b.add('chain', 0, 0n, 100, 'log100', 0);
    b.add('deposits', 0, 0n, 200, 'deposit200', 0);
    expect(ids(b.take(100, HOLD, HOLD))).toEqual(['label50', 'log100', 'deposit200']);
  });

  it('waits for a partition still fetching up to its barrier, takes what lies before the barriers in key order without a hold, then the rest as usual', () => {
    const b = new EventTimeBuffer<string>();
    b.register('t', 0, 0n, 3n, 2n);
    b.register('u', 0, 0n, 2n, 1n);
    b.add('t', 0, 0n, 10, 't10', 0);
    b.add('u', 0, 0n, 5, 'u5', 0);
    b.add('u', 0, 1n, 7, 'u7', 0);
    expect(b.take(100, HOLD, HOLD)).toEqual([]); // t's next message before its barrier may come before t10
    b.add('t', 0, 1n, 12, 't12', 0);
    b.add('t', 0, 2n, 14, 't14', 0);
    expect(ids(b.take(100, 0, HOLD))).toEqual(['u5', 't10', 't12']);
    expect(ids(b.take(100, 0, HOLD))).toEqual(['u7']); // past the barriers: t14 waits out the hold as before
    expect(ids(b.take(100, HOLD, HOLD))).toEqual(['t14']);
  });

  it('waits for a partition fetched past its barrier whose messages before it are not settled yet (more is on the broker)', () => {
    const b = new EventTimeBuffer<string>();
    b.register('t', 0, 0n, 20n, 3n);
    b.register('u', 0, 0n, 2n, 2n);
    [10, 30, 31].forEach((time, i) => b.add('t', 0, BigInt(i), time, `t${time}`, 0));
    b.add('u', 0, 0n, 20, 'u20', 0);
    b.add('u', 0, 1n, 40, 'u40', 0);
    expect(ids(b.take(100, 0, HOLD))).toEqual([]); // t's next messages may still lower t10's key: u20 must wait
    for (let i = 3; i < 12; i++) b.add('t', 0, BigInt(i), 50 + i, `t${50 + i}`, 0);
    expect(ids(b.take(100, 0, HOLD))).toEqual(['t10', 'u20', 't30', 't31', 'u40']);
  });

  it('is passed by a partition whose records before the barrier were deleted (the reader moved past them)', () => {
    const b = new EventTimeBuffer<string>();
    b.register('t', 0, 0n, 10n, 5n);
    b.register('u', 0, 0n, 1n, 0n);
    b.add('u', 0, 0n, 1, 'u1', 0);
    b.add('t', 0, 7n, 20, 't20', 0); // offsets 0..6 were deleted: the first fetched is past the barrier
    b.setHigh('t', 0, 8n);
    expect(ids(b.take(100, HOLD, HOLD))).toEqual(['u1', 't20']);
  });

  it('names the topics with a partition that has fetched up to its high watermark, the only ones whose high watermark a step needs fresh', () => {
    const b = new EventTimeBuffer<string>();
    b.register('t', 0, 0n, 2n);
    b.register('t', 1, 0n, 5n);
    b.register('u', 0, 0n, 3n);
    b.register('v', 0, 4n, 4n); // empty: nothing to fetch
    expect([...b.topicsAtHigh()].sort()).toEqual(['v']);
    b.add('t', 0, 0n, 10, 't10', 0);
    b.add('t', 0, 1n, 11, 't11', 0);
    b.add('u', 0, 0n, 12, 'u12', 0);
    expect([...b.topicsAtHigh()].sort()).toEqual(['t', 'v']); // t/0 reached 2; t/1 and u/0 still owe data
    b.setHigh('t', 0, 3n);
    expect([...b.topicsAtHigh()].sort()).toEqual(['v']);
  });

  it('buffers into the partition registered after a clear, not the one it buffered into before (a re-read)', () => {
    const b = buffer({ t: 5, u: 5 });
    b.add('t', 0, 0n, 10, 'old', 0);
    b.clear();
    b.register('t', 0, 0n, 1n);
    expect(b.add('t', 0, 0n, 20, 'new', 0)).toBe(true);
    expect(ids(b.take(10, 0, HOLD))).toEqual(['new']);
    expect(b.appliedCut().get('t/0')).toBe(0n);
  });
});

