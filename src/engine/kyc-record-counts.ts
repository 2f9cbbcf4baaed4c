/**
 * How many KYC records (transfers whose retained message carries `customer.kycCountry`) each
 * account's history holds, kept as items join and leave it (RuleState owns the histories and
 * calls this on each change). An account whose transfers never carry one (the contract makes
 * `customer` optional) is then known to have none without reading its history: a login of such
 * an account paid up to 256 history reads to learn it (declared-countries.ts, session 61).
 *
 * Bounded: one entry per account whose history holds a record, gone with the account or its
 * last record. A restore counts them again from the restored histories (never checkpointed).
 */
import type { HistoryItem } from './state.js';
import { ShardedMap } from '../state/sharded-map.js';

/** Whether a history item is a KYC record (what declared-countries.ts reads a country from). */
export function isKycRecord(item: HistoryItem): boolean {
  return item.type === 'transfer' && !!item.msg.customer?.kycCountry;
}

export class KycRecordCounts {
  private readonly counts = new ShardedMap<string, number>();

  get size(): number {
    return this.counts.size;
  }

  /** Whether the account's history holds a KYC record. */
  holds(accountId: string): boolean {
    return this.counts.has(accountId);
  }

  joined(accountId: string, items: Iterable<HistoryItem>): void {
    this.change(accountId, items, 1);
  }

  left(accountId: string, items: Iterable<HistoryItem>): void {
    this.change(accountId, items, -1);
  }

  /** The account's history is gone. */
  forget(accountId: string): void {
    this.counts.delete(accountId);
  }

  /** Counts again from whole histories (after a restore filled them). */
  recount(histories: Iterable<[string, readonly HistoryItem[]]>): void {
    for (const [accountId] of [...this.counts.entries()]) this.counts.delete(accountId);
    for (const [accountId, list] of histories) this.joined(accountId, list);
  }

  private change(accountId: string, items: Iterable<HistoryItem>, by: 1 | -1): void {
    let delta = 0;
    for (const item of items) if (isKycRecord(item)) delta += by;
    if (delta === 0) return;
    const count = (this.counts.get(accountId) ?? 0) + delta;
    if (count > 0) this.counts.set(accountId, count);
    else this.counts.delete(accountId);
  }
}
