/**
 * A busy value's accounts (link-index.ts: more than BUSY of them, an office's or a carrier's IP
 * block, a public Wi-Fi address), in the same order as a short list keeps them, least recently
 * seen first, but held in one Map by account id: a Map iterates in insertion order, and deleting
 * and setting a key again moves it to the end in O(1). The usual sighting, in time order, of an
 * account on the block or of a new one then costs a look-up and a move, where the list (with a
 * Map by id beside it, until session 58) cost a scan for the entry's place and a shift of every
 * entry after it: on the replay profile's blocks of 256 an account's entry sat about 90 places
 * from the end. Without the list beside the Map a busy value also takes less memory (97 bytes an
 * entry with its Map, where list and index took 107, measured on 400 blocks of 256).
 *
 * A sighting read out of order (an entry whose place is not the end) is placed as the list
 * places it (`placeLast` on the entries as a list), and the entries from its place on are set
 * again in that order: O(entries), as the list's splice was. So are the readers that walk from
 * the newest (`laterSightings`, only when a sighting is newer than the event asking); the others
 * walk from the front, with the answers the list's walks give.
 */
import type { AccountSighting } from './link-index.js';
import { placeLast } from './sighting-order.js';
import type { WindowValidity } from './window-validity.js';

export class BusySightings {
  private readonly byAccount = new Map<string, AccountSighting>();
  /** The entry seen last (the Map's last), undefined only once every entry has gone. */
  private last: AccountSighting | undefined;
  /**
   * At most the oldest entry's latest sighting: while it is not dormant no entry is (the front is
   * the oldest), so a sighting reads no entry from the front. Kept a lower bound by every change:
   * latest sightings only grow, and an entry added lowers it to its own.
   */
  private oldestAtLeast = Number.POSITIVE_INFINITY;

  private constructor() {}

  /** The entries of a list (least recently seen first) as a busy value's; undefined when two have one account id (never written so, but a list that has is kept as a list). */
  static of(list: readonly AccountSighting[]): BusySightings | undefined {
    const busy = new BusySightings();
    for (const entry of list) {
      busy.byAccount.set(entry.accountId, entry);
      busy.oldestAtLeast = Math.min(busy.oldestAtLeast, entry.lastTime);
    }
    if (busy.byAccount.size !== list.length) return undefined;
    busy.last = list[list.length - 1];
    return busy;
  }

  get size(): number {
    return this.byAccount.size;
  }

  /** The newest sighting (-Infinity when no entry is left). */
  get newest(): number {
    return this.last === undefined ? Number.NEGATIVE_INFINITY : this.last.lastTime;
  }

  /** The account's entry, if it is on the value. */
  entryOf(accountId: string): AccountSighting | undefined {
    return this.byAccount.get(accountId);
  }

  /** The entries as a list, least recently seen first (a copy). */
  list(): AccountSighting[] {
    return Array.from(this.byAccount.values());
  }

  /**
   * Drops the entries at the front whose latest sighting is dormant, as a list drops its dormant
   * front. `isDormant` holds for every time before some horizon and for none after it (the
   * retention's test), which lets the bound on the oldest skip the front.
   */
  dropDormant(isDormant: (lastTime: number) => boolean): void {
    if (!isDormant(this.oldestAtLeast)) return;
    for (const entry of this.byAccount.values()) {
      if (!isDormant(entry.lastTime)) {
        this.oldestAtLeast = entry.lastTime;
        return;
      }
      this.byAccount.delete(entry.accountId);
    }
    this.last = undefined;
    this.oldestAtLeast = Number.POSITIVE_INFINITY;
  }

  /** Adds a new account's entry at its place by latest sighting (after every entry seen at its time or earlier). */
  add(entry: AccountSighting): void {
    this.oldestAtLeast = Math.min(this.oldestAtLeast, entry.lastTime);
    if (this.last === undefined || this.last.lastTime <= entry.lastTime) {
      this.byAccount.set(entry.accountId, entry);
      this.last = entry;
      return;
    }
    const list = this.list();
    list.push(entry);
    this.reordered(list, list.length - 1);
  }

