/**
 * Per account, the retained transfers by counterparty address (a deposit's senders, a
 * withdrawal's receiver), oldest first: whether the account dealt with an address before a time
 * is then a lookup per address, not a scan of its whole history (the `fresh` signal). Only long
 * histories are indexed (INDEX_FROM): a short one is scanned, as cheap as a look-up.
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
  private readonly accounts = new ShardedMap<string, AccountIndex>();

  /** @param indexFrom histories longer than this are indexed (tests set 0, always, or Infinity, never). */
  constructor(private readonly historyOf: (accountId: string) => readonly HistoryItem[], indexFrom?: number) {
    this.indexFrom = indexFrom ?? INDEX_FROM;
  }

  private readonly indexFrom: number;

  get size(): number {
    return this.accounts.size;
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
    const index = this.indexOf(accountId, history);
    let first: number | undefined;
    for (const key of keys) {
      const since = index ? this.dealtSince(index, key, history) : dealtSinceInHistory(history, key);
      if (since !== undefined && (first === undefined || since < first)) first = since;
    }
    return first;
  }

  /** The account's index: the one kept, else a new one for a long history, else none (a short history is scanned). */
  private indexOf(accountId: string, history: readonly HistoryItem[]): AccountIndex | undefined {
    return this.accounts.get(accountId) ?? (history.length > this.indexFrom ? this.build(accountId, history) : undefined);
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
    const index = this.indexOf(accountId, history);
    if (!index) return priorDealingInHistory(history, key, time);
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
    const index = this.accounts.get(accountId);
    if (!index) return;
    if (index.items >= 2 * history.length + SLACK) { this.build(accountId, history); return; }
    insert(index, e);
  }

  /**
   * Lets go of transfers the account's history just dropped, so the index holds no transfer the
   * history does not (each is found near the front of its lists: the history drops its oldest).
   */
  release(accountId: string, dropped: readonly HistoryItem[]): void {
    const index = this.accounts.get(accountId);
    if (!index) return;
    if (this.historyOf(accountId).length <= this.indexFrom / 2) { this.accounts.delete(accountId); return; }
    for (const item of dropped) if (item.type === 'transfer') remove(index, item);
  }

  /** Forgets the account (its history was evicted). */
  forget(accountId: string): void {
    this.accounts.delete(accountId);
  }

  private build(accountId: string, history: readonly HistoryItem[]): AccountIndex {
    const index: AccountIndex = { byAddress: new Map(), items: 0 };
    for (const item of history) if (item.type === 'transfer') insert(index, item);
    this.accounts.set(accountId, index);
    return index;
  }

  /** The oldest transfer with this counterparty the history still holds; entries found gone before it are dropped. */
  private oldestHeld(index: AccountIndex, key: AddressKey, history: readonly HistoryItem[]): TransferEvent | undefined {
    const list = index.byAddress.get(key);
    if (!list) return undefined;
    let gone = 0;
    while (gone < list.length && !holds(history, list[gone]!)) gone++;
    if (gone === list.length) { index.byAddress.delete(key); return undefined; }
    if (gone > 0) list.splice(0, gone);
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
  for (let i = upperBound(history, time) - 1; i >= 0 && seen < PRIOR_LOOK; i--) {
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
