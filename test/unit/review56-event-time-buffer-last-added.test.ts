/**
 * Review (session 56) of 590d7ef and 8369f4d. EventTimeBuffer.add remembers the partition it
 * buffered into last (`lastAdded`); only `clear` ever removes partitions (covered in
 * event-time-buffer.test.ts), so the memo can only go stale there. Here: messages of one partition
 * number on two topics, and of two partitions of one topic, interleaved message by message, each
 * land in their own partition (positions, lags and the applied cut per partition). And
 * `topicsAtHigh` (the topics whose high watermarks the monitor's tick reads between its
 * once-a-second refresh): a partition whose fetch stops short of its high watermark at a
 * transaction marker owes data (its topic is not read) until the marker batch advances it, and
 * a batch's older, lower high watermark makes it look caught up, so its topic is read again.
 */
import { describe, expect, it } from 'vitest';
import { EventTimeBuffer } from '../../src/monitor/event-time-buffer.js';

describe('review 56: the reorder buffer\'s last-added partition and topicsAtHigh', () => {
  it('interleaved messages of t/0, u/0 and t/1 each land in their own partition', () => {
    const b = new EventTimeBuffer<string>();
    b.register('t', 0, 0n, 6n);
    b.register('u', 0, 0n, 6n);
    b.register('t', 1, 0n, 6n);
    const order: [string, number][] = [['t', 0], ['u', 0], ['u', 0], ['t', 1], ['t', 0], ['t', 1], ['u', 0], ['t', 0]];
    const next = new Map<string, bigint>();
    for (const [i, [topic, partition]] of order.entries()) {
      const pk = `${topic}/${partition}`;
      const offset = next.get(pk) ?? 0n;
      expect(b.add(topic, partition, offset, 100 + i, `${pk}@${offset}`, 0)).toBe(true);
      next.set(pk, offset + 1n);
    }
    expect(b.position('t/0')).toBe(3n);
    expect(b.position('u/0')).toBe(3n);
    expect(b.position('t/1')).toBe(2n);
    // A re-fetch of an earlier offset is refused by its own partition, not by the one added to last.
    expect(b.add('u', 0, 1n, 200, 'again', 0)).toBe(false);
    expect(b.add('t', 1, 2n, 201, 't/1@2', 0)).toBe(true);
    expect(b.partitionLags().map((p) => `${p.topic}/${p.partition}:${p.lag}`).sort()).toEqual(['t/0:3', 't/1:3', 'u/0:3']);
    const taken = b.take(100, 1_000_000, 0);
    for (const e of taken) expect(e.value.startsWith(`${e.topic}/${e.partition}@${e.offset}`)).toBe(true);
  });

  it('a partition stopped short of its high at a transaction marker owes data until the marker is read past; a lower batch high watermark makes it look caught up', () => {
    const b = new EventTimeBuffer<string>();
    b.register('t', 0, 0n, 4n); // offsets 0..2 data, 3 a commit marker
    b.register('u', 0, 0n, 9n);
    for (let i = 0; i < 3; i++) b.add('t', 0, BigInt(i), 10 + i, `t${i}`, 0);
    expect([...b.topicsAtHigh()]).toEqual([]);
    b.advance('t', 0, 4n);
    expect([...b.topicsAtHigh()]).toEqual(['t']);
    b.setHigh('t', 0, 6n); // more produced: it owes data again
    expect([...b.topicsAtHigh()]).toEqual([]);
    b.add('u', 0, 0n, 5, 'u0', 0);
    b.setHigh('u', 0, 1n); // a batch's high watermark older than the admin's
    expect([...b.topicsAtHigh()]).toEqual(['u']);
  });
});
