import { describe, expect, it } from 'vitest';
import { decodeMessage, DEFAULT_DECODE_OPTIONS, EARLIEST_EVENT_TIME, type DecodeResult } from '../../src/decode/decode.js';
import { sampleLines } from '../helpers/sample.js';

/**
 * No crypto-asset event is older than Bitcoin's genesis block (2009-01-03T18:15:05Z): an older
 * event time is refused as TW_TIME_PAST, naming its field and the bound (session 63 QA: 1970,
 * year 0001 and 2008 were accepted, and would have set windows and retention decades back).
 */
const NO_CLOCK = { ...DEFAULT_DECODE_OPTIONS, maxAheadMs: undefined };
const ZOD_ONLY = { ...NO_CLOCK, fastPath: false };

const price = { schema: 'market.price.v1', asset: 'BTC', quote: 'USD', price: '65000', observedAt: '2025-01-16T09:30:00Z', source: 'feed' };

/** The first sample line of each schema, and a price, with their event time's field. */
function messages(): { field: string; value: Record<string, unknown> }[] {
  const fields: Record<string, string> = {
    'exchange.transfer.v1': 'occurredAt', 'exchange.login.v1': 'occurredAt', 'chain.bitcoin.tx.v1': 'blockTime',
    'chain.evm.tx.v1': 'blockTime', 'chain.evm.log.v1': 'blockTime', 'intel.label.v1': 'observedAt',
  };
  const out = [{ field: 'observedAt', value: price as Record<string, unknown> }];
  for (const [schema, field] of Object.entries(fields)) {
    const line = sampleLines().find((l) => (JSON.parse(l) as { schema: string }).schema === schema && decodeMessage(l, NO_CLOCK).ok);
    if (line === undefined) throw new Error(`no accepted ${schema} in the sample`);
    out.push({ field, value: JSON.parse(line) as Record<string, unknown> });
  }
  return out;
}

const at = (value: Record<string, unknown>, field: string, time: string): string => JSON.stringify({ ...value, [field]: time });
const verdict = (r: DecodeResult): unknown => (r.ok ? 'accepted' : [r.reject.code, r.reject.issues?.[0]?.path]);

const IMPOSSIBLE = ['1970-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '1999-12-31T23:59:59.999Z', '2008-12-31T23:59:59Z', '2009-01-03T18:15:04.999Z'];
const POSSIBLE = [EARLIEST_EVENT_TIME, '2009-01-03T18:15:05.000+00:00', '2009-01-04T00:00:00Z', '2025-01-16T09:30:00Z'];

describe('event times before the genesis block', () => {
  const all = messages();

  it('refuses every schema\'s event time before 2009-01-03T18:15:05Z as TW_TIME_PAST on its field, with and without the fast path', () => {
    expect(all.length).toBe(7);
    for (const { field, value } of all) {
      for (const time of IMPOSSIBLE) {
        expect(verdict(decodeMessage(at(value, field, time), NO_CLOCK)), `${String(value.schema)} ${time}`).toEqual(['TW_TIME_PAST', field]);
        expect(verdict(decodeMessage(at(value, field, time), ZOD_ONLY)), `${String(value.schema)} ${time} (zod)`).toEqual(['TW_TIME_PAST', field]);
      }
    }
  });

  it('accepts every schema\'s event time from the bound on', () => {
    for (const { field, value } of all) {
      for (const time of POSSIBLE) expect(verdict(decodeMessage(at(value, field, time), NO_CLOCK)), `${String(value.schema)} ${time}`).toBe('accepted');
    }
  });

  it('names the field, the time and the bound in the reason', () => {
    const transfer = all.find((m) => m.value.schema === 'exchange.transfer.v1')!;
    const r = decodeMessage(at(transfer.value, 'occurredAt', '1970-01-01T00:00:00Z'), NO_CLOCK);
    expect(r.ok ? '' : r.reject.reason).toBe("exchange.transfer.v1: occurredAt: 1970-01-01T00:00:00.000Z is before 2009-01-03T18:15:05Z, Bitcoin's genesis block: no crypto-asset event can be older (an epoch of 0, a wrong year or a unit error)");
  });

  it('is taken by default, and left out only for a checkpoint\'s retained events (refuseBeforeGenesis: false)', () => {
    const login = all.find((m) => m.value.schema === 'exchange.login.v1')!;
    expect(verdict(decodeMessage(at(login.value, 'occurredAt', '2008-06-01T00:00:00Z')))).toEqual(['TW_TIME_PAST', 'occurredAt']);
    expect(verdict(decodeMessage(at(login.value, 'occurredAt', '2008-06-01T00:00:00Z'), { ...NO_CLOCK, refuseBeforeGenesis: false }))).toBe('accepted');
  });

  it('leaves a customer\'s createdAt unbounded: an account may be older than crypto (a broker that added it)', () => {
    const transfer = all.find((m) => m.value.schema === 'exchange.transfer.v1')!;
    const customer = { type: 'individual', kycCountry: 'DE', createdAt: '1998-04-01T00:00:00Z' };
    expect(verdict(decodeMessage(JSON.stringify({ ...transfer.value, customer }), NO_CLOCK))).toBe('accepted');
  });
});
