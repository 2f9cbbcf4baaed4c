/**
 * What each account's logins showed of its sessions, kept apart from its history: the history
 * holds logins only when a rule selects them (at most exchanges logins are most of the traffic),
 * yet a payer's risk (`payer-risk`: a VPN, a session country other than the KYC country, a device
 * another account used) often shows only when it signs in.
 *
 * Per account, each distinct combination of device, session country and VPN it signed in with (a
 * sign), and some of its sightings: the first and the newest SIGHTINGS_KEPT. That set depends on
 * the sightings alone, not on the order they arrived in, and answers exactly for a window that
 * holds any of the newest ones (a window ending at the newest event, as most do, needs only the
 * last). An account that signs in a thousand times from one laptop keeps one sign. Bounded three ways:
 * - by time: a sign goes once its last sighting is older than `retention` (the longest
 *   `payer-risk` window that reads logins), dropped when the account is next written and by a
 *   rolling sweep of one account per login, which also evicts accounts with nothing left;
 * - by count per account: at most SIGNS_PER_ACCOUNT signs, the least recently seen going first;
 * - by the 2²⁴ limit of one Map: a ShardedMap.
 *
 * An account's signs are one object, an AccountSigns (session 54; it was a list of one object and
 * one times array per sign, 357 bytes an account in the soak): an array whose elements are the
 * signs one after another, each a head (its country and VPN flag, and how many sightings follow)
 * then the times of those sightings, all numbers, which V8 keeps unboxed in one backing store;
 * its one field holds the signs' devices, a single value while every sign has the same device
 * (most accounts: one device, with and without a VPN). Readers go by sign index (`deviceOf(i)`,
 * `sightingAtOrBefore(i, to)`, ...); a login changes the times in place once a sign holds all it
 * keeps, and otherwise makes the account a new AccountSigns at its exact size.
 */
import type { LoginEvent } from '../decode/events.js';
import { ShardedMap } from '../state/sharded-map.js';

/** One sign as the checkpoint and tests see it: a combination of session signs an account signed in with, and when. */
export interface LoginSign {
  deviceId: string | undefined;
  ipCountry: string;
  vpn: boolean;
  /** Event times (ms) of the sightings kept, ascending and distinct: the first, then the newest SIGHTINGS_KEPT. */
  times: number[];
}

/** The newest sightings kept per sign beside its first. */
export const SIGHTINGS_KEPT = 4;

/** Signs kept per account: past it the least recently seen goes (a hot account costs this, not its logins). */
export const SIGNS_PER_ACCOUNT = 8;
/** Accounts the rolling sweep visits per login. */
const SWEEP_PER_LOGIN = 1;

/** A head's low bits count its sign's sightings (1 to SIGHTINGS_KEPT + 1), the others are its session. */
const COUNT_BITS = 3;
const COUNT_MASK = (1 << COUNT_BITS) - 1;
const headOf = (session: number, count: number): number => (session << COUNT_BITS) | count;
const countOf = (head: number): number => head & COUNT_MASK;
const sessionOfHead = (head: number): number => head >> COUNT_BITS;

/** Session countries by code, in the order first seen: ISO codes (two capitals, as decoding checks), so 676 at most. */
const COUNTRIES: string[] = [];
const COUNTRY_CODES = new Map<string, number>();

function countryCode(country: string): number {
  let code = COUNTRY_CODES.get(country);
  if (code === undefined) {
    code = COUNTRIES.length;
    COUNTRIES.push(country);
    COUNTRY_CODES.set(country, code);
  }
  return code;
}

/** A sign's session country and VPN flag as one number. */
const sessionCode = (country: string, vpn: boolean): number => (countryCode(country) << 1) | (vpn ? 1 : 0);
const vpnOfSession = (session: number): boolean => (session & 1) === 1;
const countryOfSession = (session: number): string => COUNTRIES[session >> 1]!;

/** The signs' devices: one value when every sign has it, else one per sign. */
type Devices = string | undefined | (string | undefined)[];

const deviceIn = (devices: Devices, i: number): string | undefined => (Array.isArray(devices) ? devices[i] : devices);

/**
 * The devices of `count` signs and one more with `device`; the instance already held when a sign
 * has that device. A new list is at its exact size (`concat` sizes exactly; a spread or `push`
 * reserves spare slots).
 */
