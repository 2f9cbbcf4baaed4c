/**
 * The label-reach bounds let an exposure walk that cannot meet a traced label be skipped. These
 * tests hold findExposure (which consults them) to the plain reference walk, which never skips,
 * on random graphs that change between walks in every way the bounds must follow: new edges,
 * edge lists past a small cap (one copy of an edge dropped, the other kept) and past the
 * retention, cluster-wide and address-scoped labels, untraced labels, merges that spread a label
 * over a cluster, own addresses (where walks stop), and a new rule set that drops the bounds and
 * rebuilds them. The union-find's
 * member lists, which a cluster-wide label is spread over, are checked against find(); a
 * checkpoint restore drops the bounds too.
 */
import { describe, expect, it, vi } from 'vitest';
import { EntityGraph, DEFAULT_GRAPH_OPTIONS } from '../../src/graph/entity-graph.js';
import { findExposure, type ExposureQuery } from '../../src/graph/exposure.js';
import { UnionFind } from '../../src/graph/union-find.js';
import { Decimal } from '../../src/money/decimal.js';
import { prng } from '../../src/simulate/builders.js';
import { referenceExposure } from '../helpers/reference-exposure.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 0, 1);
const TRACED = ['sanctioned', 'mixer', 'stolen-funds'];

interface Run { walks: number; hits: number; skipped: number }

/** Random operations on one graph, each followed by a few random walks compared with the reference. */
function randomRun(seed: number): Run {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const graph = new EntityGraph({ ...DEFAULT_GRAPH_OPTIONS, maxEdgesPerAddress: 2 + Math.floor(rand() * 4), edgeRetention: 25 * DAY, tracedLabels: TRACED });
  const skip = vi.spyOn(graph, 'mayReachLabel');
  const n = 150 + Math.floor(rand() * 100);
  const ids = Array.from({ length: n }, (_, i) => graph.id(`evm:0x${(seed * 1000 + i).toString(16).padStart(40, '0')}`));
  let now = T0;
  /** Senders of every edge so far: walks often start at one whose edge a hot list dropped. */
  const senders: number[] = [];
  const run: Run = { walks: 0, hits: 0, skipped: 0 };
  graph.markOwn(ids[0]!); // a hot sender is the exchange's hot wallet: its list drops need no bound
  for (let op = 0; op < 600; op++) {
    now += Math.floor(rand() * 3 * HOUR);
    graph.tick(now);
    const r = rand();
    if (r < 0.7) {
      // A few hot addresses receive and send much more than their lists keep.
      const from = rand() < 0.2 ? pick(ids.slice(0, 3)) : pick(ids);
      const to = rand() < 0.3 ? pick(ids.slice(3, 6)) : pick(ids);
      // Some edges arrive late (an earlier event time than the clock), some early (chain data
      // read ahead of the exchange's clock).
      const when = rand();
      const time = when < 0.2 ? now - Math.floor(rand() * 10 * DAY) : when < 0.3 ? now + Math.floor(rand() * 10 * DAY) : now;
      senders.push(from);
      if (from !== to) graph.addEdge(from, to, { asset: 'USDC', amount: Decimal.parse(String(1 + op)), usd: null, time, ref: `tx-${op}` });
    } else if (r < 0.74) {
      graph.addLabel(rand() < 0.3 ? pick(ids.slice(0, 6)) : pick(ids), { label: pick([...TRACED, 'exchange', 'bridge']), source: 'test', confidence: 1, from: now - Math.floor(rand() * 5 * DAY), ...(rand() < 0.3 ? { scope: 'address' as const } : {}) }, false, `label-${op}`);
    } else if (r < 0.85) {
      graph.merge(pick(ids), pick(ids), { heuristic: 'co-spend', ref: `m-${op}`, time: now }, `merge-${op}`);
    } else if (r < 0.855) {
      // A new rule set traces other labels: the bounds are dropped and rebuilt.
      graph.reconfigure({ tracedLabels: rand() < 0.5 ? TRACED : [...TRACED, 'bridge'] });
    } else if (r < 0.865) {
      graph.markOwn(pick(ids));
    } else if (r < 0.87) {
      // As a checkpoint restore does: the per-address arrays put back, the bounds dropped.
      const parts = graph.checkpointParts();
      graph.restoreArrays(parts.marks.slice(), parts.firstSeen.slice(), parts.newest);
    }
    for (let k = 0; k < 3; k++) {
      const q: ExposureQuery = {
        direction: rand() < 0.5 ? 'upstream' : 'downstream',
        labels: pick([['sanctioned'], ['mixer', 'stolen-funds'], ['bridge'], ['sanctioned', 'exchange']]),
        maxHops: Math.floor(rand() * 5),
        hopWithin: (1 + Math.floor(rand() * 6)) * DAY,
        stopAt: rand() < 0.5 ? ['exchange'] : [],
        // Mostly recent starts (where the bounds answer), some older than the retention allows.
        from: now - Math.floor(rand() * (rand() < 0.8 ? 4 : 40) * DAY) + (rand() < 0.2 ? 8 * DAY : 0),
        asOf: now + 12 * DAY,
      };
      const starts = Array.from({ length: 1 + Math.floor(rand() * 2) }, () => (rand() < 0.4 && senders.length > 0 ? pick(senders) : pick(ids)));
      const calls = skip.mock.results.length;
      const expected = referenceExposure(graph, starts, q);
      expect(findExposure(graph, starts, q), `seed ${seed} op ${op}`).toEqual(expected);
      run.walks++;
      if (expected) run.hits++;
      if (skip.mock.results.length > calls && skip.mock.results[calls]!.value === false) run.skipped++;
    }
  }
  return run;
}

