import { describe, expect, it } from 'vitest';
import { EntityGraph, type MergeCause } from '../../src/graph/entity-graph.js';

/**
 * A cluster remembers why it merged: its own causes, the absorbed cluster's, and the merge's
 * own, the newest 64. They are kept in exact-length arrays now (see withCause); the order and
 * the bound must stay what they were.
 */

const T0 = Date.UTC(2025, 0, 1);
const causeAt = (n: number): MergeCause => ({ heuristic: 'forwarding', ref: `tx-${n}`, time: T0 + n });

describe('merge causes of a cluster', () => {
  it('lists the absorbed side\'s causes after the survivor\'s, then the new one, and keeps only the newest 64', () => {
    const graph = new EntityGraph();
    const [a, b, c, d] = ['evm:0xa', 'evm:0xb', 'evm:0xc', 'evm:0xd'].map((k) => graph.id(k)) as [number, number, number, number];
    // A cluster record with nothing but causes is swept as stale: each side carries a touch.
    for (const id of [a, b, c, d]) graph.addTouch({ eventId: `t${id}`, accountId: 'acct', kind: 'deposit', time: T0, address: id });
    graph.merge(a, b, causeAt(1), 'm1');
    graph.merge(c, d, causeAt(2), 'm2');
    graph.merge(a, c, causeAt(3), 'm3');
    expect(graph.mergeCauses(d).map((x) => x.ref)).toEqual(['tx-1', 'tx-2', 'tx-3']);
    // A hub that absorbs 100 fresh addresses one by one.
    for (let n = 0; n < 100; n++) graph.merge(a, graph.id(`evm:0xf${n}`), causeAt(10 + n), `f${n}`);
    const refs = graph.mergeCauses(a).map((x) => x.ref);
    expect(refs).toHaveLength(64);
    expect(refs[0]).toBe('tx-46');
    expect(refs.at(-1)).toBe('tx-109');
  });
});
