/**
 * A copy of a message already read in its partition (a redelivery: same eventId) takes no order
 * time of its own, as a refusal does (order-key.ts, PartitionCopies): the pipeline drops it as a
 * duplicate, however it is dated. Session 60 QA: a redelivered deposit dated, like its original,
 * four months before the eight deposits around it lowered their order keys, and the monitor and
 * `replay --from-kafka` applied them ahead of four months of logins of the other topic: the
 * leap check then refused seven (replay) and eight (monitor) of them as TW_TIME_AHEAD.
 */
import { describe, expect, it } from 'vitest';
import { decodeMessage, type DecodeResult } from '../../src/decode/decode.js';
import { Ordering, type FetchedBatch } from '../../src/monitor/ordering.js';
import { mergeByEventTime, type PartitionStream } from '../../src/sources/event-time-merge.js';
import { PartitionCopies } from '../../src/sources/order-key.js';

const HOLD = 2000;
const WINDOW = 400 * 86_400_000;
const DEPOSITS = 'qa.exchange.deposits';
const LOGINS = 'qa.exchange.logins';
const deposit = (id: string, at: string): string => JSON.stringify({ schema: 'exchange.transfer.v1', eventId: id, kind: 'deposit', occurredAt: at, accountId: `acct-${id}`, chain: 'ethereum', asset: 'USDT', amount: '10', from: [], to: `0x${'ab'.repeat(20)}` });
const login = (id: string, at: string): string => JSON.stringify({ schema: 'exchange.login.v1', eventId: id, occurredAt: at, accountId: `acct-${id}`, ip: '203.0.113.7', ipCountry: 'US', vpn: false });

/** Deposits: the original of January 6, eight of March 4, then the original's copy. Logins: four of February 17. */
const depositsTopic = (): string[] => [deposit('orig', '2025-01-06T00:00:00Z'), ...Array.from({ length: 8 }, (_, i) => deposit(`m${i}`, `2025-03-04T00:00:0${i}Z`)), deposit('orig', '2025-01-06T00:00:00Z')];
const loginsTopic = (): string[] => Array.from({ length: 4 }, (_, i) => login(`f${i}`, `2025-02-17T00:00:0${i}Z`));
const MARCH = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];

/** In event order: the original, the February logins, then the March deposits (the copy, dropped later by the pipeline, goes out beside the last of them: one instant). */
function expectEventOrder(out: string[]): void {
  expect(out.slice(0, 5)).toEqual(['orig', 'f0', 'f1', 'f2', 'f3']);
  expect(out.slice(5).filter((id) => id !== 'orig')).toEqual(MARCH);
  expect(out).toHaveLength(14);
}

const batch = (topic: string, raws: string[]): FetchedBatch => ({
  topic, partition: 0, highWatermark: String(raws.length),
  messages: raws.map((raw, offset) => ({ offset: String(offset), timestamp: '0', value: Buffer.from(raw) })),
});
const idOf = (d: DecodeResult): string => (d.ok ? d.event.eventId : 'reject');

/** The monitor's reorder buffer, both topics pre-filled: the ids in the order applied. */
function monitorOrder(deposits: string[], logins: string[]): string[] {
  const o = new Ordering(undefined, WINDOW);
  o.register(DEPOSITS, 0, 0n, BigInt(deposits.length));
  o.register(LOGINS, 0, 0n, BigInt(logins.length));
  o.accept(batch(DEPOSITS, deposits), decodeMessage, 0);
  o.accept(batch(LOGINS, logins), decodeMessage, 0);
  const out: string[] = [];
  for (let step = o.next(100, HOLD, HOLD); step.length > 0; step = o.next(100, HOLD, HOLD)) {
    for (const e of step) {
      out.push(idOf(e.value.decoded));
      o.applied(e);
    }
  }
  return out;
}

