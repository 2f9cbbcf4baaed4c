/**
 * Identifiers with control characters are refused (session 46 Kafka QA: an `accountId` ending in
 * NUL was accepted and became an alert subject and a Kafka key), by the fast path and zod alike,
 * naming the field; printable text of any script stays accepted; a checkpoint whose retained events
 * hold such identifiers (accepted by a release before the check) still restores.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMessage, DEFAULT_DECODE_OPTIONS } from '../../src/decode/decode.js';
import { hasControlCharacter } from '../../src/decode/identifier-text.js';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';
import { emptyPipeline, FIXED_TIME, records, removeTempDirs, replayRecords, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const transfer = {
  schema: 'exchange.transfer.v1', eventId: 'ev-1', kind: 'deposit', occurredAt: '2025-01-16T09:30:00Z', accountId: 'acct-1',
  chain: 'ethereum', asset: 'USDT', amount: '2500.00', from: ['0x52908400098527886e0f7030069857d2e4169ee7'], to: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae',
  session: { ip: '203.0.113.7', ipCountry: 'US', vpn: false, deviceId: 'dev-1' },
};
const login = { schema: 'exchange.login.v1', eventId: 'l-1', occurredAt: '2025-01-16T09:00:00Z', accountId: 'acct-1', ip: '203.0.113.7', ipCountry: 'US', vpn: false, deviceId: 'dev-1' };
const label = { schema: 'intel.label.v1', chain: 'ethereum', address: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae', label: 'exchange', source: 'ops', observedAt: '2025-01-01T00:00:00Z' };

/** The reject's code and first issue path under both validators, or 'accepted'. */
function verdicts(message: object): string[] {
  return [true, false].map((fastPath) => {
    const r = decodeMessage(JSON.stringify(message), { ...DEFAULT_DECODE_OPTIONS, fastPath });
    return r.ok ? 'accepted' : `${r.reject.code} ${r.reject.issues?.[0]?.path}`;
  });
}

