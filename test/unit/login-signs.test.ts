/**
 * What each account's logins showed (src/engine/login-signs.ts), kept apart from the history for
 * payer-risk: one entry per device, country and VPN combination; the first and newest sightings
 * of each, the same whatever order the logins came in; and bounded by time, per account and by
 * dormancy, telling the state of every account it let go of.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoginEvent } from '../../src/decode/events.js';
import { LoginSigns, SIGHTINGS_KEPT, SIGNS_PER_ACCOUNT, sightingAdded, sightingAtOrBefore } from '../../src/engine/login-signs.js';

/** Adds a sighting to `kept` in place, as the store keeps the array returned; whether it changed. */
function addSighting(kept: number[], time: number): boolean {
  const next = sightingAdded(kept, time);
  if (next === undefined) return false;
  if (next !== kept) kept.splice(0, kept.length, ...next);
  return true;
}

const DAY = 86_400_000;
const T0 = Date.parse('2025-03-01T00:00:00Z');

function login(accountId: string, time: number, session: { deviceId?: string; ipCountry?: string; vpn?: boolean } = {}): LoginEvent {
  const msg = { schema: 'exchange.login.v1' as const, eventId: `l-${accountId}-${time}`, occurredAt: new Date(time).toISOString(), accountId, ip: '10.0.0.1', ipCountry: session.ipCountry ?? 'US', vpn: session.vpn ?? false, ...(session.deviceId ? { deviceId: session.deviceId } : {}) };
  return { type: 'login', eventId: msg.eventId, time, msg };
}

describe('the sightings kept per sign', () => {
  it('are the first and the newest ones, whatever order they arrive in', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 30 }), fc.integer(), (times, seed) => {
      const shuffled = [...times].sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101));
      const kept: number[] = [];
      for (const t of shuffled) addSighting(kept, t);
      const sorted = [...times].sort((a, b) => a - b);
      const expected = sorted.length <= SIGHTINGS_KEPT + 1 ? sorted : [sorted[0]!, ...sorted.slice(-SIGHTINGS_KEPT)];
      expect(kept).toEqual(expected);
    }));
  });

  it('say nothing changed for a sighting already kept or one between the first and the newest', () => {
    const kept = [10];
    expect(addSighting(kept, 10)).toBe(false);
    for (const t of [20, 30, 40, 50]) expect(addSighting(kept, t)).toBe(true);
    expect(addSighting(kept, 15)).toBe(false); // older than every newest, newer than the first
    expect(kept).toEqual([10, 20, 30, 40, 50]);
    expect(addSighting(kept, 5)).toBe(true);
    expect(kept).toEqual([5, 20, 30, 40, 50]);
  });

  it('answer a window by the newest one at or before its end, and the next after it', () => {
    expect(sightingAtOrBefore([10, 20, 30], 25)).toEqual([20, 30]);
    expect(sightingAtOrBefore([10, 20, 30], 30)).toEqual([30, Number.POSITIVE_INFINITY]);
    expect(sightingAtOrBefore([10, 20, 30], 5)).toEqual([Number.NEGATIVE_INFINITY, 10]);
  });
});

describe('LoginSigns', () => {
  it('keeps one entry per device, country and VPN, however often the account signs in', () => {
    const signs = new LoginSigns(30 * DAY);
    for (let i = 0; i < 1000; i++) signs.note(login('a', T0 + i * 60_000, { deviceId: 'laptop' }));
    signs.note(login('a', T0 + DAY, { deviceId: 'laptop', vpn: true, ipCountry: 'NL' }));
    const kept = signs.of('a');
    expect(kept.map((s) => [s.deviceId, s.ipCountry, s.vpn])).toEqual([['laptop', 'US', false], ['laptop', 'NL', true]]);
    expect(kept[0]!.times).toEqual([T0, ...[996, 997, 998, 999].map((i) => T0 + i * 60_000)]);
  });

  it('keeps at most SIGNS_PER_ACCOUNT entries, the least recently seen going first', () => {
    const signs = new LoginSigns(30 * DAY);
    for (let i = 0; i <= SIGNS_PER_ACCOUNT; i++) signs.note(login('a', T0 + i * 1000, { deviceId: `dev-${i}` }));
    signs.note(login('a', T0 + 99_000, { deviceId: 'dev-1' }));
    signs.note(login('a', T0 + 100_000, { deviceId: 'dev-new' }));
    const devices = signs.of('a').map((s) => s.deviceId);
    expect(devices).toHaveLength(SIGNS_PER_ACCOUNT);
    expect(devices).not.toContain('dev-0');
    expect(devices).not.toContain('dev-2'); // dev-1 was seen again after dev-2
    expect(devices).toContain('dev-1');
    expect(devices).toContain('dev-new');
  });

  it('lets entries go once their last sighting passes the retention, and evicts accounts with none left, telling the state', () => {
    const dropped: string[] = [];
    const signs = new LoginSigns(10 * DAY, (accountId) => dropped.push(accountId));
    signs.note(login('quiet', T0, { vpn: true }));
    signs.note(login('busy', T0, { deviceId: 'old' }));
    signs.note(login('busy', T0 + 5 * DAY, { deviceId: 'new' }));
    // Logins of others move the clock on and the rolling sweep visits one account per login.
    for (let i = 0; i < 10; i++) signs.note(login(`other-${i}`, T0 + 12 * DAY + i));
    expect(signs.of('quiet')).toEqual([]);
    expect(dropped).toContain('quiet');
    expect(signs.of('busy').map((s) => s.deviceId)).toEqual(['new']);
    expect(signs.size).toBe(11);
    // A login older than the retention notes nothing and leaves no empty account behind.
    expect(signs.note(login('late', T0))).toBe(false);
    expect(signs.size).toBe(11);
    expect(signs.note(login('busy', T0, { deviceId: 'another' }))).toBe(false);
    expect(signs.of('busy').map((s) => s.deviceId)).toEqual(['new']);
  });

  it('notes nothing while no rule reads logins (retention 0), and forgets all when a reload says so', () => {
    const off = new LoginSigns(0);
    expect(off.note(login('a', T0, { vpn: true }))).toBe(false);
    expect(off.size).toBe(0);
    const on = new LoginSigns(DAY);
    on.note(login('a', T0, { vpn: true }));
    on.setRetention(0);
    expect(on.size).toBe(0);
    expect(on.note(login('a', T0 + 1))).toBe(false);
  });
});
