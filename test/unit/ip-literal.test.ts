/**
 * A session's IP must be an IP address (QA: a login from "999.1.1.1" was accepted). The check is
 * hand-written for IPv4 (char codes, no regex, no allocation: it runs on every login and session)
 * and must accept exactly what node's net.isIPv4 does; IPv6 is node's own net.isIPv6.
 */
import { isIP, isIPv4 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIpLiteral, isIpv4Literal } from '../../src/contract/primitives.js';
import { decodeMessage } from '../../src/decode/decode.js';
import { ipText } from '../helpers/arbitraries.js';
import { sampleLines } from '../helpers/sample.js';

const login = (ip: unknown): string => JSON.stringify({ schema: 'exchange.login.v1', eventId: 'l-1', occurredAt: '2025-03-01T09:00:00Z', accountId: 'acct-1', ip, ipCountry: 'US', vpn: false });
const deposit = (ip: unknown): string => JSON.stringify({
  schema: 'exchange.transfer.v1', eventId: 'd-1', kind: 'deposit', occurredAt: '2025-03-01T09:00:00Z', accountId: 'acct-1', chain: 'ethereum', asset: 'USDT', amount: '100',
  from: [], to: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae', session: { ip, ipCountry: 'US', vpn: false },
});

describe('IP literals', () => {
  it('accept exactly the IPv4 text node accepts (generated addresses and near-misses)', () => {
    fc.assert(fc.property(fc.oneof(ipText, fc.string({ unit: fc.constantFrom(...'0123456789.:'), maxLength: 18 })), (text) => {
      expect(isIpv4Literal(text), text).toBe(isIPv4(text));
      expect(isIpLiteral(text), text).toBe(isIP(text) !== 0 && !text.includes('%')); // no zone index (below)
    }), { numRuns: 20_000, seed: 4601 });
  });

  it('refuse octets past 255, too few or too many octets, leading zeros, host names and free text', () => {
    for (const bad of ['999.1.1.1', '256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.4.', 'localhost', 'unknown', ' 203.0.113.7', '1::2::3', '2001:db8::g']) expect(isIpLiteral(bad), bad).toBe(false);
    for (const good of ['0.0.0.0', '203.0.113.7', '255.255.255.255', '::', '2001:DB8::1', '::ffff:203.0.113.7', 'fe80::1']) expect(isIpLiteral(good), good).toBe(true);
  });

  it('refuse an IPv6 zone index, which node accepts with any text after the % (free text in an address)', () => {
    for (const zoned of ['fe80::1%eth0', 'fe80::1%acct-7', '2001:db8::1%1']) {
      expect(isIP(zoned), zoned).toBe(6);
      expect(isIpLiteral(zoned), zoned).toBe(false);
    }
  });

  it('send a login with ip "999.1.1.1" to the dead letters with a reason naming the field, fast path or zod', () => {
    for (const fastPath of [true, false]) {
      const r = decodeMessage(login('999.1.1.1'), { ...decodeOptions(), fastPath });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.reject.code).toBe('TW_SCHEMA');
      expect(r.reject.reason).toMatch(/^exchange\.login\.v1: ip: not an IPv4 or IPv6 address/);
      expect(r.reject.issues).toEqual([{ path: 'ip', message: expect.stringContaining('not an IPv4 or IPv6 address') }]);
    }
  });

  it("send a deposit whose session's ip is not an address to the dead letters, naming session.ip", () => {
    const r = decodeMessage(deposit('999.1.1.1'));
    expect(r.ok ? undefined : [r.reject.code, r.reject.issues?.map((i) => i.path)]).toEqual(['TW_SCHEMA', ['session.ip']]);
    expect(decodeMessage(deposit('2001:db8::7')).ok).toBe(true);
  });

  it('with SESSION_IP_FORMAT=any (ipFormat any) are not asked for: an opaque pseudonym and 999.1.1.1 are accepted as the text they are', () => {
    for (const fastPath of [true, false]) {
      for (const ip of ['999.1.1.1', 'h:5f2b9c0e', 'pseudonym-7781']) {
        const r = decodeMessage(login(ip), { ...decodeOptions(), fastPath, ipFormat: 'any' });
        expect(r.ok && r.event.type === 'login' ? r.event.msg.ip : r).toBe(ip);
        expect(decodeMessage(deposit(ip), { ...decodeOptions(), fastPath, ipFormat: 'any' }).ok).toBe(true);
      }
    }
  });

  it('accept every IP of the bundled sample', () => {
    const ips = sampleLines().flatMap((l) => [...l.matchAll(/"ip":"([^"]*)"/g)].map((m) => m[1]!));
    expect(ips.length).toBeGreaterThan(1000);
    expect(ips.filter((ip) => !isIpLiteral(ip))).toEqual([]);
  });
});

function decodeOptions(): Parameters<typeof decodeMessage>[1] & object {
  return { maxBytes: 1 << 20, prices: {}, maxAheadMs: undefined };
}
