/**
 * The evidence of a case's alerts as a graph for the case page: the account, the addresses it
 * paid or was paid by, the hop path to a labelled address, the clusters those addresses belong
 * to, and the merges that linked clusters (with their transaction and heuristic). Built only from
 * what the alerts carry plus the account's events; deterministic, so the drawing is stable.
 */
import type { Alert } from '../contract/schemas.js';
import type { AccountEvents } from './account-events.js';

export interface GraphNode {
  id: string;
  kind: 'account' | 'address' | 'cluster';
  label: string;
  /** Intelligence on it: a sanctioned party, a labelled entity. */
  tag?: string;
  cluster?: string;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: 'transfer' | 'hop' | 'member' | 'merge' | 'pays';
  label: string;
  alertId: string;
}

export interface PathGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

interface Hop {
  address: string;
  cluster?: string;
  via?: { ref?: string; asset?: string; amount?: number; usd?: number; time?: string };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const short = (s: string): string => (s.length > 16 ? `${s.slice(0, 8)}…${s.slice(-6)}` : s);
const day = (iso: string | undefined): string => (iso ? iso.slice(0, 16).replace('T', ' ') : '');

class GraphBuilder {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly edges = new Map<string, GraphEdge>();

  node(n: GraphNode): void {
    const known = this.nodes.get(n.id);
    this.nodes.set(n.id, known ? { ...known, ...(n.tag ? { tag: n.tag } : {}), ...(n.cluster ? { cluster: n.cluster } : {}) } : n);
  }

  address(address: string, cluster?: string, tag?: string): string {
    const id = `addr:${address.toLowerCase()}`;
    this.node({ id, kind: 'address', label: short(address), ...(tag ? { tag } : {}), ...(cluster ? { cluster } : {}) });
    if (cluster) this.member(id, cluster);
    return id;
  }

  cluster(cluster: string): string {
    const id = `cl:${cluster}`;
    this.node({ id, kind: 'cluster', label: cluster });
    return id;
  }

  member(addressNode: string, cluster: string): void {
    const c = this.cluster(cluster);
    this.edge({ source: addressNode, target: c, kind: 'member', label: 'in cluster', alertId: '' });
  }

  edge(e: Omit<GraphEdge, 'id'>): void {
    const id = `${e.kind}:${e.source}->${e.target}`;
    if (!this.edges.has(id)) this.edges.set(id, { id, ...e });
  }

  build(): PathGraph {
    return { nodes: [...this.nodes.values()].sort((a, b) => a.id.localeCompare(b.id)), edges: [...this.edges.values()].sort((a, b) => a.id.localeCompare(b.id)) };
  }
}

function transferLabel(events: AccountEvents | undefined, alert: Alert): string {
  const e = alert.eventIds.map((id) => events?.event(id)).find((x) => x && x.kind !== 'login' && x.accountId === alert.subject.accountId);
  return e ? `${e.kind} ${e.amount} ${e.asset} · ${day(e.at)}${e.txHash ? ` · tx ${short(e.txHash)}` : ''}` : day(alert.triggeredAt);
}

function addHops(g: GraphBuilder, account: string, alert: Alert, events: AccountEvents | undefined): void {
  const path = (Array.isArray(alert.evidence.path) ? alert.evidence.path : []) as Hop[];
  const upstream = alert.evidence.direction === 'upstream';
  const labelled = str(alert.evidence.labelledAddress);
  const party = str(alert.evidence.party);
  let previous = account;
  path.forEach((hop, i) => {
    const id = g.address(hop.address, hop.cluster, hop.address === labelled ? `sanctioned: ${party ?? 'listed'}` : undefined);
    const via = hop.via;
    const label = i === 0 ? transferLabel(events, alert) : `${via?.amount ?? ''} ${via?.asset ?? ''}${via?.usd !== undefined ? ` (${via.usd} USD)` : ''} · ${day(via?.time)}${via?.ref ? ` · tx ${short(via.ref)}` : ''}`.trim();
    g.edge(upstream ? { source: id, target: previous, kind: i === 0 ? 'transfer' : 'hop', label, alertId: alert.alertId } : { source: previous, target: id, kind: i === 0 ? 'transfer' : 'hop', label, alertId: alert.alertId });
    previous = id;
  });
}

function addMerge(g: GraphBuilder, alert: Alert): void {
  const change = alert.evidence.graphChange as { kind?: string; cluster?: string; absorbed?: string; cause?: { heuristic?: string; ref?: string }; at?: string } | undefined;
  if (change?.kind !== 'merge' || !change.cluster || !change.absorbed) return;
  g.edge({ source: g.cluster(change.absorbed), target: g.cluster(change.cluster), kind: 'merge', label: `merged by ${change.cause?.heuristic ?? 'a heuristic'}${change.cause?.ref ? ` · tx ${short(change.cause.ref)}` : ''} · ${day(change.at)}`, alertId: alert.alertId });
}

export function buildPathGraph(alerts: readonly Alert[], events?: AccountEvents): PathGraph {
  const g = new GraphBuilder();
  for (const alert of alerts) {
    const account = `acct:${alert.subject.accountId}`;
    g.node({ id: account, kind: 'account', label: alert.subject.accountId });
    const ev = alert.evidence;
    const cluster = str(ev.cluster) ?? str(ev.consolidationCluster);
    if (Array.isArray(ev.path)) addHops(g, account, alert, events);
    const direct = str(ev.address);
    if (direct) g.edge({ source: account, target: g.address(direct, undefined, `sanctioned: ${str(ev.party) ?? 'listed'}`), kind: 'transfer', label: transferLabel(events, alert), alertId: alert.alertId });
    for (const d of strings(ev.destination)) g.edge({ source: account, target: g.address(d, cluster), kind: 'transfer', label: transferLabel(events, alert), alertId: alert.alertId });
    if (cluster) {
      for (const a of strings(ev.addresses)) g.address(a, cluster);
      for (const other of strings(ev.accountIds)) {
        g.node({ id: `acct:${other}`, kind: 'account', label: other });
        g.edge({ source: `acct:${other}`, target: g.cluster(cluster), kind: 'pays', label: 'pays the cluster', alertId: alert.alertId });
      }
    }
    const payer = str(ev.payer);
    if (payer) g.edge({ source: g.address(payer), target: account, kind: 'transfer', label: `${ev.payments ?? ''} payments every ${ev.periodDays ?? '?'} d, about ${ev.meanUsd ?? '?'} USD`, alertId: alert.alertId });
    addMerge(g, alert);
  }
  return g.build();
}
