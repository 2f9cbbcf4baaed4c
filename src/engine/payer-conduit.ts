/**
 * A payer address that only passes one funder's money on: a cluster of that one address whose
 * every inflow so far came from one other cluster, neither ours nor an exchange's. An employer treasury that
 * funds a fresh payout address each month and pays from it is T3's "employer treasury": the
 * `cadence` signal groups such payments under the funder, as it groups a payroll platform's hot
 * wallets under its label (session 31 QA: a worker paid from a new address each month, each
 * funded by one treasury on-chain, formed no cadence). Reads at most the address's kept in-edges
 * (a bounded list), and stops at the second funding cluster.
 */
import type { EntityGraph } from '../graph/entity-graph.js';

/** Members a payer's cluster may have besides itself, each one of our own addresses, to be read as the payer alone. */
const OWN_MEMBERS_READ = 4;

/**
 * Whether the payer's cluster is the payer alone, or the payer and a few of our own addresses: a
 * payout address that sent its whole balance to a customer's deposit address before any deposit
 * told the graph that address is ours was merged into it by the forwarding heuristic.
 */
function alone(graph: EntityGraph, payer: number): boolean {
  if (graph.uf.isSingleton(payer)) return true;
  if (graph.uf.size(payer) > OWN_MEMBERS_READ + 1) return false;
  for (const member of graph.uf.members(payer)) if (member !== payer && !graph.isOwn(member)) return false;
  return true;
}

/** The funding address of a conduit payer (the sender of its first kept inflow), or undefined. */
export function conduitFunder(graph: EntityGraph, payer: number, asOf: number): number | undefined {
  if (!alone(graph, payer)) return undefined;
  let funder: number | undefined;
  let funderRoot = -1;
  for (const edge of graph.edgesIn(payer)) {
    if (edge.time > asOf || edge.coSpend === true) continue; // a co-spend link is no inflow
    // Paid by us (a customer's withdrawal to it): a customer's wallet, no employer's conduit.
    if (graph.isOwn(edge.from)) return undefined;
    const root = graph.root(edge.from);
    if (funder === undefined) {
      funder = edge.from;
      funderRoot = root;
    } else if (root !== funderRoot) return undefined;
  }
  if (funder === undefined || funderRoot === graph.root(payer)) return undefined;
  // An exchange's hot wallet funds every customer's address: no single payer.
  for (const { record } of graph.clusterLabels(funder, asOf)) if (record.label === 'exchange') return undefined;
  return funder;
}

/**
 * Whether the address's out-edges kept at the cap (the oldest leaving first) no longer reach back
 * to `from`: some it sent in the window were dropped for later ones. Its later ones then stand in
 * for them, so the answer does not depend on how far its transfers ran ahead of the trigger (a
 * hot wallet's next 500, read before the young account's deposit, had left none of the window's:
 * session 50 review).
 */
function windowClipped(graph: EntityGraph, edges: readonly { time: number }[], from: number): boolean {
  return edges.length >= graph.options.maxEdgesPerAddress && edges[0]!.time >= from;
}

/**
 * Whether `funder` sent to more than `limit` distinct addresses within [from, to]: an exchange's
 * hot wallet or a busy service (a payment processor, a bridge) funds every customer's address,
 * so the addresses it funded have no one employer behind them even when no label says what it
 * is. Reads the funder's kept out-edges from the newest back to `from` (a bounded list), and
 * stops past `limit`; those after `to` count too when the cap dropped some of the window's.
 */
export function fundsMany(graph: EntityGraph, funder: number, from: number, to: number, limit: number): boolean {
  const edges = graph.edgesOut(funder);
  const until = windowClipped(graph, edges, from) ? Number.POSITIVE_INFINITY : to;
  const funded = new Set<number>();
  for (let i = edges.length - 1; i >= 0; i--) {
    const edge = edges[i]!;
    if (edge.time < from) break;
    if (edge.time > until || edge.coSpend === true || edge.to === funder) continue;
    funded.add(edge.to);
    if (funded.size > limit) return true;
  }
  return false;
}
