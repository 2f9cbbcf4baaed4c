/**
 * market.price.v1: prices decode (bad ones are dead-lettered with the zod path), sit in a bounded
 * book in event time, value transfers the exchange did not value (newest price before the
 * transfer, within the staleness, else the peg or the table), are named in the alert evidence,
 * and survive a checkpoint.
 */
import fc from 'fast-check';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { decodeMessage } from '../../src/decode/decode.js';
import type { TransferEvent } from '../../src/decode/events.js';
import { Decimal } from '../../src/money/decimal.js';
import { PriceBook, type PricePoint } from '../../src/money/price-book.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { replayFiles } from '../../src/replay/replay.js';
import { emptyPipeline, FIXED_TIME, removeTempDirs, tempDir } from '../helpers/checkpoint.js';
import { rules } from '../helpers/sample.js';

afterAll(removeTempDirs);

const HOUR = 3_600_000;
const T0 = Date.parse('2025-03-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

const price = (asset: string, value: string, at: number, source = 'feed-a'): string =>
  JSON.stringify({ schema: 'market.price.v1', asset, quote: 'USD', price: value, observedAt: iso(at), source });

let n = 0;
function deposit(at: number, asset: string, amount: string, extra: Record<string, unknown> = {}): string {
  n++;
  return JSON.stringify({
    schema: 'exchange.transfer.v1', eventId: `dep-${n}`, kind: 'deposit', occurredAt: iso(at), accountId: 'acct-prices', chain: 'ethereum',
    asset, amount, from: [`0x${String(n).padStart(40, '1')}`], to: '0x2222222222222222222222222222222222222222', ...extra,
  });
}

const point = (time: number, source: string, value: string): PricePoint => ({ time, source, price: Decimal.parse(value), observedAt: iso(time) });

describe('the price book', () => {
  it('answers with the newest price strictly before the time, within the staleness', () => {
    const book = new PriceBook({ maxStaleness: 2 * HOUR, retention: 24 * HOUR, maxPerAsset: 100, maxAssets: 10 });
    book.add('ETH', point(T0, 'a', '3000'));
    book.add('ETH', point(T0 + HOUR, 'a', '3100'));
    expect(book.at('ETH', T0)).toBeUndefined(); // a price at the transfer's own instant is not yet "before" it
    expect(book.at('ETH', T0 + 1)?.price.toString()).toBe('3000');
    expect(book.at('ETH', T0 + HOUR + 1)?.price.toString()).toBe('3100');
    expect(book.at('ETH', T0 + 3 * HOUR)?.price.toString()).toBe('3100');
    expect(book.at('ETH', T0 + 3 * HOUR + 2)).toBeUndefined(); // stale
    expect(book.at('BTC', T0 + HOUR)).toBeUndefined();
  });

  it('gives the same answers whatever order the prices arrive in (ties go to the smallest source)', () => {
    const points = [point(T0, 'b', '1.5'), point(T0, 'a', '1.4'), point(T0 + HOUR, 'c', '1.6'), point(T0 + 2 * HOUR, 'a', '1.7'), point(T0 + 2 * HOUR, 'z', '9')];
    const answers = (order: PricePoint[]): (string | undefined)[] => {
      const book = new PriceBook();
      for (const p of order) book.add('TRX', p);
      return [1, HOUR, HOUR + 1, 2 * HOUR + 1, 3 * HOUR].map((dt) => book.at('TRX', T0 + dt)?.source);
    };
    const want = answers(points);
    expect(want).toEqual(['a', 'a', 'c', 'a', 'a']);
    fc.assert(fc.property(fc.shuffledSubarray(points, { minLength: points.length, maxLength: points.length }), (order) => { expect(answers(order)).toEqual(want); }), { numRuns: 100 });
  });

  it('reads a feed that restates an instant at its highest price, whatever order the statements arrive in', () => {
    const statements = [point(T0, 'a', '3000'), point(T0, 'a', '3050.5'), point(T0, 'a', '2990'), point(T0, 'b', '1')];
    const answer = (order: PricePoint[]): string | undefined => {
      const book = new PriceBook();
      for (const p of order) book.add('ETH', p);
      return book.at('ETH', T0 + 1)?.price.toString();
    };
    expect(answer(statements)).toBe('3050.5');
    fc.assert(fc.property(fc.shuffledSubarray(statements, { minLength: statements.length, maxLength: statements.length }), (order) => { expect(answer(order)).toBe('3050.5'); }), { numRuns: 50 });
  });

  it('is bounded: retention behind the newest, a cap per asset, a cap on assets', () => {
    const book = new PriceBook({ maxStaleness: HOUR, retention: 10 * HOUR, maxPerAsset: 5, maxAssets: 3 });
    for (let i = 0; i < 50; i++) book.add('ETH', point(T0 + i * HOUR, 'a', String(3000 + i)));
    expect(book.size).toBe(5);
    book.add('BTC', point(T0, 'a', '1'));
    book.add('BTC', point(T0 + 30 * HOUR, 'a', '2'));
    expect(book.size).toBe(6); // the BTC price 30 h older than BTC's newest is past the retention
    book.add('TRX', point(T0 + 60 * HOUR, 'a', '0.2'));
    book.add('SOL', point(T0 + 61 * HOUR, 'a', '150'));
    expect(book.assets).toBe(3); // BTC, whose newest price is oldest, went
    expect(book.at('BTC', T0 + 30 * HOUR + 1)).toBeUndefined();
  });
});

describe('market.price.v1 messages', () => {
  it('decode to a price event with an exact price; bad ones are rejected with the field named', () => {
    const ok = decodeMessage(price('eth', '3301.123456789', T0));
    expect(ok.ok && ok.event.type === 'price' && [ok.event.asset, ok.event.price.toString(), ok.event.eventId]).toEqual(['ETH', '3301.123456789', `price:ETH:feed-a:${iso(T0)}:3301.123456789`]);
    const bad = [
      JSON.stringify({ schema: 'market.price.v1', asset: 'ETH', quote: 'USD', price: '-1', observedAt: iso(T0), source: 'x' }),
      JSON.stringify({ schema: 'market.price.v1', asset: 'ETH', quote: 'EUR', price: '1', observedAt: iso(T0), source: 'x' }),
      JSON.stringify({ schema: 'market.price.v1', asset: 'ETH', quote: 'USD', price: 3000, observedAt: iso(T0), source: 'x' }),
      JSON.stringify({ schema: 'market.price.v1', asset: 'ETH', quote: 'USD', price: '1', observedAt: 'yesterday', source: 'x' }),
      JSON.stringify({ schema: 'market.price.v1', asset: 'ETH', quote: 'USD', price: '1', observedAt: iso(T0), source: 'a@b' }),
    ];
    const paths = bad.map((line) => { const r = decodeMessage(line); return r.ok ? 'accepted' : `${r.reject.code} ${r.reject.issues?.[0]?.path}`; });
    expect(paths).toEqual(['TW_SCHEMA price', 'TW_SCHEMA quote', 'TW_SCHEMA price', 'TW_SCHEMA observedAt', 'TW_SCHEMA source']);
  });

  it('go to the dead letters in a pipeline, with the reason, and change nothing', () => {
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    const result = pipeline.process('{"schema":"market.price.v1","asset":"ETH","quote":"USD","price":"abc"}', { file: 'prices.jsonl', line: 1 });
    expect(result.deadLetter).toMatchObject({ code: 'TW_SCHEMA', origin: { file: 'prices.jsonl', line: 1 } });
    expect(result.deadLetter?.reason).toMatch(/market\.price\.v1: price: not a decimal string/);
    expect(pipeline.prices.size).toBe(0);
  });
});

const usdOf = (pipeline: Pipeline, line: string): [string | undefined, string | null] => {
  const event = pipeline.process(line, { file: 't', line: 1 }).event as TransferEvent;
  return [event.usd?.toString(), event.usdSource];
};

describe('USD valuation order', () => {
  it('the exchange value first, then the newest fresh market price, then the peg, then the table', () => {
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    pipeline.process(price('ETH', '3166.67', T0), { file: 'p', line: 1 });
    pipeline.process(price('USDT', '0.998', T0), { file: 'p', line: 2 });
    expect(usdOf(pipeline, deposit(T0 + HOUR, 'ETH', '0.5', { usdValue: 1600.5 }))).toEqual(['1600.5', 'exchange']);
    expect(usdOf(pipeline, deposit(T0 + HOUR, 'ETH', '0.00012345'))).toEqual(['0.3909254115', `market.prices:feed-a@${iso(T0)}`]);
    expect(usdOf(pipeline, deposit(T0 + HOUR, 'USDT', '1000'))).toEqual(['998', `market.prices:feed-a@${iso(T0)}`]);
    expect(usdOf(pipeline, deposit(T0 + HOUR, 'USDC', '1000'))).toEqual(['1000', 'peg']);
    expect(usdOf(pipeline, deposit(T0 + 30 * HOUR, 'ETH', '2'))).toEqual(['6600', 'table']); // the price is 30 h old: stale
    expect(usdOf(pipeline, deposit(T0 + HOUR, 'NOPE', '2'))).toEqual([undefined, null]);
  });

  it('values a transfer the same whichever of two restated prices arrives first; a redelivered price is a duplicate', () => {
    const valued = (lines: string[]): [string | undefined, string | null] => {
      const pipeline = new Pipeline({ rules: rules(), labels: [] });
      lines.forEach((l, i) => pipeline.process(l, { file: 'p', line: i + 1 }));
      return usdOf(pipeline, deposit(T0 + HOUR, 'ETH', '2'));
    };
    const [low, high] = [price('ETH', '3000', T0), price('ETH', '3100', T0)];
    expect(valued([low, high])).toEqual(['6200', `market.prices:feed-a@${iso(T0)}`]);
    expect(valued([high, low])).toEqual(valued([low, high]));
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    pipeline.process(low, { file: 'p', line: 1 });
    expect(pipeline.process(low, { file: 'p', line: 2 }).duplicate).toBe(true);
  });

  it('names the market source in the evidence of an alert decided on market-valued amounts', () => {
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    pipeline.process(price('ETH', '3166.67', T0), { file: 'p', line: 1 });
    // 3 ETH at 3,166.67 is 9,500.01 USD: three in a week is structuring just under 10,000.
    const alerts = [1, 2, 3].flatMap((d) => pipeline.process(deposit(T0 + d * HOUR, 'ETH', '3'), { file: 't', line: d }).alerts);
    const structuring = alerts.find((a) => a.ruleId === 'structuring.just-under');
    expect(structuring?.evidence.usd).toEqual({ value: Decimal.parse('9500.01'), source: `market.prices:feed-a@${iso(T0)}` });
    expect(JSON.stringify(structuring?.evidence.usd)).toBe(`{"value":"9500.01","source":"market.prices:feed-a@${iso(T0)}"}`);
  });
});

describe('prices in a checkpoint', () => {
  it('restore the book and the market values of retained transfers; going on gives what a straight run gives', async () => {
    const first = [price('ETH', '3166.67', T0), price('ETH', '3200', T0 + 2 * HOUR, 'feed-b'), deposit(T0 + HOUR, 'ETH', '3'), deposit(T0 + 3 * HOUR, 'ETH', '3')];
    const later = [deposit(T0 + 4 * HOUR, 'ETH', '2.96875'), price('ETH', '3300', T0 + 5 * HOUR)];
    const run = (p: Pipeline, lines: string[]): string[] => lines.flatMap((l, i) => p.process(l, { file: 't', line: i + 1 }).alerts.map((a) => JSON.stringify(a)));
    const straight = new Pipeline({ rules: rules(), labels: [] });
    const straightAlerts = [...run(straight, first), ...run(straight, later)];
    expect(straightAlerts.some((a) => a.includes('structuring.just-under'))).toBe(true);

    const dir = tempDir('tw-ckpt-prices-');
    const before = new Pipeline({ rules: rules(), labels: [] });
    const firstAlerts = run(before, first);
    await saveCheckpoint(dir, before, { rules: rules(), positions: {}, createdAt: FIXED_TIME });
    const restored = (await loadNewestValid(dir, { build: emptyPipeline(), rules: rules() }))!.pipeline;
    expect([...restored.prices.entries()].map(([a, ps]) => [a, ps.map((p) => [p.time, p.source, p.price.toString(), p.observedAt])]))
      .toEqual([...before.prices.entries()].map(([a, ps]) => [a, ps.map((p) => [p.time, p.source, p.price.toString(), p.observedAt])]));
    const retained = restored.state.transfer(JSON.parse(first[3]!).eventId as string)!;
    expect([retained.usd?.toString(), retained.usdSource]).toEqual(['9600', `market.prices:feed-b@${iso(T0 + 2 * HOUR)}`]);
    expect([...firstAlerts, ...run(restored, later)]).toEqual(straightAlerts);
  });
});

describe('replay --prices', () => {
  it('merges a price file by event time: the same alerts as one file with the prices in place, and bad price lines dead-lettered with their line', async () => {
    const dir = tempDir('tw-prices-replay-');
    const stream = [1, 2, 3].map((d) => deposit(T0 + d * HOUR, 'ETH', '3'));
    const prices = [price('ETH', '3166.67', T0), '{"schema":"market.price.v1","asset":"ETH"}', price('ETH', '9999', T0 + 2 * HOUR + 30 * 60_000)];
    const interleaved = [prices[0]!, stream[0]!, stream[1]!, prices[2]!, stream[2]!];
    const write = (name: string, lines: string[]): string => { const path = join(dir, name); writeFileSync(path, lines.join('\n') + '\n'); return path; };
    const run = async (name: string, files: string[], priceFiles?: string[]): Promise<{ alerts: string; dlq: string }> => {
      const alertsPath = join(dir, `${name}.alerts.jsonl`);
      const dlqPath = join(dir, `${name}.dlq.jsonl`);
      await replayFiles({ files, ...(priceFiles ? { priceFiles } : {}), rules: rules(), labels: [], alertsPath, dlqPath });
      return { alerts: readFileSync(alertsPath, 'utf8'), dlq: readFileSync(dlqPath, 'utf8') };
    };
    const merged = await run('merged', [write('stream.jsonl', stream)], [write('prices.jsonl', prices)]);
    const inPlace = await run('in-place', [write('interleaved.jsonl', interleaved)]);
    expect(merged.alerts).toBe(inPlace.alerts);
    // The third deposit is valued at the 9,999 price: 29,997 USD, no longer just under 10,000.
    expect(merged.alerts).not.toContain('structuring.just-under');
    expect(JSON.parse(merged.dlq.trim())).toMatchObject({ code: 'TW_SCHEMA', file: join(dir, 'prices.jsonl'), line: 2 });
  });
});
