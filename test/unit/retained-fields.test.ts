/**
 * A retained transfer keeps only the message fields the rules in force can read: the rest
 * (occurredAt, txHash, the schema name) goes when the transfer enters the state, and no alert
 * changes by a byte, on the sample in order and with every chain and intel message delivered
 * last (late evidence re-examines retained transfers).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoadedRule } from '../../src/engine/loader.js';
import { messageSlimmer, retainedTransferFields } from '../../src/engine/retained-fields.js';
import { Pipeline, type PipelineOptions } from '../../src/pipeline/pipeline.js';
import { appended } from '../../src/state/tight-list.js';
import { rules, sampleLines } from '../helpers/sample.js';

function ruleReading(extra: Record<string, unknown>): LoadedRule {
  return { spec: { id: 'r', on: ['deposit'], where: [], require: [], signals: {}, evidence: {}, explain: 'x', score: { base: 1, modifiers: [] }, ...extra }, hash: 'r' } as unknown as LoadedRule;
}

function alertsOf(lines: readonly string[], state?: PipelineOptions['state']): { alerts: string; pipeline: Pipeline } {
  const pipeline = new Pipeline({ rules: rules(), ...(state ? { state } : {}) });
  const out: string[] = [];
  for (const line of lines) for (const a of pipeline.process(line, { topic: 't' }).alerts) out.push(JSON.stringify(a));
  return { alerts: out.join('\n'), pipeline };
}

describe('the fields a retained transfer keeps', () => {
  it('with the shipped rules: what rules and engine read, not occurredAt, txHash or the schema name', () => {
    const fields = retainedTransferFields(rules())!;
    for (const f of ['eventId', 'kind', 'status', 'accountId', 'chain', 'asset', 'amount', 'usdValue', 'from', 'to', 'session', 'customer']) expect(fields.has(f)).toBe(true);
    for (const f of ['occurredAt', 'txHash', 'schema']) expect(fields.has(f)).toBe(false);
  });

  it('follows the rules: a field named in a condition, an explanation or evidence is kept; the whole event keeps everything', () => {
    expect(retainedTransferFields([ruleReading({ where: [{ field: 'event.txHash', exists: true }] })])!.has('txHash')).toBe(true);
    expect(retainedTransferFields([ruleReading({ explain: 'paid at {event.occurredAt}' })])!.has('occurredAt')).toBe(true);
    expect(retainedTransferFields([ruleReading({ explain: 'tx {event.txHash|not given}' })])!.has('txHash')).toBe(true); // with text for no value
    expect(retainedTransferFields([ruleReading({ evidence: { when: 'event.occurredAt' } })])!.has('occurredAt')).toBe(true);
    expect(retainedTransferFields([ruleReading({ evidence: { all: 'event' } })])).toBeUndefined();
  });

  it('a slimmed message has the kept fields only, in the schema order, and leaves the original as it was', () => {
    const msg = JSON.parse('{"schema":"exchange.transfer.v1","eventId":"e1","kind":"deposit","status":"completed","occurredAt":"2025-01-01T00:00:00.000Z","accountId":"a","chain":"ethereum","asset":"USDT","amount":"5.00","txHash":"0x1","from":[],"to":"0x2"}');
    const slim = messageSlimmer(new Set(['to', 'eventId', 'amount']))(msg);
    expect(JSON.stringify(slim)).toBe('{"eventId":"e1","amount":"5.00","to":"0x2"}');
    expect(msg.occurredAt).toBe('2025-01-01T00:00:00.000Z');
  });
});

describe('transfers that name no sender (withdrawals)', () => {
  const message = (eventId: string, from: string[]) => JSON.parse(JSON.stringify({ schema: 'exchange.transfer.v1', eventId, kind: from.length ? 'deposit' : 'withdrawal', status: 'completed', occurredAt: '2025-01-01T00:00:00.000Z', accountId: 'a', chain: 'ethereum', asset: 'USDT', amount: '5.00', from, to: '0x00000000000000000000000000000000000000a2' }));

  it('share one frozen empty sender list once slimmed; a deposit keeps its own', () => {
    const slim = messageSlimmer(new Set(['eventId', 'from', 'to']));
    const [w1, w2] = [slim(message('w1', [])), slim(message('w2', []))];
    expect(w1.from).toEqual([]);
    expect(w1.from).toBe(w2.from);
    expect(Object.isFrozen(w1.from)).toBe(true);
    const deposit = message('d1', ['0x00000000000000000000000000000000000000b1']);
    expect(slim(deposit).from).toBe(deposit.from);
  });

  it('share one sender-key list in their decoded events, and alert as before', () => {
    const pipeline = new Pipeline({ rules: rules() });
    const w = (id: string) => JSON.stringify({ ...message(id, []), txHash: undefined });
    pipeline.process(w('w1'), { topic: 't' });
    pipeline.process(w('w2'), { topic: 't' });
    const [a, b] = [pipeline.state.transfer('w1')!, pipeline.state.transfer('w2')!];
    expect(a.from).toEqual([]);
    expect(a.from).toBe(b.from);
    expect(a.msg.from).toBe(b.msg.from);
  });
});

describe('slimming changes no alert', () => {
  const rank = (l: string): number => { const s = JSON.parse(l).schema as string; return s.startsWith('exchange') ? 0 : 1; };
  for (const [name, lines] of [['in order', sampleLines()], ['chain and intel last', [...sampleLines()].sort((a, b) => rank(a) - rank(b))]] as const) {
    it(`the sample, ${name}: the same alert bytes as keeping whole messages, and retained transfers without occurredAt`, () => {
      const slim = alertsOf(lines);
      const whole = alertsOf(lines, { transferFields: undefined });
      expect(slim.alerts.length).toBeGreaterThan(1000);
      expect(slim.alerts).toBe(whole.alerts);
      const id = lines.map((l) => JSON.parse(l) as { schema: string; eventId: string }).reverse().find((m) => m.schema === 'exchange.transfer.v1')!.eventId;
      expect(Object.keys(slim.pipeline.state.transfer(id)!.msg)).not.toContain('occurredAt');
      expect(Object.keys(whole.pipeline.state.transfer(id)!.msg)).toContain('occurredAt');
    });
  }
});

describe('short lists at their exact length', () => {
  it('a short list is copied with the item appended; past eight items the list itself grows', () => {
    const short = [1, 2];
    const next = appended(short, 3);
    expect(next).not.toBe(short);
    expect(next).toEqual([1, 2, 3]);
    expect(short).toEqual([1, 2]);
    const long = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(appended(long, 9)).toBe(long);
    expect(long).toHaveLength(9);
  });

  it('gives what concat gives, at every length, and leaves a short list as it was', () => {
    fc.assert(fc.property(fc.array(fc.anything(), { maxLength: 20 }), fc.anything(), (list: unknown[], item: unknown) => {
      const before = [...list];
      const expected = list.concat([item]);
      const next = appended(list, item);
      expect(next).toHaveLength(expected.length);
      for (let i = 0; i < expected.length; i++) expect(Object.is(next[i], expected[i])).toBe(true);
      if (before.length < 8) {
        expect(next).not.toBe(list);
        expect(list).toEqual(before);
      } else expect(next).toBe(list);
    }), { numRuns: 3000 });
  });
});
