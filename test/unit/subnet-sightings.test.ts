/**
 * The IP block index (subnet-sightings.ts, T11's "IP /24 within 7 days"): the block of an
 * address (IPv4 /24, IPv6 /64) and which sessions have none, the bound per block (a carrier block
 * with many customers keeps the newest `maxAccounts`), the retention (a sighting older than it
 * before the newest event is never read, swept or not; with the shipped rules the young account's
 * 30 days, T11's 7 and the 90 days a late re-examination reaches back), and a checkpoint restore.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import type { LoginEvent } from '../../src/decode/events.js';
import { accountSighting, linkedOf, sightingsOf } from '../../src/engine/link-index.js';
import { SharedIpRanges } from '../../src/engine/shared-ip-ranges.js';
import { RuleState } from '../../src/engine/state.js';
import { subnetLinkRetention } from '../../src/engine/engine.js';
import { SUBNET_WITHIN, SubnetSightings, subnetKey, subnetOf } from '../../src/engine/subnet-sightings.js';
import { rules } from '../helpers/sample.js';
import { emptyPipeline, FIXED_TIME, records, removeTempDirs, replayRecords, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');

const login = (accountId: string, time: number, ip: string, extra: Partial<LoginEvent['msg']> = {}): LoginEvent => ({
  type: 'login', eventId: `l-${accountId}-${time}`, time, msg: { schema: 'exchange.login.v1', eventId: `l-${accountId}-${time}`, occurredAt: new Date(time).toISOString(), accountId, ip, ipCountry: 'US', vpn: false, deviceId: `dev-${accountId}`, ...extra },
});

const accountsOn = (state: RuleState, block: string, from = 0, to = Number.POSITIVE_INFINITY): string[] => state.linkedBySubnet(block, from, to).map((s) => s.accountId).sort();

describe('the block of an address', () => {
  it('is the IPv4 /24 and the IPv6 /64, whatever the spelling', () => {
    expect(subnetKey('203.0.113.77')).toBe('203.0.113.0/24');
    expect(subnetKey('203.0.113.12')).toBe('203.0.113.0/24');
    expect(subnetKey('2001:db8:10:20::5')).toBe('2001:db8:10:20::/64');
    expect(subnetKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(subnetKey('2001:db8:10:20:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:10:20::/64');
    expect(subnetKey('not-an-ip')).toBeUndefined();
  });

  it('is none for a session over a VPN (even Astrill), a carrier NAT or a listed shared range', () => {
    const shared = SharedIpRanges.parse('198.51.100.0/24');
    expect(subnetOf({ ip: '203.0.113.77', vpn: false }, shared)).toBe('203.0.113.0/24');
    expect(subnetOf({ ip: '203.0.113.77', vpn: true, vpnProvider: 'NordVPN' }, shared)).toBeUndefined();
    expect(subnetOf({ ip: '203.0.113.77', vpn: true, vpnProvider: 'Astrill' }, shared)).toBeUndefined();
    expect(subnetOf({ ip: '100.64.3.9', vpn: false }, shared)).toBeUndefined();
    expect(subnetOf({ ip: '198.51.100.7', vpn: false }, shared)).toBeUndefined();
    expect(subnetOf({ ip: '::ffff:203.0.113.5', vpn: false }, shared)).toBe('203.0.113.0/24');
  });
});

describe('the IP block index', () => {
  it('keeps at most maxAccounts accounts per block, the most recently seen', () => {
    let now = T0;
    const index = new SubnetSightings(256, () => now, 7 * DAY);
    for (let i = 0; i < 1_000; i++) {
      now = T0 + i * 60_000;
      index.sight('203.0.113.0/24', `acct-${i}`, now, `e-${i}`);
    }
    const kept = index.within('203.0.113.0/24', T0, now).map((s) => s.accountId);
    expect(kept).toHaveLength(256);
    expect(kept).toContain('acct-999');
    expect(kept).toContain('acct-744');
    expect(kept).not.toContain('acct-743');
  });

  it('reads no sighting older than the retention before the newest event, whether or not it was swept', () => {
    const retention = 7 * DAY;
    const state = new RuleState({ subnetLinks: true, subnetRetention: retention });
    state.add(login('pred', T0, '203.0.113.12'));
    state.add(login('other', T0 + 3 * DAY, '198.51.100.9'));
    expect(accountsOn(state, '203.0.113.0/24')).toEqual(['pred']);
    state.add(login('other', T0 + retention, '198.51.100.9'));
    expect(accountsOn(state, '203.0.113.0/24')).toEqual(['pred']); // exactly the retention: still read
    state.add(login('other', T0 + retention + 1, '198.51.100.9'));
    expect(accountsOn(state, '203.0.113.0/24')).toEqual([]); // a millisecond more: not read, though still held
    // A late sighting older than the retention is not taken in.
    state.add(login('late', T0, '203.0.113.40'));
    expect(accountsOn(state, '203.0.113.0/24')).toEqual([]);
  });

  it('keeps, with the shipped rules, the young account\'s 30 days, T11\'s 7 and the 90 a late re-examination reaches: a link depends on the two sightings, not on the newest event', () => {
    const retention = subnetLinkRetention(rules(), 90 * DAY);
    expect(retention).toBe(30 * DAY + SUBNET_WITHIN + 90 * DAY);
    const state = new RuleState({ subnetLinks: true, subnetRetention: retention });
    state.add(login('pred', T0, '203.0.113.12'));
    // Events of other accounts run 20 days ahead (another topic read first, or a quiet block).
    state.add(login('other', T0 + 20 * DAY, '198.51.100.9'));
    // A young account on the block 2 days after the predecessor, 18 behind the newest event, still finds it within 7 days.
    state.add(login('next', T0 + 2 * DAY, '203.0.113.77'));
    expect(accountsOn(state, '203.0.113.0/24', T0 + 2 * DAY - SUBNET_WITHIN, T0 + 2 * DAY + SUBNET_WITHIN)).toEqual(['next', 'pred']);
    expect(subnetLinkRetention(rules().filter((r) => r.spec.id !== 'dprk-it-payroll.persona-rotation'), 90 * DAY)).toBe(0);
  });

  it('reads an account on the block only where it has a sighting: not in a gap between two (kept per week), and each account once', () => {
    let now = T0;
    const index = new SubnetSightings(256, () => now, 127 * DAY);
    const sight = (accountId: string, time: number): void => { now = Math.max(now, time); index.sight('203.0.113.0/24', accountId, time, `e-${accountId}-${time}`); };
    sight('pred', T0);
    sight('pred', T0 + 20 * DAY);
    sight('next', T0 + 10 * DAY);
    const ids = (from: number, to: number): string[] => index.within('203.0.113.0/24', from, to).map((s) => s.accountId);
    expect(ids(T0 + 3 * DAY, T0 + 17 * DAY)).toEqual(['next']); // pred 10 days either side: not there
    expect(index.within('203.0.113.0/24', T0 - DAY, T0 + 30 * DAY)).toEqual([{ accountId: 'next', eventId: `e-next-${T0 + 10 * DAY}` }, { accountId: 'pred', eventId: `e-pred-${T0}` }]);
    // An entry from a checkpoint written before the weeks (the account id alone) reads as that account.
    const block = index.checkpointMap();
    block.set('203.0.113.0/24', linkedOf([...sightingsOf(block.get('203.0.113.0/24')!), accountSighting('old', T0 + 21 * DAY, 'e-old', T0 + 21 * DAY, 'e-old')]));
    expect(ids(T0 + 18 * DAY, T0 + 30 * DAY)).toEqual(['pred', 'old']);
  });

  it('reads no sighting a shorter retention let go, after a rule reload brings a longer one back, whether or not it was swept', () => {
    const accountsAfterReloads = (sightInBetween: boolean): string[] => {
      const state = new RuleState({ subnetLinks: true, subnetRetention: 127 * DAY });
      state.add(login('pred', T0, '203.0.113.12'));
      state.add(login('other', T0 + 20 * DAY, '198.51.100.9'));
      state.reconfigure({ subnetRetention: 7 * DAY }); // pred's sighting is past it
      if (sightInBetween) state.add(login('passer', T0 + 20 * DAY, '203.0.113.50')); // drops it from the block's list
      state.reconfigure({ subnetRetention: 127 * DAY });
      return accountsOn(state, '203.0.113.0/24', T0 - DAY, T0 + DAY);
    };
    expect(accountsAfterReloads(false)).toEqual([]);
    expect(accountsAfterReloads(true)).toEqual([]);
  });

  it('reads no sighting the retention in force let go, after a rule reload lengthens it, whether or not it was swept', () => {
    const accountsAfterReload = (sightInBetween: boolean): string[] => {
      const state = new RuleState({ subnetLinks: true, subnetRetention: 7 * DAY });
      state.add(login('pred', T0, '203.0.113.12'));
      // pred's sighting is past the 7 days; a VPN session sights no block, so no sweep passes here
      state.add(login('other', T0 + 20 * DAY, '198.51.100.9', { vpn: true, vpnProvider: 'Astrill' }));
      if (sightInBetween) state.add(login('passer', T0 + 20 * DAY, '203.0.113.50')); // drops it from the block's list
      state.reconfigure({ subnetRetention: 127 * DAY });
      return accountsOn(state, '203.0.113.0/24', T0 - DAY, T0 + DAY);
    };
    expect(accountsAfterReload(true)).toEqual([]);
    expect(accountsAfterReload(false)).toEqual([]);
  });

  it('links another address of the block, not VPN or shared-range sessions, and nothing unless asked for', () => {
    const state = new RuleState({ subnetLinks: true, sharedIpRanges: SharedIpRanges.parse('203.0.113.64/26') });
    state.add(login('pred', T0, '203.0.113.12'));
    state.add(login('next', T0 + DAY, '203.0.113.77')); // listed (203.0.113.64/26)
    state.add(login('vpn', T0 + DAY, '203.0.113.13', { vpn: true, vpnProvider: 'Astrill' }));
    state.add(login('peer', T0 + 2 * DAY, '203.0.113.200'));
    expect(accountsOn(state, '203.0.113.0/24')).toEqual(['peer', 'pred']);
    expect(accountsOn(state, '203.0.113.0/24', T0 + DAY, T0 + 3 * DAY)).toEqual(['peer']);
    const off = new RuleState();
    off.add(login('pred', T0, '203.0.113.12'));
    expect(accountsOn(off, '203.0.113.0/24')).toEqual([]);
  });
});

describe('a checkpoint', () => {
  it('carries the IP block sightings: the restored state reads the same accounts on the block', async () => {
    const line = (accountId: string, day: number, ip: string): string => JSON.stringify({ schema: 'exchange.login.v1', eventId: `l-${accountId}-${day}`, occurredAt: new Date(T0 + day * DAY).toISOString(), accountId, ip, ipCountry: 'US', vpn: false, deviceId: `dev-${accountId}` });
    const lines = [line('pred', 0, '203.0.113.12'), line('peer', 1, '203.0.113.99'), line('far', 2, '192.0.2.7')];
    const dir = tempDir('tw-subnets-');
    const first = await replayRecords(records(lines, 0, lines.length), dir, 'first');
    expect(accountsOn(first.result.pipeline.state, '203.0.113.0/24')).toEqual(['peer', 'pred']);
    await saveCheckpoint(dir, first.result.pipeline, { rules: rules(), positions: { line: lines.length }, createdAt: FIXED_TIME });
    const restored = await loadNewestValid(dir, { build: emptyPipeline(), rules: rules() });
    expect(restored?.warnings).toEqual([]);
    const state = restored!.pipeline.state;
    expect(state.linkedBySubnet('203.0.113.0/24', 0, Number.POSITIVE_INFINITY)).toEqual(first.result.pipeline.state.linkedBySubnet('203.0.113.0/24', 0, Number.POSITIVE_INFINITY));
    expect(accountsOn(state, '192.0.2.0/24')).toEqual(['far']);
    // The restored clock drives the retention the rules ask: past it after the newest sighting, none is read.
    state.add(login('later', T0 + 2 * DAY + subnetLinkRetention(rules(), 90 * DAY) + 1, '198.51.100.1'));
    expect(accountsOn(state, '192.0.2.0/24')).toEqual([]);
  });
});
