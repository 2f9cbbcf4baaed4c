/**
 * Which of a cluster's labels hold for which of its members. A label read "on a cluster" is
 * one read on every member, so its scope must follow the evidence that put the members together:
 *
 * - A label on a member that joined its cluster as a forwarder (it swept what it received into
 *   another member: the deposit-address heuristic, clustering.ts) holds for that address and
 *   for the addresses that joined through it: those that swept into it, those that swept into
 *   them, and so on (its forward descendants, read up each address's forward parents, at most
 *   FORWARD_CHAIN_STEPS). Forwarding is weak evidence of control (a customer's wallet paying a
 *   merchant in full looks like a deposit address sweeping into its hot wallet), so a listing of
 *   one payer must not make the merchant, nor its other payers, listed (session 44 chain QA); the
 *   merchant is reached by a hop over the payer's flow edges. But what swept into the listed
 *   address is the listed party's, as for any other member: a consolidation address that forwards
 *   on is listed with the workers' wallets swept into it (session 45 review: they had been one
 *   hop away, and a new salary withdrawal to one raised nothing).
 * - A label that names a service holding customers' funds (CUSTODIAL_SERVICE_LABELS: `exchange`,
 *   a payroll platform, an OTC desk…) holds for the whole cluster wherever it is: a service's
 *   deposit address sweeping into its hot wallet is what the heuristic finds, so the label names
 *   the cluster's owner (session 45 review: an `exchange` label on a deposit address held for it
 *   alone, and walks passed through the exchange's hot wallet, which `stopAt: [exchange]` stops).
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
  /** The address the member swept into when it joined as a forwarder, -1 when none (EntityGraph.forwardParent). */
  forwardParent(member: number): number;
}

/**
 * Labels of services that hold customers' funds: a forward into one may merge (clustering.ts),
 * and on a forwarder they still hold for its whole cluster.
 */
export const CUSTODIAL_SERVICE_LABELS: ReadonlySet<string> = new Set(['exchange', 'payroll-platform', 'otc-desk', 'gambling', 'service']);

/** The label that makes a cluster custodial: its members' other labels hold per address. */
const CUSTODIAL_LABEL = 'exchange';

/**
 * Forward parents read up from an address to find a forwarder it joined through: deeper chains
 * of deposit addresses sweeping into deposit addresses are not read (a cycle, two addresses
 * that each swept into the other, ends here too).
 */
export const FORWARD_CHAIN_STEPS = 16;

/**
 * Appends to `out` the cluster-scoped labels in force at `asOf` on the cluster's labelled
 * `members` that hold for member `asked` (-1: for every member alike, as a cluster's own labels).
 */
export function clusterLabelsFor(graph: LabelScopeGraph, members: readonly number[], asOf: number, asked: number, out: ClusterLabel[]): ClusterLabel[] {
  const start = out.length;
  let custodial: number[] | undefined;
  for (const member of members) {
    const records = graph.labelsAt(member, asOf);
    if (records.length === 0) continue;
    const scopedAway = scopedAwayFrom(graph, member, asked);
    for (const record of records) {
      if (record.scope === 'address' || (scopedAway && !CUSTODIAL_SERVICE_LABELS.has(record.label))) continue;
      out.push({ address: graph.key(member), record });
      if (record.label === CUSTODIAL_LABEL) (custodial ??= []).push(member);
    }
  }
  if (!custodial) return out;
  return custodialView(out, start, custodial.map((id) => graph.key(id)), asked < 0 ? undefined : graph.key(asked));
}

/**
 * Whether `member`'s labels (but custodial services') hold apart from `asked`: it joined its
 * cluster as a forwarder, and `asked` is neither it nor joined through it.
 */
function scopedAwayFrom(graph: LabelScopeGraph, member: number, asked: number): boolean {
  return member !== asked && graph.isForwarder(member) && !joinedThrough(graph, asked, member);
}

/** Whether `forwarder` is among the forward parents read up from `address` (FORWARD_CHAIN_STEPS at most). */
function joinedThrough(graph: LabelScopeGraph, address: number, forwarder: number): boolean {
  let at = address;
  for (let step = 0; step < FORWARD_CHAIN_STEPS && at >= 0; step++) {
    at = graph.forwardParent(at);
    if (at === forwarder) return true;
  }
  return false;
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
