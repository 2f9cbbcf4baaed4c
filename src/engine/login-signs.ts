/**
 * What each account's logins showed of its sessions, kept apart from its history: the history
 * holds logins only when a rule selects them (at most exchanges logins are most of the traffic),
 * yet a payer's risk (`payer-risk`: a VPN, a session country other than the KYC country, a device
 * another account used) often shows only when it signs in.
 *
 * Per account, each distinct combination of device, session country and VPN it signed in with,
 * and some of its sightings: the first and the newest SIGHTINGS_KEPT. That set depends on the
 * sightings alone, not on the order they arrived in, and answers exactly for a window that holds
 * any of the newest ones (a window ending at the newest event, as most do, needs only the last).
 * An account that signs in a thousand times from one laptop keeps one entry. Bounded three ways:
 * - by time: an entry goes once its last sighting is older than `retention` (the longest
 *   `payer-risk` window that reads logins), dropped when the account is next written and by a
 *   rolling sweep of one account per login, which also evicts accounts with nothing left;
 * - by count per account: at most SIGNS_PER_ACCOUNT entries, the least recently seen going first;
 * - by the 2²⁴ limit of one Map: a ShardedMap.
 */
import type { LoginEvent } from '../decode/events.js';
import { ShardedMap } from '../state/sharded-map.js';
import { appended } from '../state/tight-list.js';

/** One combination of session signs an account signed in with, and when. */
export interface LoginSign {
  deviceId: string | undefined;
  ipCountry: string;
  vpn: boolean;
  /** Event times (ms) of the sightings kept, ascending and distinct: the first, then the newest SIGHTINGS_KEPT. */
  times: number[];
}

/** The newest sightings kept per entry beside its first. */
export const SIGHTINGS_KEPT = 4;

/** The sign's last sighting. */
export const lastSighting = (sign: LoginSign): number => sign.times[sign.times.length - 1]!;

/** Entries kept per account: past it the least recently seen goes (a hot account costs this, not its logins). */
export const SIGNS_PER_ACCOUNT = 8;
/** Accounts the rolling sweep visits per login. */
const SWEEP_PER_LOGIN = 1;

export class LoginSigns {
  private readonly byAccount = new ShardedMap<string, LoginSign[]>();
  private newest = Number.NEGATIVE_INFINITY;

  /**
   * `retention`: ms of event time an entry is kept after its last sighting; 0 keeps none.
   * `dropped` is told of an account an entry went from other than by its own login.
   */
  constructor(private retention: number, private readonly dropped: (accountId: string) => void = () => undefined) {}

  /** Whether logins are noted at all (a rule reads them). */
  get enabled(): boolean {
    return this.retention > 0;
  }

  /** A new retention (hot reload); entries already dropped are not recovered. */
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
    const signs = this.byAccount.get(accountId);
    if (signs !== undefined) {
      this.dropExpired(signs);
      for (const sign of signs) {
        if (sign.deviceId === deviceId && sign.ipCountry === ipCountry && sign.vpn === vpn) return this.sighted(sign, time);
      }
    }
    if (time < this.horizon()) {
      // A late login older than the retention notes nothing; an account it left empty goes.
      if (signs !== undefined && signs.length === 0) this.byAccount.delete(accountId);
      return false;
    }
    const kept = signs ?? [];
    if (kept.length >= SIGNS_PER_ACCOUNT) kept.splice(leastRecent(kept), 1);
    this.byAccount.set(accountId, appended(kept, { deviceId, ipCountry, vpn, times: [time] }));
    return true;
  }

  private sighted(sign: LoginSign, time: number): boolean {
    const times = sightingAdded(sign.times, time);
    if (times === undefined) return false;
    sign.times = times;
    return true;
  }

  /** The account's entries (none when it has none, or when logins are not noted). */
  of(accountId: string): readonly LoginSign[] {
    return this.byAccount.get(accountId) ?? NONE;
  }

  get size(): number {
    return this.byAccount.size;
  }

  /** The map itself and the newest time, for a checkpoint (a restore fills the map in place). */
  checkpointParts(): { byAccount: ShardedMap<string, LoginSign[]>; newest: number } {
    return { byAccount: this.byAccount, newest: this.newest };
  }

  restoreNewest(newest: number): void {
    this.newest = newest;
  }

  private horizon(): number {
    return this.newest - this.retention;
  }

  /** Drops the entries last seen before the horizon; returns whether any went. */
  private dropExpired(signs: LoginSign[]): boolean {
    const horizon = this.horizon();
    let kept = 0;
    for (const sign of signs) if (lastSighting(sign) >= horizon) signs[kept++] = sign;
    const any = kept < signs.length;
    signs.length = kept;
    return any;
  }

  private readonly expire = (signs: LoginSign[], accountId: string): boolean => {
    if (this.dropExpired(signs)) this.dropped(accountId);
    return signs.length === 0;
  };
}

const NONE: readonly LoginSign[] = [];

/** The index of the entry last seen longest ago (the first such, for a fixed choice). */
function leastRecent(signs: readonly LoginSign[]): number {
  let at = 0;
  for (let i = 1; i < signs.length; i++) if (lastSighting(signs[i]!) < lastSighting(signs[at]!)) at = i;
  return at;
}

/**
 * The times kept (ascending, distinct: the first, then the newest SIGHTINGS_KEPT) with a sighting
 * added, so that they stay the first and newest of every sighting whatever the order they came
 * in: past the bound the oldest but the first goes, which is the new sighting itself when it is
 * older than every one kept but the first. Returns the times to keep, or undefined when they did
 * not change. While short they are copied at their exact length (an array grown by `splice` or
 * `push` reserves 17 slots, 152 bytes, for at most five times; one per sign of each of a quarter
 * million accounts); once full they are shifted in place, so a login allocates nothing.
 */
export function sightingAdded(times: number[], time: number): number[] | undefined {
  let i = times.length;
  while (i > 0 && times[i - 1]! > time) i--;
  if (i > 0 && times[i - 1] === time) return undefined;
  if (times.length <= SIGHTINGS_KEPT) return times.slice(0, i).concat([time], times.slice(i)); // concat sizes exactly; a spread reserves 23
  if (i === 1) return undefined; // older than every newest, newer than the first: not kept
  if (i === 0) {
    times[0] = time; // older than the first: it is the first, and the old one is older than every newest
    return times;
  }
  // The oldest of the newest (index 1) goes; those up to the new one's place move down by one.
  for (let k = 1; k < i - 1; k++) times[k] = times[k + 1]!;
  times[i - 1] = time;
  return times;
}

/**
 * The newest kept sighting at or before `to` (-Infinity when none is), and the first kept after
 * it (Infinity when none is): a window ending before that one reads the same sighting.
 */
export function sightingAtOrBefore(times: readonly number[], to: number): [at: number, next: number] {
  let i = times.length;
  while (i > 0 && times[i - 1]! > to) i--;
  return [i > 0 ? times[i - 1]! : Number.NEGATIVE_INFINITY, i < times.length ? times[i]! : Number.POSITIVE_INFINITY];
}