function devicesWith(devices: Devices, count: number, device: string | undefined): Devices {
  if (count === 0) return device;
  if (Array.isArray(devices)) {
    const held = devices.indexOf(device);
    return devices.concat([held >= 0 ? devices[held] : device]);
  }
  if (devices === device) return devices;
  const list = new Array<string | undefined>(count + 1).fill(devices);
  list[count] = device;
  return list;
}

/** The devices of `count` signs without sign `i`'s: one value again once every sign left has the same. */
function devicesWithout(devices: Devices, count: number, i: number): Devices {
  if (!Array.isArray(devices)) return count === 1 ? undefined : devices;
  const left = new Array<string | undefined>(count - 1);
  for (let k = 0, j = 0; k < count; k++) if (k !== i) left[j++] = devices[k];
  return left.every((d) => d === left[0]) ? left[0] : left;
}

/**
 * One account's signs (see the header): its elements are each sign's head and then its times,
 * ascending and distinct; `devices` their devices. Never changed in place but for the times of
 * a sign that holds all it keeps: a change of size is a new AccountSigns, which the owner stores.
 */
export class AccountSigns extends Array<number> {
  /** Array methods that make arrays (slice, map) make plain ones. */
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /** The signs' devices: one value when every sign has it, else one per sign. */
  devices: Devices;

  /** `length` elements, to be filled by the caller (an Array of a given length has exactly that storage). */
  private constructor(length: number, devices: Devices) {
    super(length);
    this.devices = devices;
  }

  /** The signs as `list` gives them (each with 1 to SIGHTINGS_KEPT + 1 times), in that order. */
  static fromSigns(signs: readonly LoginSign[]): AccountSigns {
    let devices: Devices = undefined;
    signs.forEach((sign, i) => (devices = devicesWith(devices, i, sign.deviceId)));
    const out = new AccountSigns(signs.reduce((n, sign) => n + 1 + sign.times.length, 0), devices);
    let at = 0;
    for (const sign of signs) {
      if (sign.times.length === 0 || sign.times.length > SIGHTINGS_KEPT + 1) throw new RangeError(`a login sign with ${sign.times.length} sightings`);
      out[at++] = headOf(sessionCode(sign.ipCountry, sign.vpn), sign.times.length);
      for (const time of sign.times) out[at++] = time;
    }
    return out;
  }

  get signCount(): number {
    let count = 0;
    for (let at = 0; at < this.length; at += 1 + countOf(this[at]!)) count++;
    return count;
  }

  deviceOf(i: number): string | undefined {
    return deviceIn(this.devices, i);
  }

  countryOf(i: number): string {
    return countryOfSession(sessionOfHead(this[this.headAt(i)]!));
  }

  vpnOf(i: number): boolean {
    return vpnOfSession(sessionOfHead(this[this.headAt(i)]!));
  }

  /** Sign `i`'s kept times (a copy). */
  timesOf(i: number): number[] {
    const at = this.headAt(i);
    const times: number[] = [];
    for (let k = at + 1; k <= at + countOf(this[at]!); k++) times.push(this[k]!);
    return times;
  }

  lastSightingOf(i: number): number {
    const at = this.headAt(i);
    return this[at + countOf(this[at]!)]!;
  }

  /** Sign `i`'s newest kept sighting at or before `to`, and the first kept after it (see the function). */
  sightingAtOrBefore(i: number, to: number): [at: number, next: number] {
    const at = this.headAt(i);
    return sightingAtOrBefore(this, to, at + 1, at + 1 + countOf(this[at]!));
  }

  /** Every sign, as plain objects (for the checkpoint and tests). */
  list(): LoginSign[] {
    const signs: LoginSign[] = [];
    for (let i = 0; i < this.signCount; i++) signs.push({ deviceId: this.deviceOf(i), ipCountry: this.countryOf(i), vpn: this.vpnOf(i), times: this.timesOf(i) });
    return signs;
  }

  /** The index of the sign with this device and session (sessionCode), or -1. */
  signMatching(device: string | undefined, session: number): number {
    for (let i = 0, at = 0; at < this.length; i++, at += 1 + countOf(this[at]!)) {
      if (sessionOfHead(this[at]!) === session && deviceIn(this.devices, i) === device) return i;
    }
    return -1;
  }

  /** The index of the sign last seen longest ago (the first such, for a fixed choice). */
  leastRecentSign(): number {
    let least = 0;
    for (let i = 1; i < this.signCount; i++) if (this.lastSightingOf(i) < this.lastSightingOf(least)) least = i;
    return least;
  }

