/**
 * A busy value's accounts (link-index.ts: more than BUSY of them, an office's or a carrier's IP
 * block, a public Wi-Fi address), in the same order as a short list keeps them, least recently
 * seen first, but as a chain of links (each an entry and its neighbours) with a Map from account
 * id to its link. The usual sighting, in time order, of an account on the block or of a new one
 * then costs a look-up and a relink at the end, and the cap's victim is the first link, where the
 * list (with an index by id beside it, until session 58) cost a scan for the entry's place and a
 * shift of every entry after it: on the replay bench's blocks of 256 an account's entry sat about
 * 90 places from the end, and the subnet index's sightings were 3.5% of the replay's CPU time.
 *
 * A sighting read out of order goes after every entry seen at its time or earlier, found by a
 * walk back from the end (a late sighting's place is near it), as the list places it.
 */
import type { AccountSighting } from './link-index.js';
import type { WindowValidity } from './window-validity.js';

/** An entry in the chain. */
interface Link {
  readonly entry: AccountSighting;
  prev: Link | undefined;
  next: Link | undefined;
}

export class BusySightings {
  private readonly byAccount = new Map<string, Link>();
  /** The least recently seen (the cap's victim) and the most recently seen link. */
  private first: Link | undefined;
  private last: Link | undefined;

  private constructor() {}

  /** The entries of a list (least recently seen first) as a busy value's; undefined when two have one account id (never written so, but a list that has is kept as a list). */
  static of(list: readonly AccountSighting[]): BusySightings | undefined {
    const busy = new BusySightings();
    for (const entry of list) {
      const link: Link = { entry, prev: busy.last, next: undefined };
      busy.byAccount.set(entry.accountId, link);
      busy.append(link);
    }
    return busy.byAccount.size === list.length ? busy : undefined;
  }

  get size(): number {
    return this.byAccount.size;
  }

  /** The newest sighting (-Infinity when no entry is left). */
  get newest(): number {
    return this.last === undefined ? Number.NEGATIVE_INFINITY : this.last.entry.lastTime;
  }

  /** The account's entry, if it is on the value. */
  entryOf(accountId: string): AccountSighting | undefined {
    return this.byAccount.get(accountId)?.entry;
  }

  /** The entries as a list, least recently seen first (a copy). */
  list(): AccountSighting[] {
    const out = new Array<AccountSighting>(this.byAccount.size);
    let i = 0;
    for (let l = this.first; l !== undefined; l = l.next) out[i++] = l.entry;
    return out;
  }

  /** Drops the entries at the front whose latest sighting is dormant, as a list drops its dormant front. */
  dropDormant(isDormant: (lastTime: number) => boolean): void {
    while (this.first !== undefined && isDormant(this.first.entry.lastTime)) this.dropOldest();
  }

  /** Adds a new account's entry at its place by latest sighting (after every entry seen at its time or earlier). */
  add(entry: AccountSighting): void {
    const link: Link = { entry, prev: undefined, next: undefined };
    this.byAccount.set(entry.accountId, link);
    this.place(link);
  }

  /** Moves the account's entry, whose latest sighting just grew, to its place. */
  moved(entry: AccountSighting): void {
    const link = this.byAccount.get(entry.accountId)!;
    if (link === this.last) return; // already last, and its time only grew
    this.unlink(link);
    this.place(link);
  }

  /** Drops the least recently seen entry (the front): the cap's victim. */
  dropOldest(): void {
    const oldest = this.first;
    if (oldest === undefined) return;
    this.byAccount.delete(oldest.entry.accountId);
    this.unlink(oldest);
  }

  /** Links `link` (linked nowhere) after every entry seen at its time or earlier: the end, for a sighting in order. */
  private place(link: Link): void {
    const time = link.entry.lastTime;
    let before = this.last;
    while (before !== undefined && before.entry.lastTime > time) before = before.prev;
    if (before === this.last) {
      this.append(link);
      return;
    }
    const after = before === undefined ? this.first! : before.next!;
    link.prev = before;
    link.next = after;
    after.prev = link;
    if (before === undefined) this.first = link;
    else before.next = link;
  }

  private append(link: Link): void {
    link.prev = this.last;
    link.next = undefined;
    if (this.last === undefined) this.first = link;
    else this.last.next = link;
    this.last = link;
  }

  private unlink(link: Link): void {
    if (link.prev === undefined) this.first = link.next;
    else link.prev.next = link.next;
    if (link.next === undefined) this.last = link.prev;
    else link.next.prev = link.prev;
    link.prev = undefined;
    link.next = undefined;
  }

  /** Each account's id, least recently seen first. */
  forEachAccount(visit: (accountId: string) => void): void {
    for (let l = this.first; l !== undefined; l = l.next) visit(l.entry.accountId);
  }

  /** LinkIndex.within on this value. */
  within(from: number, to: number): { accountId: string; eventId: string }[] {
    const out: { accountId: string; eventId: string }[] = [];
    for (let l = this.first; l !== undefined; l = l.next) {
      const s = l.entry;
      if (s.lastTime < from || s.firstTime > to) continue;
      out.push({ accountId: s.accountId, eventId: s.firstTime >= from ? s.firstEventId : s.lastEventId });
    }
    return out;
  }

  /** LinkIndex.countWithin on this value. */
  countWithin(from: number, to: number): number {
    let n = 0;
    for (let l = this.first; l !== undefined; l = l.next) if (l.entry.lastTime >= from && l.entry.firstTime <= to) n++;
    return n;
  }

  /** LinkIndex.laterSightings on this value: read back from the end, where the later ones are. */
  laterSightings(accountId: string, time: number, limit: number): { accountId: string; eventId: string; time: number }[] {
    const out: { accountId: string; eventId: string; time: number }[] = [];
    for (let l = this.last; l !== undefined && out.length < limit; l = l.prev) {
      const s = l.entry;
      if (s.lastTime <= time) break;
      if (s.accountId !== accountId) out.push({ accountId: s.accountId, eventId: s.lastEventId, time: s.lastTime });
    }
    return out;
  }

  /** LinkIndex.anotherWithin on this value, walked from the most recently seen. */
  anotherWithin(accountId: string, from: number, to: number): boolean {
    return this.otherWithin(accountId, from, to) !== undefined;
  }

  /** LinkIndex.anotherWithinBounded on this value (see there). */
  anotherWithinBounded(accountId: string, from: number, to: number, v: WindowValidity): boolean {
    if (!this.byAccount.has(accountId)) {
      v.fromAfter = Number.POSITIVE_INFINITY;
      return this.anotherWithin(accountId, from, to);
    }
    const found = this.otherWithin(accountId, from, to);
    if (found !== undefined) {
      v.fromAtMost = Math.min(v.fromAtMost, found.lastTime);
      v.toAtLeast = Math.max(v.toAtLeast, found.firstTime);
      return true;
    }
    for (let l = this.first; l !== undefined; l = l.next) {
      const s = l.entry;
      if (s.accountId === accountId) continue;
      if (s.lastTime < from) v.fromAfter = Math.max(v.fromAfter, s.lastTime);
      else v.toBefore = Math.min(v.toBefore, s.firstTime); // here s.firstTime > to
    }
    return false;
  }

  /** The most recently seen entry of another account seen within [from, to]. */
  private otherWithin(accountId: string, from: number, to: number): AccountSighting | undefined {
    for (let l = this.last; l !== undefined; l = l.prev) {
      const s = l.entry;
      if (s.accountId !== accountId && s.lastTime >= from && s.firstTime <= to) return s;
    }
    return undefined;
  }
}
