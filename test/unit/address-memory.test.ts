/**
 * The graph forgets addresses that hold nothing (src/graph/address-memory.ts): a compaction drops
 * them and renumbers the rest, and everything the graph says about a kept address must read the
 * same afterwards, by key. On the sample, whether compactions run must change no alert, and a
 * checkpoint written after one must resume to the bytes of an uninterrupted run.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { Decimal } from '../../src/money/decimal.js';
import { DEFAULT_GRAPH_OPTIONS, EntityGraph, type GraphOptions } from '../../src/graph/entity-graph.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { FIXED_TIME, type Outputs, records, removeTempDirs, replayRecords, tempDir } from '../helpers/checkpoint.js';
import { ofacLabels, rules, sampleLines } from '../helpers/sample.js';

afterAll(removeTempDirs);

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const SMALL: GraphOptions = { ...DEFAULT_GRAPH_OPTIONS, touchRetention: 5 * DAY, edgeRetention: 10 * DAY, addressMemory: 10 * DAY, compactEvery: Number.MAX_SAFE_INTEGER };
const key = (n: number): string => `evm:0x${n.toString(16).padStart(40, '0')}`;
const ONE = Decimal.parse('1');

/** Everything the graph answers about an address, by key: what a compaction must not change. */
function describeAddress(g: EntityGraph, k: string, asOf: number): unknown {
  const id = g.index.lookup(k);
  if (id === undefined) return undefined;
  const ends = (edges: readonly { from: number; to: number; time: number; ref: string }[]) => edges.map((e) => [g.key(e.from), g.key(e.to), e.time, e.ref]);
  return {
    key: g.key(id),
    firstSeen: g.firstSeenAt(id),
    own: g.isOwn(id),
    cluster: g.clusterName(id),
    size: g.clusterSize(id),
    members: [...g.uf.members(id)].map((m) => g.key(m)).sort(),
    labels: g.clusterLabels(id, asOf).map((l) => [l.address, l.record.label]),
    out: ends(g.edgesOut(id)),
    in: ends(g.edgesIn(id)),
    touches: g.touches(id).map((t) => [t.eventId, t.accountId, g.key(t.address)]),
  };
}

/**
 * A graph with old one-off addresses (seen once, an edge long past the retention) beside every
 * kind of address that must be kept: labelled, own, clustered, on a recent edge, touched.
 */
function populated(): { g: EntityGraph; oneOff: string[]; kept: string[]; now: number } {
  const g = new EntityGraph(SMALL);
  const oneOff: string[] = [];
  g.tick(T0);
  for (let n = 100; n < 140; n++) {
    const from = g.id(key(n));
    const to = g.id(key(n + 1000));
    g.markSeen(from, T0);
    g.markSeen(to, T0);
    g.addEdge(from, to, { asset: 'USDT', amount: ONE, usd: ONE, time: T0, ref: `old-${n}` });
    oneOff.push(key(n), key(n + 1000));
  }
  const now = T0 + 30 * DAY;
  g.tick(now);
  const labelled = g.id(key(1));
  g.markSeen(labelled, T0);
  g.addLabel(labelled, { label: 'sanctioned', source: 'test', confidence: 1, from: T0 }, false, 'label-1');
  const own = g.id(key(2));
  g.markSeen(own, T0);
  g.markOwn(own);
  const [a, b] = [g.id(key(3)), g.id(key(4))];
  g.markSeen(a, T0);
  g.markSeen(b, T0);
  g.merge(a, b, { heuristic: 'forwarding', ref: 'tx-merge', time: T0 }, 'merge-1');
  const [x, y] = [g.id(key(5)), g.id(key(6))];
  g.markSeen(x, now);
  g.markSeen(y, now);
  g.addEdge(x, y, { asset: 'USDC', amount: ONE, usd: ONE, time: now, ref: 'recent' });
  const touched = g.id(key(7));
  g.markSeen(touched, now);
  g.addTouch({ eventId: 'ev-touch', accountId: 'acct-1', kind: 'withdrawal', time: now, address: touched });
  // The recent edge's receiver also paid a clustered address: an edge between two kept ones.
  g.addEdge(y, a, { asset: 'USDC', amount: ONE, usd: ONE, time: now, ref: 'to-cluster' });
  return { g, oneOff, kept: [1, 2, 3, 4, 5, 6, 7].map(key), now };
}