describe('label-reach bounds on exposure walks', () => {
  it('skip only walks that find nothing: the same hits as a walk without them, as the graph changes', () => {
    const total: Run = { walks: 0, hits: 0, skipped: 0 };
    for (let seed = 1; seed <= 16; seed++) {
      const run = randomRun(seed);
      total.walks += run.walks;
      total.hits += run.hits;
      total.skipped += run.skipped;
    }
    // Meaningful only if walks hit, miss, and are skipped often.
    expect(total.hits, JSON.stringify(total)).toBeGreaterThan(total.walks / 20);
    expect(total.skipped, JSON.stringify(total)).toBeGreaterThan(total.walks / 12);
    expect(total.walks - total.hits - total.skipped, JSON.stringify(total)).toBeGreaterThan(0);
  });

  it('skips a walk from an address with no traced label anywhere near it, and not one a label is near', () => {
    const graph = new EntityGraph({ ...DEFAULT_GRAPH_OPTIONS, tracedLabels: ['sanctioned'] });
    const [a, b, c, far] = ['a', 'b', 'c', 'far'].map((k) => graph.id(`evm:${k}`)) as [number, number, number, number];
    graph.tick(T0);
    graph.addEdge(a, b, { asset: 'USDC', amount: Decimal.parse('1'), usd: null, time: T0, ref: 't1' });
    graph.addEdge(b, c, { asset: 'USDC', amount: Decimal.parse('1'), usd: null, time: T0, ref: 't2' });
    graph.addLabel(c, { label: 'sanctioned', source: 'ofac', confidence: 1, from: T0 }, false, 'l1');
    const q = { direction: 'downstream' as const, labels: ['sanctioned'], maxHops: 2, hopWithin: DAY, from: T0 };
    expect(graph.mayReachLabel([a], q)).toBe(true);
    expect(graph.mayReachLabel([a], { ...q, maxHops: 1 })).toBe(false);
    expect(graph.mayReachLabel([far], q)).toBe(false);
    expect(graph.mayReachLabel([a], { ...q, labels: ['mixer'] })).toBe(true); // untraced: the walk runs
    // A merge spreads the label over the cluster: `far` joins c's cluster and is labelled itself.
    graph.merge(far, c, { heuristic: 'co-spend', ref: 'm', time: T0 }, 'm');
    expect(graph.mayReachLabel([far], { ...q, maxHops: 0 })).toBe(true);
  });
});

/** A graph of a few named addresses with lists capped at 2, and an edge helper. */
function tinyGraph(names: readonly string[]) {
  const graph = new EntityGraph({ ...DEFAULT_GRAPH_OPTIONS, maxEdgesPerAddress: 2, tracedLabels: ['sanctioned'] });
  const ids = names.map((k) => graph.id(`evm:0x${(names.indexOf(k) + 1).toString(16).padStart(40, '0')}`));
  const edge = (from: number, to: number, time: number): void => {
    graph.tick(time);
    graph.addEdge(from, to, { asset: 'USDC', amount: Decimal.parse('5'), usd: null, time, ref: `t${time}` });
  };
  return { graph, ids, edge };
}

const SANCTIONED = { label: 'sanctioned', source: 'ofac', confidence: 1, from: T0 };

/** The walk finds a label, and findExposure (bounds consulted) finds the very same. */
function expectFoundAsReference(graph: EntityGraph, start: number, q: ExposureQuery): void {
  const expected = referenceExposure(graph, [start], q);
  expect(expected).toBeDefined();
  expect(findExposure(graph, [start], q)).toEqual(expected);
}

const down: ExposureQuery = { direction: 'downstream', labels: ['sanctioned'], maxHops: 1, hopWithin: DAY, stopAt: [], from: T0, asOf: T0 + DAY };