  /**
   * The signs with a sighting of sign `i` added (sightingSlot's rule): undefined when its times
   * stay as they were; this, changed in place, when the sign held all it keeps; else a new
   * AccountSigns one longer.
   */
  withSighting(i: number, time: number): AccountSigns | undefined {
    const at = this.headAt(i);
    const [start, end] = [at + 1, at + 1 + countOf(this[at]!)];
    const slot = sightingSlot(this, start, end, time);
    if (slot < 0) return undefined;
    if (end - start > SIGHTINGS_KEPT) {
      shiftIn(this, start, slot, time);
      return this;
    }
    const grown = this.spliced(slot, 0, [time], this.devices);
    grown[at] = headOf(sessionOfHead(this[at]!), end - start + 1);
    return grown;
  }

  /** A new AccountSigns with a sign of this device and session (sessionCode) seen once, at `time`, after the others. */
  withSign(device: string | undefined, session: number, time: number): AccountSigns {
    return this.spliced(this.length, 0, [headOf(session, 1), time], devicesWith(this.devices, this.signCount, device));
  }

  /** A new AccountSigns without sign `i`. */
  withoutSign(i: number): AccountSigns {
    const at = this.headAt(i);
    return this.spliced(at, 1 + countOf(this[at]!), [], devicesWithout(this.devices, this.signCount, i));
  }

  /** The signs last seen at or after `horizon`: this when all are (the usual answer, found in one pass over the heads). */
  withoutSignsLastSeenBefore(horizon: number): AccountSigns {
    if (!this.anyLastSeenBefore(horizon)) return this;
    let kept: AccountSigns = this;
    for (let i = this.signCount - 1; i >= 0; i--) if (this.lastSightingOf(i) < horizon) kept = kept.withoutSign(i);
    return kept;
  }

  /** Whether a sign's last sighting is before `horizon`. */
  private anyLastSeenBefore(horizon: number): boolean {
    for (let at = 0; at < this.length; at += 1 + countOf(this[at]!)) if (this[at + countOf(this[at]!)]! < horizon) return true;
    return false;
  }

  /** The element index of sign `i`'s head. */
  private headAt(i: number): number {
    let at = 0;
    for (let k = 0; k < i; k++) at += 1 + countOf(this[at]!);
    return at;
  }

  /** A copy at its exact size with `removed` elements from `at` replaced by `inserted`, and these devices. */
  private spliced(at: number, removed: number, inserted: readonly number[], devices: Devices): AccountSigns {
    const out = new AccountSigns(this.length - removed + inserted.length, devices);
    for (let k = 0; k < at; k++) out[k] = this[k]!;
    for (let k = 0; k < inserted.length; k++) out[at + k] = inserted[k]!;
    for (let k = at + removed; k < this.length; k++) out[k - removed + inserted.length] = this[k]!;
    return out;
  }
}

/** What an account without signs reads (never changed: every change makes a new AccountSigns). */
const NO_SIGNS = AccountSigns.fromSigns([]);

export class LoginSigns {
  private readonly byAccount = new ShardedMap<string, AccountSigns>();
  private newest = Number.NEGATIVE_INFINITY;

  /**
   * `retention`: ms of event time a sign is kept after its last sighting; 0 keeps none.
   * `dropped` is told of an account a sign went from other than by its own login.
   */
  constructor(private retention: number, private readonly dropped: (accountId: string) => void = () => undefined) {}

  /** Whether logins are noted at all (a rule reads them). */
  get enabled(): boolean {
    return this.retention > 0;
  }

  /** A new retention (hot reload); signs already dropped are not recovered. */
  setRetention(retention: number): void {
    this.retention = retention;
    if (retention <= 0) this.byAccount.revalue(() => undefined);
  }

  /** Notes a login; returns whether the account's signs changed (a reader's derived values are then stale). */
  note(login: LoginEvent): boolean {
    if (!this.enabled) return false;
    const time = login.time;
    if (time > this.newest) this.newest = time;
    const { accountId, deviceId, ipCountry, vpn } = login.msg;
    this.byAccount.sweepSome(SWEEP_PER_LOGIN, this.expire);
    const session = sessionCode(ipCountry, vpn);
    let signs = this.byAccount.get(accountId);
    if (signs !== undefined) {
      signs = this.stored(accountId, signs, signs.withoutSignsLastSeenBefore(this.horizon()));
      const i = signs.signMatching(deviceId, session);
      if (i >= 0) return this.sighted(accountId, signs, i, time);
    }
    if (time < this.horizon()) {
      // A late login older than the retention notes nothing; an account it left empty goes.
      if (signs !== undefined && signs.length === 0) this.byAccount.delete(accountId);
      return false;
    }
    let kept = signs ?? NO_SIGNS;
    if (kept.signCount >= SIGNS_PER_ACCOUNT) kept = kept.withoutSign(kept.leastRecentSign());
    this.byAccount.set(accountId, kept.withSign(deviceId, session, time));
    return true;
  }

