/**
 * A time whose `t` separator or `z` zone is lower case (`2025-01-16t09:30:00z`) is read as the
 * upper-case time (src/contract/time-letters.ts): RFC 3339, the ISO-8601 profile producers follow,
 * allows them, and the contract's times are ISO-8601 UTC. Until session 62 each such message was
 * a dead letter (TW_SCHEMA). A space for `T` and offsets other than `Z`/`+00:00` stay refused.
 */
import { describe, expect, it } from 'vitest';
import { AccountEvents } from '../../src/console/account-events.js';
import { decodeMessage, DEFAULT_DECODE_OPTIONS, type DecodeResult } from '../../src/decode/decode.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { bitcoinMessage, multiInput } from '../helpers/mainnet.js';
import { rules, sampleLines } from '../helpers/sample.js';

const transfer = {
  schema: 'exchange.transfer.v1', eventId: 'ev-1', kind: 'deposit', occurredAt: '2025-01-16T09:30:00.250Z', accountId: 'acct-1',
  chain: 'ethereum', asset: 'USDT', amount: '2500.00', from: ['0x8b3b3b624c3c0397d3da8fd861512393d51dcbac'], to: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae',
  customer: { type: 'individual', kycCountry: 'US', createdAt: '2024-03-01T00:00:00Z' },
};
const login = { schema: 'exchange.login.v1', eventId: 'l-1', occurredAt: '2025-01-16T09:30:00Z', accountId: 'acct-1', ip: '203.0.113.7', ipCountry: 'FR', vpn: false };
const label = { schema: 'intel.label.v1', chain: 'ethereum', address: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae', label: 'sanctioned', source: 'ofac', observedAt: '2025-01-01T00:00:00+00:00' };
const evmTx = {
  schema: 'chain.evm.tx.v1', chain: 'ethereum', hash: `0x${'cd'.repeat(32)}`, blockNumber: 1755635, blockTime: '2016-06-23T12:00:00Z',
  from: '0xed059bc543141c8c93031d545079b3da0233b27f', to: '0x8b3b3b624c3c0397d3da8fd861512393d51dcbac', value: '1',
};
const evmLog = {
  schema: 'chain.evm.log.v1', chain: 'ethereum', txHash: `0x${'ef'.repeat(32)}`, logIndex: 0, blockNumber: 1755635, blockTime: '2016-06-23T12:00:00Z',
  address: '0xdac17f958d2ee523a2206206994597c13d831ec7', topics: [], data: '0x',
};
const price = { schema: 'market.price.v1', asset: 'ETH', quote: 'USD', price: '3000', observedAt: '2025-01-16T09:00:00Z', source: 'feed' };

/** The JSON text with every time's `T` and `Z` in lower case. */
const lowerTimeLetters = (text: string): string => text.replace(/"(\d{4}-\d{2}-\d{2})T([0-9:.]+)(Z|\+00:00)"/g, (_m, date: string, clock: string, zone: string) => `"${date}t${clock}${zone === 'Z' ? 'z' : zone}"`);
const eventBytes = (r: DecodeResult): string => (r.ok ? JSON.stringify(r.event, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) : `rejected ${r.reject.code}: ${r.reject.reason}`);

/** The lower-case text decodes, with and without the fast path, to exactly what the upper-case text decodes to. */
function expectReadAsUpperCase(text: string): void {
  const lower = lowerTimeLetters(text);
  expect(lower).not.toBe(text);
  for (const options of [DEFAULT_DECODE_OPTIONS, { ...DEFAULT_DECODE_OPTIONS, fastPath: false }]) {
    const expected = decodeMessage(text, options);
    expect(expected.ok, eventBytes(expected)).toBe(true);
    expect(eventBytes(decodeMessage(lower, options))).toBe(eventBytes(expected));
  }
}

describe('times with a lower-case t or z', () => {
  it('are accepted as the upper-case time in a transfer (occurredAt and customer.createdAt) and a login', () => {
    expectReadAsUpperCase(JSON.stringify(transfer));
    expectReadAsUpperCase(JSON.stringify(login));
  });

  it('are accepted as the upper-case time in a label (also with +00:00), a price, an EVM transaction and log, and a bitcoin transaction', () => {
    for (const m of [label, price, evmTx, evmLog]) expectReadAsUpperCase(JSON.stringify(m));
    expectReadAsUpperCase(bitcoinMessage(multiInput().cases[0]!.transactions[0]!));
  });

  it('accept a lower-case letter alone (t with Z, T with z)', () => {
    const upper = decodeMessage(JSON.stringify(login));
    expect(eventBytes(decodeMessage(JSON.stringify({ ...login, occurredAt: '2025-01-16t09:30:00Z' })))).toBe(eventBytes(upper));
    expect(eventBytes(decodeMessage(JSON.stringify({ ...login, occurredAt: '2025-01-16T09:30:00z' })))).toBe(eventBytes(upper));
  });

  it('still refuse a space for T, a non-UTC offset and a lower-case letter elsewhere, naming the field', () => {
    for (const occurredAt of ['2025-01-16 09:30:00Z', '2025-01-16t09:30:00+01:00', '2025-01-16t09:30:00', 'z025-01-16t09:30:00z', '2025-01-16t09:30:00zz']) {
      const r = decodeMessage(JSON.stringify({ ...login, occurredAt }));
      expect(r.ok, occurredAt).toBe(false);
      if (!r.ok) expect(r.reject.reason).toContain('occurredAt');
    }
  });

  it('are read by the console\'s account events as the monitor reads them', () => {
    const events = new AccountEvents();
    events.addLine(lowerTimeLetters(JSON.stringify(transfer)));
    events.addLine(lowerTimeLetters(JSON.stringify({ ...login, eventId: 'l-2' })));
    expect(events.timeline('acct-1').map((e) => `${e.eventId} ${e.at}`)).toEqual(['ev-1 2025-01-16T09:30:00.250Z', 'l-2 2025-01-16T09:30:00Z']);
  });

  it('give the first 2,500 lines of the sample with every time in lower case the same alerts, byte for byte, and no dead letter', () => {
    const run = (lines: string[]): { alerts: string[]; rejects: number } => {
      const pipeline = new Pipeline({ rules: rules() });
      let rejects = 0;
      const alerts = lines.flatMap((l, i) => {
        const out = pipeline.process(l, { file: 'sample', line: i + 1 });
        if (out.deadLetter) rejects += 1;
        return out.alerts.map((a) => JSON.stringify(a));
      });
      return { alerts, rejects };
    };
    const lines = sampleLines().slice(0, 2500);
    const lower = run(lines.map(lowerTimeLetters));
    expect(lower.rejects).toBe(0);
    const upper = run(lines).alerts;
    expect(upper.length).toBeGreaterThan(20);
    expect(lower.alerts).toEqual(upper);
  }, 120_000);
});
