/**
 * One IP address, one key: three logins from one IPv6 address written three ways
 * (compressed, full, upper case) are three accounts on one IP, as T5 asks; keyed on the raw text
 * they were three IPs and no alert.
 */
import { describe, expect, it } from 'vitest';
import { ipKey, isAstrill, isCarrierNat, linkedIpKey } from '../../src/engine/ip-address.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';

describe('IP address keys', () => {
  it('give every spelling of an IPv6 address its canonical form, and leave IPv4 as it is', () => {
    const forms = ['2001:db8:85a3::8a2e:370:7334', '2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:DB8:85A3:0:0:8A2E:370:7334'];
    expect(new Set(forms.map(ipKey))).toEqual(new Set(['2001:db8:85a3::8a2e:370:7334']));
    expect(ipKey('::FFFF:10.0.0.1')).toBe(ipKey('::ffff:a00:1'));
    // An IPv4-mapped address is the IPv4 client it carries, as a front end that does not map logs it.
    expect(['::ffff:1.2.3.4', '::ffff:102:304', '::FFFF:1.2.3.4', '0:0:0:0:0:ffff:0102:0304'].map(ipKey)).toEqual(['1.2.3.4', '1.2.3.4', '1.2.3.4', '1.2.3.4']);
    expect(ipKey('::1.2.3.4')).not.toBe('1.2.3.4'); // IPv4-compatible (deprecated), not mapped
    expect(ipKey('203.0.113.7')).toBe('203.0.113.7');
    expect(ipKey('2001:db8::1')).not.toBe(ipKey('2001:db8::2'));
  });

  it('link the accounts behind one IPv6 address however each service wrote it', () => {
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    const forms = ['2001:db8:85a3::8a2e:370:7334', '2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:DB8:85A3:0:0:8A2E:370:7334'];
    const alerts = forms.flatMap((ip, i) => pipeline.process(JSON.stringify({
      schema: 'exchange.login.v1', eventId: `v6-${i}`, occurredAt: `2025-03-01T0${i}:00:00.000Z`, accountId: `acct-v6-${i}`, ip, ipCountry: 'US', vpn: false, deviceId: `dev-v6-${i}`,
    }), { file: 'x', line: i + 1 }).alerts);
    const shared = alerts.filter((a) => a.ruleId === 'account-linkage.shared-ip');
    expect(new Set(shared.map((a) => a.subject.accountId))).toEqual(new Set(['acct-v6-0', 'acct-v6-1', 'acct-v6-2']));
  });

  it('leave carrier-grade NAT (100.64.0.0/10) and VPN exits other than Astrill unlinked', () => {
    expect(['100.64.0.0', '100.69.182.239', '100.127.255.255'].map(isCarrierNat)).toEqual([true, true, true]);
    expect(['100.63.255.255', '100.128.0.1', '10.64.0.1', '100.64.1', '100.64.0.1.5', '1100.64.0.1'].map(isCarrierNat)).toEqual([false, false, false, false, false, false]);
    expect(linkedIpKey({ ip: '100.100.1.1', vpn: false })).toBeUndefined();
    expect(linkedIpKey({ ip: '45.76.10.20', vpn: true, vpnProvider: 'NordVPN' })).toBeUndefined();
    expect(linkedIpKey({ ip: '45.76.10.20', vpn: true })).toBeUndefined();
    expect(['Astrill', 'Astrill VPN', 'AstrillVPN', 'ASTRILL VPN'].map(isAstrill)).toEqual([true, true, true, true]);
    // The rules' list, as their `in` compares (case-blind): a name outside it links nobody and would get no +15.
    expect(['astrill-vpn', 'Astrill_VPN', 'NotAstrill'].map(isAstrill)).toEqual([false, false, false]);
    expect(['::ffff:100.64.1.1', '::FFFF:6440:0101', '::ffff:100.128.0.1'].map(isCarrierNat)).toEqual([true, true, false]);
    expect(linkedIpKey({ ip: '45.76.10.20', vpn: true, vpnProvider: 'Astrill VPN' })).toBe('45.76.10.20');
    expect(linkedIpKey({ ip: '45.76.10.20', vpn: false })).toBe('45.76.10.20');
  });
});