  private sighted(accountId: string, signs: AccountSigns, i: number, time: number): boolean {
    const next = signs.withSighting(i, time);
    if (next === undefined) return false;
    this.stored(accountId, signs, next);
    return true;
  }

  /** `next`, stored for the account when it is not `signs` (the one stored). */
  private stored(accountId: string, signs: AccountSigns, next: AccountSigns): AccountSigns {
    if (next !== signs) this.byAccount.set(accountId, next);
    return next;
  }

  /** The account's signs (none when it has none, or when logins are not noted). */
  signsOf(accountId: string): AccountSigns {
    return this.byAccount.get(accountId) ?? NO_SIGNS;
  }

  /** The account's signs as plain objects (tests). */
  of(accountId: string): LoginSign[] {
    return this.signsOf(accountId).list();
  }

  get size(): number {
    return this.byAccount.size;
  }

  /** The map itself and the newest time, for a checkpoint (a restore fills the map in place). */
  checkpointParts(): { byAccount: ShardedMap<string, AccountSigns>; newest: number } {
    return { byAccount: this.byAccount, newest: this.newest };
  }

  restoreNewest(newest: number): void {
    this.newest = newest;
  }

  private horizon(): number {
    return this.newest - this.retention;
  }

  /** The sweep's visit: drops the signs last seen before the horizon, telling the owner; whether the account has none left. */
  private readonly expire = (signs: AccountSigns, accountId: string): boolean => {
    const kept = signs.withoutSignsLastSeenBefore(this.horizon());
    if (kept !== signs) this.dropped(accountId);
    if (kept.length === 0) return true;
    // Replacing the value of a key the sweep reads keeps its place in the map.
    this.stored(accountId, signs, kept);
    return false;
  };
}

/**
 * Where a sighting at `time` goes among kept times [start, end) (ascending, distinct: the first,
 * then the newest SIGHTINGS_KEPT) so that they stay the first and newest of every sighting
 * whatever the order they came in: the index it takes, or -1 when the times stay as they are
 * (it is kept already, or they are full and it is older than every newest but newer than the
 * first). While not full it is inserted there; once full, see shiftIn.
 */
function sightingSlot(times: ArrayLike<number>, start: number, end: number, time: number): number {
  let i = end;
  while (i > start && times[i - 1]! > time) i--;
  if (i > start && times[i - 1] === time) return -1;
  if (end - start > SIGHTINGS_KEPT && i === start + 1) return -1;
  return i;
}

/**
 * Puts a sighting into full kept times from `start` at `slot` (sightingSlot's), in place: at
 * `start`, older than the first, it is the first (the old one is older than every newest); else
 * the oldest of the newest goes and those up to the new one's place move down by one.
 */
function shiftIn(times: number[], start: number, slot: number, time: number): void {
  if (slot === start) {
    times[start] = time;
    return;
  }
  for (let k = start + 1; k < slot - 1; k++) times[k] = times[k + 1]!;
  times[slot - 1] = time;
}

/**
 * The rule of sightingSlot and shiftIn on one list of times: the times to keep, or undefined
 * when they did not change; a new array at its exact size while they are not full, else `times`
 * shifted in place.
 */
export function sightingAdded(times: number[], time: number): number[] | undefined {
  const slot = sightingSlot(times, 0, times.length, time);
  if (slot < 0) return undefined;
  if (times.length <= SIGHTINGS_KEPT) return times.slice(0, slot).concat([time], times.slice(slot));
  shiftIn(times, 0, slot, time);
  return times;
}

/**
 * The newest kept sighting at or before `to` among times [start, end) (all of them by default;
 * -Infinity when none is), and the first kept after it (Infinity when none is): a window ending
 * before that one reads the same sighting.
 */
export function sightingAtOrBefore(times: ArrayLike<number>, to: number, start = 0, end = times.length): [at: number, next: number] {
  let i = end;
  while (i > start && times[i - 1]! > to) i--;
  return [i > start ? times[i - 1]! : Number.NEGATIVE_INFINITY, i < end ? times[i]! : Number.POSITIVE_INFINITY];
}
