import { describe, expect, it } from 'vitest';
import { decodeMessage, DEFAULT_DECODE_OPTIONS } from '../../src/decode/decode.js';
import { sampleLines } from '../helpers/sample.js';

const transfer = {
  schema: 'exchange.transfer.v1', eventId: 'ev-1', kind: 'deposit', occurredAt: '2025-01-16T09:30:00Z', accountId: 'acct-1',
  chain: 'ethereum', asset: 'USDT', amount: '2500.00', from: ['0x52908400098527886e0f7030069857d2e4169ee7'], to: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae',
};
const codeOf = (value: unknown): string | undefined => {
  const r = decodeMessage(typeof value === 'string' ? value : JSON.stringify(value));
  return r.ok ? undefined : r.reject.code;
};

describe('decode', () => {
  it('accepts a contract transfer, defaults status to completed and values stablecoins 1:1 without usdValue', () => {
    const r = decodeMessage(JSON.stringify(transfer));
    expect(r.ok).toBe(true);
    if (r.ok && r.event.type === 'transfer') {
      expect(r.event.msg.status).toBe('completed');
      expect([r.event.usd?.toString(), r.event.usdSource]).toEqual(['2500', 'peg']);
      expect(r.event.to).toBe('evm:0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae');
    } else expect.fail('not a transfer');
  });

  it('reads a message that starts with a byte-order mark as the same message, and rejects a mark anywhere else', () => {
    const plain = decodeMessage(JSON.stringify(transfer));
    const marked = decodeMessage('\uFEFF' + JSON.stringify(transfer));
    expect(marked.ok).toBe(true);
    expect(JSON.stringify(marked)).toBe(JSON.stringify(plain));
    const inside = decodeMessage(JSON.stringify(transfer).replace('{', '{\uFEFF'));
    expect(inside.ok ? 'accepted' : inside.reject.code).toBe('TW_JSON');
  });

  it('rejects an event time more than 366 days ahead of the clock, naming the field, and accepts one within it', () => {
    const now = () => Date.parse('2026-12-01T00:00:00.000Z');
    const options = { ...DEFAULT_DECODE_OPTIONS, now };
    const far = decodeMessage(JSON.stringify({ ...transfer, occurredAt: '2099-01-01T00:00:00.000Z' }), options);
    expect(far.ok ? 'accepted' : [far.reject.code, far.reject.issues?.[0]?.path]).toEqual(['TW_TIME_AHEAD', 'occurredAt']);
    expect(far.ok ? '' : far.reject.reason).toBe("exchange.transfer.v1: occurredAt: 2099-01-01T00:00:00.000Z is more than 366 days ahead of this machine's clock");
    expect(decodeMessage(JSON.stringify({ ...transfer, occurredAt: '2027-11-30T00:00:00.000Z' }), options).ok).toBe(true);
    expect(decodeMessage(JSON.stringify({ ...transfer, occurredAt: '2027-12-03T00:00:00.000Z' }), options).ok).toBe(false);
  });

  it('keeps amounts exact: 0.00012345 BTC stays 0.00012345, and a usdValue is the decimal its JSON text names', () => {
    const r = decodeMessage(JSON.stringify({ ...transfer, asset: 'BTC', amount: '0.00012345', usdValue: 11.73 }));
    expect(r.ok && r.event.type === 'transfer' && [r.event.amount.toString(), r.event.usd?.toString(), r.event.usdSource]).toEqual(['0.00012345', '11.73', 'exchange']);
    const table = decodeMessage(JSON.stringify({ ...transfer, asset: 'BTC', amount: '0.00012345' }));
    expect(table.ok && table.event.type === 'transfer' && [table.event.usd?.toString(), table.event.usdSource]).toEqual(['11.72775', 'table']);
  });

  it('shares one Decimal for the amount and a USD value equal to it, and keeps a differing one apart', () => {
    const equal = decodeMessage(JSON.stringify({ ...transfer, amount: '2500.25', usdValue: 2500.25 }));
    expect(equal.ok && equal.event.type === 'transfer' && equal.event.usd === equal.event.amount).toBe(true);
    const apart = decodeMessage(JSON.stringify({ ...transfer, amount: '2500.25', usdValue: 2499.9 }));
    expect(apart.ok && apart.event.type === 'transfer' && [apart.event.usd === apart.event.amount, apart.event.usd?.toString(), apart.event.amount.toString()]).toEqual([false, '2499.9', '2500.25']);
  });

  it('decodes every sender of a transfer into its key, in order', () => {
    const second = '0x1f9090aae28b8a3dceadf281b0f12828e676c326';
    const r = decodeMessage(JSON.stringify({ ...transfer, from: [transfer.from[0], second.toUpperCase().replace('0X', '0x')] }));
    expect(r.ok && r.event.type === 'transfer' && r.event.from).toEqual([`evm:${transfer.from[0]}`, `evm:${second}`]);
  });

  it('decodes chain amounts from base units exactly (1 wei of ETH, 1 satoshi)', () => {
    const evm = decodeMessage(JSON.stringify({ schema: 'chain.evm.tx.v1', chain: 'ethereum', hash: '0x' + 'ab'.repeat(32), blockNumber: 1, blockTime: '2025-01-16T09:30:00Z', from: transfer.from[0], to: transfer.to, value: '1000000000000000001' }));
    expect(evm.ok && evm.event.type === 'chain' && evm.event.transfers[0]!.amount.toString()).toBe('1.000000000000000001');
  });

  it.each([
    ['truncated JSON', JSON.stringify(transfer).slice(0, 40), 'TW_JSON'],
    ['JSON that is not an object', '[1,2,3]', 'TW_NOT_OBJECT'],
    ['a JSON string', '"hello"', 'TW_NOT_OBJECT'],
    ['an unknown schema version', { ...transfer, schema: 'exchange.transfer.v9' }, 'TW_UNKNOWN_SCHEMA'],
    ['a missing eventId', { ...transfer, eventId: undefined }, 'TW_SCHEMA'],
    ['a negative amount', { ...transfer, amount: '-5' }, 'TW_SCHEMA'],
    ['a non-numeric amount', { ...transfer, amount: 'lots' }, 'TW_SCHEMA'],
    ['a zero amount', { ...transfer, amount: '0.00' }, 'TW_SCHEMA'],
    ['an impossible amount', { ...transfer, amount: '1' + '0'.repeat(40) }, 'TW_SCHEMA'],
    ['an impossible usdValue', { ...transfer, usdValue: 1e20 }, 'TW_SCHEMA'],
    ['a bad time', { ...transfer, occurredAt: '2025-02-30T09:30:00Z' }, 'TW_SCHEMA'],
    ['a time without zone', { ...transfer, occurredAt: '2025-01-16 09:30:00' }, 'TW_SCHEMA'],
    ['an unknown chain', { ...transfer, chain: 'dogechain' }, 'TW_SCHEMA'],
    ['an EVM address with a broken checksum', { ...transfer, to: '0xDe0B295669a9FD93d5F28D9Ec85E40f4cb697BAe' }, 'TW_ADDRESS'],
    ['an oversized message', { ...transfer, pad: 'x'.repeat(1 << 20) }, 'TW_OVERSIZED'],
  ])('rejects %s with a reason code', (_name, input, code) => {
    expect(codeOf(input)).toBe(code);
  });

  it.each([
    ['an empty value (a tombstone, an empty line)', '', 'an empty value'],
    ['a blank line', ' \t\r', 'only whitespace'],
  ])('says %s is empty, not malformed', (_name, input, why) => {
    const r = decodeMessage(input);
    expect(r.ok ? 'accepted' : `${r.reject.code} ${r.reject.reason}`).toBe(`TW_JSON empty message: no JSON text (${why}${why === 'an empty value' ? ', such as a tombstone record or an empty line' : ''})`);
  });

  it('names the zod issue path of a schema failure', () => {
    const r = decodeMessage(JSON.stringify({ ...transfer, amount: '-5' }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reject.issues?.[0]?.path).toBe('amount');
  });

  it('rejects a Bitcoin transaction whose txid does not match its hex', () => {
    const btc = sampleLines().map((l) => JSON.parse(l)).find((m) => m.schema === 'chain.bitcoin.tx.v1');
    expect(codeOf(btc)).toBeUndefined();
    expect(codeOf({ ...btc, txid: btc.txid.replace(/^./, (c: string) => (c === 'a' ? 'b' : 'a')) })).toBe('TW_TXID');
  });

  it('decodes an ERC-20 Transfer log and ignores other logs without rejecting them', () => {
    const log = sampleLines().map((l) => JSON.parse(l)).find((m) => m.schema === 'chain.evm.log.v1' && m.chain === 'ethereum');
    const ok = decodeMessage(JSON.stringify(log));
    expect(ok.ok && ok.event.type).toBe('chain');
    const other = decodeMessage(JSON.stringify({ ...log, topics: ['0x' + '11'.repeat(32)] }));
    expect(other.ok && other.event.type).toBe('ignored');
  });

  it('decodes a TRC-20 Transfer log to base58 Tron addresses', () => {
    const log = sampleLines().map((l) => JSON.parse(l)).find((m) => m.schema === 'chain.evm.log.v1' && m.chain === 'tron');
    const r = decodeMessage(JSON.stringify(log));
    if (!r.ok || r.event.type !== 'chain') return expect.fail('not decoded');
    expect(r.event.transfers[0]!.from).toMatch(/^tron:T[1-9A-HJ-NP-Za-km-z]{33}$/);
    expect(r.event.transfers[0]!.asset).toBe('USDT');
  });

  it('takes the last of a member given twice, with and without the fast path (accepted by design: README "A JSON member given twice")', () => {
    const text = JSON.stringify(transfer).replace('"amount":"2500.00"', '"amount":"1","amount":"2"');
    expect(text).toContain('"amount":"1","amount":"2"');
    for (const fastPath of [true, false]) {
      const r = decodeMessage(text, { ...DEFAULT_DECODE_OPTIONS, fastPath });
      expect(r.ok && r.event.type === 'transfer' ? r.event.msg.amount : undefined).toBe('2');
    }
  });
});
