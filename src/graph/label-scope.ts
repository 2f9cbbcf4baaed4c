/**
 * Which of a cluster's labels hold for which of its members. A label read "on a cluster" is
 * one read on every member, so its scope must follow the evidence that put the members together:
 *
 * - A label on a member that joined its cluster as a forwarder (it swept what it received into
 *   another member: the deposit-address heuristic, clustering.ts) holds for that address alone.
 *   Forwarding is weak evidence of control (a customer's wallet paying a merchant in full looks
 *   like a deposit address sweeping into its hot wallet), so a listing of one payer must not make
 *   the merchant, nor its other payers, listed (session 44 chain QA). Exposure through the
 *   listed address is then a hop through it: its own flow edges lead there.
 * - A label on any other member (the receiver of forwards, or a co-spent Bitcoin input) holds
 *   for the whole cluster: what swept into a listed hot wallet is the listed party's.
 * - In a custodial cluster (a member labelled `exchange`: an exchange's hot wallets and the
 *   deposit addresses that sweep into them) a member's other labels hold for that member alone,
 *   unless the `exchange` label is on it too (a sanctioned exchange).
 * - Labels recorded with `scope: 'address'` (derived from chain patterns) never reach the cluster;
 *   the caller adds the asked address's own.
 */
import type { LabelRecord } from './labels.js';

export interface ClusterLabel {
  address: string;
  record: LabelRecord;
}

/** What the scope rules read of the graph. */
export interface LabelScopeGraph {
  labelsAt(member: number, asOf: number): readonly LabelRecord[];
  key(member: number): string;
  /** Whether the member joined its cluster as a forwarder (EntityGraph.markForwarder). */
  isForwarder(member: number): boolean;
}

/** The label that makes a cluster custodial: its members' other labels hold per address. */
const CUSTODIAL_LABEL = 'exchange';

/**
 * Appends to `out` the cluster-scoped labels in force at `asOf` on the cluster's labelled
 * `members` that hold for member `asked` (-1: for every member alike, as a cluster's own labels).
 */
export function clusterLabelsFor(graph: LabelScopeGraph, members: readonly number[], asOf: number, asked: number, out: ClusterLabel[]): ClusterLabel[] {
  const start = out.length;
  let custodial: number[] | undefined;
  for (const member of members) {
    if (member !== asked && graph.isForwarder(member)) continue;
    for (const record of graph.labelsAt(member, asOf)) {
      if (record.scope === 'address') continue;
      out.push({ address: graph.key(member), record });
      if (record.label === CUSTODIAL_LABEL) (custodial ??= []).push(member);
    }
  }
  if (!custodial) return out;
  return custodialView(out, start, custodial.map((id) => graph.key(id)), asked < 0 ? undefined : graph.key(asked));
}

/**
 * `labels` from index `start` on kept as a custodial cluster's are: the exchange labels, the
 * labels of members the exchange label is on, and the asked-for address's own.
 */
function custodialView(labels: ClusterLabel[], start: number, custodial: readonly string[], asked: string | undefined): ClusterLabel[] {
  let kept = start;
  for (let i = start; i < labels.length; i++) {
    const l = labels[i]!;
    if (l.record.label === CUSTODIAL_LABEL || l.address === asked || custodial.includes(l.address)) labels[kept++] = l;
  }
  labels.length = kept;
  return labels;
}
