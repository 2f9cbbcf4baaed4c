/**
 * Label names a rule may name with no doubt: the contract's (intel.label.v1), the ones the
 * pipeline derives itself, and the operator labels the shipped rules read. An operator's own
 * label is any other name, except one within an edit or two of these: a rule naming
 * `sanctiond` loads, matches nothing and never fires, so the loader refuses it with the name it
 * most likely meant.
 */
import { ISSUER_BLACKLIST_LABEL } from '../decode/blacklist-label.js';
import { COINJOIN_LABEL } from '../graph/coinjoin-labels.js';
import { nearestName } from './did-you-mean.js';

const CONTRACT_LABELS = ['sanctioned', 'dprk-linked', 'mixer', 'bridge', 'exchange', 'payroll-platform', 'otc-desk', 'gambling', 'scam'];
const SHIPPED_OPERATOR_LABELS = ['service', 'stolen-funds', 'no-kyc-swap'];

/**
 * Known labels that mark risk, not a service: `excludeLabels: [any-untraced]` never excludes
 * them, even in a rule set where no exposure signal traces them.
 */
export const RISK_LABELS: readonly string[] = ['sanctioned', 'dprk-linked', 'mixer', 'scam', 'stolen-funds', 'no-kyc-swap', ISSUER_BLACKLIST_LABEL, COINJOIN_LABEL];

export const KNOWN_LABELS: readonly string[] = [...new Set([...CONTRACT_LABELS, ISSUER_BLACKLIST_LABEL, COINJOIN_LABEL, ...SHIPPED_OPERATOR_LABELS])];

/** The known label `name` is most likely a misspelling of, or undefined (a known name, or an operator's own). */
export function misspeltLabel(name: string): string | undefined {
  if (KNOWN_LABELS.includes(name)) return undefined;
  const near = nearestName(name, KNOWN_LABELS);
  return near !== undefined && near !== name ? near : undefined;
}
