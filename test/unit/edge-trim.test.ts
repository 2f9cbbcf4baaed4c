/**
 * The expiry ring's visits to flow-edge lists (edge-expiry.ts, EntityGraph.trimEnds): after every
 * tick each list holds exactly its edges inside the retention, and a list left with none is gone.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_GRAPH_OPTIONS, EntityGraph, type FlowEdge } from '../../src/graph/entity-graph.js';
import { Decimal } from '../../src/money/decimal.js';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const RETENTION = 60 * MINUTE;

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 0x1_0000_0000);
}

describe('flow-edge expiry trims each list to the edges inside the retention', () => {
  it('after every tick of a seeded stream, each list holds exactly its edges inside the retention and an emptied list is gone', () => {
    const graph = new EntityGraph({ ...DEFAULT_GRAPH_OPTIONS, edgeRetention: RETENTION });
    const rand = seeded(11);
    const ids = Array.from({ length: 12 }, (_, i) => graph.id(`eth:a${i}`));
    const added: FlowEdge[] = [];
    let time = T0;
    for (let step = 0; step < 1_500; step++) {
      // Bursts, then lulls longer than the retention: lists fill, trim one edge at a time, and empty.
      time += rand() < 0.02 ? 2 * RETENTION : Math.floor(rand() * 3 * MINUTE);
      graph.tick(time);
      if (rand() < 0.8) {
        const from = ids[Math.floor(rand() * ids.length)]!;
        const to = ids[(ids.indexOf(from) + 1 + Math.floor(rand() * (ids.length - 1))) % ids.length]!; // never `from`: no edge to itself
        // Every edge its own transfer (asset), so none is taken for a second record of another.
        expect(graph.addEdge(from, to, { asset: `T${step}`, amount: Decimal.parse('10'), usd: null, time, ref: `tx-${step}` })).toBe(true);
        added.push(graph.edgesOut(from)[graph.edgesOut(from).length - 1]!);
      }
      const horizon = time - RETENTION;
      const inside = added.filter((e) => e.time >= horizon);
      let lists = 0;
      for (const id of ids) {
        const outs = inside.filter((e) => e.from === id);
        const ins = inside.filter((e) => e.to === id);
        expect(graph.edgesOut(id)).toEqual(outs);
        expect(graph.edgesIn(id)).toEqual(ins);
        lists += (outs.length > 0 ? 1 : 0) + (ins.length > 0 ? 1 : 0);
      }
      expect(graph.sizes.edgeLists).toBe(lists);
    }
    expect(added.length).toBeGreaterThan(1_000);
  });
});
