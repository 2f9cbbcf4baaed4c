/**
 * Which accounts used a device or an IP, and when: for each value, one entry per account with
 * its first and latest sighting, in order of latest sighting (a Map re-inserted on update). A
 * linkage rule asks for the distinct accounts within a window, which costs O(accounts on that
 * device), not O(logins on it): a customer who logs in a thousand times is one entry.
 */
import { ShardedMap } from '../state/sharded-map.js';
import { appended, dropFront } from '../state/tight-list.js';
import type { WindowValidity } from './window-validity.js';

export interface AccountSighting {
  accountId: string;
  firstTime: number;
  firstEventId: string;
  lastTime: number;
  lastEventId: string;
}

/**
 * A time is held as two small integers, `high * TIME_SPLIT + low` with `low` in [0, TIME_SPLIT):
 * both fit V8's small-integer range (31 bits even with pointer compression), so they sit in the
 * entry itself. A number field holding an epoch time in ms is a double, which V8 keeps in a
 * 16-byte box of its own for every object: two boxes an entry (32 bytes), where two more fields
 * cost 16. Event times are integers (ms), which the split gives back exactly; see `highOf` for
 * any other number.
 */
const TIME_SPLIT = 2 ** 30;

/**
 * The high part of `time`. Both parts pass through `| 0`: arithmetic on doubles can give a small
 * integer as a box (the interpreter's, presumably), and one box stored in a small-integer field
 * turns that field into a boxed double field for every entry (measured without it: two boxes an
 * entry again). A time the split cannot give back exactly (a fraction, past
 * 2^61 ms, infinite) is kept whole in the low part with a high part of 0: exact, but it turns
 * the field into a boxed one for every entry, which only such a time pays for.
 */
function highOf(time: number): number {
  const high = Math.floor(time / TIME_SPLIT) | 0;
  return high * TIME_SPLIT + ((time - high * TIME_SPLIT) | 0) === time ? high : 0;
}

/** The low part of `time`, given its high part (`highOf`). */
function lowOf(time: number, high: number): number {
  const low = (time - high * TIME_SPLIT) | 0;
  return high * TIME_SPLIT + low === time ? low : time;
}

/**
 * One account's sightings on a value. Only this module builds entries (`accountSighting`); the
 * others read and write the times as numbers through the accessors.
 */
class SplitTimeSighting implements AccountSighting {
  private firstHigh = 0;
  private firstLow = 0;
  private lastHigh = 0;
  private lastLow = 0;

  constructor(public accountId: string, firstTime: number, public firstEventId: string, lastTime: number, public lastEventId: string) {
    this.firstTime = firstTime;
    this.lastTime = lastTime;
  }

  get firstTime(): number {
    return this.firstHigh * TIME_SPLIT + this.firstLow;
  }

  set firstTime(time: number) {
    const high = highOf(time);
    this.firstHigh = high;
    this.firstLow = lowOf(time, high);
  }

  get lastTime(): number {
    return this.lastHigh * TIME_SPLIT + this.lastLow;
  }

  set lastTime(time: number) {
    const high = highOf(time);
    this.lastHigh = high;
    this.lastLow = lowOf(time, high);
  }
}

/** An entry as the index keeps it (a checkpoint's rows are restored through this). */
export function accountSighting(accountId: string, firstTime: number, firstEventId: string, lastTime: number, lastEventId: string): AccountSighting {
  return new SplitTimeSighting(accountId, firstTime, firstEventId, lastTime, lastEventId);
}

/**
 * A value's accounts, least recently seen first: most values have one, held as its entry itself,
 * and a list is made only when a second account arrives. A list of one costs an array and its
 * backing store (56 bytes on a 64-bit heap) beside the entry, per device and per IP; a list
 * (never of one, but possibly empty under a cap of 0) is an array, where a Map would cost more.
 */
export type LinkedSightings = AccountSighting | AccountSighting[];
type Linked = LinkedSightings;

/** The value's accounts as a list, least recently seen first (a single entry as a list of one). */
export function sightingsOf(linked: LinkedSightings): readonly AccountSighting[] {
  return Array.isArray(linked) ? linked : [linked];
}

/** How the index holds a value's accounts given as a list (a checkpoint's rows restore through this). */
export function linkedOf(list: AccountSighting[]): LinkedSightings {
  return list.length === 1 ? list[0]! : list;
}

/** How many accounts a value has. */
function countOf(linked: Linked): number {
  return Array.isArray(linked) ? linked.length : 1;
}

/** The value's `i`th account, least recently seen first (0 for a single entry). */
function entryAt(linked: Linked, i: number): AccountSighting {
  return Array.isArray(linked) ? linked[i]! : linked;
}

