/**
 * SHARED_IP_RANGES: the operator's allow-list of shared IP ranges (offices, NATs) that T5 asks
 * for. An address in a range links no accounts, in either family and either IPv6 spelling of an
 * IPv4 address; a bad entry stops start-up naming the variable and the entry.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { monitorPipelines } from '../../src/cli/monitor-wiring.js';
import { loadConfig } from '../../src/config/config.js';
import { configRefusal } from '../helpers/config-refusal.js';
import { linkedIpKey } from '../../src/engine/ip-address.js';
import { SharedIpRanges } from '../../src/engine/shared-ip-ranges.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';
import { emptyPipeline, FIXED_TIME, records, removeTempDirs, replayRecords, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const session = (ip: string) => ({ ip, vpn: false });

/** Five accounts' logins from one address within five hours: enough for account-linkage.shared-ip. */
const officeLogins = (ip: string, prefix = 'office'): string[] => Array.from({ length: 5 }, (_, i) => JSON.stringify({
  schema: 'exchange.login.v1', eventId: `${prefix}-${i}`, occurredAt: `2025-03-08T0${i}:00:00.000Z`, accountId: `acct-${prefix}-${i}`, ip, ipCountry: 'US', vpn: false, deviceId: `dev-${prefix}-${i}`,
}));

