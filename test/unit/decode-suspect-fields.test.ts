import { describe, expect, it } from 'vitest';
import { decodeMessage, DEFAULT_DECODE_OPTIONS } from '../../src/decode/decode.js';
import type { SuspectField } from '../../src/decode/suspect-fields.js';
import { MAX_UNKNOWN_KEYS } from '../../src/decode/misspelt-fields.js';
import { MAX_SERIES, OTHER_FIELD, SuspectFieldTally } from '../../src/pipeline/suspect-field-tally.js';
import { replayFiles } from '../../src/replay/replay.js';
import { rules, sampleLines } from '../helpers/sample.js';

/**
 * An accepted message's unknown field that looks like a misspelt optional field it lacks is told
 * (session 63): the message is still applied, as the contract allows unknown fields, but a deposit
 * whose `session` came as `sesion` lost its session without anyone knowing.
 */
const NO_CLOCK = { ...DEFAULT_DECODE_OPTIONS, maxAheadMs: undefined };
const ZOD_ONLY = { ...NO_CLOCK, fastPath: false };

const session = { ip: '203.0.113.7', ipCountry: 'DE', vpn: false, deviceId: 'dev-1' };
const deposit = {
  schema: 'exchange.transfer.v1', eventId: 'ev-1', kind: 'deposit', occurredAt: '2025-01-16T09:30:00Z', accountId: 'acct-1', chain: 'ethereum', asset: 'USDT', amount: '2500.00',
  usdValue: 2500, txHash: '0xabc', from: ['0x52908400098527886e0f7030069857d2e4169ee7'], to: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae', session,
  customer: { type: 'individual', kycCountry: 'DE', createdAt: '2024-01-01T00:00:00Z' },
};
const login = { schema: 'exchange.login.v1', eventId: 'lg-1', occurredAt: '2025-01-16T09:30:00Z', accountId: 'acct-1', ip: '203.0.113.7', ipCountry: 'DE', vpn: true, vpnProvider: 'Astrill', deviceId: 'dev-1' };

/** `value` with `from` renamed to `to` (at the end: key order does not matter to the check). */
function renamed(value: Record<string, unknown>, from: string, to: string): Record<string, unknown> {
  const { [from]: moved, ...rest } = value;
  return { ...rest, [to]: moved };
}

/** The suspects of an accepted message, the same with and without the fast path. */
function suspectsOf(value: unknown): SuspectField[] | undefined {
  const text = JSON.stringify(value);
  const fast = decodeMessage(text, NO_CLOCK);
  const zod = decodeMessage(text, ZOD_ONLY);
  if (!fast.ok || !zod.ok) throw new Error(`refused: ${fast.ok ? '' : fast.reject.reason}`);
  expect(zod.suspects).toEqual(fast.suspects);
  return fast.suspects;
}

