/**
 * Per account, its retained transfers grouped by kind and first sending address (the payer the
 * `cadence` signal groups by, before clusters are applied), each group in history order: a
 * cadence reads the groups' slices of its window by binary search instead of re-reading,
 * re-selecting and re-grouping the whole window per trigger.
 *
 * Like the counterparty index (paid-counterparties.ts) it is a cache of the history: built from
 * it on first use, then fed each transfer the history takes in, and told each item the history
 * drops from its front or by its kind's retention (`release`), which leaves its group (a group
 * left empty goes). It counts the items the history should hold; the history's length differs
 * from that count when the history changed in a way it was not told of, and the index is then
 * forgotten, to be rebuilt at its next use. So it never holds more than its history, and answers
 * only from what the history holds. Before session 61 every drop forgot the index: past the
 * retention nearly every transfer drops one, so each read rebuilt the whole history's groups
 * (O(history) a transfer on the 10x longer benchmark stream). Nothing here is checkpointed: a
 * restored history rebuilds it on first use.
 */
import type { AddressKey } from '../chain/address.js';
import type { TransferEvent } from '../decode/events.js';
import { ShardedMap } from '../state/sharded-map.js';
import type { HistoryItem } from './state.js';

/** One payer's transfers of one kind, oldest first (equal times in arrival order, as the history keeps them). */
export interface PayerGroup {
  kind: 'deposit' | 'withdrawal';
  payer: AddressKey;
  items: TransferEvent[];
  /**
   * The payer's address id, kept by a reader (cadence.ts) while the graph's `generation` is
   * `idGeneration`; -1 until read (set at creation, so every group has one shape).
   */
  payerId: number;
  idGeneration: number;
  /** Where the group stands in its index's `ordered` (an empty group leaves it by a swap with the last). */
  slot: number;
}

interface AccountPayers {
  /**
   * The groups by kind, then payer: looked up without building a `kind + payer` key string per
   * transfer (a string built, flattened and hashed for every insert).
   */
  byKind: Record<PayerGroup['kind'], Map<AddressKey, PayerGroup>>;
  /** Every group, in no set order (the order of groups is no part of what the index answers). */
  ordered: PayerGroup[];
  /** The history's length this index accounts for. */
  count: number;
}

const emptyIndex = (count: number): AccountPayers => ({ byKind: { deposit: new Map(), withdrawal: new Map() }, ordered: [], count });

/** The index of an empty history, shared and never fed (`feed` reaches only stored indexes). */
const NO_GROUPS: AccountPayers = emptyIndex(0);

export class PayerIndex {
  private readonly accounts = new ShardedMap<string, AccountPayers>();
  /** Transfers put into groups by builds from a whole history (a test reads it: flat once an index stands). */
  rebuiltItems = 0;

  constructor(private readonly historyOf: (accountId: string) => readonly HistoryItem[]) {}

  get size(): number {
    return this.accounts.size;
  }

  /** The account's payer groups, exactly as its history holds them now. */
  groups(accountId: string): Iterable<PayerGroup> {
    return this.current(accountId).ordered;
  }

  /** One payer's group of one kind (its transfers with `payer` as first sender), as the history holds it now. */
  group(accountId: string, kind: PayerGroup['kind'], payer: AddressKey): PayerGroup | undefined {
    return this.current(accountId).byKind[kind].get(payer);
  }

  /** The account's index, built from its history when it has none or its history dropped something. */
  private current(accountId: string): AccountPayers {
    const history = this.historyOf(accountId);
    // No history, no groups, and nothing kept: only a history's removal forgets an entry, so one
    // kept for an account without history would stay for good.
    if (history.length === 0) return NO_GROUPS;
    let index = this.accounts.get(accountId);
    if (!index || index.count !== history.length) {
      index = emptyIndex(history.length);
      for (const item of history) if (item.type === 'transfer') { insert(index, item); this.rebuiltItems++; }
      this.accounts.set(accountId, index);
    }
    return index;
  }

  /** Takes in an item the account's history (`history`, as it is now) just took in; a history that also dropped something makes the index go. */
  feed(accountId: string, item: HistoryItem, history: readonly HistoryItem[]): void {
    const index = this.accounts.get(accountId);
    if (!index) return;
    if (++index.count !== history.length) { this.accounts.delete(accountId); return; }
    if (item.type === 'transfer') insert(index, item);
  }

  forget(accountId: string): void {
    this.accounts.delete(accountId);
  }

  /**
   * The account's history just let go of `dropped` (from its front, or a transfer by its kind's
   * retention): each leaves its group. One the index does not hold where it should (the history
   * dropped an item it was never fed) makes the index go, to be rebuilt at its next use.
   */
  release(accountId: string, dropped: readonly HistoryItem[]): void {
    const index = this.accounts.get(accountId);
    if (!index) return;
    index.count -= dropped.length;
    for (const item of dropped) if (item.type === 'transfer' && !remove(index, item)) { this.accounts.delete(accountId); return; }
  }
}

/** Takes the transfer out of its payer's group (usually its oldest item); false when the group does not hold it. */
function remove(index: AccountPayers, e: TransferEvent): boolean {
  const payer = e.from[0];
  if (payer === undefined) return true;
  const groups = index.byKind[e.msg.kind];
  const group = groups.get(payer);
  if (!group) return false;
  const items = group.items;
  if (items[0] === e) items.shift();
  else {
    const at = items.indexOf(e);
    if (at < 0) return false;
    items.splice(at, 1);
  }
  if (items.length > 0) return true;
  groups.delete(payer);
  const last = index.ordered.pop()!;
  if (last !== group) {
    index.ordered[group.slot] = last;
    last.slot = group.slot;
  }
  return true;
}

/** Adds the transfer to its payer's group, after every item of its time or earlier (where the history put it). */
function insert(index: AccountPayers, e: TransferEvent): void {
  const payer = e.from[0];
  if (payer === undefined) return;
  const kind = e.msg.kind;
  const groups = index.byKind[kind];
  const group = groups.get(payer);
  if (!group) {
    const created: PayerGroup = { kind, payer, items: [e], payerId: -1, idGeneration: -1, slot: index.ordered.length };
    groups.set(payer, created);
    index.ordered.push(created);
    return;
  }
  const items = group.items;
  let i = items.length;
  while (i > 0 && items[i - 1]!.time > e.time) i--;
  if (i === items.length) items.push(e); // the usual case; splice would allocate an empty result array
  else items.splice(i, 0, e);
}
