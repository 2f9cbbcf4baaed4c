/**
 * The exposure walk keeps its nodes and its seen-flags in arrays reused by every walk (no Set and
 * no node object per step). These tests hold it to a plain reference walk (a Set and a node
 * object per step, as the walk was written before) on random graphs: same hit, same path, same
 * hop count, walk after walk, whatever the budget; and the seen-flags survive stamp wrap-around.
 */
import { describe, expect, it } from 'vitest';
import { EntityGraph, type FlowEdge } from '../../src/graph/entity-graph.js';
import { findExposure, type ExposureHit, type ExposureQuery } from '../../src/graph/exposure.js';
import { VisitMarks } from '../../src/graph/visit-marks.js';
import { displayAddress } from '../../src/chain/address.js';
import { Decimal } from '../../src/money/decimal.js';
import { prng } from '../../src/simulate/builders.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);

interface RefNode { id: number; time: number; prev?: RefNode; edge?: FlowEdge }

/** The walk as first written: breadth first, a Set of seen ids and an object per node. */
function referenceExposure(graph: EntityGraph, starts: readonly number[], q: ExposureQuery): ExposureHit | undefined {
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
    for (const node of frontier) {
      const hit = match(node.id, q.labels);
      if (!hit) continue;
      const path = [];
      for (let n: RefNode | undefined = node; n; n = n.prev) {
        path.push({ address: displayAddress(graph.key(n.id)), cluster: graph.clusterName(n.id), ...(n.edge ? { via: { ref: n.edge.ref, asset: n.edge.asset, amount: n.edge.amount, usd: n.edge.usd, time: new Date(n.edge.time).toISOString() } } : {}) });
      }
      return { hops, direct: hops === 0 && hit.address === graph.key(node.id), label: hit.record.label, labelledAddress: displayAddress(hit.address), ...(hit.record.entity !== undefined ? { entity: hit.record.entity } : {}), source: hit.record.source, path: path.reverse(), labelledSince: hit.record.from };
    }
    if (hops === q.maxHops) break;
    const next: RefNode[] = [];
    for (const node of frontier) {
      if (hops > 0 && (graph.isOwn(node.id) || match(node.id, q.stopAt))) continue;
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

/** A random flow graph of `n` EVM addresses: random edges over 30 days, a few labels, a few own addresses. */
function randomGraph(seed: number, n: number): { graph: EntityGraph; ids: number[] } {
  const rand = prng(seed);
  const graph = new EntityGraph();
  const ids = Array.from({ length: n }, (_, i) => graph.id(`evm:0x${(seed * 1000 + i).toString(16).padStart(40, '0')}`));
  const labels = ['sanctioned', 'mixer', 'exchange', 'stolen-funds'];
  for (let e = 0; e < n * 5; e++) {
    const from = ids[Math.floor(rand() * n)]!;
    const to = ids[Math.floor(rand() * n)]!;
    if (from === to) continue;
    const time = T0 + Math.floor(rand() * 30 * 24) * HOUR;
    graph.tick(time);
    graph.addEdge(from, to, { asset: 'USDC', amount: Decimal.parse(String(1 + Math.floor(rand() * 1000))), usd: null, time, ref: `tx-${e}` });
  }
  for (const id of ids) {
    if (rand() < 0.2) graph.addLabel(id, { label: labels[Math.floor(rand() * labels.length)]!, source: 'test', confidence: rand() < 0.5 ? 1 : 0.7, from: T0 + Math.floor(rand() * 20) * 24 * HOUR }, false, `label-${id}`);
    if (rand() < 0.05) graph.markOwn(id);
  }
  return { graph, ids };
}

describe('exposure walk with reused node arrays and seen-stamps', () => {
  it('finds what the reference walk finds, walk after walk, on random graphs and budgets', () => {
    let hits = 0;
    let walks = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const { graph, ids } = randomGraph(seed, 60 + seed * 10);
      const rand = prng(seed + 100);
      for (let k = 0; k < 80; k++) {
        const starts = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ids[Math.floor(rand() * ids.length)]!);
        const from = T0 + Math.floor(rand() * 30 * 24) * HOUR;
        const q: ExposureQuery = {
          direction: rand() < 0.5 ? 'upstream' : 'downstream',
          labels: rand() < 0.5 ? ['sanctioned'] : ['mixer', 'stolen-funds'],
          maxHops: Math.floor(rand() * 5),
          hopWithin: (1 + Math.floor(rand() * 10)) * 24 * HOUR,
          stopAt: rand() < 0.5 ? ['exchange'] : [],
          from,
          asOf: T0 + 40 * 24 * HOUR,
          ...(rand() < 0.3 ? { budget: 1 + Math.floor(rand() * 20) } : {}),
        };
        const expected = referenceExposure(graph, starts, q);
        expect(findExposure(graph, starts, q), `seed ${seed} walk ${k}`).toEqual(expected);
        walks++;
        if (expected) hits++;
      }
    }
    // The comparison means something only if walks both hit and miss.
    expect(hits, `${hits} hits in ${walks} walks`).toBeGreaterThan(walks / 10);
    expect(walks - hits).toBeGreaterThan(walks / 10);
  });
});

describe('VisitMarks', () => {
  it('marks each id once per search, forgets every mark at the next search, and grows past its first size', () => {
    const marks = new VisitMarks();
    marks.begin();
    expect(marks.mark(3)).toBe(true);
    expect(marks.mark(3)).toBe(false);
    expect(marks.mark(5000)).toBe(true);
    expect(marks.mark(5000)).toBe(false);
    marks.begin();
    expect(marks.mark(3)).toBe(true);
    expect(marks.mark(5000)).toBe(true);
  });

  it('a stamp that wraps around does not read old marks as seen', () => {
    const marks = new VisitMarks();
    marks.setStampForTest(0xfffffffd);
    marks.begin(); // stamp 0xfffffffe
    expect(marks.mark(7)).toBe(true);
    marks.begin(); // would be 0xffffffff: every stamp cleared, counting restarts at 1
    expect(marks.mark(7)).toBe(true);
    expect(marks.mark(7)).toBe(false);
    marks.begin();
    expect(marks.mark(7)).toBe(true);
  });
});