describe('identifiers holding control characters', () => {
  it('refuses a transfer whose accountId ends in NUL, naming the field, on the fast path and under zod', () => {
    expect(verdicts({ ...transfer, accountId: 'acct-1\u0000' })).toEqual(['TW_SCHEMA accountId', 'TW_SCHEMA accountId']);
  });

  it('refuses escape sequences, C1 controls and DEL in a login or session device id, an event id and a VPN provider', () => {
    expect(verdicts({ ...login, deviceId: 'dev\u001b[2J' })).toEqual(['TW_SCHEMA deviceId', 'TW_SCHEMA deviceId']);
    expect(verdicts({ ...login, eventId: 'l-1\u0085' })).toEqual(['TW_SCHEMA eventId', 'TW_SCHEMA eventId']);
    expect(verdicts({ ...login, vpn: true, vpnProvider: 'Astrill\u007f' })).toEqual(['TW_SCHEMA vpnProvider', 'TW_SCHEMA vpnProvider']);
    expect(verdicts({ ...transfer, session: { ...transfer.session, deviceId: 'dev\n2' } })).toEqual(['TW_SCHEMA session.deviceId', 'TW_SCHEMA session.deviceId']);
  });

  it('refuses an intel label whose source holds a tab, and says why in the reason', () => {
    const r = decodeMessage(JSON.stringify({ ...label, source: 'ops\tfeed' }));
    expect(r.ok ? 'accepted' : r.reject.reason).toBe('intel.label.v1: source: holds a control or invisible formatting character (C0, C1, DEL, zero-width or bidirectional)');
  });

  it('accepts printable identifiers in any script, with spaces and symbols', () => {
    expect(verdicts({ ...transfer, accountId: 'Zoë Ørsted 客户-42 🐳', session: { ...transfer.session, deviceId: 'iPhone (Zoë)' } })).toEqual(['accepted', 'accepted']);
    expect(verdicts({ ...login, accountId: 'acct\u00a0nbsp' })).toEqual(['accepted', 'accepted']);
  });

  it('tells C0, C1, DEL and invisible formatting from their visible neighbours', () => {
    const invisible = [0x00, 0x1f, 0x7f, 0x80, 0x9f, 0x200b, 0x200f, 0x2028, 0x202e, 0x2060, 0x2064, 0x2066, 0x2069, 0xfeff];
    expect(invisible.filter((c) => !hasControlCharacter(`a${String.fromCharCode(c)}b`)).map((c) => c.toString(16))).toEqual([]);
    const visible = [0x20, 0x7e, 0xa0, 0x200a, 0x2010, 0x2027, 0x202f, 0x205f, 0x2065, 0x206a, 0xfefe, 0xff01];
    expect(visible.filter((c) => hasControlCharacter(`a${String.fromCharCode(c)}b`)).map((c) => c.toString(16))).toEqual([]);
  });

  it('refuses a zero-width space in an account id and a right-to-left override in a device id', () => {
    expect(verdicts({ ...transfer, accountId: 'acct\u200b-1' })).toEqual(['TW_SCHEMA accountId', 'TW_SCHEMA accountId']);
    expect(verdicts({ ...login, deviceId: 'dev-\u202egnp.exe' })).toEqual(['TW_SCHEMA deviceId', 'TW_SCHEMA deviceId']);
  });

  it('checks a transfer\'s txHash, a price\'s source and, under SESSION_IP_FORMAT=any, a session IP', () => {
    expect(verdicts({ ...transfer, txHash: '0xabc\u0000' })).toEqual(['TW_SCHEMA txHash', 'TW_SCHEMA txHash']);
    const price = { schema: 'market.price.v1', asset: 'BTC', quote: 'USD', price: '60000', observedAt: '2025-01-01T00:00:00Z', source: 'feed\u0007' };
    const priced = decodeMessage(JSON.stringify(price));
    expect(priced.ok ? 'accepted' : `${priced.reject.code} ${priced.reject.issues?.[0]?.path}`).toBe('TW_SCHEMA source');
    const anyIp = decodeMessage(JSON.stringify({ ...login, ip: 'pseud-1\u0000' }), { ...DEFAULT_DECODE_OPTIONS, ipFormat: 'any' });
    expect(anyIp.ok ? 'accepted' : `${anyIp.reject.code} ${anyIp.reject.issues?.[0]?.path}`).toBe('TW_SCHEMA ip');
    expect(decodeMessage(JSON.stringify({ ...login, ip: 'pseud-1' }), { ...DEFAULT_DECODE_OPTIONS, ipFormat: 'any' }).ok).toBe(true);
  });

  it('restores a checkpoint whose retained events hold one (accepted before the check), and refuses it in new input', async () => {
    const dir = tempDir('tw-ckpt-ctl-');
    const lines = [JSON.stringify({ ...login, accountId: 'acct-1\u0000' }), JSON.stringify({ ...transfer, accountId: 'acct-1\u0000' })];
    const before = new Pipeline({ rules: rules(), labels: [], decode: { refuseControlCharacters: false } });
    const first = await replayRecords(records(lines, 0, lines.length), dir, 'first', before);
    expect(first.result.summary.accepted).toBe(lines.length);
    await saveCheckpoint(dir, first.result.pipeline, { rules: rules(), positions: { line: lines.length }, createdAt: FIXED_TIME });
    const restored = await loadNewestValid(dir, { build: emptyPipeline(), rules: rules() });
    expect(restored?.warnings).toEqual([]);
    expect(restored!.header.positions).toEqual({ line: lines.length });
    const second = await replayRecords(records([JSON.stringify({ ...login, eventId: 'l-2', accountId: 'acct-1\u0000' })], 0, 1), dir, 'second', restored!.pipeline);
    expect(second.dlq).toContain('"TW_SCHEMA"');
  });
});
