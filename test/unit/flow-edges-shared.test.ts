/** Flow edges: one object per edge, shared by the sender's out-list and the receiver's in-list, live and after a checkpoint. */
import { describe, expect, it } from 'vitest';
import { FrameReader } from '../../src/checkpoint/frame-reader.js';
import { FrameWriter } from '../../src/checkpoint/frame-writer.js';
import { readGraph, writeGraph } from '../../src/checkpoint/graph-section.js';
import { DEFAULT_GRAPH_OPTIONS, EntityGraph } from '../../src/graph/entity-graph.js';
import { Decimal } from '../../src/money/decimal.js';

const T0 = Date.UTC(2026, 0, 1);
const edge = (i: number, usd: string | null = '10.5') => ({ asset: 'USDT', amount: Decimal.parse(`${100 + i}.25`), usd: usd === null ? null : Decimal.parse(usd), time: T0 + i * 60_000, ref: `tx-${i}` });

async function roundTrip(graph: EntityGraph): Promise<EntityGraph> {
  const chunks: Buffer[] = [];
  const w = new FrameWriter({ write: async (c) => { chunks.push(Buffer.from(c)); } });
  await writeGraph(w, graph);
  await w.finish();
  const bytes = Buffer.concat(chunks);
  const r = new FrameReader((async function* () { yield bytes; })(), '/ckpt/g.twc');
  await r.start();
  const copy = new EntityGraph(graph.options);
  await readGraph(r, copy);
  return copy;
}

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
});
