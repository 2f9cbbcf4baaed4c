/**
 * Typology names a rule may carry with no doubt: the contract's and the shipped rules'. An
 * operator's own typology is any other name, except one within a few edits of these: a rule
 * carrying `structurng` loads and alerts, but the console's filters, the dashboard, the SAR's
 * activity categories and `--truth` recall miss it (workflow QA), so the loader refuses it with
 * the name it most likely meant.
 */
import { nearestName } from './did-you-mean.js';

const CONTRACT_TYPOLOGIES = ['sanctions-exposure', 'dprk-it-payroll', 'dprk-consolidation', 'extortion-payment', 'account-linkage', 'chain-hop', 'pass-through', 'structuring'];
const SHIPPED_TYPOLOGIES = ['common-funder', 'fan-out-dispersal', 'high-risk-service', 'issuer-blacklist', 'mixer-exposure', 'stolen-funds'];

export const KNOWN_TYPOLOGIES: readonly string[] = [...CONTRACT_TYPOLOGIES, ...SHIPPED_TYPOLOGIES];

/** The known typology `name` is most likely a misspelling of, or undefined (a known name, or an operator's own). */
export function misspeltTypology(name: string): string | undefined {
  if (KNOWN_TYPOLOGIES.includes(name)) return undefined;
  const near = nearestName(name, KNOWN_TYPOLOGIES);
  return near !== undefined && near !== name ? near : undefined;
}
