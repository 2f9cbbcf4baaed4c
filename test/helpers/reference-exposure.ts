/**
 * The exposure walk as first written (breadth first, a Set of seen ids and an object per node, no
 * shortcut of any kind): what src/graph/exposure.ts must always agree with.
 */
import type { EntityGraph, FlowEdge } from '../../src/graph/entity-graph.js';
import type { ExposureHit, ExposureQuery, PathStep } from '../../src/graph/exposure.js';
import { shownRef } from '../../src/graph/tx-ref.js';
import { displayAddress } from '../../src/chain/address.js';

interface RefNode { id: number; time: number; prev?: RefNode; edge?: FlowEdge }

/** The walk as first written: breadth first, a Set of seen ids and an object per node. */
export function referenceExposure(graph: EntityGraph, starts: readonly number[], q: ExposureQuery): ExposureHit | undefined {
  const budget = q.budget ?? 5000;
  const seen = new Set<number>();
  let frontier: RefNode[] = [];
  for (const id of starts) {
    if (seen.has(id)) continue;
    seen.add(id);
    frontier.push({ id, time: q.from });
  }
  const match = (id: number, labels: readonly string[]) => {
    const hits = graph.clusterLabels(id, q.asOf).filter((l) => labels.includes(l.record.label));
    const own = graph.key(id);
    hits.sort((a, b) => Number(b.address === own) - Number(a.address === own) || b.record.confidence - a.record.confidence || a.address.localeCompare(b.address) || a.record.label.localeCompare(b.record.label));
    return hits[0];
  };
  let expanded = 0;
  for (let hops = 0; hops <= q.maxHops && frontier.length > 0; hops++) {
    // The hop's first node whose own address carries the label, else its first whose cluster does.
    const hits = frontier.map((node) => ({ node, hit: match(node.id, q.labels) })).filter((h) => h.hit !== undefined);
    const chosen = hits.find((h) => h.hit!.address === graph.key(h.node.id)) ?? hits[0];
    for (const { node, hit: found } of chosen ? [chosen] : []) {
      const hit = found!;
      const path: PathStep[] = [];
      for (let n: RefNode | undefined = node; n; n = n.prev) {
        path.push({ address: displayAddress(graph.key(n.id)), cluster: graph.clusterName(n.id), ...(n.edge ? { via: { ref: shownRef(n.edge.ref), asset: n.edge.asset, amount: n.edge.amount, usd: n.edge.usd, time: new Date(n.edge.time).toISOString() } } : {}) });
      }
      path.reverse();
      // The label on another member of the hit's cluster: that member and the cluster's newest merges.
      if (hit.address !== graph.key(node.id)) path[path.length - 1]!.sameClusterAs = { address: displayAddress(hit.address), mergedBy: graph.mergeCauses(node.id).slice(-8).map((c) => ({ heuristic: c.heuristic, ref: shownRef(c.ref), time: new Date(c.time).toISOString() })) };
      return { hops, direct: hops === 0 && hit.address === graph.key(node.id), label: hit.record.label, labelledAddress: displayAddress(hit.address), ...(hit.record.entity !== undefined ? { entity: hit.record.entity } : {}), source: hit.record.source, path, labelledSince: hit.record.from, confidence: hit.record.confidence };
    }
    if (hops === q.maxHops) break;
    const next: RefNode[] = [];
    for (const node of frontier) {
      if (graph.isOwn(node.id) || match(node.id, q.stopAt)) continue;
      for (const edge of q.direction === 'upstream' ? graph.edgesIn(node.id) : graph.edgesOut(node.id)) {
        const inTime = q.direction === 'upstream' ? edge.time <= node.time && edge.time >= node.time - q.hopWithin : edge.time >= node.time && edge.time <= node.time + q.hopWithin;
        const peer = q.direction === 'upstream' ? edge.from : edge.to;
        if (!inTime || seen.has(peer)) continue;
        seen.add(peer);
        next.push({ id: peer, time: edge.time, prev: node, edge });
        if (++expanded >= budget) break;
      }
      if (expanded >= budget) break;
    }
    frontier = next;
  }
  return undefined;
}

