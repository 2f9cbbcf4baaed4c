import { describe, expect, it } from 'vitest';
import { EntityGraph, type MergeCause } from '../../src/graph/entity-graph.js';

/**
 * A cluster remembers why it merged: its own causes, the absorbed cluster's, and the merge's
 * own, the newest 64 in event-time order (ties by transaction). They are kept in exact-length
 * arrays (see withCause); the order is the content's, whatever order the merges arrived in.
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

  it('lists the same causes in the same order whatever order the merges arrived in (ties by transaction)', () => {
    const causes = (order: number[]): string[] => {
      const graph = new EntityGraph();
      const ids = ['evm:0xa', 'evm:0xb', 'evm:0xc', 'evm:0xd', 'evm:0xe'].map((k) => graph.id(k));
      for (const id of ids) graph.addTouch({ eventId: `t${id}`, accountId: 'acct', kind: 'deposit', time: T0, address: id });
      // Three co-spends of one block (one time), and one later forward.
      const merges: [number, number, MergeCause][] = [
        [ids[0]!, ids[1]!, { heuristic: 'co-spend', ref: 'tx-b1fa', time: T0 + 5 }],
        [ids[0]!, ids[2]!, { heuristic: 'co-spend', ref: 'tx-7c7d', time: T0 + 5 }],
        [ids[3]!, ids[0]!, { heuristic: 'co-spend', ref: 'tx-66b8', time: T0 + 5 }],
        [ids[4]!, ids[3]!, { heuristic: 'forwarding', ref: 'tx-0001', time: T0 + 9 }],
      ];
      for (const i of order) graph.merge(merges[i]![0], merges[i]![1], merges[i]![2], `m${i}`);
      return graph.mergeCauses(ids[0]!).map((x) => x.ref);
    };
    const expected = ['tx-66b8', 'tx-7c7d', 'tx-b1fa', 'tx-0001'];
    for (const order of [[0, 1, 2, 3], [2, 0, 1, 3], [3, 1, 2, 0], [1, 3, 0, 2]]) expect(causes(order)).toEqual(expected);
  });
});
