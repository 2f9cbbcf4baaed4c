/**
 * The distinct KYC countries a set of accounts had declared by a time: each account's newest KYC
 * record (`customer.kycCountry` on its transfers) at or before it, upper-cased and sorted. A
 * `linkage` reports how many as `kycCountries` and which as `kycCountryCodes`, so a rule can tell
 * accounts that cannot be one household (members of a household declare one country of residence)
 * from a family on its home IP, and whether the shared IP's country is one the accounts claim.
 */
import { upperBound } from '../state/sorted-by-time.js';
import type { RuleState } from './state.js';

/** History items read back per account for its newest KYC record (logins carry none). */
const KYC_READ_LIMIT = 256;

export function declaredCountries(state: RuleState, accountIds: readonly string[], to: number): string[] {
  const countries = new Set<string>();
  for (const accountId of accountIds) {
    const country = newestKycCountry(state, accountId, to);
    if (country) countries.add(country.toUpperCase());
  }
  return [...countries].sort();
}

function newestKycCountry(state: RuleState, accountId: string, to: number): string | undefined {
  const list = state.history(accountId);
  const end = upperBound(list, to);
  for (let i = end - 1; i >= Math.max(0, end - KYC_READ_LIMIT); i--) {
    const item = list[i]!;
    if (item.type === 'transfer' && item.msg.customer?.kycCountry) return item.msg.customer.kycCountry;
  }
  return undefined;
}