describe('label-reach when one copy of an edge is dropped past the cap', () => {
  it('a sender whose edge left a busy receiver\'s in-list still reaches a label set on the receiver later', () => {
    const { graph, ids: [r, hot, x, y], edge } = tinyGraph(['r', 'hot', 'x', 'y']);
    edge(r!, hot!, T0);
    edge(x!, hot!, T0 + HOUR);
    edge(y!, hot!, T0 + 2 * HOUR); // hot's in-list (cap 2) drops r → hot; r's out-list keeps it
    graph.addLabel(hot!, SANCTIONED, false, 'l');
    expectFoundAsReference(graph, r!, down);
  });

  it('a receiver whose edge left a busy sender\'s out-list still reaches a label set on the sender later', () => {
    const { graph, ids: [hot, s, x, y], edge } = tinyGraph(['hot', 's', 'x', 'y']);
    edge(hot!, s!, T0);
    edge(hot!, x!, T0 + HOUR);
    edge(hot!, y!, T0 + 2 * HOUR); // hot's out-list drops hot → s; s's in-list keeps it
    graph.addLabel(hot!, SANCTIONED, false, 'l');
    expectFoundAsReference(graph, s!, { ...down, direction: 'upstream', from: T0 + HOUR });
  });
});

describe('label-reach at the exchange\'s own addresses', () => {
  it('a label on an own address whose in-list dropped a sender still reaches that sender', () => {
    const { graph, ids: [r, own, x, y], edge } = tinyGraph(['r', 'own', 'x', 'y']);
    graph.markOwn(own!);
    edge(r!, own!, T0);
    edge(x!, own!, T0 + HOUR);
    edge(y!, own!, T0 + 2 * HOUR); // own's in-list drops r → own, with no bound (own)
    graph.addLabel(own!, SANCTIONED, false, 'l');
    expectFoundAsReference(graph, r!, down);
  });

  it('an address labelled first and made own later is still reached', () => {
    const { graph, ids: [r, own, x, y], edge } = tinyGraph(['r', 'own', 'x', 'y']);
    graph.addLabel(own!, SANCTIONED, false, 'l');
    graph.markOwn(own!);
    edge(r!, own!, T0);
    edge(x!, own!, T0 + HOUR);
    edge(y!, own!, T0 + 2 * HOUR);
    expectFoundAsReference(graph, r!, down);
  });
});

describe('union-find member lists', () => {
  it('list exactly the ids that find() puts in one cluster, after unions and after a restore', () => {
    const rand = prng(7);
    const uf = new UnionFind();
    const n = 300;
    for (let i = 0; i < 400; i++) uf.union(Math.floor(rand() * n), Math.floor(rand() * n));
    const check = (u: UnionFind): void => {
      for (let id = 0; id < n; id++) {
        const members = [...u.members(id)].sort((x, y) => x - y);
        const expected = Array.from({ length: n }, (_, x) => x).filter((x) => u.find(x) === u.find(id));
        expect(members).toEqual(expected);
        expect(members.length).toBe(u.size(id));
      }
    };
    check(uf);
    const { parent, sizes, reprs } = uf.checkpointArrays();
    const restored = new UnionFind();
    restored.restoreArrays(parent.slice(), sizes.slice(), reprs.slice());
    check(restored);
  });
});

describe('label-reach after the bounds are rebuilt, with chain edges dated after the clock', () => {
  /**
   * The clock (exchange time) stays at T0 while chain data read ahead adds a → b, a → c and
   * a → d a month later; a's out-list, capped at 2, drops a → b, which b's in-list keeps. Bounds
   * rebuilt from the labels cannot know that drop, so an upstream walk from b over that edge
   * must run.
   */
  function readAheadWithDrop() {
    const { graph, ids: [a, b, c, d] } = tinyGraph(['a', 'b', 'c', 'd']);
    graph.tick(T0);
    [b, c, d].forEach((to, i) => graph.addEdge(a!, to!, { asset: 'USDC', amount: Decimal.parse('5'), usd: null, time: T0 + (30 + i) * DAY, ref: `ahead-${i}` }));
    graph.addLabel(a!, SANCTIONED, false, 'l1');
    const q: ExposureQuery = { direction: 'upstream', labels: ['sanctioned'], maxHops: 1, hopWithin: 2 * DAY, stopAt: [], from: T0 + 31 * DAY, asOf: T0 + 31 * DAY };
    return { graph, b: b!, q };
  }

  it('a new rule set: the walk from b still meets the label over the edge a\'s list dropped', () => {
    const { graph, b, q } = readAheadWithDrop();
    graph.reconfigure({ tracedLabels: ['sanctioned', 'mixer'] });
    expectFoundAsReference(graph, b, q);
  });

  it('a checkpoint restore: the same walk still meets it', () => {
    const { graph, b, q } = readAheadWithDrop();
    const parts = graph.checkpointParts();
    graph.restoreArrays(parts.marks.slice(), parts.firstSeen.slice(), parts.newest);
    expectFoundAsReference(graph, b, q);
  });
});
