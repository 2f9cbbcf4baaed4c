import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/decode/decode.js';
import { Ordering, type FetchedBatch } from '../../src/monitor/ordering.js';
import { replayFiles } from '../../src/replay/replay.js';
import { serialiseAlert } from '../../src/sinks/serialise.js';
import { compareWithinInstant, instantRank, MAX_INSTANT_RUN } from '../../src/sources/instant-order.js';
import { EventTimeBuffer } from '../../src/monitor/event-time-buffer.js';
import { ReadBalance, type PausableReader } from '../../src/monitor/read-balance.js';
import { mergeByEventTime } from '../../src/sources/event-time-merge.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import type { DecodeResult } from '../../src/decode/decode.js';
import { ofacLabels, rules, sampleLines } from '../helpers/sample.js';

const TIME_FIELDS = ['occurredAt', 'blockTime', 'observedAt'] as const;

/** The sample with every event time cut to its day, sorted by it: runs of one instant of up to a few hundred lines. */
function sampleByDay(): string[][] {
  const rows = sampleLines().map((line) => {
    const m = JSON.parse(line) as Record<string, unknown>;
    const field = TIME_FIELDS.find((f) => typeof m[f] === 'string');
    if (field) m[field] = `${(m[field] as string).slice(0, 10)}T00:00:00.000Z`;
    return { day: field ? (m[field] as string) : '', line: JSON.stringify(m) };
  });
  rows.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)); // stable: file order within a day
  const runs: string[][] = [];
  let day: string | undefined;
  for (const r of rows) {
    if (r.day !== day) runs.push([]);
    day = r.day;
    runs.at(-1)!.push(r.line);
  }
  return runs;
}

