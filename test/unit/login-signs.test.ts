/**
 * What each account's logins showed (src/engine/login-signs.ts), kept apart from the history for
 * payer-risk: one entry per device, country and VPN combination; the first and newest sightings
 * of each, the same whatever order the logins came in; and bounded by time, per account and by
 * dormancy, telling the state of every account it let go of.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoginEvent } from '../../src/decode/events.js';
import { AccountSigns, LoginSigns, SIGHTINGS_KEPT, SIGNS_PER_ACCOUNT, sightingAdded, sightingAtOrBefore, type LoginSign } from '../../src/engine/login-signs.js';
import { ShardedMap } from '../../src/state/sharded-map.js';

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

/**
 * The store as it was up to session 53, a list of one object per sign, kept here as the model the
 * packed layout (one AccountSigns per account, session 54) must answer exactly as: the same return
 * from every login, the same signs in the same order, the same accounts told of drops and evicted.
 */
class ListedLoginSigns {
  private readonly byAccount = new ShardedMap<string, LoginSign[]>();
  private newest = Number.NEGATIVE_INFINITY;

  constructor(private readonly retention: number, private readonly dropped: (accountId: string) => void) {}

  note(event: LoginEvent): boolean {
    const time = event.time;
    if (time > this.newest) this.newest = time;
    const { accountId, deviceId, ipCountry, vpn } = event.msg;
    this.byAccount.sweepSome(1, this.expire);
    const signs = this.byAccount.get(accountId);
    if (signs !== undefined) {
      this.dropExpired(signs);
      const sign = signs.find((s) => s.deviceId === deviceId && s.ipCountry === ipCountry && s.vpn === vpn);
      if (sign !== undefined) {
        const times = sightingAdded(sign.times, time);
        if (times !== undefined) sign.times = times;
        return times !== undefined;
      }
    }
    if (time < this.newest - this.retention) {
      if (signs !== undefined && signs.length === 0) this.byAccount.delete(accountId);
      return false;
    }
    const kept = signs ?? [];
    if (kept.length >= SIGNS_PER_ACCOUNT) kept.splice(kept.reduce((at, s, i) => (s.times.at(-1)! < kept[at]!.times.at(-1)! ? i : at), 0), 1);
    this.byAccount.set(accountId, [...kept, { deviceId, ipCountry, vpn, times: [time] }]);
    return true;
  }

  of(accountId: string): LoginSign[] {
    return (this.byAccount.get(accountId) ?? []).map((s) => ({ ...s, times: [...s.times] }));
  }

  get size(): number {
    return this.byAccount.size;
  }

  private dropExpired(signs: LoginSign[]): boolean {
    const kept = signs.filter((s) => s.times.at(-1)! >= this.newest - this.retention);
    const any = kept.length < signs.length;
    signs.splice(0, signs.length, ...kept);
    return any;
  }

  private readonly expire = (signs: LoginSign[], accountId: string): boolean => {
    if (this.dropExpired(signs)) this.dropped(accountId);
    return signs.length === 0;
  };
}