describe('forgetting addresses that hold nothing', () => {
  it('drops the one-off addresses past the memory and keeps every other address reading as before, by key', () => {
    const { g, oneOff, kept, now } = populated();
    const before = kept.map((k) => describeAddress(g, k, now));
    const sizeBefore = g.index.size;
    const generation = g.generation;

    expect(g.compact()).toBe(oneOff.length);

    expect(g.index.size).toBe(sizeBefore - oneOff.length);
    expect(g.generation).toBe(generation + 1);
    for (const k of oneOff) expect(g.index.lookup(k)).toBeUndefined();
    expect(kept.map((k) => describeAddress(g, k, now))).toEqual(before);
    // Ids stay dense and in their old order.
    expect(kept.map((k) => g.index.lookup(k))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // Nothing more to forget: a second compaction changes nothing.
    expect(g.compact()).toBe(0);
  });

  it('keeps an address inside the memory even when it holds nothing else', () => {
    const { g, oneOff } = populated();
    const fresh = g.id(key(9000));
    g.markSeen(fresh, T0 + 25 * DAY);
    expect(g.compact()).toBe(oneOff.length);
    expect(g.index.lookup(key(9000))).toBeDefined();
  });

  it('an address seen again reads as new whether a compaction dropped it or it only lapsed', () => {
    const dropped = populated();
    const lapsed = populated();
    dropped.g.compact();
    const at = dropped.now + DAY;
    for (const { g } of [dropped, lapsed]) {
      g.tick(at);
      const id = g.id(key(100));
      expect(g.seenBefore(id, at)).toBe(false);
      g.markSeen(id, at);
      expect(g.firstSeenAt(id)).toBe(at);
    }
    // An address that still holds something keeps its first sighting.
    const clustered = lapsed.g.id(key(3));
    lapsed.g.markSeen(clustered, at);
    expect(lapsed.g.firstSeenAt(clustered)).toBe(T0);
  });

  it('drops an edge whose other end was forgotten from the kept end\'s lists, both ways', () => {
    const { g } = populated();
    // A kept (own) address with old edges from and to one-offs: they go, and the old edges with them.
    const own = g.id(key(2));
    const [sender, receiver] = [g.id(key(8000)), g.id(key(8001))];
    g.markSeen(sender, T0);
    g.markSeen(receiver, T0);
    g.addEdge(sender, own, { asset: 'USDT', amount: ONE, usd: ONE, time: T0, ref: 'old-into-own' });
    g.addEdge(own, receiver, { asset: 'USDT', amount: ONE, usd: ONE, time: T0, ref: 'old-out-of-own' });
    g.compact();
    expect(g.index.lookup(key(8000))).toBeUndefined();
    expect(g.index.lookup(key(8001))).toBeUndefined();
    expect(g.edgesIn(g.id(key(2)))).toEqual([]);
    expect(g.edgesOut(g.id(key(2)))).toEqual([]);
  });

  it('moves an edge that only one of its lists still holds (the other dropped it at its cap)', () => {
    const g = new EntityGraph({ ...SMALL, maxEdgesPerAddress: 2 });
    const now = T0 + 30 * DAY;
    g.tick(now);
    for (let n = 100; n < 110; n++) g.markSeen(g.id(key(n)), T0); // one-offs first: the kept ids move down
    const hub = g.id(key(1));
    const payers = [2, 3, 4].map((n) => g.id(key(n)));
    const payees = [5, 6, 7].map((n) => g.id(key(n)));
    for (const id of [hub, ...payers, ...payees]) g.markSeen(id, now);
    // The hub's in-list and out-list keep two edges each; each payer's out-list and payee's in-list keep theirs.
    payers.forEach((p, i) => g.addEdge(p, hub, { asset: 'USDT', amount: ONE, usd: ONE, time: now + i, ref: `in-${i}` }));
    payees.forEach((p, i) => g.addEdge(hub, p, { asset: 'USDT', amount: ONE, usd: ONE, time: now + i, ref: `out-${i}` }));
    const kept = [1, 2, 3, 4, 5, 6, 7].map(key);
    const before = kept.map((k) => describeAddress(g, k, now));
    expect(g.compact()).toBe(10);
    expect(kept.map((k) => describeAddress(g, k, now))).toEqual(before);
    // The edges only a payer's out-list or a payee's in-list still holds name the right ends.
    expect(g.edgesOut(g.id(key(2))).map((e) => [g.key(e.from), g.key(e.to)])).toEqual([[key(2), key(1)]]);
    expect(g.edgesIn(g.id(key(5))).map((e) => [g.key(e.from), g.key(e.to)])).toEqual([[key(1), key(5)]]);
  });
});

/** The sample with the retentions shrunk, so that 90 days of it forget thousands of addresses. */
const SHRUNK: Partial<GraphOptions> = { touchRetention: 5 * DAY, edgeRetention: 33 * DAY, addressMemory: 7 * DAY };

function pipeline(compactEvery: number, labels = ofacLabels()): Pipeline {
  return new Pipeline({ rules: rules(), labels, graph: { ...SHRUNK, compactEvery } });
}

describe('compactions in a replay', () => {
  /** The whole sample with daily compactions: both tests compare against it, so it is replayed once for the file. */
  let daily: Promise<Outputs> | undefined;
  const dailyReplay = (): Promise<Outputs> => (daily ??= replayRecords(records(sampleLines(), 0, Infinity), tempDir('tw-forget-daily-'), 'daily', pipeline(DAY)));

  it('change no alert: daily compactions against none, with the same retentions', async () => {
    const lines = sampleLines();
    const daily = await dailyReplay();
    const never = await replayRecords(records(lines, 0, lines.length), tempDir('tw-forget-never-'), 'never', pipeline(Number.MAX_SAFE_INTEGER));
    const forgotten = daily.result.pipeline.graph.forgotten;
    expect(forgotten).toBeGreaterThan(1000);
    expect(daily.result.pipeline.graph.index.size).toBeLessThan(never.result.pipeline.graph.index.size - 1000);
    expect(never.alerts.split('\n').filter(Boolean).length).toBeGreaterThan(200);
    expect(daily.alerts).toBe(never.alerts);
  });

  it('a checkpoint written after compactions resumes to the alerts and state of an uninterrupted run', async () => {
    const lines = sampleLines();
    const cut = Math.floor(lines.length * 0.7);
    const dir = tempDir('tw-forget-ckpt-');
    const straight = await dailyReplay();
    const first = await replayRecords(records(lines, 0, cut), dir, 'first', pipeline(DAY));
    expect(first.result.pipeline.graph.forgotten).toBeGreaterThan(0);
    await saveCheckpoint(dir, first.result.pipeline, { rules: rules(), positions: { line: cut }, createdAt: FIXED_TIME });
    const restored = await loadNewestValid(dir, { build: () => pipeline(DAY, []), rules: rules() });
    const second = await replayRecords(records(lines, cut, lines.length), dir, 'second', restored!.pipeline);

    expect(first.alerts + second.alerts).toBe(straight.alerts);
    const a = await saveCheckpoint(tempDir('tw-forget-a-'), straight.result.pipeline, { rules: rules(), positions: { line: lines.length }, createdAt: FIXED_TIME });
    const b = await saveCheckpoint(tempDir('tw-forget-b-'), second.result.pipeline, { rules: rules(), positions: { line: lines.length }, createdAt: FIXED_TIME });
    expect(readFileSync(b.location).equals(readFileSync(a.location))).toBe(true);
  });
});
