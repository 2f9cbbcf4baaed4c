/**
 * The expiry ring decides from a typed column of each list's newest edge time (newest-edge-times.ts):
 * a list that still holds an edge inside the retention is not read when an older edge of it
 * passes; its stale front leaves at its next read, so every read, append and checkpoint sees
 * exactly the edges inside the retention.
 */
import { describe, expect, it } from 'vitest';
import { graphRoundTrip } from '../helpers/graph-section.js';
import { DEFAULT_GRAPH_OPTIONS, EntityGraph, type FlowEdge } from '../../src/graph/entity-graph.js';
import { NewestEdgeTimes } from '../../src/graph/newest-edge-times.js';
import { storeRef } from '../../src/graph/tx-ref.js';
import { Decimal } from '../../src/money/decimal.js';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const RETENTION = 60 * MINUTE;

/** Edges whose `time` reads are counted while `reads.on` is set. */
function countingEdges(): { reads: { on: boolean; count: number }; edge: (from: number, to: number, i: number, time: number) => FlowEdge } {
  const reads = { on: false, count: 0 };
  const edge = (from: number, to: number, i: number, time: number): FlowEdge => {
    const e = { from, to, asset: `T${i}`, amount: Decimal.parse('10'), usd: null, time, ref: storeRef(`tx-${i}`) };
    Object.defineProperty(e, 'time', { enumerable: true, get: () => (reads.on && reads.count++, time) });
    return e;
  };
  return { reads, edge };
}

describe('the flow-edge expiry reads no list that keeps an edge inside the retention', () => {
  it('a tick that passes the older edges of a live list reads none of its edges, and the next read sees only the edges inside the retention', () => {
    const graph = new EntityGraph({ ...DEFAULT_GRAPH_OPTIONS, edgeRetention: RETENTION });
    const [a, b] = [graph.id('eth:a'), graph.id('eth:b')];
    const { reads, edge } = countingEdges();
    graph.tick(T0);
    const times = [T0, T0 + 5 * MINUTE, T0 + 10 * MINUTE, T0 + 50 * MINUTE];
    times.forEach((t, i) => expect(graph.addFlowEdge(edge(a, b, i, t))).toBe(true));
    reads.on = true;
    // The first three edges pass the retention one tick after another; the newest stays inside.
    for (const t of [T0 + 61 * MINUTE, T0 + 66 * MINUTE, T0 + 71 * MINUTE]) graph.tick(t);
    expect(reads.count).toBe(0);
    reads.on = false;
    expect(graph.edgesOut(a).map((e) => e.time)).toEqual([T0 + 50 * MINUTE]);
    expect(graph.edgesIn(b).map((e) => e.time)).toEqual([T0 + 50 * MINUTE]);
    expect(graph.sizes.edgeLists).toBe(2);
    // Once the newest passes too, both lists go, without a read.
    graph.tick(T0 + 111 * MINUTE);
    expect(graph.sizes.edgeLists).toBe(0);
    expect(graph.edgesOut(a)).toEqual([]);
  });

  it('an append and a checkpoint see only the edges inside the retention of a list the expiry left untrimmed', async () => {
    const graph = new EntityGraph({ ...DEFAULT_GRAPH_OPTIONS, edgeRetention: RETENTION, maxEdgesPerAddress: 3 });
    const [a, b, c] = [graph.id('eth:a'), graph.id('eth:b'), graph.id('eth:c')];
    graph.tick(T0);
    for (let i = 0; i < 3; i++) graph.addEdge(a, b, { asset: `T${i}`, amount: Decimal.parse('10'), usd: null, time: T0 + i * 20 * MINUTE, ref: `tx-${i}` });
    graph.tick(T0 + 70 * MINUTE); // the first edge passes; a's list keeps two
    // At the cap of 3 a stale front would take the cap's drop: the append sees the live two only.
    graph.addEdge(a, c, { asset: 'T9', amount: Decimal.parse('10'), usd: null, time: T0 + 70 * MINUTE, ref: 'tx-9' });
    expect(graph.edgesOut(a).map((e) => e.ref)).toEqual(['tx-1', 'tx-2', 'tx-9'].map(storeRef));
    graph.tick(T0 + 85 * MINUTE); // the second passes: b's in-list keeps one
    const copy = await graphRoundTrip(graph);
    for (const id of [a, b, c]) {
      expect(copy.edgesOut(id).map((e) => e.ref)).toEqual(graph.edgesOut(id).map((e) => e.ref));
      expect(copy.edgesIn(id).map((e) => e.ref)).toEqual(graph.edgesIn(id).map((e) => e.ref));
    }
    expect(copy.edgesIn(b).map((e) => e.ref)).toEqual([storeRef('tx-2')]);
  });
});

describe('NewestEdgeTimes', () => {
  it('answers as a map of the last time set per id, through growth and rebuilds (seeded)', () => {
    let s = 7;
    const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 0x1_0000_0000);
    const column = new NewestEdgeTimes();
    const model = new Map<number, number>();
    for (let step = 0; step < 20_000; step++) {
      const id = Math.floor(rand() * (step < 10_000 ? 900 : 5_000));
      if (rand() < 0.001) {
        const lists: [number, { time: number }[]][] = [];
        for (let k = 0; k < 50; k++) lists.push([k * 37, rand() < 0.2 ? [] : [{ time: k }, { time: k * 10 + 1 }]]);
        column.rebuild(lists);
        model.clear();
        for (const [k, list] of lists) if (list.length > 0) model.set(k, list[list.length - 1]!.time);
      } else {
        const time = T0 + Math.floor(rand() * 1e9);
        column.set(id, time);
        model.set(id, time);
      }
      const probe = Math.floor(rand() * 6_000);
      expect(column.get(probe)).toEqual(model.get(probe) ?? Number.NaN);
    }
  });
});