/**
 * Past this many accounts a value's list gets an index by account id beside it (`busyIndex`): a
 * sighting on a busy value (an office's or a carrier's IP block, a public Wi-Fi address) then
 * finds its account's entry by one look-up and a scan by identity, not by comparing its id with
 * every id on the list (256 string comparisons a login on a full block).
 */
const BUSY = 32;

export class LinkIndex {
  private readonly byValue = new ShardedMap<string, Linked>();
  /**
   * The value looked up last and its list (undefined: none): a sighting is followed by the
   * rules' reads of the very same device or IP, which then cost no look-up in a large map.
   */
  private lastValue: string | undefined;
  private lastList: Linked | undefined;
  /**
   * Each busy list's entries by account id, kept in step with the list by `sight` (the only
   * writer of lists) and built when a list is first sighted past BUSY (a restored one too); it
   * goes with its list (a weak key: a swept list's index is collected with it).
   */
  private readonly busyIndex = new WeakMap<AccountSighting[], Map<string, AccountSighting>>();

  /**
   * @param maxAccounts accounts kept per value; past it the least recently seen goes (a public
   *   Wi-Fi IP with ten thousand customers stays bounded).
   * @param isDormant whether a value's newest sighting is past the retention (swept two per new value).
   * @param changed told each account on a value's list (and the account sighted) before that list
   *   changes in any way: what a memo derived from `anotherWithin` for those accounts must forget.
   */
  constructor(private readonly maxAccounts: number, private readonly isDormant: (lastTime: number) => boolean, private readonly changed?: (accountId: string) => void) {}

  get size(): number {
    return this.byValue.size;
  }

  /** The value's list (undefined: none), through the one-entry memo of the last look-up. */
  private listOf(value: string): Linked | undefined {
    if (value === this.lastValue) return this.lastList;
    const list = this.byValue.get(value);
    this.lastValue = value;
    this.lastList = list;
    return list;
  }

  /** Stores the value's list, and remembers it as the last look-up. */
  private store(value: string, list: Linked): void {
    this.byValue.set(value, list);
    this.lastValue = value;
    this.lastList = list;
  }

  sight(value: string, accountId: string, time: number, eventId: string): void {
    const linked = this.listOf(value);
    if (linked === undefined) {
      this.byValue.sweepSome(2, this.sweptIfDormant);
      if (this.changed) this.changed(accountId);
      this.store(value, this.maxAccounts >= 1 ? accountSighting(accountId, time, eventId, time, eventId) : []);
      return;
    }
    if (this.changed) this.tellAccounts(linked, accountId);
    if (Array.isArray(linked)) this.sightOnList(value, linked, accountId, time, eventId);
    else this.sightBeside(value, linked, accountId, time, eventId);
  }

  /**
   * A sighting on a value held as one account's entry: that account again updates it in place; a
   * dormant entry is replaced (as a list drops its dormant front); another account makes a list.
   */
  private sightBeside(value: string, only: AccountSighting, accountId: string, time: number, eventId: string): void {
    if (this.isDormant(only.lastTime)) {
      this.store(value, accountSighting(accountId, time, eventId, time, eventId));
      return;
    }
    if (only.accountId === accountId) {
      updated(only, time, eventId);
      return;
    }
    this.sightOnList(value, [only], accountId, time, eventId);
  }

  /** A sighting on a value held as a list (of one too, when a second account arrives: `sightBeside`). */
  private sightOnList(value: string, linked: AccountSighting[], accountId: string, time: number, eventId: string): void {
    // Accounts not seen within the retention go from the front (least recently seen first), so a
    // busy shared IP keeps the accounts of its window, not of its whole life.
    let stale = 0;
    while (stale < linked.length && this.isDormant(linked[stale]!.lastTime)) stale++;
    const byAccount = this.busyIndexFor(linked, stale);
    dropFront(linked, stale);
    const at = byAccount ? positionOf(linked, byAccount.get(accountId)) : lastPositionOfAccount(linked, accountId);
    if (at < 0) {
      // A new list, or a short one, is stored anew at its exact length (see tight-list.ts).
      const entry = accountSighting(accountId, time, eventId, time, eventId);
      const next = appended(linked, entry);
      byAccount?.set(accountId, entry);
      placeLast(next, next.length - 1); // an account sighted out of order goes to its place
      if (next.length > this.maxAccounts) {
        const leaving = next.shift()!;
        byAccount?.delete(leaving.accountId);
      }
      this.storeIfChanged(value, linked, next);
      return;
    }
    if (updated(linked[at]!, time, eventId)) placeLast(linked, at);
    this.storeIfChanged(value, linked, linked);
  }

