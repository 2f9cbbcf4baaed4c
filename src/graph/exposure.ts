/**
 * Exposure: is there a cluster carrying one of `labels` within N hops of an address, upstream
 * (who funded it) or downstream (where its funds went), and by which path? Each hop must follow
 * the previous one in time (downstream: later; upstream: earlier) within `hopWithin`. Traversal
 * stops at the exchange's own addresses and at clusters carrying a `stopAt` label.
 */
import { displayAddress } from '../chain/address.js';
import type { EntityGraph, FlowEdge } from './entity-graph.js';
import type { LabelRecord } from './labels.js';
import type { Decimal } from '../money/decimal.js';

export interface ExposureQuery {
  direction: 'upstream' | 'downstream';
  labels: readonly string[];
  maxHops: number;
  hopWithin: number;
  stopAt: readonly string[];
  /** Event time the search starts from (the transfer's time). */
  from: number;
  /** Labels are read as of this time. */
  asOf: number;
  /** Upper bound on nodes expanded, to keep a hot-wallet neighbourhood cheap. @defaultValue 5000 */
  budget?: number;
}

export interface PathStep {
  address: string;
  cluster: string;
  /** The transfer that reached this address from the previous one (absent at hop 0). */
  via?: { ref: string; asset: string; amount: Decimal; usd: Decimal | null; time: string };
}

export interface ExposureHit {
  hops: number;
  /** True only when the counterparty address itself carries the label. */
  direct: boolean;
  label: string;
  labelledAddress: string;
  entity?: string;
  source: string;
  detail?: Record<string, unknown>;
  path: PathStep[];
  /** Epoch ms from which the matched label holds (its observedAt). */
  labelledSince: number;
}

interface Node {
  id: number;
  time: number;
  hops: number;
  prev?: Node;
  edge?: FlowEdge;
}

function matchLabel(graph: EntityGraph, id: number, q: ExposureQuery, labels: readonly string[]): { address: string; record: LabelRecord } | undefined {
  const all = graph.clusterLabels(id, q.asOf);
  if (all.length === 0) return undefined; // most clusters a walk meets carry no label: no copy for them
  const hits = all.filter((l) => labels.includes(l.record.label));
  if (hits.length === 0) return undefined;
  const own = graph.key(id);
  // Prefer the address's own label, then the most confident, then a stable order.
  hits.sort((a, b) => Number(b.address === own) - Number(a.address === own) || b.record.confidence - a.record.confidence || a.address.localeCompare(b.address) || a.record.label.localeCompare(b.record.label));
  return hits[0];
}

function toPath(graph: EntityGraph, node: Node): PathStep[] {
  const steps: PathStep[] = [];
  for (let n: Node | undefined = node; n; n = n.prev) {
    const step: PathStep = { address: displayAddress(graph.key(n.id)), cluster: graph.clusterName(n.id) };
    if (n.edge) step.via = { ref: n.edge.ref, asset: n.edge.asset, amount: n.edge.amount, usd: n.edge.usd, time: new Date(n.edge.time).toISOString() };
    steps.push(step);
  }
  return steps.reverse();
}

export function findExposure(graph: EntityGraph, starts: readonly number[], q: ExposureQuery): ExposureHit | undefined {
  const budget = q.budget ?? 5000;
  const seen = new Set<number>();
  let frontier: Node[] = [];
  for (const id of starts) {
    if (seen.has(id)) continue;
    seen.add(id);
    frontier.push({ id, time: q.from, hops: 0 });
  }
  let expanded = 0;
  for (let hops = 0; hops <= q.maxHops && frontier.length > 0; hops++) {
    for (const node of frontier) {
      const hit = matchLabel(graph, node.id, q, q.labels);
      if (hit) {
        const path = toPath(graph, node);
        return {
          hops,
          direct: hops === 0 && hit.address === graph.key(node.id),
          label: hit.record.label,
          labelledAddress: displayAddress(hit.address),
          ...(hit.record.entity !== undefined ? { entity: hit.record.entity } : {}),
          source: hit.record.source,
          ...(hit.record.detail ? { detail: hit.record.detail } : {}),
          path,
          labelledSince: hit.record.from,
        };
      }
    }
    if (hops === q.maxHops) break;
    const next: Node[] = [];
    for (const node of frontier) {
      if (hops > 0 && (graph.isOwn(node.id) || matchLabel(graph, node.id, q, q.stopAt))) continue;
      const edges = q.direction === 'upstream' ? graph.edgesIn(node.id) : graph.edgesOut(node.id);
      for (const edge of edges) {
        const inTime = q.direction === 'upstream'
          ? edge.time <= node.time && edge.time >= node.time - q.hopWithin
          : edge.time >= node.time && edge.time <= node.time + q.hopWithin;
        const peer = q.direction === 'upstream' ? edge.from : edge.to;
        if (!inTime || seen.has(peer)) continue;
        seen.add(peer);
        next.push({ id: peer, time: edge.time, hops: hops + 1, prev: node, edge });
        if (++expanded >= budget) break;
      }
      if (expanded >= budget) break;
    }
    frontier = next;
  }
  return undefined;
}
