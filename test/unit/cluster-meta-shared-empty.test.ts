/**
 * A cluster record's labelled members and merge causes are usually empty: every such record
 * shares one frozen empty list (NO_ENTRIES) instead of two empty arrays of its own, and a record
 * that gains an entry gets a list of its own. No writer may touch the shared list: a label, a
 * merge either way, a forgotten label, a compaction and a checkpoint restore leave it empty, and
 * no record ever sees another's entries.
 */
import { describe, expect, it } from 'vitest';
import { graphRoundTrip } from '../helpers/graph-section.js';
import { remapClusterMeta } from '../../src/graph/address-memory.js';
import { EntityGraph, type ClusterMeta } from '../../src/graph/entity-graph.js';
import type { LabelRecord } from '../../src/graph/labels.js';
import { NO_ENTRIES } from '../../src/state/tight-list.js';

const T0 = Date.UTC(2025, 0, 1);
const sanctioned: LabelRecord = { label: 'sanctioned', source: 'test', confidence: 1, from: T0 };
const cause = (n: number) => ({ heuristic: 'co-spend' as const, ref: `tx-${n}`, time: T0 + n });

function records(graph: EntityGraph): ClusterMeta[] {
  return [...graph.checkpointParts().meta.entries()].map(([, m]) => m);
}

function touched(graph: EntityGraph, keys: string[]): number[] {
  return keys.map((k) => {
    const id = graph.id(k);
    graph.addTouch({ eventId: `t-${k}`, accountId: 'acct', kind: 'deposit', time: T0, address: id });
    return id;
  });
}

const roundTrip = graphRoundTrip;

describe('cluster records share one empty list for no labelled members and no merge causes', () => {
  it('a record with neither holds the shared list, not arrays of its own', () => {
    const graph = new EntityGraph();
    touched(graph, ['btc:a', 'btc:b', 'btc:c']);
    for (const m of records(graph)) {
      expect(m.labelled).toBe(NO_ENTRIES);
      expect(m.causes).toBe(NO_ENTRIES);
    }
  });

  it('a label, merges either way and a forgotten label give records lists of their own and leave the shared one empty', () => {
    const graph = new EntityGraph();
    const [a, b, c, d, e] = touched(graph, ['btc:a', 'btc:b', 'btc:c', 'btc:d', 'btc:e']) as [number, number, number, number, number];
    graph.addLabel(c, sanctioned, false, 'l1');
    graph.addLabel(c, sanctioned, false, 'l1-again');
    expect(graph.checkpointParts().meta.get(graph.root(c))!.labelled).toEqual([c]);
    // The labelled side absorbed, then absorbing: the survivor's list is its own either way.
    graph.merge(a, c, cause(1), 'm1');
    graph.merge(d, a, cause(2), 'm2');
    graph.addLabel(b, sanctioned, false, 'l2');
    graph.merge(b, a, cause(3), 'm3');
    const merged = graph.checkpointParts().meta.get(graph.root(a))!;
    expect([...merged.labelled].sort()).toEqual([b, c].sort());
    expect(merged.causes.map((x) => x.time)).toEqual([T0 + 1, T0 + 2, T0 + 3]);
    expect(graph.checkpointParts().meta.get(graph.root(e))!.labelled).toBe(NO_ENTRIES);
    graph.forgetLabels(b, () => true);
    graph.forgetLabels(c, () => true);
    expect(graph.checkpointParts().meta.get(graph.root(a))!.labelled).toBe(NO_ENTRIES);
    expect(graph.hasLabelledMember(a)).toBe(false);
    // Labelled again after it emptied: a fresh list, the shared one untouched.
    graph.addLabel(d, sanctioned, false, 'l3');
    expect(graph.checkpointParts().meta.get(graph.root(a))!.labelled).toEqual([d]);
    expect(graph.checkpointParts().meta.get(graph.root(e))!.labelled).toBe(NO_ENTRIES);
    expect(NO_ENTRIES).toEqual([]);
    expect(Object.isFrozen(NO_ENTRIES)).toBe(true);
  });

  it('a compaction and a checkpoint restore keep empty lists shared and the others as they were', async () => {
    const graph = new EntityGraph();
    const [a, b, , d] = touched(graph, ['btc:a', 'btc:b', 'btc:c', 'btc:d']) as [number, number, number, number];
    graph.addLabel(b, sanctioned, false, 'l1');
    graph.merge(a, d, cause(1), 'm1');
    const identity = new Int32Array(graph.index.size).map((_, i) => i);
    remapClusterMeta(graph.checkpointParts().meta, identity);
    const copy = await roundTrip(graph);
    for (const g of [graph, copy]) {
      const meta = g.checkpointParts().meta;
      expect(meta.get(g.root(b))!.labelled).toEqual([b]);
      expect(meta.get(g.root(b))!.causes).toBe(NO_ENTRIES);
      expect(meta.get(g.root(a))!.labelled).toBe(NO_ENTRIES);
      expect(meta.get(g.root(a))!.causes.map((x) => x.time)).toEqual([T0 + 1]);
      expect(g.clusterLabels(b, T0 + 10).map((l) => l.record.label)).toEqual(['sanctioned']);
    }
    expect(NO_ENTRIES).toEqual([]);
  });
});
