/**
 * A step through the monitor's lateness stage (src/monitor/lateness-step.ts): a message the stage
 * goes on holding keeps only its own bytes, not its fetched batch's buffer.
 */
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/decode/decode.js';
import { LatenessStage } from '../../src/monitor/lateness-stage.js';
import { throughLateness, toNextCut } from '../../src/monitor/lateness-step.js';
import { prng } from '../../src/simulate/builders.js';
import { Ordering, type Fetched } from '../../src/monitor/ordering.js';
import type { Entry } from '../../src/monitor/event-time-buffer.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const login = (id: string, time: number): string => JSON.stringify({ schema: 'exchange.login.v1', eventId: id, occurredAt: new Date(time).toISOString(), accountId: id, ip: '203.0.113.7', ipCountry: 'US', vpn: false, deviceId: `dev-${id}` });

describe('a step through the lateness stage', () => {
  it('a message held after the rest of its batch was applied keeps only its own key and value bytes, read back unchanged', () => {
    const ordering = new Ordering();
    ordering.register('logins', 0, 0n, 0n);
    // 200 messages a second apart, and the last one dated a day ahead: the stage holds it (the stream
    // has not followed it) and the 61 messages within the lateness of the newest; 138 are released.
    const texts = Array.from({ length: 200 }, (_, i) => login(`a${i}`, T0 + i * 1000 + (i === 199 ? 86_400_000 : 0)));
    const messages = texts.map((t, i) => ({ offset: String(i), timestamp: '0', key: i === 199 ? Buffer.from('acct-é') : null, value: Buffer.from(t) }));
    ordering.accept({ topic: 'logins', partition: 0, highWatermark: '200', messages }, (t) => decodeMessage(t), 0);
    const stage = new LatenessStage<Entry<Fetched>>({ latenessMs: 60_000 });
    const step = ordering.next(1000, 1e13, 0);
    const released = throughLateness(stage, ordering, step);
    expect(released).toHaveLength(138);
    expect(stage.size).toBe(62);
    const held = stage.releaseAll().at(-1);
    const own = Buffer.byteLength('acct-é') + Buffer.byteLength(texts[199]!);
    expect(held!.value.retainedBytes).toBe(own);
    expect(held!.value.raw).toBe(texts[199]);
    expect(held!.value.bytes.equals(Buffer.from(texts[199]!))).toBe(true);
    expect(held!.value.record).toEqual({ key: 'acct-é' });
    expect(released[0]!.value.retainedBytes).toBeGreaterThan(100 * own);
  });

  it('a held tombstone and a held keyless message stay as they were', () => {
    const ordering = new Ordering();
    ordering.register('logins', 0, 0n, 0n);
    const ahead = login('ahead', T0 + 86_400_000);
    const messages = [
      { offset: '0', timestamp: '0', key: null, value: Buffer.from(login('a0', T0)) },
      { offset: '1', timestamp: '0', key: null, value: Buffer.from(ahead) },
      { offset: '2', timestamp: '0', key: Buffer.from('k'), value: null },
    ];
    ordering.accept({ topic: 'logins', partition: 0, highWatermark: '3', messages }, (t) => decodeMessage(t), 0);
    const stage = new LatenessStage<Entry<Fetched>>({ latenessMs: 60_000 });
    throughLateness(stage, ordering, ordering.next(10, 1e13, 0));
    const held = stage.releaseAll().map((e) => e.value);
    expect(held.map((f) => [f.raw, f.record, f.retainedBytes])).toEqual(expect.arrayContaining([[ahead, undefined, Buffer.byteLength(ahead)], ['', { key: 'k', tombstone: true }, 1]]));
  });

  it('releases the same messages in the same order however the reorder buffer splits the input into steps (a release per message, not per step)', () => {
    const MIN = 60_000;
    // Minutes 10, 55, 100, 101..108, then 3 (later than the lateness of 50: due at once; more than
    // ORDER_LOOKAHEAD messages after minute 100, so the reorder buffer's order keys leave it there).
    const times = [10, 55, 100, 101, 102, 103, 104, 105, 106, 107, 108, 3];
    const run = (stepSize: number): string[] => {
      const ordering = new Ordering();
      ordering.register('logins', 0, 0n, 0n);
      const messages = times.map((m, i) => ({ offset: String(i), timestamp: '0', key: null, value: Buffer.from(login(`m${m}`, T0 + m * MIN)) }));
      ordering.accept({ topic: 'logins', partition: 0, highWatermark: String(times.length), messages }, (t) => decodeMessage(t), 0);
      const stage = new LatenessStage<Entry<Fetched>>({ latenessMs: 50 * MIN });
      const out: string[] = [];
      for (let step = ordering.next(stepSize, 1e13, 0); step.length > 0; step = ordering.next(stepSize, 1e13, 0)) {
        for (const e of throughLateness(stage, ordering, step)) out.push(JSON.parse(e.value.raw).eventId as string);
      }
      return out;
    };
    // Minute 100 makes minute 10 due, minute 3 is due at once, minute 106 makes 55 due: as read,
    // whatever the steps (released once a step, one step of all gave 3, 10, 55).
    expect(run(1)).toEqual(['m10', 'm3', 'm55']);
    expect(run(1000)).toEqual(run(1));
  });

  it('cuts at the same input positions, releasing the same messages in the same order, whether the input comes in steps of 1, 7 or 1,000 messages; the stage is empty at each cut, and the applied cut there passes no message not yet put through (a cut in mid-instant did)', () => {
    const MIN = 60_000;
    // Two partitions, 3,000 messages a minute apart each, shuffled within blocks of 40 (a lateness
    // of 60 minutes covers it), read in one batch or many: a grid of 5 hours gives about 9 cuts.
    const rand = prng(11);
    const partition = (p: number): string[] => {
      const minutes = Array.from({ length: 3000 }, (_, i) => i + p * 0.5);
      for (let start = 0; start < minutes.length; start += 40) {
        for (let i = Math.min(start + 40, minutes.length) - 1; i > start; i--) {
          const j = start + Math.floor(rand() * (i - start + 1));
          [minutes[i], minutes[j]] = [minutes[j]!, minutes[i]!];
        }
      }
      return minutes.map((m, i) => login(`p${p}-${i}`, T0 + Math.round(m * MIN)));
    };
    const texts = [partition(0), partition(1)];
    const run = (stepSize: number, batchSize: number): { cuts: string[]; out: string[] } => {
      const ordering = new Ordering();
      for (const p of [0, 1]) ordering.register('logins', p, 0n, 3000n);
      for (let from = 0; from < 3000; from += batchSize) {
        for (const p of [0, 1]) {
          const messages = texts[p]!.slice(from, from + batchSize).map((t, i) => ({ offset: String(from + i), timestamp: '0', key: null, value: Buffer.from(t) }));
          ordering.accept({ topic: 'logins', partition: p, highWatermark: '3000', messages }, (t) => decodeMessage(t), 0);
        }
      }
      const stage = new LatenessStage<Entry<Fetched>>({ latenessMs: 60 * MIN, cutEveryMs: 300 * MIN });
      const cuts: string[] = [];
      const out: string[] = [];
      const id = (e: Entry<Fetched>): string => JSON.parse(e.value.raw).eventId as string;
      for (let step = ordering.next(stepSize, 1e13, 0); step.length > 0; step = ordering.next(stepSize, 1e13, 0)) {
        for (let from = 0; from < step.length; ) {
          const piece = toNextCut(stage, ordering, step, from);
          for (const e of piece.released) out.push(id(e));
          if (piece.cut) {
            expect(stage.size).toBe(0);
            cuts.push(id(step[piece.next - 1]!));
            // The applied cut (what a checkpoint here records) passes no message not yet put through.
            const applied = ordering.appliedCut();
            for (const e of step.slice(piece.next)) expect(e.offset, `${e.pk}@${e.offset} after a cut at ${applied.get(e.pk)}`).toBeGreaterThanOrEqual(applied.get(e.pk)!);
          }
          from = piece.next;
        }
      }
      for (const e of stage.releaseAll()) out.push(id(e));
      return { cuts, out };
    };
    const one = run(1, 3000);
    expect(one.cuts.length).toBeGreaterThanOrEqual(8);
    expect(one.out).toHaveLength(6000);
    expect(run(1000, 3000)).toEqual(one);
    expect(run(7, 3000)).toEqual(one);
    expect(run(1000, 50)).toEqual(one);
  });
});
