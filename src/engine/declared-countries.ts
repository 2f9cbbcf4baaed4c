/**
 * The distinct KYC countries a set of accounts had declared by a time: each account's newest KYC
 * record (`customer.kycCountry` on its transfers) at or before it, upper-cased and sorted. A
 * `linkage` reports how many as `kycCountries` and which as `kycCountryCodes`, so a rule can tell
 * accounts that cannot be one household (members of a household declare one country of residence)
 * from a family on its home IP, and whether the shared IP's country is one the accounts claim.
 *
 * An account with no KYC record by that time counts the first one read after it whose
 * `customer.createdAt` is at or before it: the record says the account declared that country
 * since then (logins before the first deposit; two out-of-sample passes, session 61). In event
 * order such a record is read after the time it speaks for, so the verdict that uses it is the
 * re-judgement when it is read (pipeline/kyc-rejudgement.ts); read first, it counts at once: the
 * same answer either way.
 */
import { upperBound } from '../state/sorted-by-time.js';
import type { TransferEvent } from '../decode/events.js';
import type { HistoryItem, RuleState } from './state.js';

/** History items read back per account for its newest KYC record (logins carry none). */
const KYC_READ_LIMIT = 256;

/**
 * The declared countries, and the ids of the KYC records read after `to` that told them (the
 * evidence of a verdict only a later record could give: an alert that weighs them is not the one
 * given without them).
 */
export function declaredCountries(state: RuleState, accountIds: readonly string[], to: number): { codes: string[]; laterRecordIds: string[] } {
  const countries = new Set<string>();
  const laterRecordIds: string[] = [];
  for (const accountId of accountIds) {
    const record = kycRecordAt(state, accountId, to);
    if (!record) continue;
    countries.add(record.msg.customer!.kycCountry.toUpperCase());
    if (record.time > to) laterRecordIds.push(record.eventId);
  }
  return { codes: [...countries].sort(), laterRecordIds };
}

function kycRecordAt(state: RuleState, accountId: string, to: number): TransferEvent | undefined {
  if (!state.holdsKycRecord(accountId)) return undefined; // none in the history: nothing to read
  const list = state.history(accountId);
  const end = upperBound(list, to);
  for (let i = end - 1; i >= Math.max(0, end - KYC_READ_LIMIT); i--) {
    const item = list[i]!;
    if (item.type === 'transfer' && item.msg.customer?.kycCountry) return item;
  }
  return kycDeclaredSince(list, end, to);
}

/** The first KYC record from `start` on (at most KYC_READ_LIMIT items), when it was created at or before `to`. */
function kycDeclaredSince(list: readonly HistoryItem[], start: number, to: number): TransferEvent | undefined {
  for (let i = start; i < Math.min(list.length, start + KYC_READ_LIMIT); i++) {
    const item = list[i]!;
    if (item.type !== 'transfer' || !item.msg.customer?.kycCountry) continue;
    return kycCreatedAt(item.msg.customer) <= to ? item : undefined;
  }
  return undefined;
}

/** Since when a KYC record says its country was declared (ms; +Infinity when unreadable). */
export function kycCreatedAt(customer: { createdAt?: string }): number {
  const at = customer.createdAt === undefined ? Number.NaN : Date.parse(customer.createdAt);
  return Number.isNaN(at) ? Number.POSITIVE_INFINITY : at;
}

/**
 * Whether the account's history holds a KYC record at or before `to` (its newest KYC_READ_LIMIT
 * items before it read). An account whose history holds none (its transfers carry no `customer`)
 * is answered with no read (RuleState.holdsKycRecord).
 */
export function hasKycBy(state: RuleState, accountId: string, to: number): boolean {
  if (!state.holdsKycRecord(accountId)) return false;
  const list = state.history(accountId);
  const end = upperBound(list, to);
  for (let i = end - 1; i >= Math.max(0, end - KYC_READ_LIMIT); i--) {
    const item = list[i]!;
    if (item.type === 'transfer' && item.msg.customer?.kycCountry) return true;
  }
  return false;
}

