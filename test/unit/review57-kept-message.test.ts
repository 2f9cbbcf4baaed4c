/**
 * Review 57 of the kept message (retained-fields.ts `transferKeeper`): whatever a retained
 * transfer's message reads from its event, every reader sees what the slimmed copy of 060c4a0
 * held, in the same key order: the rules' view, a timeline record, `toJSON` (the checkpoint), and
 * the message restored from a checkpoint. Probed on Tron and Bitcoin addresses (legacy, bech32 in
 * either case), a USD value of 0 or none (also with a market price in force), a withdrawal whose
 * `from` is absent, and a rule reload to a set that keeps other fields.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { restoreCheckpoint, saveCheckpoint } from '../../src/checkpoint/checkpoint.js';
import { decodeMessage } from '../../src/decode/decode.js';
import type { TransferEvent } from '../../src/decode/events.js';
import { eventView } from '../../src/engine/event-view.js';
import { isKeptMessage, messageSlimmer, retainedTransferFields } from '../../src/engine/retained-fields.js';
import type { LoadedRule } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { fromTransfer } from '../../src/timeline/timeline-event.js';
import { removeTempDirs, tempDir } from '../helpers/checkpoint.js';
import { rules } from '../helpers/sample.js';

afterAll(removeTempDirs);

const base = { schema: 'exchange.transfer.v1', status: 'completed', occurredAt: '2025-01-01T00:00:00.000Z', accountId: 'acct-k', asset: 'USDT', amount: '5.00' };
const cases: Record<string, Record<string, unknown>> = {
  'tron withdrawal': { kind: 'withdrawal', chain: 'tron', to: 'TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7', usdValue: 5 },
  'tron deposit': { kind: 'deposit', chain: 'tron', from: ['TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9'], to: 'TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7', usdValue: 5 },
  'bitcoin legacy': { kind: 'deposit', chain: 'bitcoin', asset: 'BTC', amount: '0.10000000', from: ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'], to: '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', usdValue: 6000 },
  'bitcoin bech32 lower': { kind: 'withdrawal', chain: 'bitcoin', asset: 'BTC', amount: '0.10000000', to: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', usdValue: 0 },
  'bitcoin bech32 upper': { kind: 'withdrawal', chain: 'bitcoin', asset: 'BTC', amount: '0.10000000', to: 'BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ' },
  'evm usd 0': { kind: 'deposit', chain: 'ethereum', from: ['0x00000000000000000000000000000000000000b1'], to: '0x00000000000000000000000000000000000000a2', usdValue: 0 },
  'evm no usd': { kind: 'deposit', chain: 'ethereum', from: ['0x00000000000000000000000000000000000000b1'], to: '0x00000000000000000000000000000000000000a2' },
  'evm no from': { kind: 'withdrawal', chain: 'ethereum', to: '0x00000000000000000000000000000000000000a3', usdValue: 12.5 },
  'evm empty from': { kind: 'withdrawal', chain: 'ethereum', from: [], to: '0x00000000000000000000000000000000000000a4', usdValue: 12.5 },
};
const lines = Object.entries(cases).map(([name, fields], i) =>
  JSON.stringify({ ...base, eventId: `k-${name.replace(/ /g, '-')}`, occurredAt: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(), ...fields }));
/** A market price for USDT before them: the transfers without a USD value are valued from it. */
const price = JSON.stringify({ schema: 'market.price.v1', asset: 'USDT', price: '1.0', source: 'test', time: '2024-12-31T23:00:00.000Z', observedAt: '2024-12-31T23:00:00.000Z' });

/** Every way a retained message is read, as one comparable value. */
function readings(t: TransferEvent, fields: readonly string[]): unknown {
  const msg = t.msg as unknown as Record<string, unknown>;
  const view = eventView(t);
  return {
    json: JSON.stringify(msg),
    fields: fields.map((f) => [f, msg[f]]),
    view: fields.map((f) => [f, view[f]]),
    timeline: JSON.stringify(fromTransfer(t.msg, t.time)),
  };
}

