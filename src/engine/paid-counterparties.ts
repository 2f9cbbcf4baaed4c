/**
 * Per account, the retained transfers by counterparty address (a deposit's senders, a
 * withdrawal's receiver), oldest first: whether the account dealt with an address before a time
 * is then a lookup per address, not a scan of its whole history (the `fresh` signal). Only long
 * histories are indexed (INDEX_FROM): a short one is scanned, as cheap as a look-up, unless
 * its filter (CounterpartyFilter) shows the address was never one of its counterparties.
 *
 * The index is a cache of the history, never a second truth: an account's index is built from
 * its history on first use and then fed every transfer the history takes in, and an entry is
 * believed only while the history still holds that very transfer. The history tells the index
 * what it drops (by retention, by kind and by its per-account cap: `release`), so the index keeps
 * no dropped transfer alive; entries found gone are dropped as they are met too, and an index that has taken in more than twice its history's length (plus
 * a few) is rebuilt from the history at its next write, so it holds at most that many transfers
 * and a rebuild costs O(1) per write amortised. Nothing here is checkpointed:
 * after a restore each index is rebuilt from the restored history on first use, which gives the
 * same answers, since they depend on the history alone.
 */
import type { AddressKey } from '../chain/address.js';
import type { TransferEvent } from '../decode/events.js';
import { ShardedMap } from '../state/sharded-map.js';
import { dealtSinceOf, soleCounterparty } from './dealt-since.js';
import { lowerBound, upperBound } from '../state/sorted-by-time.js';
import { dropFront } from '../state/tight-list.js';
import type { HistoryItem } from './state.js';

/** Transfers at or before the asked time looked at by priorDealing. */
const PRIOR_LOOK = 64;

/** Slack over twice the history's length before an index is rebuilt (a short history is not rebuilt per write). */
const SLACK = 16;

/**
 * Histories longer than this are indexed; shorter ones are scanned, which reads what a new index
 * would hold, in the same order. Most accounts keep a few transfers, and an index (a Map, a list
 * per counterparty) cost them about 100 bytes per retained transfer: some 150 MB in the 300-day
 * soak. An index whose history has shrunk to half of this goes.
 */
const INDEX_FROM = 32;

interface AccountIndex {
  byAddress: Map<AddressKey, TransferEvent[]>;
  /** Transfers taken in since the index was built, with those it was built from (stale ones included). */
  items: number;
}

/**
 * Histories of at least this many items that hold no index keep a CounterpartyFilter. Every
 * transfer asks whether its account dealt with its counterparty before (RuleState.priorDealing):
 * in a history of months most are new addresses, and each such question read every item of the
 * history (a cache miss or more each: some 18 items a transfer, 8% of the pipeline's time at the
 * end of the 10x longer benchmark stream).
 */
const FILTER_FROM = 4;

/** Bits of a CounterpartyFilter: eight 31-bit words (small integers, no allocation per key). */
const FILTER_BITS = 248;

