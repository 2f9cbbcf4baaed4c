/**
 * An optional contract field given as JSON null is read as absent (src/contract/null-optionals.ts):
 * producers that serialise an unset field as null (Jackson, Go, Python's asdict) were dead-lettered
 * (session 61 contract audit: `"txHash": null` on a requested withdrawal, `"deviceId": null` on a
 * login, `"blockHeight": null` on a mempool transaction). A required field given as null is still
 * refused, and a nullable required one (an EVM transaction's `to`) keeps its null.
 */
import { describe, expect, it } from 'vitest';
import { AccountEvents } from '../../src/console/account-events.js';
import { decodeMessage, DEFAULT_DECODE_OPTIONS, type DecodeResult } from '../../src/decode/decode.js';
import { bitcoinMessage, multiInput } from '../helpers/mainnet.js';

const transfer = {
  schema: 'exchange.transfer.v1', eventId: 'ev-1', kind: 'withdrawal', status: 'requested', occurredAt: '2025-01-16T09:30:00Z', accountId: 'acct-1',
  chain: 'ethereum', asset: 'USDT', amount: '2500.00', to: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae',
};
const login = { schema: 'exchange.login.v1', eventId: 'l-1', occurredAt: '2025-01-16T09:30:00Z', accountId: 'acct-1', ip: '203.0.113.7', ipCountry: 'FR', vpn: false };
const label = { schema: 'intel.label.v1', chain: 'ethereum', address: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae', label: 'sanctioned', source: 'ofac', observedAt: '2025-01-01T00:00:00Z' };
const evmTx = {
  schema: 'chain.evm.tx.v1', chain: 'ethereum', hash: `0x${'cd'.repeat(32)}`, blockNumber: 1755635, blockTime: '2016-06-23T12:00:00Z',
  from: '0xed059bc543141c8c93031d545079b3da0233b27f', to: '0x8b3b3b624c3c0397d3da8fd861512393d51dcbac', value: '1',
};
const evmLog = {
  schema: 'chain.evm.log.v1', chain: 'ethereum', txHash: `0x${'ef'.repeat(32)}`, logIndex: 0, blockNumber: 1755635, blockTime: '2016-06-23T12:00:00Z',
  address: '0xdac17f958d2ee523a2206206994597c13d831ec7', topics: [], data: '0x',
};

/** Both judges: the fast path and zod alone. */
const decodeBoth = (message: object): [DecodeResult, DecodeResult] => {
  const text = JSON.stringify(message);
  return [decodeMessage(text), decodeMessage(text, { ...DEFAULT_DECODE_OPTIONS, fastPath: false })];
};
/** The decoded event as bytes, for comparing a message with nulls and the same without them. */
const eventBytes = (r: DecodeResult): string => (r.ok ? JSON.stringify(r.event, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) : `rejected ${r.reject.code}: ${r.reject.reason}`);

/** `withNulls` decodes, with and without the fast path, to exactly what `absent` (the same message without those keys) decodes to. */
function expectNullReadAsAbsent(withNulls: object, absent: object): void {
  const [fast, zod] = decodeBoth(withNulls);
  const [expectedFast, expectedZod] = decodeBoth(absent);
  expect(expectedFast.ok).toBe(true);
  expect(eventBytes(fast)).toBe(eventBytes(expectedFast));
  expect(eventBytes(zod)).toBe(eventBytes(expectedZod));
}

describe('optional fields given as null', () => {
  it('reads a transfer\'s null usdValue, txHash, from, session, customer and status as absent (status then its default, completed)', () => {
    const { status: _status, ...withoutStatus } = transfer;
    expectNullReadAsAbsent({ ...transfer, usdValue: null, txHash: null, from: null, session: null, customer: null }, transfer);
    expectNullReadAsAbsent({ ...withoutStatus, status: null }, withoutStatus);
  });

  it('reads a session\'s null vpnProvider and deviceId as absent, in a transfer and in a login', () => {
    const session = { ip: '203.0.113.7', ipCountry: 'KP', vpn: true };
    expectNullReadAsAbsent({ ...transfer, session: { ...session, vpnProvider: null, deviceId: null } }, { ...transfer, session });
    expectNullReadAsAbsent({ ...login, vpnProvider: null, deviceId: null }, login);
  });

  it('reads a label\'s null entity, confidence and removed, a mempool transaction\'s null blockHeight, a log\'s null removed and a transaction\'s null status as absent', () => {
    expectNullReadAsAbsent({ ...label, entity: null, confidence: null, removed: null }, label);
    expectNullReadAsAbsent({ ...evmLog, removed: null }, evmLog);
    expectNullReadAsAbsent({ ...evmTx, status: null }, evmTx);
    const { blockHeight: _height, ...mempool } = JSON.parse(bitcoinMessage(multiInput().cases[0]!.transactions[0]!)) as Record<string, unknown>;
    expectNullReadAsAbsent({ ...mempool, blockHeight: null }, mempool);
  });

  it('still refuses a required field given as null, naming it, and keeps a contract creation\'s null `to`', () => {
    for (const [message, path] of [[{ ...transfer, to: null }, 'to'], [{ ...transfer, accountId: null }, 'accountId'], [{ ...login, ip: null }, 'ip'], [{ ...label, address: null }, 'address'], [{ ...evmTx, value: null }, 'value']] as const) {
      for (const r of decodeBoth(message)) expect(r.ok ? 'accepted' : [r.reject.code, r.reject.issues?.[0]?.path]).toEqual(['TW_SCHEMA', path]);
    }
    const creation = decodeBoth({ ...evmTx, to: null });
    for (const r of creation) expect(r.ok && r.event.type === 'chain' ? r.event.transfers.length : 'not a chain event').toBe(0);
  });

  it('lists a login with a null deviceId among the console\'s account events, as the monitor accepts it', () => {
    const index = new AccountEvents();
    index.addLine(JSON.stringify({ ...login, accountId: 'a', deviceId: null }));
    index.addLine(JSON.stringify({ ...login, eventId: 'l-2', accountId: 'b', deviceId: null }));
    expect(index.linkedAccounts('a').map((l) => `${l.via} ${l.accountId}`)).toEqual(['ip b']);
  });
});