function expectedOf(line: string, slim: ReturnType<typeof messageSlimmer>, retained: TransferEvent, fields: readonly string[]): unknown {
  const decoded = decodeMessage(line);
  if (!decoded.ok || decoded.event.type !== 'transfer') throw new Error(`not a transfer: ${line}`);
  const copy = { ...retained, msg: slim(decoded.event.msg) } as TransferEvent;
  return readings(copy, fields);
}

function check(pipeline: Pipeline, ruleSet: readonly LoadedRule[], label: string): void {
  const fieldSet = retainedTransferFields(ruleSet)!;
  const slim = messageSlimmer(fieldSet);
  const fields = [...fieldSet];
  for (const line of lines) {
    const id = (JSON.parse(line) as { eventId: string }).eventId;
    const retained = pipeline.state.transfer(id);
    expect(retained, `${label}: ${id} retained`).toBeDefined();
    expect(readings(retained!, fields), `${label}: ${id}`).toEqual(expectedOf(line, slim, retained!, fields));
  }
}

describe('review 57: every reader of a kept message sees the slimmed copy', () => {
  it('Tron, Bitcoin, USD 0 or none, no `from`: live, with a market price, and restored from a checkpoint', async () => {
    for (const withPrice of [false, true]) {
      const pipeline = new Pipeline({ rules: rules() });
      if (withPrice) pipeline.process(price, { topic: 't' });
      for (const line of lines) expect(pipeline.process(line, { topic: 't' }).deadLetter).toBeUndefined();
      check(pipeline, rules(), withPrice ? 'priced' : 'live');
      // Both forms are probed: messages that read from their transfer, and copies (a checksummed or upper-case address, no `from`).
      const kept = lines.filter((l) => isKeptMessage(pipeline.state.transfer((JSON.parse(l) as { eventId: string }).eventId)!.msg)).length;
      expect(kept).toBeGreaterThanOrEqual(4);
      expect(kept).toBeLessThan(lines.length);
      const dir = tempDir('tw-review57-kept-');
      const saved = await saveCheckpoint(dir, pipeline, { rules: rules(), positions: {} });
      const restored = new Pipeline({ rules: rules(), labels: [] });
      await restoreCheckpoint(dir, saved.name, restored);
      check(restored, rules(), withPrice ? 'priced, restored' : 'restored');
    }
  });

  it('a USD value the price book gave is not read as the exchange\'s', () => {
    const pipeline = new Pipeline({ rules: rules() });
    pipeline.process(price, { topic: 't' });
    for (const line of lines) pipeline.process(line, { topic: 't' });
    const unvalued = pipeline.state.transfer('k-evm-no-usd')!;
    expect(unvalued.usdSource).not.toBe('exchange');
    expect(unvalued.usd).not.toBeNull();
    expect(unvalued.msg.usdValue).toBeUndefined();
    expect(JSON.stringify(unvalued.msg)).not.toContain('usdValue');
  });

  it('after a rule reload that keeps another field set, old and new transfers read as their slimmed copies', () => {
    const before = rules();
    // A rule set that reads one more message field (the transaction hash) through an explanation.
    const extra = before.map((r, i) => (i === 0 ? { ...r, spec: { ...r.spec, explain: `${r.spec.explain ?? ''} {event.txHash}` } } : r)) as LoadedRule[];
    expect(retainedTransferFields(extra)!.has('txHash')).toBe(true);
    const pipeline = new Pipeline({ rules: before });
    const [first, ...rest] = lines;
    pipeline.process(first!, { topic: 't' });
    pipeline.replaceRules(extra);
    for (const line of rest) pipeline.process(line, { topic: 't' });
    const id0 = (JSON.parse(first!) as { eventId: string }).eventId;
    const old = pipeline.state.transfer(id0)!;
    expect(readings(old, [...retainedTransferFields(before)!])).toEqual(expectedOf(first!, messageSlimmer(retainedTransferFields(before)!), old, [...retainedTransferFields(before)!]));
    for (const line of rest) {
      const id = (JSON.parse(line) as { eventId: string }).eventId;
      const t = pipeline.state.transfer(id)!;
      const fields = [...retainedTransferFields(extra)!];
      expect(readings(t, fields), id).toEqual(expectedOf(line, messageSlimmer(retainedTransferFields(extra)!), t, fields));
    }
  });
});
