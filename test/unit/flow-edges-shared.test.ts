/** Flow edges: one object per edge, shared by the sender's out-list and the receiver's in-list, live and after a checkpoint. */
import { describe, expect, it } from 'vitest';
import { graphRoundTrip } from '../helpers/graph-section.js';
import { DEFAULT_GRAPH_OPTIONS, EntityGraph } from '../../src/graph/entity-graph.js';
import { Decimal } from '../../src/money/decimal.js';

const T0 = Date.UTC(2026, 0, 1);
const HOUR_MS = 3_600_000;
const edge = (i: number, usd: string | null = '10.5') => ({ asset: 'USDT', amount: Decimal.parse(`${100 + i}.25`), usd: usd === null ? null : Decimal.parse(usd), time: T0 + i * 60_000, ref: `tx-${i}` });

const roundTrip = graphRoundTrip;

describe('flow edges', () => {
  it('keep one object per edge, naming both ends, in the out-list and the in-list', () => {
    const graph = new EntityGraph();
    const [a, b, c] = [graph.id('eth:a'), graph.id('eth:b'), graph.id('eth:c')];
    graph.tick(T0);
    expect(graph.addEdge(a, b, edge(1))).toBe(true);
    expect(graph.addEdge(c, b, edge(2, null))).toBe(true);
    const out = graph.edgesOut(a)[0]!;
    expect(out).toBe(graph.edgesIn(b)[0]);
    expect([out.from, out.to, out.ref, out.amount.toString(), out.usd?.toString()]).toEqual([a, b, 'tx-1', '101.25', '10.5']);
    expect(graph.edgesIn(b).map((e) => e.from)).toEqual([a, c]);
    // The same transfer recorded twice (exchange event and chain event) is still one edge.
    expect(graph.addEdge(a, b, edge(1))).toBe(false);
  });

  it('come back from a checkpoint with the same fields, shared again, and an edge the out-list dropped kept in the in-list', async () => {
    const graph = new EntityGraph({ ...DEFAULT_GRAPH_OPTIONS, maxEdgesPerAddress: 3 });
    const hub = graph.id('eth:hub');
    const sinks = [0, 1, 2, 3, 4].map((i) => graph.id(`eth:s${i}`));
    graph.tick(T0 + 10 * 60_000);
    sinks.forEach((s, i) => graph.addEdge(hub, s, edge(i, i % 2 ? null : '3')));
    const payer = graph.id('eth:payer');
    graph.addEdge(payer, sinks[0]!, edge(9));
    const copy = await roundTrip(graph);
    const view = (g: EntityGraph, id: number) => ({ out: g.edgesOut(id).map((e) => ({ ...e, amount: e.amount.toString(), usd: e.usd?.toString() ?? null })), in: g.edgesIn(id).map((e) => ({ ...e, amount: e.amount.toString(), usd: e.usd?.toString() ?? null })) });
    for (const id of [hub, payer, ...sinks]) expect(view(copy, id)).toEqual(view(graph, id));
    expect(copy.edgesOut(hub)).toHaveLength(3);
    // s0's edge from the hub left the hub's capped out-list but stays in s0's in-list.
    expect(copy.edgesIn(sinks[0]!).map((e) => e.from)).toEqual([hub, payer]);
    for (const e of copy.edgesOut(hub)) expect(copy.edgesIn(e.to)).toContain(e);
    expect(copy.edgesIn(sinks[0]!)[1]).toBe(copy.edgesOut(payer)[0]);
  });

  it('are kept in event-time order whatever order they arrive in, so the cap and the retention drop the oldest by time', () => {
    const graph = new EntityGraph({ ...DEFAULT_GRAPH_OPTIONS, maxEdgesPerAddress: 12 });
    const hub = graph.id('eth:hub');
    graph.tick(T0 + 60 * 60_000);
    // Minutes 0..19 in a shuffled order, each from its own sender into the hub.
    const order = [7, 3, 15, 0, 11, 19, 2, 8, 13, 5, 17, 1, 9, 4, 18, 12, 6, 16, 10, 14];
    for (const i of order) graph.addEdge(graph.id(`eth:p${i}`), hub, edge(i));
    const times = graph.edgesIn(hub).map((e) => (e.time - T0) / 60_000);
    expect(times).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    // Equal times keep their arrival order, in a short list (stored anew) and a long one (spliced).
    const short = graph.id('eth:short');
    graph.addEdge(graph.id('eth:x1'), short, { ...edge(5), ref: 'first' });
    graph.addEdge(graph.id('eth:x2'), short, { ...edge(9), ref: 'later' });
    graph.addEdge(graph.id('eth:x3'), short, { ...edge(5), ref: 'second' });
    expect(graph.edgesIn(short).map((e) => e.ref)).toEqual(['first', 'second', 'later']);
    graph.addEdge(graph.id('eth:x4'), hub, { ...edge(12), ref: 'tie' });
    expect(graph.edgesIn(hub).map((e) => e.ref).slice(3, 6)).toEqual(['tx-12', 'tie', 'tx-13']);
  });

  it('in a checkpoint written in arrival order (an earlier build) come back sorted by time', async () => {
    const graph = new EntityGraph();
    const [a, b] = [graph.id('eth:a'), graph.id('eth:b')];
    graph.tick(T0 + 60 * 60_000);
    graph.addEdge(a, b, edge(1));
    graph.addEdge(a, b, edge(2));
    // An earlier build appended in arrival order: make the lists so by hand.
    const parts = graph.checkpointParts();
    parts.outEdges.get(a)!.reverse();
    parts.inEdges.get(b)!.reverse();
    const copy = await roundTrip(graph);
    expect(copy.edgesOut(a).map((e) => e.ref)).toEqual(['tx-1', 'tx-2']);
    expect(copy.edgesIn(b).map((e) => e.ref)).toEqual(['tx-1', 'tx-2']);
    expect(copy.edgesIn(b)[0]).toBe(copy.edgesOut(a)[0]);
  });
  it('restored from a checkpoint, leave their lists as the clock passes their retention, an edge an out-list dropped at its cap too', async () => {
    const DAY = 86_400_000;
    const graph = new EntityGraph({ ...DEFAULT_GRAPH_OPTIONS, maxEdgesPerAddress: 3, edgeRetention: 10 * DAY });
    const hub = graph.id('eth:hub');
    const sinks = [0, 1, 2, 3, 4].map((i) => graph.id(`eth:s${i}`));
    graph.tick(T0);
    sinks.forEach((s, i) => graph.addEdge(hub, s, edge(i)));
    const late = graph.id('eth:late');
    graph.addEdge(late, sinks[0]!, { ...edge(7), time: T0 + 5 * DAY });
    const copy = await roundTrip(graph);
    expect(copy.edgesIn(sinks[0]!)).toHaveLength(2); // the hub's edge, which the hub's capped list dropped, and the late one
    copy.tick(T0 + 10 * DAY + HOUR_MS);
    expect(copy.edgesOut(hub)).toEqual([]);
    expect(copy.edgesIn(sinks[0]!).map((e) => e.ref)).toEqual(['tx-7']);
    for (const s of sinks.slice(1)) expect(copy.edgesIn(s)).toEqual([]);
    copy.tick(T0 + 16 * DAY);
    expect(copy.edgesIn(sinks[0]!)).toEqual([]);
    expect(copy.edgesOut(late)).toEqual([]);
  });
});