describe('suspect fields of accepted messages', () => {
  it('names a deposit\'s `sesion` as a misspelt session, and applies the deposit without one', () => {
    const text = JSON.stringify(renamed(deposit, 'session', 'sesion'));
    const r = decodeMessage(text, NO_CLOCK);
    expect(r.ok && r.event.type === 'transfer' ? r.event.msg.session : 'refused').toBeUndefined();
    expect(r.ok ? r.suspects : undefined).toEqual([{ field: 'sesion', nearest: 'session' }]);
  });

  it('names a login\'s `deviceID`, a session\'s `deviceID`, a transfer\'s `txhash` and `usdvalue`', () => {
    expect(suspectsOf(renamed(login, 'deviceId', 'deviceID'))).toEqual([{ field: 'deviceID', nearest: 'deviceId' }]);
    expect(suspectsOf({ ...deposit, session: renamed(session, 'deviceId', 'deviceID') })).toEqual([{ field: 'session.deviceID', nearest: 'session.deviceId' }]);
    expect(suspectsOf(renamed(deposit, 'txHash', 'txhash'))).toEqual([{ field: 'txhash', nearest: 'txHash' }]);
    expect(suspectsOf(renamed(deposit, 'usdValue', 'usdvalue'))).toEqual([{ field: 'usdvalue', nearest: 'usdValue' }]);
  });

  it('says nothing of unknown fields near no absent optional field, nor when every optional field is there', () => {
    expect(suspectsOf({ ...deposit, extra: 1, note: 'x' })).toBeUndefined();
    // `sesion` beside a present `session` is an extension field, not a lost one.
    expect(suspectsOf({ ...deposit, sesion: 1 })).toBeUndefined();
    expect(suspectsOf({ ...renamed(deposit, 'session', 'sesion'), session })).toBeUndefined();
    expect(suspectsOf(renamed(login, 'deviceId', 'browser'))).toBeUndefined();
  });

  it('finds none in the bundled sample', () => {
    for (const line of sampleLines()) {
      const r = decodeMessage(line, NO_CLOCK);
      if (r.ok) expect(r.suspects, line).toBeUndefined();
    }
  });

  it('reads only the first 32 unknown keys of an object, as a refused message\'s are', () => {
    const padding = Object.fromEntries(Array.from({ length: MAX_UNKNOWN_KEYS }, (_, i) => [`x${i}`, i]));
    const { session: _s, ...withoutSession } = deposit;
    expect(suspectsOf({ ...withoutSession, ...padding, sesion: session })).toBeUndefined();
    const fewer = Object.fromEntries(Array.from({ length: MAX_UNKNOWN_KEYS - 1 }, (_, i) => [`x${i}`, i]));
    expect(suspectsOf({ ...withoutSession, ...fewer, sesion: session })).toEqual([{ field: 'sesion', nearest: 'session' }]);
  });
});

describe('the suspect field tally', () => {
  it('counts by topic, field and nearest, tells the first count of each, and bounds the series', () => {
    const tally = new SuspectFieldTally();
    expect(tally.note('exchange.deposits', { field: 'sesion', nearest: 'session' }).first).toBe(true);
    expect(tally.note('exchange.deposits', { field: 'sesion', nearest: 'session' }).first).toBe(false);
    expect(tally.note('exchange.logins', { field: 'sesion', nearest: 'session' }).first).toBe(true);
    for (let i = 0; i < 2 * MAX_SERIES; i++) tally.note('exchange.logins', { field: `deviceI${i}`, nearest: 'deviceId' });
    const summary = tally.summary();
    expect(summary.length).toBe(MAX_SERIES + 1);
    expect(summary[0]).toEqual({ topic: 'exchange.logins', field: OTHER_FIELD, nearest: 'deviceId', count: MAX_SERIES + 2 });
    expect(summary.find((s) => s.topic === 'exchange.deposits')).toEqual({ topic: 'exchange.deposits', field: 'sesion', nearest: 'session', count: 2 });
  });
});

describe('replay', () => {
  it('counts the suspect fields of the messages it applies by contract topic, for its report', async () => {
    const lines = [JSON.stringify(renamed(deposit, 'session', 'sesion')), JSON.stringify({ ...renamed(deposit, 'session', 'sesion'), eventId: 'ev-2' }), JSON.stringify(renamed(login, 'deviceId', 'deviceID'))];
    const { summary } = await replayFiles({ files: [], records: lines.map((text, i) => ({ text, origin: { line: i + 1 } })), rules: rules(), labels: [] });
    expect(summary.accepted).toBe(3);
    expect(summary.suspectFields).toEqual([
      { topic: 'exchange.deposits', field: 'sesion', nearest: 'session', count: 2 },
      { topic: 'exchange.logins', field: 'deviceID', nearest: 'deviceId', count: 1 },
    ]);
  });

  it('counts a message\'s suspect fields once: its redelivery (same eventId, dropped as a duplicate) is not counted again', async () => {
    const sent = JSON.stringify(renamed(deposit, 'session', 'sesion'));
    const { summary } = await replayFiles({ files: [], records: [sent, sent].map((text, i) => ({ text, origin: { line: i + 1 } })), rules: rules(), labels: [] });
    expect([summary.accepted, summary.duplicates]).toEqual([2, 1]);
    expect(summary.suspectFields).toEqual([{ topic: 'exchange.deposits', field: 'sesion', nearest: 'session', count: 1 }]);
  });
});
