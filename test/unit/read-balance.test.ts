import { describe, expect, it } from 'vitest';
import { EventTimeBuffer } from '../../src/monitor/event-time-buffer.js';
import { byTopic, ReadBalance, type PausableReader } from '../../src/monitor/read-balance.js';

/** A reader that records what it was asked to pause and resume. */
class RecordingReader implements PausableReader {
  readonly calls: string[] = [];
  pause(tps: { topic: string; partitions: number[] }[]): void {
    this.calls.push(`pause ${tps.map((t) => `${t.topic}:${t.partitions.join(',')}`).join(' ')}`);
  }
  resume(tps: { topic: string; partitions: number[] }[]): void {
    this.calls.push(`resume ${tps.map((t) => `${t.topic}:${t.partitions.join(',')}`).join(' ')}`);
  }
}

/** A buffer of two topics, two partitions each, none caught up (1,000 messages on the broker each). */
function bufferOf(): EventTimeBuffer<string> {
  const buffer = new EventTimeBuffer<string>();
  for (const topic of ['tw.logins', 'chain.evm.log.v1']) for (const p of [0, 1]) buffer.register(topic, p, 0n, 1000n);
  return buffer;
}

function fill(buffer: EventTimeBuffer<string>, topic: string, partition: number, from: number, count: number, time: (i: number) => number): void {
  for (let i = from; i < from + count; i++) buffer.add(topic, partition, BigInt(i), time(i), `${topic}/${partition}@${i}`, 0);
}