  /** Moves an entry already held, whose latest sighting just grew, to its place. */
  moved(entry: AccountSighting): void {
    const last = this.last!;
    if (entry === last) return;
    if (last.lastTime <= entry.lastTime) {
      this.byAccount.delete(entry.accountId);
      this.byAccount.set(entry.accountId, entry);
      this.last = entry;
      return;
    }
    const list = this.list();
    this.reordered(list, list.lastIndexOf(entry));
  }

  /** Drops the least recently seen entry (the front): the cap's victim. */
  dropOldest(): void {
    for (const accountId of this.byAccount.keys()) {
      this.byAccount.delete(accountId);
      break;
    }
    if (this.byAccount.size === 0) this.last = undefined;
  }

  /** The list's entry at `at` placed as a list places it, and the Map set again from the first place that changed. */
  private reordered(list: AccountSighting[], at: number): void {
    const before = list.slice();
    placeLast(list, at);
    let from = 0;
    while (from < list.length && list[from] === before[from]) from++;
    for (let i = from; i < list.length; i++) this.byAccount.delete(list[i]!.accountId);
    for (let i = from; i < list.length; i++) this.byAccount.set(list[i]!.accountId, list[i]!);
    this.last = list[list.length - 1];
  }

  /** Each account's id, least recently seen first. */
  forEachAccount(visit: (accountId: string) => void): void {
    for (const accountId of this.byAccount.keys()) visit(accountId);
  }

  /** LinkIndex.within on this value. */
  within(from: number, to: number): { accountId: string; eventId: string }[] {
    const out: { accountId: string; eventId: string }[] = [];
    for (const s of this.byAccount.values()) {
      if (s.lastTime < from || s.firstTime > to) continue;
      out.push({ accountId: s.accountId, eventId: s.firstTime >= from ? s.firstEventId : s.lastEventId });
    }
    return out;
  }

  /** LinkIndex.countWithin on this value. */
  countWithin(from: number, to: number): number {
    let n = 0;
    for (const s of this.byAccount.values()) if (s.lastTime >= from && s.firstTime <= to) n++;
    return n;
  }

  /** LinkIndex.laterSightings on this value: read back from the end of the entries as a list. */
  laterSightings(accountId: string, time: number, limit: number): { accountId: string; eventId: string; time: number }[] {
    const list = this.list();
    const out: { accountId: string; eventId: string; time: number }[] = [];
    for (let i = list.length - 1; i >= 0 && out.length < limit; i--) {
      const s = list[i]!;
      if (s.lastTime <= time) break;
      if (s.accountId !== accountId) out.push({ accountId: s.accountId, eventId: s.lastEventId, time: s.lastTime });
    }
    return out;
  }

  /** LinkIndex.anotherWithin on this value (any other account found answers it: walked from the front). */
  anotherWithin(accountId: string, from: number, to: number): boolean {
    for (const s of this.byAccount.values()) if (s.accountId !== accountId && s.lastTime >= from && s.firstTime <= to) return true;
    return false;
  }

  /**
   * LinkIndex.anotherWithinBounded on this value, in one pass from the front: the bounds of the
   * other account found last (the one the list's walk from the end finds first), else of every
   * other account outside the window.
   */
  anotherWithinBounded(accountId: string, from: number, to: number, v: WindowValidity): boolean {
    if (!this.byAccount.has(accountId)) {
      v.fromAfter = Number.POSITIVE_INFINITY;
      return this.anotherWithin(accountId, from, to);
    }
    let found: AccountSighting | undefined;
    let fromAfter = v.fromAfter;
    let toBefore = v.toBefore;
    for (const s of this.byAccount.values()) {
      if (s.accountId === accountId) continue;
      if (s.lastTime >= from && s.firstTime <= to) found = s;
      else if (s.lastTime < from) fromAfter = Math.max(fromAfter, s.lastTime);
      else toBefore = Math.min(toBefore, s.firstTime); // here s.firstTime > to
    }
    if (found !== undefined) {
      v.fromAtMost = Math.min(v.fromAtMost, found.lastTime);
      v.toAtLeast = Math.max(v.toAtLeast, found.firstTime);
      return true;
    }
    v.fromAfter = fromAfter;
    v.toBefore = toBefore;
    return false;
  }
}
