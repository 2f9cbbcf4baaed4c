import { describe, expect, it } from 'vitest';
import { EntityGraph, newClusterMeta } from '../../src/graph/entity-graph.js';
import type { LabelRecord } from '../../src/graph/labels.js';

/**
 * The graph answers "which labels does this cluster carry" from a small index of labelled roots
 * before it reads the cluster's record. The index must follow every way a cluster gains a
 * labelled member: a label, a merge in either direction, and a checkpoint restore that fills
 * the cluster records behind the graph's back.
 */

const T0 = Date.UTC(2025, 0, 1);
const sanctioned: LabelRecord = { label: 'sanctioned', source: 'test', confidence: 1, from: T0 };
const cause = { heuristic: 'co-spend' as const, ref: 'tx', time: T0 + 1000 };

function labelsOf(graph: EntityGraph, key: string): string[] {
  return graph.clusterLabels(graph.id(key), T0 + 5000).map((l) => l.record.label);
}

describe('labelled-root index of the entity graph', () => {
  it('sees a label on the address and on every address merged with it, whichever side survives', () => {
    const graph = new EntityGraph();
    const ids = ['btc:a', 'btc:b', 'btc:c', 'btc:d'].map((k) => graph.id(k));
    graph.addLabel(ids[2]!, sanctioned, false, 'label-1');
    expect(labelsOf(graph, 'btc:c')).toEqual(['sanctioned']);
    expect(labelsOf(graph, 'btc:a')).toEqual([]);
    // Union by minimum id: merging the labelled c into a makes a the root (the labelled side is absorbed).
    graph.merge(ids[0]!, ids[2]!, cause, 'merge-1');
    expect(graph.root(ids[2]!)).toBe(graph.root(ids[0]!));
    expect(labelsOf(graph, 'btc:a')).toEqual(['sanctioned']);
    expect(labelsOf(graph, 'btc:c')).toEqual(['sanctioned']);
    // And the other way: an unlabelled cluster with a higher root is absorbed into the labelled one.
    graph.merge(ids[3]!, ids[0]!, cause, 'merge-2');
    expect(labelsOf(graph, 'btc:d')).toEqual(['sanctioned']);
    expect(labelsOf(graph, 'btc:b')).toEqual([]);
    expect(graph.hasLabelledMember(ids[3]!)).toBe(true);
    expect(graph.hasLabelledMember(ids[1]!)).toBe(false);
  });

  it('rebuilds from the cluster records a checkpoint restore fills in place', () => {
    const source = new EntityGraph();
    const labelled = source.id('btc:x');
    source.addLabel(labelled, sanctioned, false, 'label-x');
    const restored = new EntityGraph();
    const id = restored.id('btc:x');
    expect(labelsOf(restored, 'btc:x')).toEqual([]); // seen as unlabelled before the restore
    const records = [...source.labels.entries()];
    const parts = restored.checkpointParts();
    for (const [address, list] of records) restored.labels.restore(address, list);
    for (const [root, meta] of source.checkpointParts().meta.entries()) parts.meta.set(root, newClusterMeta([...meta.labelled], [], []));
    expect(labelsOf(restored, 'btc:x')).toEqual(['sanctioned']);
    expect(restored.hasLabelledMember(id)).toBe(true);
  });
});