  /**
   * Stores the value's list `next` where the map holds `held` (the list it was sighted on): a list
   * left with one account goes back to that entry alone, and a new list (a copy, see tight-list.ts)
   * replaces the old one.
   */
  private storeIfChanged(value: string, held: Linked, next: AccountSighting[]): void {
    if (next.length === 1) this.store(value, next[0]!);
    else if (next !== held) this.store(value, next);
  }

  /**
   * The list's index by account id while it is busy, with the `stale` accounts at its front about
   * to leave already gone from it; undefined while the list (without them) is short. Built on
   * first need: a list that grew past BUSY, or one restored from a checkpoint. A list that falls
   * back to BUSY or fewer loses its index: one is kept only while every change passes through it.
   */
  private busyIndexFor(linked: AccountSighting[], stale: number): Map<string, AccountSighting> | undefined {
    if (linked.length <= BUSY) return undefined; // short: never indexed
    if (linked.length - stale <= BUSY) {
      this.busyIndex.delete(linked);
      return undefined;
    }
    let byAccount = this.busyIndex.get(linked);
    if (!byAccount) this.busyIndex.set(linked, (byAccount = new Map()));
    for (let i = 0; i < stale; i++) byAccount.delete(linked[i]!.accountId);
    if (byAccount.size !== linked.length - stale) {
      byAccount.clear(); // built anew (or, were it ever out of step, rebuilt)
      for (let i = stale; i < linked.length; i++) byAccount.set(linked[i]!.accountId, linked[i]!);
    }
    return byAccount;
  }

  private readonly sweptIfDormant = (l: Linked): boolean => {
    if (countOf(l) > 0 && !this.isDormant(newestOf(l))) return false;
    if (this.changed) this.tellAccounts(l);
    if (l === this.lastList) this.forgetLastLookup(); // the list leaves the map
    return true;
  };

  private forgetLastLookup(): void {
    this.lastValue = undefined;
    this.lastList = undefined;
  }

  private tellAccounts(linked: Linked, sighted?: string): void {
    for (let i = 0, n = countOf(linked); i < n; i++) this.changed!(entryAt(linked, i).accountId);
    if (sighted !== undefined) this.changed!(sighted);
  }

  /** Accounts seen on `value` within [from, to], each with the event that evidences it (its first sighting in the window when known, else its latest). */
  within(value: string, from: number, to: number): { accountId: string; eventId: string }[] {
    const linked = this.listOf(value);
    if (!linked) return [];
    const out: { accountId: string; eventId: string }[] = [];
    for (let i = 0, n = countOf(linked); i < n; i++) {
      const s = entryAt(linked, i);
      if (s.lastTime < from || s.firstTime > to) continue;
      out.push({ accountId: s.accountId, eventId: s.firstTime >= from ? s.firstEventId : s.lastEventId });
    }
    return out;
  }

  /**
   * Other accounts whose newest sighting on `value` is dated after `time`, nearest first, at most
   * `limit`: each was judged before a sighting at `time` existed. Nothing (and no scan) when the
   * value's newest sighting is not after `time`: events in order never pay for this.
   */
  laterSightings(value: string, accountId: string, time: number, limit: number): { accountId: string; eventId: string; time: number }[] {
    const linked = this.listOf(value);
    if (!linked || newestOf(linked) <= time) return [];
    // The later ones are at the end (the list is in order of latest sighting): read back from it.
    const out: { accountId: string; eventId: string; time: number }[] = [];
    for (let i = countOf(linked) - 1; i >= 0 && out.length < limit; i--) {
      const s = entryAt(linked, i);
      if (s.lastTime <= time) break;
      if (s.accountId !== accountId) out.push({ accountId: s.accountId, eventId: s.lastEventId, time: s.lastTime });
    }
    return out;
  }

  /** How many accounts `within` would list, without building the list (most values have one account). */
  countWithin(value: string, from: number, to: number): number {
    const linked = this.listOf(value);
    if (!linked) return 0;
    let n = 0;
    for (let i = 0, count = countOf(linked); i < count; i++) {
      const s = entryAt(linked, i);
      if (s.lastTime >= from && s.firstTime <= to) n++;
    }
    return n;
  }

  /**
   * Whether an account other than `accountId` was seen on `value` within [from, to]: what
   * `within(...).some(other)` says, without building the list. Walked from the most recently
   * seen, where a shared device's other accounts usually are, and stopped at the first found.
   */
  anotherWithin(value: string, accountId: string, from: number, to: number): boolean {
    const linked = this.listOf(value);
    if (!linked) return false;
    for (let i = countOf(linked) - 1; i >= 0; i--) {
      const s = entryAt(linked, i);
      if (s.accountId !== accountId && s.lastTime >= from && s.firstTime <= to) return true;
    }
    return false;
  }