async function* records(topic: string, raws: string[]): AsyncGenerator<{ offset: bigint; value: { topic: string; partition: number; decoded: DecodeResult } }> {
  for (let i = 0; i < raws.length; i++) yield { offset: BigInt(i), value: { topic, partition: 0, decoded: decodeMessage(raws[i]!) } };
}

/** `replay --from-kafka`'s merge of the same topics. */
async function replayOrder(deposits: string[], logins: string[]): Promise<string[]> {
  const copies = new PartitionCopies(WINDOW);
  const streams: PartitionStream<{ topic: string; partition: number; decoded: DecodeResult }>[] = [
    { topic: DEPOSITS, partition: 0, records: records(DEPOSITS, deposits) },
    { topic: LOGINS, partition: 0, records: records(LOGINS, logins) },
  ];
  const out: string[] = [];
  for await (const m of mergeByEventTime(streams, (v) => copies.orderTime(v.decoded, v.topic, v.partition))) out.push(idOf(m.value.decoded));
  return out;
}

describe('order time of a redelivered copy', () => {
  it('a copy dated back does not pull the monitor\'s messages before it ahead of the other topics', () => {
    expectEventOrder(monitorOrder(depositsTopic(), loginsTopic()));
  });

  it('nor those of replay --from-kafka, which keeps the monitor\'s order', async () => {
    expectEventOrder(await replayOrder(depositsTopic(), loginsTopic()));
  });

  it('a message of the same date that is no copy still holds the messages before it back (a late event is ordered as before)', () => {
    const deposits = depositsTopic();
    deposits[9] = deposit('late', '2025-01-06T00:00:00Z');
    const out = monitorOrder(deposits, loginsTopic());
    expect(out.slice(-4)).toEqual(['f0', 'f1', 'f2', 'f3']);
    expect(out.filter((id) => id.startsWith('m'))).toEqual(MARCH);
  });

  it('PartitionCopies: a copy in its own partition has no time; in another partition or topic, or after clear, it keeps its own', () => {
    const copies = new PartitionCopies(WINDOW);
    const d = decodeMessage(deposit('x', '2025-01-06T00:00:00Z'));
    const time = Date.parse('2025-01-06T00:00:00Z');
    expect(copies.orderTime(d, DEPOSITS, 0)).toBe(time);
    expect(copies.orderTime(d, DEPOSITS, 0)).toBeUndefined();
    expect(copies.orderTime(d, DEPOSITS, 1)).toBe(time);
    expect(copies.orderTime(d, LOGINS, 0)).toBe(time);
    copies.clear();
    expect(copies.orderTime(d, DEPOSITS, 0)).toBe(time);
    expect(copies.orderTime(decodeMessage('{oops'), DEPOSITS, 0)).toBeUndefined();
  });

  it('PartitionCopies holds no more ids than the pipeline\'s dedupe (DEDUPE_MAX_IDS): a message the pipeline would apply again keeps its own order time', () => {
    const copies = new PartitionCopies(WINDOW, undefined, 1000);
    const first = decodeMessage(deposit('first', '2025-01-06T00:00:00Z'));
    const time = Date.parse('2025-01-06T00:00:00Z');
    expect(copies.orderTime(first, DEPOSITS, 0)).toBe(time);
    for (let i = 0; i < 3000; i++) copies.orderTime(decodeMessage(deposit(`n${i}`, '2025-01-06T00:00:01Z')), DEPOSITS, 0);
    // 3,000 ids later a dedupe of 1,000 ids has let 'first' go and applies it again: so does its order time.
    expect(copies.orderTime(first, DEPOSITS, 0)).toBe(time);
    const wide = new PartitionCopies(WINDOW);
    expect(wide.orderTime(first, DEPOSITS, 0)).toBe(time);
    for (let i = 0; i < 3000; i++) wide.orderTime(decodeMessage(deposit(`n${i}`, '2025-01-06T00:00:01Z')), DEPOSITS, 0);
    expect(wide.orderTime(first, DEPOSITS, 0)).toBeUndefined();
  });
});
