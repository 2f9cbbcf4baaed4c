/**
 * A message the pipeline refuses for its topic (TW_TOPIC) takes no order time of its own, as a
 * message that does not decode takes none: session 59 QA, a login produced to the deposits topic
 * and dated two months before its neighbours lowered the order keys of the 8 deposits before it
 * (order-key.ts), which the monitor and `replay --from-kafka` then applied 15 days ahead of the
 * other topics, and 400 exchange events came more than a day late.
 */
import { describe, expect, it } from 'vitest';
import { TopicSchemaCheck } from '../../src/contract/topic-schemas.js';
import { decodeMessage } from '../../src/decode/decode.js';
import { Ordering, type FetchedBatch } from '../../src/monitor/ordering.js';
import { orderTime } from '../../src/sources/order-key.js';

const HOLD = 2000;
const LOGINS = 'qa.exchange.logins';
const login = (id: string, at: string): string => JSON.stringify({ schema: 'exchange.login.v1', eventId: id, occurredAt: at, accountId: `acct-${id}`, ip: '203.0.113.7', ipCountry: 'US', vpn: false });
const deposit = (id: string, at: string): string => JSON.stringify({ schema: 'exchange.transfer.v1', eventId: id, kind: 'deposit', occurredAt: at, accountId: `acct-${id}`, chain: 'ethereum', asset: 'USDT', amount: '10', from: [], to: `0x${'ab'.repeat(20)}` });
const batch = (partition: number, raws: string[]): FetchedBatch => ({
  topic: LOGINS, partition, highWatermark: String(raws.length),
  messages: raws.map((raw, offset) => ({ offset: String(offset), timestamp: '0', value: Buffer.from(raw) })),
});

/** Partition 0: eight logins of March 4, then a deposit dated January 6 (on the logins topic: TW_TOPIC); partition 1: four logins of February 17. Pre-filled, in the order applied. */
function appliedOrder(topicCheck: TopicSchemaCheck | undefined): string[] {
  const o = new Ordering(topicCheck);
  o.register(LOGINS, 0, 0n, 9n);
  o.register(LOGINS, 1, 0n, 4n);
  const march = Array.from({ length: 8 }, (_, i) => login(`m${i}`, `2025-03-04T00:00:0${i}Z`));
  o.accept(batch(0, [...march, deposit('misplaced', '2025-01-06T00:43:20Z')]), decodeMessage, 0);
  o.accept(batch(1, Array.from({ length: 4 }, (_, i) => login(`f${i}`, `2025-02-17T00:00:0${i}Z`))), decodeMessage, 0);
  const out: string[] = [];
  for (let step = o.next(100, HOLD, HOLD); step.length > 0; step = o.next(100, HOLD, HOLD)) {
    for (const e of step) {
      out.push(e.value.decoded.ok ? e.value.decoded.event.eventId : 'reject');
      o.applied(e);
    }
  }
  return out;
}

describe('order time of a message refused for its topic', () => {
  it('is none with the topic check on: the monitor applies the messages before it in event-time order, not ahead of the other partitions', () => {
    // The refused deposit takes the time of the login before it (its dead letter goes out beside it).
    expect(appliedOrder(new TopicSchemaCheck())).toEqual(['f0', 'f1', 'f2', 'f3', 'm0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'misplaced', 'm7']);
  });

  it('is its own with the check off (TOPIC_SCHEMA_CHECK=off: the message is applied), as before', () => {
    expect(appliedOrder(undefined)).toEqual(['misplaced', 'm0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'f0', 'f1', 'f2', 'f3']);
  });

  it('orderTime: a message the topic carries, or on a topic of no contract name, keeps its time; a misplaced one or a reject has none', () => {
    const check = new TopicSchemaCheck();
    const decoded = decodeMessage(deposit('d', '2025-01-06T00:43:20Z'));
    expect(orderTime(decoded, 'qa.exchange.deposits', check)).toBe(Date.parse('2025-01-06T00:43:20Z'));
    expect(orderTime(decoded, 'exchange.events', check)).toBe(Date.parse('2025-01-06T00:43:20Z'));
    expect(orderTime(decoded, LOGINS, check)).toBeUndefined();
    expect(orderTime(decoded, LOGINS, undefined)).toBe(Date.parse('2025-01-06T00:43:20Z'));
    expect(orderTime(decodeMessage('{oops'), 'qa.exchange.deposits', check)).toBeUndefined();
  });
});