describe('the packed layout (one AccountSigns per account)', () => {
  const session = fc.record({
    accountId: fc.constantFrom('a', 'b'),
    deviceId: fc.constantFrom(undefined, 'laptop', 'phone', 'tablet'),
    ipCountry: fc.constantFrom('US', 'NL', 'DE'),
    vpn: fc.boolean(),
  });
  // Mostly forward in time, a step at a time, with one login in five late by up to 60: a retention
  // of 40 lets signs expire and late logins fall behind it, and two accounts reach past
  // SIGNS_PER_ACCOUNT signs (4 devices, 3 countries, VPN or not).
  const logins = fc.array(fc.tuple(session, fc.nat(2), fc.option(fc.integer({ min: 1, max: 60 }), { freq: 4 })), { minLength: 60, maxLength: 240 });

  it('answers every login and every reader as the list of objects did, whatever the order, drops and evictions', () => {
    fc.assert(fc.property(logins, (steps) => {
      const [packedDropped, listedDropped] = [[] as string[], [] as string[]];
      const packed = new LoginSigns(40, (a) => packedDropped.push(a));
      const listed = new ListedLoginSigns(40, (a) => listedDropped.push(a));
      let clock = T0;
      for (const [{ accountId, ...rest }, advance, late] of steps) {
        clock += advance;
        const event = login(accountId, clock - (late ?? 0), rest);
        expect(packed.note(event)).toBe(listed.note(event));
        for (const a of ['a', 'b']) expect(packed.of(a)).toEqual(listed.of(a));
        expect(packed.size).toBe(listed.size);
        expect(packedDropped).toEqual(listedDropped);
      }
    }), { numRuns: 300 });
  });

  it('keeps each sign its first and newest sightings, out of order and beside other signs', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 20 }), fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 20 }), (home, away) => {
      const signs = new LoginSigns(30 * DAY);
      const [h, a] = [[...home], [...away]];
      while (h.length + a.length > 0) {
        if (h.length > 0) signs.note(login('x', T0 + h.shift()!, { deviceId: 'laptop' }));
        if (a.length > 0) signs.note(login('x', T0 + a.shift()!, { deviceId: 'laptop', ipCountry: 'NL', vpn: true }));
      }
      const kept = (times: number[]): number[] => {
        const sorted = times.map((t) => T0 + t).sort((x, y) => x - y);
        return sorted.length <= SIGHTINGS_KEPT + 1 ? sorted : [sorted[0]!, ...sorted.slice(-SIGHTINGS_KEPT)];
      };
      expect(signs.of('x')).toEqual([
        { deviceId: 'laptop', ipCountry: 'US', vpn: false, times: kept(home) },
        { deviceId: 'laptop', ipCountry: 'NL', vpn: true, times: kept(away) },
      ]);
    }));
  });

  it('holds one device for the account while its signs share it, one per sign while they do not, and one again once the others go', () => {
    const signs = new LoginSigns(10 * DAY);
    signs.note(login('a', T0, { deviceId: 'laptop' }));
    signs.note(login('a', T0 + 1, { deviceId: 'laptop', vpn: true }));
    expect(signs.signsOf('a').devices).toBe('laptop');
    signs.note(login('a', T0 + DAY, { deviceId: 'phone' }));
    signs.note(login('a', T0 + DAY + 1));
    expect(signs.signsOf('a').devices).toEqual(['laptop', 'laptop', 'phone', undefined]);
    expect(signs.of('a').map((s) => s.deviceId)).toEqual(['laptop', 'laptop', 'phone', undefined]);
    // The laptop's signs and the one without a device expire; the phone's is seen again.
    signs.note(login('a', T0 + 11 * DAY, { deviceId: 'phone' }));
    signs.note(login('a', T0 + 11 * DAY + 5, { deviceId: 'phone' }));
    expect(signs.signsOf('a').devices).toBe('phone');
    expect(signs.of('a')).toEqual([{ deviceId: 'phone', ipCountry: 'US', vpn: false, times: [T0 + DAY, T0 + 11 * DAY, T0 + 11 * DAY + 5] }]);
  });

  it('reads each sign by index as its plain object gives it', () => {
    const signs = new LoginSigns(30 * DAY);
    for (let i = 0; i < 7; i++) signs.note(login('a', T0 + i * 1000, { deviceId: 'laptop' }));
    signs.note(login('a', T0 + 500, { ipCountry: 'NL', vpn: true }));
    const account = signs.signsOf('a');
    expect(account.signCount).toBe(2);
    expect([0, 1].map((i) => [account.deviceOf(i), account.countryOf(i), account.vpnOf(i), account.timesOf(i), account.lastSightingOf(i)])).toEqual([
      ['laptop', 'US', false, [T0, T0 + 3000, T0 + 4000, T0 + 5000, T0 + 6000], T0 + 6000],
      [undefined, 'NL', true, [T0 + 500], T0 + 500],
    ]);
    expect(account.sightingAtOrBefore(0, T0 + 3500)).toEqual([T0 + 3000, T0 + 4000]);
    expect(account.sightingAtOrBefore(1, T0 + 100)).toEqual([Number.NEGATIVE_INFINITY, T0 + 500]);
    expect(account.sightingAtOrBefore(1, T0 + 9000)).toEqual([T0 + 500, Number.POSITIVE_INFINITY]);
    expect(signs.signsOf('nobody').signCount).toBe(0);
  });

  it('restores from its plain signs (the checkpoint rows) to the same signs and the same answers after', () => {
    const straight = new LoginSigns(10 * DAY);
    const feed = (signs: LoginSigns, from: number, to: number): boolean[] => {
      const changed: boolean[] = [];
      for (let i = from; i < to; i++) {
        const device = ['laptop', 'phone', undefined][i % 3];
        changed.push(signs.note(login(`acct-${i % 5}`, T0 + i * 3 * 60 * 60_000 - (i % 7) * DAY, { deviceId: device, vpn: i % 4 === 0, ipCountry: i % 11 === 0 ? 'DE' : 'US' })));
      }
      return changed;
    };
    feed(straight, 0, 200);
    const restored = new LoginSigns(10 * DAY);
    const parts = restored.checkpointParts();
    for (const [accountId, account] of straight.checkpointParts().byAccount.entries()) parts.byAccount.set(accountId, AccountSigns.fromSigns(account.list()));
    restored.restoreNewest(straight.checkpointParts().newest);
    const accounts = [0, 1, 2, 3, 4].map((i) => `acct-${i}`);
    expect(accounts.map((a) => restored.signsOf(a))).toEqual(accounts.map((a) => straight.signsOf(a)));
    expect(feed(restored, 200, 400)).toEqual(feed(straight, 200, 400));
    expect(accounts.map((a) => restored.of(a))).toEqual(accounts.map((a) => straight.of(a)));
  });

  it('refuses a sign without sightings or with more than it keeps', () => {
    const sign = (times: number[]): LoginSign => ({ deviceId: 'laptop', ipCountry: 'US', vpn: false, times });
    expect(() => AccountSigns.fromSigns([sign([])])).toThrow(RangeError);
    expect(() => AccountSigns.fromSigns([sign([1, 2, 3, 4, 5, 6])])).toThrow(RangeError);
    expect(AccountSigns.fromSigns([sign([1, 2, 3, 4, 5])]).list()).toEqual([sign([1, 2, 3, 4, 5])]);
  });
});
