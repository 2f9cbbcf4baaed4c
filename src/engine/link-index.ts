/**
 * Which accounts used a device or an IP, and when: for each value, one entry per account with
 * its first and latest sighting, in order of latest sighting (a Map re-inserted on update). A
 * linkage rule asks for the distinct accounts within a window, which costs O(accounts on that
 * device), not O(logins on it): a customer who logs in a thousand times is one entry.
 */
import { ShardedMap } from '../state/sharded-map.js';
import { appended, dropFront } from '../state/tight-list.js';
import { BusySightings } from './busy-sightings.js';
import { placeLast } from './sighting-order.js';
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
 * (never of one, but possibly empty under a cap of 0) is an array, where a Map would cost more,
 * until it is busy: past BUSY accounts it becomes a BusySightings (busy-sightings.ts), the same
 * entries in the same order in one Map by account id, and a list again at SHORT or fewer.
 */
export type LinkedSightings = AccountSighting | AccountSighting[] | BusySightings;
type Linked = LinkedSightings;

/** The value's accounts as a list, least recently seen first (a single entry as a list of one). */
export function sightingsOf(linked: LinkedSightings): readonly AccountSighting[] {
  if (linked instanceof BusySightings) return linked.list();
  return Array.isArray(linked) ? linked : [linked];
}

/** How the index holds a value's accounts given as a list (a checkpoint's rows restore through this). */
export function linkedOf(list: AccountSighting[]): LinkedSightings {
  return list.length === 1 ? list[0]! : list;
}

/** A value's accounts other than busy ones: a single entry or a list. */
type Short = AccountSighting | AccountSighting[];

/** How many accounts a value has. */
function countOf(linked: Short): number {
  return Array.isArray(linked) ? linked.length : 1;
}

/** The value's `i`th account, least recently seen first (0 for a single entry). */
function entryAt(linked: Short, i: number): AccountSighting {
  return Array.isArray(linked) ? linked[i]! : linked;
}

/**
 * Past this many accounts a value's list becomes a BusySightings: a sighting on a busy value (an
 * office's or a carrier's IP block, a public Wi-Fi address) then finds its account's entry by one
 * look-up and moves it to the end in O(1), not by comparing its id with every id on the list (256
 * string comparisons a login on a full block) and shifting the entries after it.
 */
const BUSY = 32;
/** A busy value left with this many accounts or fewer (its dormant front gone) is a list again; apart from BUSY, so that a value near it does not change form at every sighting. */
const SHORT = BUSY / 2;

export class LinkIndex {
  private readonly byValue = new ShardedMap<string, Linked>();
  /**
   * The value looked up last and its list (undefined: none): a sighting is followed by the
   * rules' reads of the very same device or IP, which then cost no look-up in a large map.
   */
  private lastValue: string | undefined;
  private lastList: Linked | undefined;

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
    if (linked instanceof BusySightings) this.sightOnBusy(value, linked, accountId, time, eventId);
    else if (Array.isArray(linked)) this.sightOnList(value, linked, accountId, time, eventId);
    else this.sightBeside(value, linked, accountId, time, eventId);
  }

  /** A sighting on a busy value: as on a list (`sightOnList`), by look-up and in-place moves. */
  private sightOnBusy(value: string, busy: BusySightings, accountId: string, time: number, eventId: string): void {
    busy.dropDormant(this.isDormant);
    if (busy.size <= SHORT) {
      // A list again (its dormant front gone), sighted as one.
      const list = busy.list();
      this.store(value, list);
      this.sightOnList(value, list, accountId, time, eventId);
      return;
    }
    const known = busy.entryOf(accountId);
    if (known === undefined) {
      busy.add(accountSighting(accountId, time, eventId, time, eventId));
      if (busy.size > this.maxAccounts) busy.dropOldest();
      return;
    }
    if (updated(known, time, eventId)) busy.moved(known);
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
    dropFront(linked, stale);
    const at = lastPositionOfAccount(linked, accountId);
    if (at < 0) {
      // A new list, or a short one, is stored anew at its exact length (see tight-list.ts).
      const next = appended(linked, accountSighting(accountId, time, eventId, time, eventId));
      placeLast(next, next.length - 1); // an account sighted out of order goes to its place
      if (next.length > this.maxAccounts) next.shift();
      this.storeIfChanged(value, linked, next);
      return;
    }
    if (updated(linked[at]!, time, eventId)) placeLast(linked, at);
    this.storeIfChanged(value, linked, linked);
  }

  /**
   * Stores the value's list `next` where the map holds `held` (the list it was sighted on): a list
   * left with one account goes back to that entry alone, a new list (a copy, see tight-list.ts)
   * replaces the old one, and a list past BUSY (grown, or restored so from a checkpoint) becomes
   * a BusySightings.
   */
  private storeIfChanged(value: string, held: Linked, next: AccountSighting[]): void {
    const busy = next.length > BUSY ? BusySightings.of(next) : undefined;
    if (busy !== undefined) this.store(value, busy);
    else if (next.length === 1) this.store(value, next[0]!);
    else if (next !== held) this.store(value, next);
  }

  private readonly sweptIfDormant = (l: Linked): boolean => {
    if (sizeOf(l) > 0 && !this.isDormant(newestOf(l))) return false;
    if (this.changed) this.tellAccounts(l);
    if (l === this.lastList) this.forgetLastLookup(); // the list leaves the map
    return true;
  };

  private forgetLastLookup(): void {
    this.lastValue = undefined;
    this.lastList = undefined;
  }

  private tellAccounts(linked: Linked, sighted?: string): void {
    if (linked instanceof BusySightings) linked.forEachAccount(this.changed!);
    else for (let i = 0, n = countOf(linked); i < n; i++) this.changed!(entryAt(linked, i).accountId);
    if (sighted !== undefined) this.changed!(sighted);
  }

  /** Accounts seen on `value` within [from, to], each with the event that evidences it (its first sighting in the window when known, else its latest). */
  within(value: string, from: number, to: number): { accountId: string; eventId: string }[] {
    const linked = this.listOf(value);
    if (!linked) return [];
    if (linked instanceof BusySightings) return linked.within(from, to);
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
    if (linked instanceof BusySightings) return linked.laterSightings(accountId, time, limit);
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
    if (linked instanceof BusySightings) return linked.countWithin(from, to);
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
    if (linked instanceof BusySightings) return linked.anotherWithin(accountId, from, to);
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
    if (linked instanceof BusySightings) return linked.anotherWithinBounded(accountId, from, to, v);
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

/** Where the account's entry is on a short list (-1: not there); the common case, the same account again, is the last entry. */
function lastPositionOfAccount(linked: AccountSighting[], accountId: string): number {
  let at = linked.length - 1;
  while (at >= 0 && linked[at]!.accountId !== accountId) at--;
  return at;
}

/** How many accounts a value has. */
function sizeOf(linked: Linked): number {
  return linked instanceof BusySightings ? linked.size : countOf(linked);
}

/** The newest sighting on the value (the last entry's; -Infinity for an empty list). */
function newestOf(linked: Linked): number {
  if (linked instanceof BusySightings) return linked.newest;
  const n = countOf(linked);
  return n === 0 ? Number.NEGATIVE_INFINITY : entryAt(linked, n - 1).lastTime;
}

/** Whether the account is among the value's. */
function holdsAccount(linked: Short, accountId: string): boolean {
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