/** A hash of the key's last characters (the random part of any address form), unsigned. */
function filterHash(key: AddressKey): number {
  let h = 0x811c9dc5;
  for (let i = key.length - 1, n = 0; i >= 0 && n < 12; i--, n++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The key's two filter bits, from two parts of its hash. */
const firstBit = (h: number): number => h % FILTER_BITS;
const secondBit = (h: number): number => Math.floor(h / FILTER_BITS) % FILTER_BITS;

/**
 * The counterparties of a short history's transfers, two bits per address (a Bloom filter of two
 * hashes): a clear bit means no transfer of the history dealt with that address, so the answer
 * is "never" without a scan; both bits set may be other addresses' or a transfer's the history
 * has dropped since, and the history is scanned as before. Rebuilt once it has taken in more than
 * twice its history's length, so dropped transfers do not fill it. Until session 64 it had 124
 * bits and one per address: a history of 24 transfers (the 10x longer benchmark stream past its
 * retention) with the dropped ones' bits set a third or more of them, and each address that
 * came out "maybe" cost a scan of the whole history, so the items read per question grew with
 * the history (2.4 at 6 transfers, 7 at 24, 10 at 32: measured on the stream's mix of one-off
 * senders and a repeated own wallet); two bits of 248 keep that near 1 in 20.
 */
class CounterpartyFilter {
  private w0 = 0;
  private w1 = 0;
  private w2 = 0;
  private w3 = 0;
  private w4 = 0;
  private w5 = 0;
  private w6 = 0;
  private w7 = 0;
  /** Transfers taken in since it was built, with those it was built from. */
  items = 0;

  add(e: TransferEvent): void {
    this.items++;
    if (e.msg.kind !== 'deposit') this.note(e.to);
    else for (const key of e.from) this.note(key);
  }

  mayHold(key: AddressKey): boolean {
    const h = filterHash(key);
    return this.has(firstBit(h)) && this.has(secondBit(h));
  }

  private note(key: AddressKey): void {
    const h = filterHash(key);
    this.set(firstBit(h));
    this.set(secondBit(h));
  }

  private has(bit: number): boolean {
    return (this.word(Math.floor(bit / 31)) & (1 << bit % 31)) !== 0;
  }

  private word(i: number): number {
    switch (i) {
      case 0: return this.w0;
      case 1: return this.w1;
      case 2: return this.w2;
      case 3: return this.w3;
      case 4: return this.w4;
      case 5: return this.w5;
      case 6: return this.w6;
      default: return this.w7;
    }
  }

  private set(bit: number): void {
    const mask = 1 << bit % 31;
    switch (Math.floor(bit / 31)) {
      case 0: this.w0 |= mask; break;
      case 1: this.w1 |= mask; break;
      case 2: this.w2 |= mask; break;
      case 3: this.w3 |= mask; break;
      case 4: this.w4 |= mask; break;
      case 5: this.w5 |= mask; break;
      case 6: this.w6 |= mask; break;
      default: this.w7 |= mask;
    }
  }
}

/** What the look-ups of one account have to go on: its index, its filter, or nothing (a scan). */
type Lookup = AccountIndex | CounterpartyFilter | undefined;

/** The addresses a transfer dealt with: a deposit's senders (each once), a withdrawal's receiver. */
export function counterpartiesOf(e: TransferEvent): readonly AddressKey[] {
  if (e.msg.kind !== 'deposit') return [e.to];
  return e.from.length < 2 ? e.from : [...new Set(e.from)];
}

/** Whether the time-sorted history holds this very item (a binary search, then the items of its time). */
function holds(history: readonly HistoryItem[], item: HistoryItem): boolean {
  for (let i = lowerBound(history, item.time); i < history.length && history[i]!.time === item.time; i++) if (history[i] === item) return true;
  return false;
}

export class PaidCounterparties {
  private readonly accounts = new ShardedMap<string, AccountIndex | CounterpartyFilter>();
  private indexes = 0;

  /**
   * @param indexFrom histories longer than this are indexed (tests set 0, always, or Infinity, never).
   * @param filterFrom histories of at least this many items and no index keep a filter (Infinity: none).
   */
  constructor(private readonly historyOf: (accountId: string) => readonly HistoryItem[], indexFrom?: number, filterFrom?: number) {
    this.indexFrom = indexFrom ?? INDEX_FROM;
    this.filterFrom = filterFrom ?? FILTER_FROM;
  }

  private readonly indexFrom: number;
  private readonly filterFrom: number;

  /** Accounts with an index. */
  get size(): number {
    return this.indexes;
  }

  /** Accounts with a filter. */
  get filters(): number {
    return this.accounts.size - this.indexes;
  }

  /** Whether the account's history holds a transfer with one of `keys` as counterparty before `time`. */
  dealtWithBefore(accountId: string, keys: Iterable<AddressKey>, time: number): boolean {
    const since = this.firstDealtAt(accountId, keys);
    return since !== undefined && since < time;
  }

  /**
   * When the account first dealt with one of `keys`: its oldest retained transfer with one of them
   * as counterparty, or earlier when a retained transfer carries an earlier first dealing
   * (dealt-since.ts); undefined when none is retained.
   */
  firstDealtAt(accountId: string, keys: Iterable<AddressKey>): number | undefined {
    const history = this.historyOf(accountId);
    const lookup = this.lookupOf(accountId, history);
    let first: number | undefined;
    for (const key of keys) {
      let since: number | undefined;
      if (lookup === undefined) since = dealtSinceInHistory(history, key);
      else if (lookup instanceof CounterpartyFilter) since = lookup.mayHold(key) ? dealtSinceInHistory(history, key) : undefined;
      else since = this.dealtSince(lookup, key, history);
      if (since !== undefined && (first === undefined || since < first)) first = since;
    }
    return first;
  }

  /**
   * What the account's look-ups go on: its index (the one kept, or a new one for a long history),
   * else its filter (the one kept, or a new one), else nothing for a history shorter than that.
   */
  private lookupOf(accountId: string, history: readonly HistoryItem[]): Lookup {
    const kept = this.accounts.get(accountId);
    if (kept !== undefined && !(kept instanceof CounterpartyFilter)) return kept;
    if (history.length > this.indexFrom) return this.build(accountId, history);
    if (kept !== undefined || history.length < this.filterFrom) return kept;
    return this.buildFilter(accountId, history);
  }

  /**
   * The first dealing with `key` the retained transfers know of: the oldest one's, or the newest
   * one's carried time (a transfer read late, older than those after it, carries its own).
   */
  private dealtSince(index: AccountIndex, key: AddressKey, history: readonly HistoryItem[]): number | undefined {
    const oldest = this.oldestHeld(index, key, history);
    if (oldest === undefined) return undefined;
    const list = index.byAddress.get(key)!;
    return Math.min(dealtSinceOf(oldest), dealtSinceOf(list[list.length - 1]!));
  }

  /**
   * The first dealing with `key` that the account's newest retained transfer with `key` as its
   * one counterparty, at or before `time`, knows of (dealt-since.ts); undefined when there is
   * none. Asked before a new transfer enters the history: it finds the transfer the new one
   * carries its first dealing from in the counterparty's list, however long the history.
   */
  priorDealing(accountId: string, key: AddressKey, time: number): number | undefined {
    const history = this.historyOf(accountId);
    if (history.length === 0) return undefined;
    const index = this.lookupOf(accountId, history);
    if (index === undefined) return priorDealingInHistory(history, key, time);
    if (index instanceof CounterpartyFilter) return index.mayHold(key) ? priorDealingInHistory(history, key, time) : undefined;
    const list = index.byAddress.get(key);
    if (!list) return undefined;
    // From the newest at or before `time` back (the list is sorted by time; a transfer read late
    // is placed by a binary search): a deposit from several senders is listed under each but
    // deals with none alone, and those are few, so the look is capped like any other per-key walk.
    let i = list.length - 1;
    if (i >= 0 && list[i]!.time > time) i = upperBound(list, time) - 1;
    for (let seen = 0; i >= 0 && seen < PRIOR_LOOK; i--, seen++) {
      const prior = list[i]!;
      if (soleCounterparty(prior) !== key || !holds(history, prior)) continue;
      return dealtSinceOf(prior);
    }
    return undefined;
  }

  /** Takes in a transfer the account's history (`history`, as it is now) just took in; a no-op for an account never asked about. */
  feed(accountId: string, e: TransferEvent, history: readonly HistoryItem[]): void {
    const kept = this.accounts.get(accountId);
    if (!kept) return;
    if (kept.items >= 2 * history.length + SLACK) {
      if (kept instanceof CounterpartyFilter) this.buildFilter(accountId, history);
      else this.build(accountId, history);
      return;
    }
    if (kept instanceof CounterpartyFilter) kept.add(e);
    else insert(kept, e);
  }

  /**
   * Lets go of transfers the account's history just dropped, so the index holds no transfer the
   * history does not (each is found near the front of its lists: the history drops its oldest).
   */
  release(accountId: string, dropped: readonly HistoryItem[]): void {
    const index = this.accounts.get(accountId);
    // A filter keeps the bits of what was dropped (they cost a scan, never a wrong answer) until its rebuild.
    if (!index || index instanceof CounterpartyFilter) return;
    if (this.historyOf(accountId).length <= this.indexFrom / 2) { this.forget(accountId); return; }
    for (const item of dropped) if (item.type === 'transfer') remove(index, item);
  }

  /** Forgets the account (its history was evicted). */
  forget(accountId: string): void {
    const kept = this.accounts.get(accountId);
    if (kept === undefined) return;
    if (!(kept instanceof CounterpartyFilter)) this.indexes--;
    this.accounts.delete(accountId);
  }

  private build(accountId: string, history: readonly HistoryItem[]): AccountIndex {
    const index: AccountIndex = { byAddress: new Map(), items: 0 };
    for (const item of history) if (item.type === 'transfer') insert(index, item);
    this.put(accountId, index);
    return index;
  }

  private buildFilter(accountId: string, history: readonly HistoryItem[]): CounterpartyFilter {
    const filter = new CounterpartyFilter();
    for (const item of history) if (item.type === 'transfer') filter.add(item);
    this.put(accountId, filter);
    return filter;
  }

  /** Keeps the account's index or filter in place of what it had. */
  private put(accountId: string, entry: AccountIndex | CounterpartyFilter): void {
    const before = this.accounts.get(accountId);
    if (before !== undefined && !(before instanceof CounterpartyFilter)) this.indexes--;
    if (!(entry instanceof CounterpartyFilter)) this.indexes++;
    this.accounts.set(accountId, entry);
  }

  /** The oldest transfer with this counterparty the history still holds; entries found gone before it are dropped. */
  private oldestHeld(index: AccountIndex, key: AddressKey, history: readonly HistoryItem[]): TransferEvent | undefined {
    const list = index.byAddress.get(key);
    if (!list) return undefined;
    let gone = 0;
    while (gone < list.length && !holds(history, list[gone]!)) gone++;
    if (gone === list.length) { index.byAddress.delete(key); return undefined; }
    dropFront(list, gone);
    return list[0];
  }
}

/** Whether `key` is one of the transfer's counterparties (counterpartiesOf, without a list). */
function dealsWith(e: TransferEvent, key: AddressKey): boolean {
  return e.msg.kind !== 'deposit' ? e.to === key : e.from.includes(key);
}

/** dealtSince over a history scanned whole: its oldest and newest transfers with `key`, as an index built from it lists them. */
function dealtSinceInHistory(history: readonly HistoryItem[], key: AddressKey): number | undefined {
  let oldest: TransferEvent | undefined;
  let newest: TransferEvent | undefined;
  for (const item of history) {
    if (item.type !== 'transfer' || !dealsWith(item, key)) continue;
    oldest ??= item;
    newest = item;
  }
  return oldest === undefined ? undefined : Math.min(dealtSinceOf(oldest), dealtSinceOf(newest!));
}

/** priorDealing over a history scanned from `time` back: the same PRIOR_LOOK transfers with `key` an index would list. */
function priorDealingInHistory(history: readonly HistoryItem[], key: AddressKey, time: number): number | undefined {
  let seen = 0;
  // Usually asked at or after the newest item (before a new transfer goes in): read from the
  // end without a binary search, as the index's lists are.
  let i = history.length - 1;
  if (i >= 0 && history[i]!.time > time) i = upperBound(history, time) - 1;
  for (; i >= 0 && seen < PRIOR_LOOK; i--) {
    const item = history[i]!;
    if (item.type !== 'transfer' || !dealsWith(item, key)) continue;
    seen++;
    if (soleCounterparty(item) === key) return dealtSinceOf(item);
  }
  return undefined;
}

/** Takes the transfer out from under each of its counterparties (a list left empty goes). */
function remove(index: AccountIndex, e: TransferEvent): void {
  let held = false;
  for (const key of counterpartiesOf(e)) {
    const list = index.byAddress.get(key);
    const at = list ? list.indexOf(e) : -1;
    if (at < 0) continue;
    held = true;
    if (list!.length === 1) index.byAddress.delete(key);
    else list!.splice(at, 1);
  }
  if (held) index.items--;
}

/** Adds the transfer under each of its counterparties, in time order (a late transfer goes in its place). */
function insert(index: AccountIndex, e: TransferEvent): void {
  index.items++;
  for (const key of counterpartiesOf(e)) {
    const list = index.byAddress.get(key);
    if (!list) { index.byAddress.set(key, [e]); continue; }
    let i = list.length;
    while (i > 0 && list[i - 1]!.time > e.time) i--;
    if (i === list.length) list.push(e); // the usual case; splice would allocate an empty result array
    else list.splice(i, 0, e);
  }
}
