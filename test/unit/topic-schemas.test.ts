/**
 * Each contract topic carries its schema alone (QA: a login produced to the deposits topic was
 * accepted). A topic is known by its name: the contract's, or the contract's after a prefix
 * (`prod.`, `e2e-42-`); a topic of the operator's own name may carry every schema, and a file
 * every schema.
 */
import { describe, expect, it } from 'vitest';
import { topicSchemaOf } from '../../src/contract/topic-schemas.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';

const login = (eventId: string): string => JSON.stringify({ schema: 'exchange.login.v1', eventId, occurredAt: '2025-03-01T09:00:00Z', accountId: 'acct-1', ip: '203.0.113.7', ipCountry: 'US', vpn: false });
const deposit = (eventId: string): string => JSON.stringify({
  schema: 'exchange.transfer.v1', eventId, kind: 'deposit', occurredAt: '2025-03-01T09:00:00Z', accountId: 'acct-1', chain: 'ethereum', asset: 'USDT', amount: '100',
  from: [], to: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae',
});

describe('the schema a topic carries', () => {
  it('is read from a contract name, alone or after a prefix ending in ".", "-" or "_"', () => {
    expect(topicSchemaOf('exchange.deposits')?.schema).toBe('exchange.transfer.v1');
    expect(topicSchemaOf('exchange.withdrawals')?.schema).toBe('exchange.transfer.v1');
    expect(topicSchemaOf('prod.exchange.logins')).toEqual({ contractTopic: 'exchange.logins', schema: 'exchange.login.v1', prefix: 'prod.' });
    expect(topicSchemaOf('e2e-42-chain.evm.logs')?.schema).toBe('chain.evm.log.v1');
    expect(topicSchemaOf('acme_intel.labels')?.schema).toBe('intel.label.v1');
    expect(topicSchemaOf('market.prices')?.schema).toBe('market.price.v1');
  });

  it("is any schema on a topic of the operator's own name", () => {
    for (const own of ['exchange.events', 'myexchange.deposits', 'exchange.deposits.v2', 'exchange.deposits-all', 'soak', 't']) expect(topicSchemaOf(own), own).toBeUndefined();
  });
});

describe('a record whose schema its topic does not carry', () => {
  it('is dead-lettered as TW_TOPIC, naming the topic, its schema and where the record belongs', () => {
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    const out = pipeline.process(login('l-1'), { topic: 'prod.exchange.deposits', partition: 0, offset: '7' });
    expect(out.deadLetter?.code).toBe('TW_TOPIC');
    expect(out.deadLetter?.reason).toBe('exchange.login.v1: schema: exchange.login.v1 does not belong on topic prod.exchange.deposits, which carries exchange.transfer.v1 (it is named after the contract\'s exchange.deposits); produce it to prod.exchange.logins');
    expect(out.deadLetter?.issues?.map((i) => i.path)).toEqual(['schema']);
    const stray = pipeline.process(deposit('d-1'), { topic: 'exchange.logins' });
    expect(stray.deadLetter?.reason).toContain('produce it to exchange.deposits or exchange.withdrawals');
    expect(pipeline.stats).toMatchObject({ read: 2, rejected: 2, accepted: 0 });
  });

  it('leaves no trace: the same event on its own topic afterwards is accepted, not a duplicate', () => {
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    expect(pipeline.process(login('l-2'), { topic: 'exchange.deposits' }).deadLetter?.code).toBe('TW_TOPIC');
    const own = pipeline.process(login('l-2'), { topic: 'exchange.logins' });
    expect(own.deadLetter).toBeUndefined();
    expect(own.duplicate).toBeUndefined();
    expect(own.event?.eventId).toBe('l-2');
  });

  it("is accepted on a topic of the operator's own name, and from a file", () => {
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    expect(pipeline.process(login('l-3'), { topic: 'exchange.events' }).deadLetter).toBeUndefined();
    expect(pipeline.process(deposit('d-3'), { topic: 'exchange.events' }).deadLetter).toBeUndefined();
    expect(pipeline.process(login('l-4'), { file: 'stream.jsonl', line: 1 }).deadLetter).toBeUndefined();
  });

  it('is accepted when the check is off (TOPIC_SCHEMA_CHECK=off: producers that already mix schemas on such a topic)', () => {
    const pipeline = new Pipeline({ rules: rules(), labels: [], topicSchemaCheck: false });
    const out = pipeline.process(login('l-5'), { topic: 'exchange.deposits', partition: 0, offset: '1' });
    expect(out.deadLetter).toBeUndefined();
    expect(out.event?.eventId).toBe('l-5');
  });
});
