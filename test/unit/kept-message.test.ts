/**
 * A retained transfer's message holds no copy of what its event holds already (the event id, the
 * USD value the exchange gave, the addresses as sent): it reads them from its transfer, to the very
 * values the slimmed copy held, and the checkpoint writes it as it wrote that copy. A transfer whose
 * fields would not read back so (a checksummed address) keeps the copy.
 */
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/decode/decode.js';
import { messageSlimmer, retainedTransferFields } from '../../src/engine/retained-fields.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules, sampleLines } from '../helpers/sample.js';

const own = (msg: object, field: string): boolean => Object.prototype.hasOwnProperty.call(msg, field);

function transferMessage(eventId: string, fields: Record<string, unknown>): string {
  return JSON.stringify({ schema: 'exchange.transfer.v1', eventId, kind: 'withdrawal', status: 'completed', occurredAt: '2025-01-01T00:00:00.000Z', accountId: 'a', chain: 'ethereum', asset: 'USDT', amount: '5.00', to: '0x00000000000000000000000000000000000000a2', ...fields });
}

describe('the message a retained transfer keeps', () => {
  it('in the sample: reads every kept field as the slimmed copy did, and holds no event id, USD value or address of its own', () => {
    const pipeline = new Pipeline({ rules: rules() });
    const lines = sampleLines();
    for (const line of lines) pipeline.process(line, { topic: 't' });
    const slim = messageSlimmer(retainedTransferFields(rules())!);
    let kept = 0;
    let checked = 0;
    for (const line of lines) {
      const decoded = decodeMessage(line);
      if (!decoded.ok || decoded.event.type !== 'transfer') continue;
      const retained = pipeline.state.transfer(decoded.event.eventId);
      if (!retained) continue;
      checked++;
      const copy = slim(decoded.event.msg) as unknown as Record<string, unknown>;
      const msg = retained.msg as unknown as Record<string, unknown>;
      expect(JSON.stringify(msg)).toBe(JSON.stringify(copy));
      for (const field of Object.keys(copy)) expect(msg[field]).toEqual(copy[field]);
      if (!['eventId', 'usdValue', 'from', 'to'].some((f) => own(msg, f))) kept++;
    }
    // The sample's EVM addresses are mostly checksummed (those transfers keep a copy): both forms are read here.
    expect(kept).toBeGreaterThan(100);
    expect(checked - kept).toBeGreaterThan(100);
  });

  it('reads the USD value the exchange gave and the addresses as sent from its transfer', () => {
    const pipeline = new Pipeline({ rules: rules() });
    pipeline.process(transferMessage('d1', { kind: 'deposit', usdValue: 1234.56, from: ['0x00000000000000000000000000000000000000b1', '0x00000000000000000000000000000000000000b2'] }), { topic: 't' });
    const msg = pipeline.state.transfer('d1')!.msg;
    expect([own(msg, 'usdValue'), own(msg, 'from'), own(msg, 'to'), own(msg, 'eventId')]).toEqual([false, false, false, false]);
    expect(msg.usdValue).toBe(1234.56);
    expect(msg.from).toEqual(['0x00000000000000000000000000000000000000b1', '0x00000000000000000000000000000000000000b2']);
    expect(msg.to).toBe('0x00000000000000000000000000000000000000a2');
    expect(msg.eventId).toBe('d1');
    expect(JSON.parse(JSON.stringify(msg))).toEqual({ eventId: 'd1', kind: 'deposit', status: 'completed', accountId: 'a', chain: 'ethereum', asset: 'USDT', amount: '5.00', usdValue: 1234.56, from: ['0x00000000000000000000000000000000000000b1', '0x00000000000000000000000000000000000000b2'], to: '0x00000000000000000000000000000000000000a2' });
  });

  it('keeps its own copy when an address is not sent as its key writes it (a checksummed EVM address)', () => {
    const checksummed = '0x52908400098527886E0F7030069857D2E4169EE7';
    const pipeline = new Pipeline({ rules: rules() });
    pipeline.process(transferMessage('w1', { to: checksummed }), { topic: 't' });
    const transfer = pipeline.state.transfer('w1')!;
    expect(transfer.to).toBe(`evm:${checksummed.toLowerCase()}`);
    expect(own(transfer.msg, 'to')).toBe(true);
    expect(transfer.msg.to).toBe(checksummed);
  });
});
