import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/decode/decode.js';
import { Ordering, type FetchedBatch, type ReadHole } from '../../src/monitor/ordering.js';

const HOLD = 2000;
const login = (accountId: string, at: string): string => JSON.stringify({ schema: 'exchange.login.v1', eventId: accountId, occurredAt: at, accountId, ip: '203.0.113.7', ipCountry: 'US', vpn: false, deviceId: `dev-${accountId}` });
const batch = (topic: string, high: number, messages: [offset: number, raw: string, recordTime?: number][]): FetchedBatch => ({
  topic, partition: 0, highWatermark: String(high),
  messages: messages.map(([offset, raw, recordTime]) => ({ offset: String(offset), timestamp: String(recordTime ?? 0), value: Buffer.from(raw) })),
});
/** The event ids of a step (each test login's id is its account), `reject` for a message that did not decode. */
const accounts = (step: { value: { decoded: ReturnType<typeof decodeMessage> } }[]): string[] =>
  step.map((e) => (e.value.decoded.ok ? e.value.decoded.event.eventId : 'reject'));

function ordering(): Ordering {
  const o = new Ordering();
  o.register('logins', 0, 0n, 0n);
  o.register('deposits', 0, 0n, 0n);
  return o;
}

describe('monitor ordering (fetched batches in, event-time steps out)', () => {
  it("keeps every record's key (a message refused after decoding, TW_TOPIC, keeps it in its dead letter too) and whether it was a tombstone, and nothing for a keyless record", () => {
    const o = ordering();
    o.accept({ topic: 'logins', partition: 0, highWatermark: '3', messages: [
      { offset: '0', timestamp: '0', key: Buffer.from('acct-1'), value: Buffer.from(login('ok', '2025-01-01T00:00:01Z')) },
      { offset: '1', timestamp: '0', key: Buffer.from('acct-2'), value: null },
      { offset: '2', timestamp: '0', key: null, value: Buffer.from('{oops') },
    ] }, decodeMessage, 0);
    expect(o.next(10, HOLD, HOLD).map((e) => e.value.record)).toEqual([{ key: 'acct-1' }, { key: 'acct-2', tombstone: true }, undefined]);
  });

  it("keeps each message's bytes as fetched, not its text: its text, bytes and key read back from the batch's buffer after kafkajs's buffer is overwritten", () => {
    const o = ordering();
    const text = login('é-ü', '2025-01-01T00:00:01Z');
    const notUtf8 = Buffer.from([0x7b, 0xff, 0x7d]);
    const mended = notUtf8.toString('utf8');
    const messages = [
      { offset: '0', timestamp: '0', key: Buffer.from('acct-é'), value: Buffer.from(text) },
      { offset: '1', timestamp: '0', key: Buffer.alloc(0), value: notUtf8 },
      { offset: '2', timestamp: '0', key: null, value: null },
    ];
    o.accept({ topic: 'logins', partition: 0, highWatermark: '3', messages }, decodeMessage, 0);
    for (const m of messages) { m.key?.fill(0); m.value?.fill(0); } // kafkajs reuses nothing, but the fetched message must not depend on it
    const step = o.next(10, HOLD, HOLD);
    expect(step.map((e) => e.value.raw)).toEqual([text, mended, '']);
    expect(step.map((e) => e.value.bytes)).toEqual([Buffer.from(text), Buffer.from([0x7b, 0xff, 0x7d]), Buffer.alloc(0)]);
    expect(step.map((e) => e.value.record)).toEqual([{ key: 'acct-é' }, { key: '' }, { tombstone: true }]);
    expect(step.map((e) => (e.value.decoded.ok ? 'ok' : e.value.decoded.reject.code))).toEqual(['ok', 'TW_ENCODING', 'TW_JSON']);
  });

  it("keeps a small batch's bytes in a buffer of its own, not in a slab of Node's shared pool (one held message kept up to 8 kB of other buffers alive)", () => {
    const o = ordering();
    const text = login('small', '2025-01-01T00:00:01Z');
    o.accept({ topic: 'logins', partition: 0, highWatermark: '1', messages: [{ offset: '0', timestamp: '0', key: Buffer.from('k'), value: Buffer.from(text) }] }, decodeMessage, 0);
    const [e] = o.next(10, HOLD, HOLD);
    expect(e!.value.retainedBytes).toBe(1 + Buffer.byteLength(text));
    expect(e!.value.raw).toBe(text);
  });

  it('reports the offsets deleted before they were read: a batch that starts past the fetch position', () => {
    const o = ordering();
    const holes: ReadHole[] = [];
    o.accept({ ...batch('logins', 2, [[0, login('a1', '2025-01-01T00:00:01Z')], [1, login('a2', '2025-01-01T00:00:02Z')]]), firstOffset: () => '0', lastOffset: () => '1' }, decodeMessage, 0, holes);
    expect(holes).toEqual([]);
    // Retention deleted offsets 2 to 9 while the monitor lagged; the consumer went on at 10.
    o.accept({ ...batch('logins', 12, [[10, login('a10', '2025-01-01T00:00:10Z')], [11, login('a11', '2025-01-01T00:00:11Z')]]), firstOffset: () => '10', lastOffset: () => '11' }, decodeMessage, 0, holes);
    expect(holes).toEqual([{ topic: 'logins', partition: 0, from: 2n, to: 10n }]);
    // A batch that starts with transaction markers or aborted records is no hole: its first offset counts them.
    o.accept({ ...batch('logins', 15, [[14, login('a14', '2025-01-01T00:00:14Z')]]), firstOffset: () => '12', lastOffset: () => '14' }, decodeMessage, 0, holes);
    expect(holes).toHaveLength(1);
  });

  it("reads past a partition's transaction markers: a partition ending in one owes nothing, and its cursor moves past it (a committed transaction stopped the monitor)", () => {
    const o = ordering();
    // logins: a transaction of two messages and its commit marker at offset 2 (high watermark 3).
    o.accept({ ...batch('logins', 3, [[0, login('t1', '2025-01-01T00:00:01Z')], [1, login('t2', '2025-01-01T00:00:02Z')]]), lastOffset: () => '2' }, decodeMessage, 0);
    o.accept(batch('deposits', 1, [[0, login('d1', '2025-01-01T00:00:05Z')]]), decodeMessage, 0);
    const step = o.next(100, HOLD, HOLD);
    expect(accounts(step)).toEqual(['t1', 't2', 'd1']); // held for ever behind the marker before
    for (const e of step) o.applied(e);
    expect(o.appliedCut().get('logins/0')).toBe(3n);
    expect(o.behind(o.appliedCut())).toBe(0n);
    // A batch of markers only (which kafkajs hands no handler) moves the position too.
    o.setHigh('deposits', 0, 3n);
    o.advance('deposits', 0, 3n);
    expect(o.lag('deposits', 0)).toBe(0n);
    expect(o.appliedCut().get('deposits/0')).toBe(3n);
  });

  it('merges batches fetched topic by topic into event-time order', () => {
    const o = ordering();
    expect(o.accept(batch('logins', 2, [[0, login('a1', '2025-01-01T00:00:01Z')], [1, login('a3', '2025-01-01T00:00:03Z')]]), decodeMessage, 0)).toBe(2);
    expect(o.accept(batch('deposits', 2, [[0, login('a2', '2025-01-01T00:00:02Z')], [1, login('a4', '2025-01-01T00:00:04Z')]]), decodeMessage, 0)).toBe(2);
    // Both partitions are fetched to their high watermark: everything up to the older newest message goes.
    expect(accounts(o.next(100, 0, HOLD))).toEqual(['a1', 'a2', 'a3']);
    expect(accounts(o.next(100, HOLD, HOLD))).toEqual(['a4']); // the newest one waits out the hold
  });

  it('holds what is newer than a partition that still owes data, and releases it once that data arrives', () => {
    const o = ordering();
    o.accept(batch('logins', 1, [[0, login('late', '2025-01-01T00:00:09Z')]]), decodeMessage, 0);
    o.accept(batch('deposits', 2, [[0, login('early', '2025-01-01T00:00:01Z')]]), decodeMessage, 0);
    // Not even 'early': the message deposits still owes may be dated before it and lower its order key.
    expect(accounts(o.next(100, 1_000_000, HOLD))).toEqual([]);
    o.accept(batch('deposits', 2, [[1, login('middle', '2025-01-01T00:00:05Z')]]), decodeMessage, 1_000_000);
    expect(accounts(o.next(100, 1_000_000, HOLD))).toEqual(['early', 'middle', 'late']);
  });

  it('places a message that does not decode at the event time of the message before it in its partition, as replay --from-kafka does', () => {
    const o = ordering();
    o.accept(batch('logins', 2, [[0, login('a1', '2025-01-01T00:00:01Z')], [1, login('a4', '2025-01-01T00:00:04Z')]]), decodeMessage, 0);
    o.accept(batch('deposits', 3, [[0, login('a2', '2025-01-01T00:00:02Z')], [1, '{not json', Date.parse('2025-01-01T00:00:09Z')], [2, login('a3', '2025-01-01T00:00:03Z')]]), decodeMessage, 0);
    expect(accounts(o.next(100, HOLD, HOLD))).toEqual(['a1', 'a2', 'reject', 'a3', 'a4']);
  });

  it('never lets a reject produced long after a backfilled partition\'s events (its record timestamp) hold the rest of that partition back', () => {
    const o = ordering();
    const produced = Date.parse('2026-12-03T00:00:00Z');
    o.accept(batch('deposits', 3, [[0, login('d1', '2025-01-01T00:00:01Z'), produced], [1, '{"schema":"exchange.transfer.v1"}', produced], [2, login('d3', '2025-01-01T00:00:05Z'), produced]]), decodeMessage, 0);
    o.accept(batch('logins', 2, [[0, login('l2', '2025-01-01T00:00:02Z'), produced], [1, login('l6', '2025-01-01T00:00:06Z'), produced]]), decodeMessage, 0);
    expect(accounts(o.next(100, HOLD, HOLD))).toEqual(['d1', 'reject', 'l2', 'd3', 'l6']);
  });

  it('skips a re-fetched offset and counts only new messages', () => {
    const o = ordering();
    const first = batch('logins', 1, [[0, login('a1', '2025-01-01T00:00:01Z')]]);
    expect(o.accept(first, decodeMessage, 0)).toBe(1);
    expect(o.accept(first, decodeMessage, 0)).toBe(0);
    expect(o.size).toBe(1);
  });

  it('refuses a batch for a partition it was not told about (the reader assignment always comes first)', () => {
    expect(() => ordering().accept({ ...batch('logins', 1, [[0, login('a1', '2025-01-01T00:00:01Z')]]), partition: 7 }, decodeMessage, 0)).toThrow(/not assigned/);
  });

  it('moves the applied cut only past messages marked applied, and reports how far a cursor trails', () => {
    const o = ordering();
    o.accept(batch('logins', 2, [[0, login('a1', '2025-01-01T00:00:01Z')], [1, login('a2', '2025-01-01T00:00:02Z')]]), decodeMessage, 0);
    const step = o.next(1, HOLD, HOLD);
    expect(o.appliedCut().get('logins/0')).toBe(0n);
    o.applied(step[0]!);
    expect(o.appliedCut()).toEqual(new Map([['logins/0', 1n], ['deposits/0', 0n]]));
    expect(o.behind(o.appliedCut())).toBe(1n);
    expect(o.next(1, HOLD, HOLD)).toHaveLength(1); // a step never exceeds its size
  });

  it('starts over empty after a clear (a re-read from the first offset)', () => {
    const o = ordering();
    o.accept(batch('logins', 1, [[0, login('a1', '2025-01-01T00:00:01Z')]]), decodeMessage, 0);
    o.clear();
    expect(o.size).toBe(0);
    expect(o.appliedCut().size).toBe(0);
  });
});