  /**
   * `anotherWithin`, narrowing `v` to the windows that give the same answer while the value's
   * list is unchanged: while the other account found stays inside the window, or while every
   * other account stays outside it (each before the start or after the end). Only an account on
   * the list is told of its changes (see `changed`): for any other the answer holds for no other
   * window.
   */
  anotherWithinBounded(value: string, accountId: string, from: number, to: number, v: WindowValidity): boolean {
    const linked = this.listOf(value);
    if (!linked || !holdsAccount(linked, accountId)) {
      v.fromAfter = Number.POSITIVE_INFINITY;
      return linked !== undefined && this.anotherWithin(value, accountId, from, to);
    }
    for (let i = countOf(linked) - 1; i >= 0; i--) {
      const s = entryAt(linked, i);
      if (s.accountId !== accountId && s.lastTime >= from && s.firstTime <= to) {
        v.fromAtMost = Math.min(v.fromAtMost, s.lastTime);
        v.toAtLeast = Math.max(v.toAtLeast, s.firstTime);
        return true;
      }
    }
    for (let i = 0, n = countOf(linked); i < n; i++) {
      const s = entryAt(linked, i);
      if (s.accountId === accountId) continue;
      if (s.lastTime < from) v.fromAfter = Math.max(v.fromAfter, s.lastTime);
      else v.toBefore = Math.min(v.toBefore, s.firstTime); // here s.firstTime > to
    }
    return false;
  }

  /**
   * The map by value, for a checkpoint (a restore fills it in place, in the same order): a value's
   * accounts are written as `sightingsOf` lists them and restored through `linkedOf`.
   */
  checkpointMap(): ShardedMap<string, LinkedSightings> {
    this.forgetLastLookup(); // a restore fills the map in place
    return this.byValue;
  }
}

/**
 * Moves the entry at `at`, whose latest sighting just changed, to its place in the list's order
 * of latest sighting: the end for a sighting in order (the usual case, no search), else among the
 * later ones (a sighting read out of order), so the newest is always last.
 */
function placeLast(linked: AccountSighting[], at: number): void {
  const entry = linked[at]!;
  const last = linked.length - 1;
  if (at === last && (last === 0 || linked[last - 1]!.lastTime <= entry.lastTime)) return; // in order, already last
  if (at < last && linked[last]!.lastTime <= entry.lastTime) {
    // In order: to the end, the entries after it moved up one place each (no splice, which
    // allocates an array of what it removes: on a busy block this runs at every sighting).
    for (let i = at; i < last; i++) linked[i] = linked[i + 1]!;
    linked[last] = entry;
    return;
  }
  linked.splice(at, 1);
  let lo = 0;
  let hi = linked.length; // the first entry seen later than `entry`: it goes before that one
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (linked[mid]!.lastTime <= entry.lastTime) lo = mid + 1; else hi = mid;
  }
  linked.splice(lo, 0, entry);
}

/** Where the account's entry is on a short list (-1: not there); the common case, the same account again, is the last entry. */
function lastPositionOfAccount(linked: AccountSighting[], accountId: string): number {
  let at = linked.length - 1;
  while (at >= 0 && linked[at]!.accountId !== accountId) at--;
  return at;
}

/** Where `entry` is on the list (-1: none), by identity: the last place first, where the account seen again usually is. */
function positionOf(linked: AccountSighting[], entry: AccountSighting | undefined): number {
  if (entry === undefined) return -1;
  const last = linked.length - 1;
  return linked[last] === entry ? last : linked.lastIndexOf(entry);
}

/** The newest sighting on the value (the last entry's; -Infinity for an empty list). */
function newestOf(linked: Linked): number {
  const n = countOf(linked);
  return n === 0 ? Number.NEGATIVE_INFINITY : entryAt(linked, n - 1).lastTime;
}

/** Whether the account is among the value's. */
function holdsAccount(linked: Linked, accountId: string): boolean {
  for (let i = 0, n = countOf(linked); i < n; i++) if (entryAt(linked, i).accountId === accountId) return true;
  return false;
}

/**
 * The account's entry with a sighting at `time` taken in: an earlier first sighting, or a
 * latest one (the same time too: the event read last evidences it). Whether the latest changed,
 * which moves the entry on a list (`placeLast`).
 */
function updated(known: AccountSighting, time: number, eventId: string): boolean {
  if (time < known.firstTime) { known.firstTime = time; known.firstEventId = eventId; }
  if (time < known.lastTime) return false;
  known.lastTime = time;
  known.lastEventId = eventId;
  return true;
}
