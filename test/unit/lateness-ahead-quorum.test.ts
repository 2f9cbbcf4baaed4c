/**
 * Session 61 left open: two back-to-back day-ahead messages moved the monitor's lateness stage a
 * day (the second "followed" the first as if the stream had gone straight on after a gap), so the
 * on-time messages after them were late and went at once, out of event order. With sources (the
 * stage's partitions) following past the bound takes a quorum of two producers.
 */
import { describe, expect, it } from 'vitest';
import { LatenessStage, type StagedMessage } from '../../src/monitor/lateness-stage.js';
import { AHEAD_WINDOW, LatenessBuffer, LONE_SUPPORT } from '../../src/sources/lateness-buffer.js';

const MIN = 60_000;
const DAY = 24 * 60;
const msg = (pk: string, offset: number, minute: number): StagedMessage => ({ pk, offset: BigInt(offset), time: minute * MIN, fetchedAt: 0 });

/** Adds each [name, time, source] and returns what was released after each add, joined. */
function feed(buffer: LatenessBuffer<string>, items: [string, number, string][]): string[] {
  return items.map(([name, time, source]) => {
    buffer.add(name, time, source);
    const out: string[] = [];
    for (let n = buffer.next(); n !== undefined; n = buffer.next()) out.push(n);
    return out.join(',');
  });
}

describe('the monitor\'s lateness stage and a producer whose clock runs a day ahead', () => {
  it('two of its messages back to back do not move the stage a day: the on-time messages after them still wait the lateness and come out in event order', () => {
    const stage = new LatenessStage<StagedMessage>({ latenessMs: 10 * MIN });
    // a/0 a minute apart; s/0's producer runs a day fast and sends two messages in a row.
    const input = [msg('a/0', 0, 0), msg('a/0', 1, 1), msg('a/0', 2, 2), msg('s/0', 0, DAY), msg('s/0', 1, DAY + 1), msg('a/0', 3, 3), msg('a/0', 4, 8), msg('a/0', 5, 5), msg('a/0', 6, 6)];
    const releasedAt: number[] = [];
    const out: StagedMessage[] = [];
    for (const m of input) { stage.add(m); const r = stage.release(); releasedAt.push(r.length); out.push(...r); }
    // Nothing is past the lateness yet (the newest on-time minute is 8): nothing goes.
    expect(releasedAt).toEqual(input.map(() => 0));
    for (let m = 9; m <= 40; m++) { stage.add(msg('a/0', m - 2, m)); out.push(...stage.release()); }
    const ordinary = out.filter((m) => m.pk === 'a/0').map((m) => m.time / MIN);
    expect(ordinary).toEqual([...ordinary].sort((x, y) => x - y));
    expect(ordinary.slice(0, 6)).toEqual([0, 1, 2, 3, 5, 6]);
    // The two went at the stage's time after AHEAD_WINDOW on-time messages, and out within the lateness.
    expect(out.filter((m) => m.pk === 's/0')).toHaveLength(2);
  });
});

describe('the lateness buffer past aheadMs, with sources', () => {
  it('does not follow one source\'s messages back to back past the bound while another source is read: the time stays, and they go at it after AHEAD_WINDOW messages within the bound', () => {
    const b = new LatenessBuffer<string>({ latenessMs: 10, aheadMs: 10 });
    feed(b, [['a0', 0, 'a'], ['a1', 1, 'a'], ['s1', 1000, 's'], ['s2', 1001, 's'], ['s3', 1002, 's']]);
    expect(b.newestTime).toBe(1);
    const within: [string, number, string][] = Array.from({ length: AHEAD_WINDOW }, (_, i) => [`m${i}`, 2 + i, 'a']);
    feed(b, within);
    expect(b.newestTime).toBe(AHEAD_WINDOW + 1);
  });

  it('follows a gap once a second source goes on past it too: the messages are held at their own times and the time moves', () => {
    const b = new LatenessBuffer<string>({ latenessMs: 10, aheadMs: 10 });
    const out = feed(b, [['a0', 0, 'a'], ['b0', 1, 'b'], ['a1', 100, 'a'], ['a2', 103, 'a'], ['b1', 101, 'b'], ['b2', 113, 'b']]);
    expect(out).toEqual(['', '', '', '', 'a0,b0', 'a1,b1']);
    expect(b.newestTime).toBe(113);
  });

  it('follows one source alone that goes on past the bound (the only producer after a gap) after LONE_SUPPORT of its messages in a row', () => {
    const b = new LatenessBuffer<string>({ latenessMs: 10, aheadMs: 10 });
    feed(b, [['a0', 0, 'a'], ['b0', 1, 'b'], ['a1', 100, 'a']]);
    const lone: [string, number, string][] = Array.from({ length: LONE_SUPPORT }, (_, i) => [`a${i + 2}`, 101 + i, 'a']);
    feed(b, lone.slice(0, -1));
    expect(b.newestTime).toBe(1);
    feed(b, lone.slice(-1));
    expect(b.newestTime).toBe(100 + LONE_SUPPORT);
  });

  it('keeps the single-source rules when one source is read (a gap followed straight on by the next message)', () => {
    const b = new LatenessBuffer<string>({ latenessMs: 10, aheadMs: 10 });
    feed(b, [['a0', 0, 'a'], ['a1', 100, 'a'], ['a2', 101, 'a']]);
    expect(b.newestTime).toBe(101);
  });
});
