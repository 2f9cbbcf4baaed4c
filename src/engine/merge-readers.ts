/**
 * Which rules a merge of two unlabelled clusters can change the verdict of. Such a merge changes
 * who belongs to the cluster (its touches, its name and size), never a label: the merged cluster
 * carries none, as neither side did. A rule that reads no membership (exposure searches read
 * labels along flow edges; sequences, windows, linkage and freshness read accounts, addresses and
 * edges) judges the same with or without the merge, so re-examining it for the merge is work
 * that can only repeat an earlier verdict (issue #9: re-examine what a change can change).
 */
import type { RuleSpec, SignalSpec } from './rule-schema.js';

/** Whether a signal reads which addresses or accounts make up a cluster. */
export function readsMembership(spec: SignalSpec): boolean {
  switch (spec.op) {
    case 'fan-in': // the cluster's touches
    case 'cadence': // payments grouped by the payer's cluster
    case 'distinct-payers': // payers counted by cluster
    case 'flagged-payers': // payers judged by cluster, a consolidation by its touches
    case 'common-funder': // the funded addresses' cluster touches
    case 'predecessor': // shared clusters' touches
      return true;
    case 'window':
      return spec.key === 'counterparty';
    default:
      return false;
  }
}

/**
 * Whether a rule's verdict or alert can change when two unlabelled clusters merge: a signal
 * that reads membership, or a condition, subject or evidence that names the counterparty's
 * cluster or its size.
 */
export function ruleReadsMembership(spec: RuleSpec): boolean {
  if (Object.values(spec.signals).some(readsMembership)) return true;
  if (spec.subject === 'account+cluster') return true;
  return JSON.stringify([spec.where, spec.require, spec.score, spec.evidence, spec.explain, spec.alsoAlert ?? null]).includes('counterparty.cluster');
}
