/**
 * The console's linked accounts (from `--events` files) link by IP as the rules do (session 47
 * review: they keyed the raw text, so a listed office range, a NordVPN exit or two spellings of
 * one IPv6 address disagreed with the alerts), and take no line the monitor would refuse for a
 * control character in an identifier.
 */
import { describe, expect, it } from 'vitest';
import { AccountEvents } from '../../src/console/account-events.js';
import { SharedIpRanges } from '../../src/engine/shared-ip-ranges.js';

const login = (accountId: string, ip: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ schema: 'exchange.login.v1', eventId: `l-${accountId}-${ip}`, occurredAt: '2025-03-08T01:00:00.000Z', accountId, ip, ipCountry: 'US', vpn: false, ...extra });

function indexOf(lines: string[], ranges?: SharedIpRanges): AccountEvents {
  const index = new AccountEvents(ranges);
  for (const l of lines) index.addLine(l);
  return index;
}

const ipLinks = (index: AccountEvents, accountId: string): string[] => index.linkedAccounts(accountId).filter((l) => l.via === 'ip').map((l) => `${l.accountId} ${l.value}`).sort();

describe('console linked accounts by IP', () => {
  it('link two spellings of one IPv6 address, and not a listed range, a VPN exit or a carrier NAT', () => {
    const lines = [
      login('a', '2001:db8::1'), login('b', '2001:0DB8:0:0:0:0:0:1'),
      login('a', '203.0.113.9'), login('c', '203.0.113.9'),
      login('a', '198.51.100.4', { vpn: true, vpnProvider: 'NordVPN' }), login('d', '198.51.100.4', { vpn: true, vpnProvider: 'NordVPN' }),
      login('a', '100.64.0.7'), login('e', '100.64.0.7'),
    ];
    expect(ipLinks(indexOf(lines), 'a')).toEqual(['b 2001:db8::1', 'c 203.0.113.9']);
    expect(ipLinks(indexOf(lines, SharedIpRanges.parse('203.0.113.0/24')), 'a')).toEqual(['b 2001:db8::1']);
  });

  it('take no event whose identifiers hold a control character', () => {
    const index = indexOf([login('a\u0000', '203.0.113.9'), login('a', '203.0.113.9', { deviceId: 'dev\u001b' })]);
    expect(index.timeline('a\u0000')).toEqual([]);
    expect(index.timeline('a')).toEqual([]);
  });
});