/** A deterministic shuffle (a linear congruential generator), so a failure can be reproduced. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = Math.floor((s / 2147483648) * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function alertBytes(lines: string[]): Promise<string[]> {
  const replay = await replayFiles({ files: [], records: lines.map((text, i) => ({ text, origin: { line: i + 1 } })), rules: rules(), labels: ofacLabels() });
  return replay.alerts.map(serialiseAlert);
}

const login = (eventId: string, accountId: string, at: string): string => JSON.stringify({ schema: 'exchange.login.v1', eventId, occurredAt: at, accountId, ip: '203.0.113.7', ipCountry: 'US', vpn: false, deviceId: `dev-${accountId}` });
const deposit = (eventId: string, at: string): string => JSON.stringify({ schema: 'exchange.transfer.v1', eventId, kind: 'deposit', occurredAt: at, accountId: 'acct-1', chain: 'ethereum', asset: 'USDC', amount: '10', usdValue: 10, txHash: `0x${'1'.repeat(64)}`, from: ['0x569852ba4B73D7b1feE36e8B4b19b250C9e71779'], to: '0xBdbb4F5f2E360A7124879993CC910548D6F2010D', customer: { type: 'individual', kycCountry: 'US', createdAt: '2023-08-04T00:00:00.000Z' } });
const batch = (topic: string, partition: number, raws: string[]): FetchedBatch => ({
  topic, partition, highWatermark: String(raws.length),
  messages: raws.map((raw, offset) => ({ offset: String(offset), timestamp: '0', value: Buffer.from(raw) })),
});
const ids = (step: { value: { decoded: ReturnType<typeof decodeMessage> } }[]): string[] => step.map((e) => (e.value.decoded.ok ? e.value.decoded.event.eventId : 'reject'));

describe('the order of messages that share one instant', () => {
  it('gives the same alert bytes whatever the order of each instant (the sample with its times cut to the day: 17 lines differed reversed before)', async () => {
    const runs = sampleByDay();
    expect(runs.filter((r) => r.length > 1).length).toBeGreaterThan(50);
    const inOrder = await alertBytes(runs.flat());
    expect(inOrder.length).toBeGreaterThan(250);
    expect(await alertBytes(runs.map((r) => [...r].reverse()).flat())).toEqual(inOrder);
    expect(await alertBytes(runs.map((r, i) => shuffled(r, i + 1)).flat())).toEqual(inOrder);
  }, 120_000);

  it('puts evidence before the exchange events it explains, then orders by eventId', () => {
    const at = '2025-01-01T00:00:00Z';
    const item = (raw: string) => ({ decoded: decodeMessage(raw), raw });
    const items = [login('l-2', 'acct-1', at), deposit('d-9', at), login('l-1', 'acct-2', at), '{not json'].map(item);
    expect(items.map((i) => instantRank(i.decoded))).toEqual([4, 3, 4, 7]);
    expect([...items].sort(compareWithinInstant).map((i) => (i.decoded.ok ? i.decoded.event.eventId : 'reject'))).toEqual(['d-9', 'l-1', 'l-2', 'reject']);
  });

  it('applies one instant in the same order whichever partitions its messages sit on, and never splits it between steps', () => {
    const at = '2025-01-01T00:00:00Z';
    const later = '2025-01-01T00:00:05Z';
    const lines = ['c', 'a', 'e', 'b', 'd'].map((id) => login(id, `acct-${id}`, at));
    const stepsOf = (layout: string[][]): string[][] => {
      const o = new Ordering();
      layout.forEach((raws, p) => {
        o.register('logins', p, 0n, BigInt(raws.length + 1));
        o.accept(batch('logins', p, [...raws, login(`z${p}`, 'acct-z', later)]), decodeMessage, 0);
      });
      const steps: string[][] = [];
      for (let step = o.next(2, 10_000, 1000); step.length > 0; step = o.next(2, 10_000, 1000)) steps.push(ids(step));
      return steps;
    };
    const one = stepsOf([lines]);
    const three = stepsOf([[lines[3]!, lines[0]!], [lines[4]!], [lines[1]!, lines[2]!]]);
    // Steps of at most 2 go on to the end of the instant: all five come in the first step.
    expect(one[0]).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(three[0]).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('tells a replay checkpoint of an instant only once the whole instant is applied, in read order', async () => {
    const at = '2025-01-01T00:00:00Z';
    const lines = [login('c', 'acct-c', at), login('a', 'acct-a', at), login('b', 'acct-b', '2025-01-01T00:00:01Z')];
    const told: [number, boolean][] = [];
    await replayFiles({ files: [], records: lines.map((text, i) => ({ text, origin: { line: i + 1 } })), rules: rules(), labels: ofacLabels(), afterEach: (_p, origin, _t, settled) => { told.push([origin.line!, settled]); } });
    expect(told).toEqual([[1, false], [2, true], [3, true]]);
  });

  it('releases a bulk load at one instant a piece at a time while its partition still owes data, so the buffer stays bounded (session 45 review: 201,000 held)', () => {
    const n = 200_000;
    const b = new EventTimeBuffer<number>();
    b.register('labels', 0, 0n, BigInt(n));
    b.register('deposits', 0, 0n, BigInt(n));
    const balance = new ReadBalance(1000, 20_000);
    const paused = new Set<string>();
    const reader: PausableReader = {
      pause: (tps) => { for (const t of tps) for (const p of t.partitions) paused.add(`${t.topic}/${p}`); },
      resume: (tps) => { for (const t of tps) for (const p of t.partitions) paused.delete(`${t.topic}/${p}`); },
    };
    let labels = 0;
    let deposits = 0;
    let peak = 0;
    let appliedBeforeAllFetched = 0;
    for (let round = 0; labels < n; round++) {
      if (!paused.has('labels/0')) for (let i = 0; i < 500 && labels < n; i++, labels++) b.add('labels', 0, BigInt(labels), 1_000, labels, round);
      if (!paused.has('deposits/0')) for (let i = 0; i < 500 && deposits < n; i++, deposits++) b.add('deposits', 0, BigInt(deposits), 1_000 + deposits, deposits, round);
      for (let step = b.take(2000, round, 0); step.length > 0; step = b.take(2000, round, 0)) if (labels < n) appliedBeforeAllFetched += step.length;
      balance.balance(b, reader);
      peak = Math.max(peak, b.size);
    }
    expect(peak).toBeLessThan(20_000 + 2 * MAX_INSTANT_RUN);
    expect(appliedBeforeAllFetched).toBeGreaterThan(n / 2);
  });

  it('cuts an instant larger than a piece at the same places whatever the step size', () => {
    const count = 2 * MAX_INSTANT_RUN + 5_000;
    const decode = (raw: string): DecodeResult => {
      const m = JSON.parse(raw) as { id: string; t: number };
      return { ok: true, event: { type: 'label', time: m.t, eventId: m.id } } as unknown as DecodeResult;
    };
    const order = (maxStep: number): string[] => {
      const o = new Ordering();
      o.register('labels', 0, 0n, BigInt(count + 1));
      // eventIds fall as offsets rise, so each piece is reversed by the instant order.
      const raws = Array.from({ length: count + 1 }, (_, i) => JSON.stringify({ id: `ev-${String(count - i).padStart(6, '0')}`, t: i < 500 ? i : i === count ? 10_000 : 1_000 }));
      o.accept(batch('labels', 0, raws), decode, 0);
      const out: string[] = [];
      for (let step = o.next(maxStep, 0, 0); step.length > 0; step = o.next(maxStep, 0, 0)) out.push(...ids(step));
      return out;
    };
    const big = order(2000);
    expect(big).toHaveLength(count + 1);
    expect(order(256)).toEqual(big);
  });

  it('replays merged Kafka records in the monitor\'s instants: by order key, not by event time (session 45 review)', async () => {
    // Partition 0: a deposit at 100 s, then a login at 50 s (which lowers the deposit's key to 50 s); partition 1: a deposit at 100 s.
    const t = (s: number): string => new Date(Date.UTC(2025, 0, 1) + s * 1000).toISOString();
    const depositAt = (eventId: string, at: string) => deposit(eventId, at);
    const parts = [[depositAt('ev-z', t(100)), login('ev-m', 'acct-2', t(50))], [depositAt('ev-a', t(100))]];
    const monitor = new Ordering();
    parts.forEach((raws, p) => { monitor.register('in', p, 0n, BigInt(raws.length)); monitor.accept(batch('in', p, raws), decodeMessage, 0); });
    const monitorOrder: string[] = [];
    for (let step = monitor.next(100, 0, 0); step.length > 0; step = monitor.next(100, 0, 0)) monitorOrder.push(...ids(step));
    const streams = parts.map((raws, partition) => ({ topic: 'in', partition, records: (async function* () { for (const [i, raw] of raws.entries()) yield { offset: BigInt(i), value: { raw, decoded: decodeMessage(raw) } }; })() }));
    const records = async function* () {
      for await (const m of mergeByEventTime(streams, (v) => (v.decoded.ok ? v.decoded.event.time : undefined))) yield { text: m.value.raw, decoded: m.value.decoded, origin: { topic: m.topic, partition: m.partition, offset: String(m.offset) }, key: m.key };
    };
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    const applied: string[] = [];
    const processDecoded = pipeline.processDecoded.bind(pipeline);
    pipeline.processDecoded = (decoded, raw, origin) => { if (decoded.ok) applied.push(decoded.event.eventId); return processDecoded(decoded, raw, origin); };
    await replayFiles({ files: [], records: records(), rules: [], labels: [], pipelineInstance: pipeline });
    expect(monitorOrder).toEqual(['ev-m', 'ev-z', 'ev-a']);
    expect(applied).toEqual(monitorOrder);
  });
});