describe('read balance: which input partitions the reader fetches', () => {
  it('pauses a partition holding more than the threshold of messages that wait for the others, and only that one', () => {
    const buffer = bufferOf();
    fill(buffer, 'chain.evm.log.v1', 1, 0, 65, (i) => 1_000 + i);
    fill(buffer, 'tw.logins', 0, 0, 64, (i) => i);
    const reader = new RecordingReader();
    const balance = new ReadBalance(64);
    balance.balance(buffer, reader);
    expect(reader.calls).toEqual(['pause chain.evm.log.v1:1']);
    expect(balance.pausedPartitions).toEqual(['chain.evm.log.v1/1']);
    expect(balance.pausedCount).toBe(1);
    // Nothing changed: nothing more is asked of the reader.
    balance.balance(buffer, reader);
    expect(reader.calls).toHaveLength(1);
  });

  it('resumes a paused partition once the others have caught up with all but a quarter of the threshold of its messages, not before', () => {
    const buffer = new EventTimeBuffer<string>();
    // The chain partition is fetched to its end, 100 messages at times 1000 to 1099; the logins
    // (one every 10 ms of event time) still owe data, and everything the chain holds waits for them.
    buffer.register('tw.logins', 0, 0n, 1000n);
    buffer.register('chain.evm.log.v1', 0, 0n, 100n);
    fill(buffer, 'chain.evm.log.v1', 0, 0, 100, (i) => 1000 + i);
    fill(buffer, 'tw.logins', 0, 0, 40, (i) => 10 * i);
    const reader = new RecordingReader();
    const balance = new ReadBalance(64);
    balance.balance(buffer, reader);
    expect(reader.calls).toEqual(['pause chain.evm.log.v1:0']);
    // Logins arrive one by one. With n fetched, the logins have surely reached 10 x (n - 9) (the
    // 8 newest can still be lowered), so 100 - (10n - 1089) chain messages still wait: 19 at
    // n = 117, 9 at n = 118, the first count at or below 16.
    const resumedAt: number[] = [];
    for (let n = 41; n <= 130; n++) {
      fill(buffer, 'tw.logins', 0, n - 1, 1, (i) => 10 * i);
      const before = reader.calls.length;
      balance.balance(buffer, reader);
      if (reader.calls.slice(before).includes('resume chain.evm.log.v1:0')) resumedAt.push(n);
    }
    expect(resumedAt).toEqual([118]);
    // The logins, the partition everything waits for, were never paused.
    expect(reader.calls.join(' ')).not.toContain('tw.logins');
  });

  it('asks the reader once per topic, partitions in order, and a reset resumes every partition it paused', () => {
    const buffer = bufferOf();
    // A partition that owes data and has sent none yet: everything else waits for it.
    buffer.register('tw.logins', 2, 0n, 10n);
    for (const topic of ['tw.logins', 'chain.evm.log.v1']) for (const p of [1, 0]) fill(buffer, topic, p, 0, 80, (i) => i);
    const reader = new RecordingReader();
    const balance = new ReadBalance(64);
    balance.balance(buffer, reader);
    expect(reader.calls).toEqual(['pause tw.logins:0,1 chain.evm.log.v1:0,1']);
    balance.reset(reader);
    expect(reader.calls[1]).toBe('resume tw.logins:0,1 chain.evm.log.v1:0,1');
    expect(balance.pausedPartitions).toEqual([]);
  });

  it('pauses nothing while no partition owes data: what waits then waits only for the hold', () => {
    const buffer = new EventTimeBuffer<string>();
    buffer.register('tw.logins', 0, 0n, 500n);
    buffer.register('chain.evm.log.v1', 0, 0n, 0n);
    fill(buffer, 'tw.logins', 0, 0, 500, (i) => i);
    const reader = new RecordingReader();
    new ReadBalance(64).balance(buffer, reader);
    expect(reader.calls).toEqual([]);
  });

  it('past the whole-buffer cap pauses every partition holding more than a quarter of the threshold, and resumes them at half the cap', () => {
    // Caught up and in time with each other: nothing waits for another partition, only for the
    // hold (an empty input topic), which the per-partition threshold does not count.
    const buffer = new EventTimeBuffer<string>();
    buffer.register('tw.logins', 0, 0n, 300n);
    buffer.register('tw.logins', 1, 0n, 300n);
    buffer.register('chain.evm.log.v1', 0, 0n, 10n);
    buffer.register('tw.prices', 0, 0n, 0n);
    // No two at one instant, so each take gives exactly what it asks (a step finishes its instant).
    fill(buffer, 'tw.logins', 0, 0, 300, (i) => 3 * i);
    fill(buffer, 'tw.logins', 1, 0, 300, (i) => 3 * i + 1);
    fill(buffer, 'chain.evm.log.v1', 0, 0, 10, (i) => 30 * i + 2);
    const reader = new RecordingReader();
    const balance = new ReadBalance(64, 600);
    balance.balance(buffer, reader);
    // 610 held, past 600: the two login partitions (300 each, past 16) pause; the chain's 10 do not.
    expect(reader.calls).toEqual(['pause tw.logins:0,1']);
    // The hold lets messages go (taken here at once); above half the cap both stay paused.
    let taken = 0;
    while (buffer.size > 301) taken += buffer.take(Math.min(10, buffer.size - 301), Number.MAX_SAFE_INTEGER, 0).length;
    balance.balance(buffer, reader);
    expect(reader.calls).toHaveLength(1);
    while (buffer.size > 300) taken += buffer.take(1, Number.MAX_SAFE_INTEGER, 0).length;
    balance.balance(buffer, reader);
    expect(taken).toBe(310);
    expect(reader.calls).toEqual(['pause tw.logins:0,1', 'resume tw.logins:0,1']);
  });

  it('refuses a whole-buffer cap below the per-partition threshold', () => {
    expect(() => new ReadBalance(1024, 1000)).toThrow(/buffer cap of 1000 messages is below/);
  });

  it('resumes, and never pauses even past the whole-buffer cap, the partition the next step waits on: a record dated back among its newest holds it until more come', () => {
    const buffer = new EventTimeBuffer<string>();
    buffer.register('tw.logins', 0, 0n, 1000n);
    buffer.register('chain.evm.log.v1', 0, 0n, 1000n);
    fill(buffer, 'tw.logins', 0, 0, 20, (i) => i);
    fill(buffer, 'chain.evm.log.v1', 0, 0, 100, (i) => 1000 + i);
    const reader = new RecordingReader();
    const balance = new ReadBalance(64, 100);
    balance.balance(buffer, reader);
    // 120 held, past the cap of 100: the chain partition (ahead of the logins) pauses, the logins
    // (what the next step waits on) do not, however many they hold.
    expect(reader.calls).toEqual(['pause chain.evm.log.v1:0']);
    // The logins are all read and taken; then the chain's newest record is dated back to 500: it
    // holds the keys of the 8 before it down to 500 until 8 more records come, and the step waits
    // on the chain partition, which must be fetched again.
    buffer.setHigh('tw.logins', 0, 20n);
    expect(buffer.take(20, Number.MAX_SAFE_INTEGER, 0).map((e) => e.topic)).toEqual(Array(20).fill('tw.logins'));
    fill(buffer, 'chain.evm.log.v1', 0, 100, 1, () => 500);
    expect(buffer.take(100, Number.MAX_SAFE_INTEGER, 0)).toEqual([]);
    balance.balance(buffer, reader);
    expect(reader.calls).toEqual(['pause chain.evm.log.v1:0', 'resume chain.evm.log.v1:0']);
    expect(balance.pausedPartitions).toEqual([]);
  });

  it('refuses a threshold below four times the order look-ahead (a quarter of it, where a partition resumes, must hold a settled message)', () => {
    expect(() => new ReadBalance(31)).toThrow(/too small \(at least 32\)/);
    expect(() => new ReadBalance(32)).not.toThrow();
  });

  it('splits partition keys at their last slash: topic names keep their dots and dashes', () => {
    expect(byTopic(['e2e-1a.b-deposit/3', 'e2e-1a.b-deposit/0', 'x/12'])).toEqual([{ topic: 'e2e-1a.b-deposit', partitions: [0, 3] }, { topic: 'x', partitions: [12] }]);
  });
});