describe('shared IP ranges', () => {
  const ranges = SharedIpRanges.parse(' 203.0.113.0/24, 2001:db8:10::/48 ,198.51.100.7');

  it('take CIDR blocks of both families and single addresses, and match only inside them', () => {
    expect(ranges.size).toBe(3);
    expect(['203.0.113.0', '203.0.113.255', '2001:db8:10:ffff::1', '198.51.100.7'].map((k) => ranges.has(k))).toEqual([true, true, true, true]);
    expect(['203.0.114.0', '2001:db8:11::1', '198.51.100.8', 'pseud-7f3a'].map((k) => ranges.has(k))).toEqual([false, false, false, false]);
    expect(SharedIpRanges.parse('').has('203.0.113.9')).toBe(false);
  });

  it('make a session in a range link no accounts, an IPv4-mapped spelling included, and leave other sessions linking', () => {
    expect(linkedIpKey(session('203.0.113.9'), ranges)).toBeUndefined();
    expect(linkedIpKey(session('::ffff:203.0.113.9'), ranges)).toBeUndefined();
    expect(linkedIpKey(session('2001:DB8:10::7'), ranges)).toBeUndefined();
    expect(linkedIpKey(session('203.0.114.9'), ranges)).toBe('203.0.114.9');
    expect(linkedIpKey(session('203.0.113.9'))).toBe('203.0.113.9');
  });

  it('refuse a bad entry at start-up, naming the variable and the entry', () => {
    expect(configRefusal({ SHARED_IP_RANGES: '203.0.113.0/33' })).toMatch(/SHARED_IP_RANGES: "203\.0\.113\.0\/33": the prefix length must be a whole number from 1 to 32/);
    expect(configRefusal({ SHARED_IP_RANGES: '203.0.113.0/24,office-wifi' })).toMatch(/SHARED_IP_RANGES: "office-wifi" is not an IPv4 or IPv6 address or CIDR block/);
    expect(configRefusal({ SHARED_IP_RANGES: 'fe80::1%eth0/64' })).toContain('SHARED_IP_RANGES');
    expect(configRefusal({ SHARED_IP_RANGES: '2001:db8::/129' })).toContain('from 1 to 128');
    expect(configRefusal({ SHARED_IP_RANGES: '203.0.113.0/24, 2001:db8::/32, ::ffff:203.0.113.0/120, 198.51.100.7' })).toBe('accepted');
  });

  it('refuse a prefix typo that would widen a block silently: host bits set, /0, a leading zero', () => {
    expect(configRefusal({ SHARED_IP_RANGES: '203.0.113.7/2' })).toContain('"203.0.113.7/2": the address has bits set past its /2 prefix');
    expect(configRefusal({ SHARED_IP_RANGES: '::1/32' })).toContain('bits set past its /32 prefix');
    expect(configRefusal({ SHARED_IP_RANGES: '0.0.0.0/0' })).toContain('from 1 to 32');
    expect(configRefusal({ SHARED_IP_RANGES: '::/0' })).toContain('from 1 to 128');
    expect(configRefusal({ SHARED_IP_RANGES: '10.0.0.0/08' })).toContain('from 1 to 32');
  });

  it('reach the monitor\'s pipelines through a configuration copied by structured clone (the fold worker\'s copy)', () => {
    const build = monitorPipelines(structuredClone(loadConfig({ SHARED_IP_RANGES: '203.0.113.0/24' })), []);
    const pipeline = build(rules());
    const outcomes = officeLogins('203.0.113.9').map((l, i) => pipeline.process(l, { line: i + 1 }));
    expect(outcomes.map((o) => o.deadLetter?.code ?? 'applied')).toEqual(Array(5).fill('applied'));
    expect(outcomes.flatMap((o) => o.alerts).filter((a) => a.ruleId === 'account-linkage.shared-ip')).toEqual([]);
  });

  it('stop linking from a range listed after a restore, though the restored state holds its sightings', async () => {
    const dir = tempDir('tw-shared-ip-');
    const lines = officeLogins('203.0.113.9');
    const before = await replayRecords(records(lines.slice(0, 4), 0, 4), dir, 'before', new Pipeline({ rules: rules(), labels: [] }));
    await saveCheckpoint(dir, before.result.pipeline, { rules: rules(), positions: { line: 4 }, createdAt: FIXED_TIME });
    const listed = SharedIpRanges.parse('203.0.113.0/24');
    const restored = await loadNewestValid(dir, { build: () => new Pipeline({ rules: rules(), labels: [], state: { sharedIpRanges: listed } }), rules: rules() });
    const fifth = restored!.pipeline.process(lines[4]!, { line: 5 });
    expect(fifth.deadLetter).toBeUndefined();
    expect(fifth.alerts.filter((a) => a.ruleId === 'account-linkage.shared-ip')).toEqual([]);
    // Without the list the same fifth login alerts: the state does hold the four sightings.
    const unlisted = await loadNewestValid(dir, { build: emptyPipeline(), rules: rules() });
    expect(unlisted!.pipeline.process(lines[4]!, { line: 5 }).alerts.filter((a) => a.ruleId === 'account-linkage.shared-ip').length).toBeGreaterThan(0);
  });

  it('stop account-linkage.shared-ip on an office address in a range, and keep it on one outside', () => {
    const sharedIpAlerts = (options: { sharedIpRanges?: SharedIpRanges }): string[] => {
      const pipeline = new Pipeline({ rules: rules(), labels: [], state: options });
      const lines = [...officeLogins('203.0.113.9', 'office'), ...officeLogins('192.0.2.44', 'farm')].sort((a, b) => JSON.parse(a).occurredAt.localeCompare(JSON.parse(b).occurredAt));
      return lines.flatMap((l, i) => pipeline.process(l, { line: i + 1 }).alerts).filter((a) => a.ruleId === 'account-linkage.shared-ip').map((a) => a.subject.accountId).sort();
    };
    const farm = ['acct-farm-0', 'acct-farm-1', 'acct-farm-2', 'acct-farm-3', 'acct-farm-4'];
    const office = farm.map((a) => a.replace('farm', 'office'));
    expect(sharedIpAlerts({})).toEqual(expect.arrayContaining([...farm, ...office]));
    const withRanges = sharedIpAlerts({ sharedIpRanges: SharedIpRanges.parse('203.0.113.0/24') });
    expect(withRanges).toEqual(expect.arrayContaining(farm));
    expect(withRanges.filter((a) => a.includes('office'))).toEqual([]);
  });
});
