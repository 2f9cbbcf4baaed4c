/**
 * Exact money where rules and heuristics decide: a condition on an amount lands on the right side
 * of its threshold where a double would not, multiples are exact, explanations print amounts
 * whole, and the forwarding heuristic's 90% is measured in exact base units.
 */
import { describe, expect, it } from 'vitest';
import { compileCondition, renderTemplate } from '../../src/engine/conditions.js';
import { Decimal } from '../../src/money/decimal.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';

const ctx = (usd: string, amount = '1'): Record<string, unknown> => ({ event: { usd: Decimal.parse(usd), amount: Decimal.parse(amount), asset: 'BTC' } });

describe('conditions on exact amounts', () => {
  it('decide a threshold by the exact value: a hair under 10,000 is under, 10,000.00 is not', () => {
    const under = compileCondition({ field: 'event.usd', lt: '10000 USD' } as never);
    expect(under(ctx('9999.999999999999999999'))).toBe(true); // as a double this is 10000
    expect(Number('9999.999999999999999999') < 10_000).toBe(false);
    expect(under(ctx('10000.00'))).toBe(false);
    const atLeast = compileCondition({ field: 'event.usd', gte: 9000 } as never);
    expect(atLeast(ctx('9000'))).toBe(true);
    expect(atLeast(ctx('8999.999999999999999999'))).toBe(false);
  });

  it('test round amounts exactly and compare equal values of any scale', () => {
    const round = compileCondition({ field: 'event.amount', multipleOf: 1000 } as never);
    expect(round(ctx('0', '25000.00'))).toBe(true);
    expect(round(ctx('0', '25000.000000000000000001'))).toBe(false);
    expect(compileCondition({ field: 'event.amount', eq: 2500 } as never)(ctx('0', '2500.00'))).toBe(true);
  });

  it('print amounts whole in explanations: 0.00012345 BTC, never 0 BTC', () => {
    expect(renderTemplate('{event.amount} {event.asset} ({event.usd} USD)', ctx('11727.75', '0.00012345'))).toBe('0.00012345 BTC (11,727.75 USD)');
  });
});

describe('the forwarding heuristic in exact base units', () => {
  const HASH = (n: number): string => '0x' + n.toString(16).padStart(64, '0');
  const tx = (n: number, from: string, to: string, wei: string, minute: number): string => JSON.stringify({
    schema: 'chain.evm.tx.v1', chain: 'ethereum', hash: HASH(n), blockNumber: n, blockTime: `2025-03-01T00:${String(minute).padStart(2, '0')}:00Z`, from, to, value: wei,
  });
  const X = '0x1111111111111111111111111111111111111111';
  const A = '0x2222222222222222222222222222222222222222';
  const B = '0x3333333333333333333333333333333333333333';
  const merges = (forwardedWei: string): number => {
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    pipeline.process(tx(1, X, A, '1000000000000000000', 1), { line: 1 });
    pipeline.process(tx(2, A, B, forwardedWei, 2), { line: 2 });
    return pipeline.stats.merges;
  };

  it('merges at 90% of the inflow exactly, and not one wei below it (which a double cannot tell apart)', () => {
    expect(merges('900000000000000000')).toBe(1);
    expect(merges('899999999999999999')).toBe(0);
    expect(0.899999999999999999 >= 0.9 * 1).toBe(true);
  });
});

describe('explanation templates', () => {
  it('show an object field as JSON and a list of objects item by item, never "[object Object]"', () => {
    const ctx = { event: { customer: { kycCountry: 'DE', createdAt: '2024-01-01T00:00:00Z' }, hops: [{ a: 1 }, { a: 2 }] } };
    expect(renderTemplate('{event.customer} / {event.hops}', ctx)).toBe('{"kycCountry":"DE","createdAt":"2024-01-01T00:00:00Z"} / {"a":1}, {"a":2}');
  });

  it('say "1 day" and "1 payment" for a count of one, "less than a day" for 0 days, and leave other counts, words and texts alone', () => {
    const ctx = { s: { one: 1, two: 2, zero: 0, half: 1.5, dec: Decimal.parse('1'), text: '1' } };
    expect(renderTemplate('{s.one} days, {s.one} payments, {s.one} addresses before', ctx)).toBe('1 day, 1 payment, 1 address before');
    expect(renderTemplate('{s.two} days, {s.half} days, {s.zero} accounts', ctx)).toBe('2 days, 1.5 days, 0 accounts');
    expect(renderTemplate('first seen {s.zero} days earlier, within {s.zero} hours', ctx)).toBe('first seen less than a day earlier, within less than an hour');
    expect(renderTemplate('{s.dec} hours; {s.one} distinct accounts; {s.text} days', ctx)).toBe('1 hour; 1 distinct accounts; 1 days');
    expect(renderTemplate('{s.one} daysago', ctx)).toBe('1 daysago');
  });

  it('make a noun written with (s) agree with its count ("1 hop", "2 hops"), and show a USD value with cents at most while an amount stays exact', () => {
    const ctx = { s: { one: 1, two: 2, zero: 0, dec: Decimal.parse('1') }, event: { usd: Decimal.parse('11228.9487702678'), amount: Decimal.parse('0.123456789') }, signals: { seq: { firstUsd: Decimal.parse('2500.005') } } };
    expect(renderTemplate('in {s.one} hop(s), {s.two} hop(s), {s.zero} hop(s), {s.dec} hop(s), {s.none} hop(s)', ctx)).toBe('in 1 hop, 2 hops, 0 hops, 1 hop, ? hops');
    expect(renderTemplate('{event.amount} ETH ({event.usd} USD); first {signals.seq.firstUsd} USD', ctx)).toBe('0.123456789 ETH (11,228.95 USD); first 2,500.01 USD');
  });

  it('read the text after | when the path has no value (a branch that did not fire), and the value when it has one', () => {
    const ctx = { s: { label: 'otc-desk', zero: 0 } };
    expect(renderTemplate('toward {s.label|a cluster several accounts pay}.', ctx)).toBe('toward otc-desk.');
    expect(renderTemplate('toward {s.none|a cluster several accounts pay}.', ctx)).toBe('toward a cluster several accounts pay.');
    expect(renderTemplate('toward {s.none}.', ctx)).toBe('toward ?.');
    expect(renderTemplate('{s.zero|none} days', ctx)).toBe('less than a day');
    expect(renderTemplate('{s.none|} days', ctx)).toBe('days'); // empty text: the noun alone, no stray space
  });
});
