/**
 * The exposure walk keeps its nodes and its seen-flags in arrays reused by every walk (no Set and
 * no node object per step). These tests hold it to a plain reference walk (a Set and a node
 * object per step, as the walk was written before) on random graphs: same hit, same path, same
 * hop count, walk after walk, whatever the budget; and the seen-flags survive stamp wrap-around.
 */
import { describe, expect, it } from 'vitest';
import { EntityGraph } from '../../src/graph/entity-graph.js';
import { findExposure, type ExposureQuery } from '../../src/graph/exposure.js';
import { referenceExposure } from '../helpers/reference-exposure.js';
import { VisitMarks } from '../../src/graph/visit-marks.js';
import { Decimal } from '../../src/money/decimal.js';
import { prng } from '../../src/simulate/builders.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);

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

describe('where an exposure walk stops', () => {
  // typologies.md T2: stop at nodes labelled `exchange`, "to avoid flagging everyone who shares a
  // hot wallet". The counterparty itself was walked through (QA: 22 of 22 customers paid from or
  // paying an exchange hot wallet that had once touched an SDN address alerted high).
  const setUp = (): { graph: EntityGraph; hot: number; sdn: number; own: number } => {
    const graph = new EntityGraph();
    const [hot, sdn, own] = [1, 2, 3].map((i) => graph.id(`evm:0x${String(i).padStart(40, '0')}`)) as [number, number, number];
    graph.tick(T0);
    graph.addEdge(sdn, hot, { asset: 'USDC', amount: Decimal.parse('5000'), usd: Decimal.parse('5000'), time: T0, ref: 'tx-sdn-hot' });
    graph.addEdge(sdn, own, { asset: 'USDC', amount: Decimal.parse('5000'), usd: Decimal.parse('5000'), time: T0, ref: 'tx-sdn-own' });
    graph.addLabel(sdn, { label: 'sanctioned', source: 'ofac', confidence: 1, from: T0 - HOUR }, false, 'l-sdn');
    graph.addLabel(hot, { label: 'exchange', source: 'intel', confidence: 1, from: T0 - HOUR }, false, 'l-hot');
    graph.markOwn(own);
    return { graph, hot, sdn, own };
  };
  const upstream = (from: number): ExposureQuery => ({ direction: 'upstream', labels: ['sanctioned', 'dprk-linked'], maxHops: 3, hopWithin: 30 * 24 * HOUR, stopAt: ['exchange'], from, asOf: from });

  it('does not walk on from a counterparty labelled exchange, nor from one of our own addresses', () => {
    const { graph, hot, own } = setUp();
    expect(findExposure(graph, [hot], upstream(T0 + HOUR))).toBeUndefined();
    expect(findExposure(graph, [own], upstream(T0 + HOUR))).toBeUndefined();
    // Without the stop, the same walk reaches the SDN address in one hop: the graph is as stated.
    expect(findExposure(graph, [hot], { ...upstream(T0 + HOUR), stopAt: [] })?.hops).toBe(1);
  });

  it('takes a listed start\'s own label as direct, whichever start of one cluster comes first (QA: a Bitcoin deposit from [co-spent input, listed input] was indirect and high)', () => {
    for (const listedFirst of [true, false]) {
      const graph = new EntityGraph();
      const [other, listed] = [7, 8].map((i) => graph.id(`btc:bc1q${String(i).padStart(38, '0')}`)) as [number, number];
      graph.tick(T0);
      graph.merge(other, listed, { heuristic: 'co-spend', ref: 'tx-cospend', time: T0 }, 'ev-cospend');
      graph.addLabel(listed, { label: 'sanctioned', source: 'ofac', confidence: 1, from: T0 - HOUR }, false, 'l-listed');
      const starts = listedFirst ? [listed, other] : [other, listed];
      expect(findExposure(graph, starts, upstream(T0 + HOUR)), `listed first: ${listedFirst}`).toMatchObject({ hops: 0, direct: true, labelledAddress: graph.key(listed).slice(4) });
      expect(findExposure(graph, [other], upstream(T0 + HOUR))).toMatchObject({ hops: 0, direct: false });
    }
  });

  it('still finds a label on the exchange counterparty itself (a deposit address attributed to a DPRK actor)', () => {
    const { graph, hot } = setUp();
    graph.addLabel(hot, { label: 'dprk-linked', source: 'intel', confidence: 1, from: T0 - HOUR }, false, 'l-hot-dprk');
    expect(findExposure(graph, [hot], upstream(T0 + HOUR))).toMatchObject({ hops: 0, direct: true, label: 'dprk-linked' });
  });
});

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
