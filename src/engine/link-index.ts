/**
 * Which accounts used a device or an IP, and when: for each value, one entry per account with
 * its first and latest sighting, in order of latest sighting (a Map re-inserted on update). A
 * linkage rule asks for the distinct accounts within a window, which costs O(accounts on that
 * device), not O(logins on it): a customer who logs in a thousand times is one entry.
 */
import { ShardedMap } from '../state/sharded-map.js';

export interface AccountSighting {
  accountId: string;
  firstTime: number;
  firstEventId: string;
  lastTime: number;
  lastEventId: string;
}

interface Linked {
  accounts: Map<string, AccountSighting>;
  /** The account seen last: its entry is already last in the Map, so the common repeat costs no re-insert. */
  last: string;
}

export class LinkIndex {
  private readonly byValue = new ShardedMap<string, Linked>();

  /**
   * @param maxAccounts accounts kept per value; past it the least recently seen goes (a public
   *   Wi-Fi IP with ten thousand customers stays bounded).
   * @param isDormant whether a value's newest sighting is past the retention (swept two per new value).
   */
  constructor(private readonly maxAccounts: number, private readonly isDormant: (lastTime: number) => boolean) {}

  get size(): number {
    return this.byValue.size;
  }

  sight(value: string, accountId: string, time: number, eventId: string): void {
    let linked = this.byValue.get(value);
    if (!linked) {
      this.byValue.sweepSome(2, (l) => l.accounts.size === 0 || this.isDormant(newestOf(l.accounts)));
      this.byValue.set(value, (linked = { accounts: new Map(), last: accountId }));
    }
    const accounts = linked.accounts;
    const known = accounts.get(accountId);
    if (known) {
      if (time < known.firstTime) { known.firstTime = time; known.firstEventId = eventId; }
      if (time >= known.lastTime) {
        known.lastTime = time;
        known.lastEventId = eventId;
        if (linked.last !== accountId) {
          accounts.delete(accountId); // re-inserted last: the Map stays in order of latest sighting
          accounts.set(accountId, known);
          linked.last = accountId;
        }
      }
      return;
    }
    accounts.set(accountId, { accountId, firstTime: time, firstEventId: eventId, lastTime: time, lastEventId: eventId });
    linked.last = accountId;
    if (accounts.size > this.maxAccounts) accounts.delete(accounts.keys().next().value!);
  }

  /** Accounts seen on `value` within [from, to], each with the event that evidences it (its first sighting in the window when known, else its latest). */
  within(value: string, from: number, to: number): { accountId: string; eventId: string }[] {
    const linked = this.byValue.get(value);
    if (!linked) return [];
    const out: { accountId: string; eventId: string }[] = [];
    for (const s of linked.accounts.values()) {
      if (s.lastTime < from || s.firstTime > to) continue;
      out.push({ accountId: s.accountId, eventId: s.firstTime >= from ? s.firstEventId : s.lastEventId });
    }
    return out;
  }
}

function newestOf(accounts: Map<string, AccountSighting>): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const s of accounts.values()) if (s.lastTime > newest) newest = s.lastTime;
  return newest;
}
