/**
 * A cluster's touch stamp (EntityGraph.touchStamp) promises that while it stands the cluster's
 * touches only grow. The fan-in signal relies on it to pass over a cluster whose walk already
 * saturated a window covering the one asked for; this checks the promise itself, under random
 * touches (in and out of order), merges, caps and retention trims, against a walk of the touches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GRAPH_OPTIONS, EntityGraph } from '../../src/graph/entity-graph.js';
import { recentAccounts } from '../../src/graph/touches.js';

const DAY = 86_400_000;
const op = fc.oneof(
  fc.record({ kind: fc.constant('touch' as const), address: fc.integer({ min: 0, max: 3 }), account: fc.integer({ min: 0, max: 12 }), time: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('touch' as const), address: fc.integer({ min: 0, max: 3 }), account: fc.integer({ min: 0, max: 12 }), time: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('merge' as const), a: fc.integer({ min: 0, max: 3 }), b: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('tick' as const), time: fc.integer({ min: 0, max: 60 }) }),
);

describe('touch stamps', () => {
  it('a window that saturated stays saturated in every wider window while the stamp stands', () => {
    let checked = 0;
    let restamped = 0;
    fc.assert(fc.property(fc.array(op, { minLength: 20, maxLength: 120 }), fc.constantFrom(3, 5), (ops, limit) => {
      const graph = new EntityGraph({ ...DEFAULT_GRAPH_OPTIONS, maxTouches: 8, touchRetention: 20 * DAY });
      const ids = Array.from({ length: 4 }, (_, i) => graph.id(`evm:0x${String(i).padStart(40, '0')}`));
      // Saturated walks seen so far: the address, its cluster's stamp, and the window's stop time and end.
      const seen: { address: number; stamp: number; stopTime: number; to: number }[] = [];
      ops.forEach((o, n) => {
        if (o.kind === 'touch') graph.addTouch({ eventId: `e${n}`, accountId: `a${o.account}`, kind: 'withdrawal', time: o.time * DAY, address: ids[o.address]! });
        else if (o.kind === 'merge') graph.merge(ids[o.a]!, ids[o.b]!, { heuristic: 'forwarding', ref: `m${n}`, time: n * DAY }, `m${n}`);
        else graph.tick(o.time * DAY);
        for (const s of seen) {
          if (graph.touchStamp(s.address) !== s.stamp) { restamped++; continue; }
          checked++;
          // Any window from at or before the stop time to at or after the end saturates again.
          expect(recentAccounts(graph.touches(s.address), s.to + DAY, s.stopTime - DAY, limit).saturated).toBe(true);
        }
        for (const address of ids) {
          const touches = graph.touches(address);
          const to = 40 * DAY;
          const walk = recentAccounts(touches, to, 0, limit);
          if (walk.saturated && graph.touchStamp(address) !== 0) seen.push({ address, stamp: graph.touchStamp(address), stopTime: touches[walk.stop]!.time, to });
        }
      });
    }), { numRuns: 200 });
    expect(checked).toBeGreaterThan(100);
    expect(restamped).toBeGreaterThan(0);
  });

  it('a merge re-examines all of the larger side unless its touches name verdictLimit accounts, the count remembered only while its stamp stands', () => {
    let settledMerges = 0;
    let unsettledMerges = 0;
    fc.assert(fc.property(fc.array(op, { minLength: 20, maxLength: 120 }), fc.constantFrom(3, 5), (ops, verdictLimit) => {
      const graph = new EntityGraph({ ...DEFAULT_GRAPH_OPTIONS, maxTouches: 8, touchRetention: 20 * DAY, verdictLimit });
      const ids = Array.from({ length: 4 }, (_, i) => graph.id(`evm:0x${String(i).padStart(40, '0')}`));
      ops.forEach((o, n) => {
        if (o.kind === 'touch') graph.addTouch({ eventId: `e${n}`, accountId: `a${o.account}`, kind: 'withdrawal', time: o.time * DAY, address: ids[o.address]! });
        else if (o.kind === 'tick') graph.tick(o.time * DAY);
        else {
          const [ta, tb] = [graph.touches(ids[o.a]!), graph.touches(ids[o.b]!)];
          const large = ta.length <= tb.length ? tb : ta;
          // What a walk of the larger side's touches says now, whatever an earlier merge found.
          const settled = recentAccounts(large, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, verdictLimit).accounts.size >= verdictLimit;
          const change = graph.merge(ids[o.a]!, ids[o.b]!, { heuristic: 'forwarding', ref: `m${n}`, time: n * DAY }, `m${n}`);
          if (change?.kind !== 'merge') return;
          expect(change.impact!.both).toBe(!settled);
          if (settled) settledMerges++; else unsettledMerges++;
        }
      });
    }), { numRuns: 300 });
    expect(settledMerges).toBeGreaterThan(20);
    expect(unsettledMerges).toBeGreaterThan(20);
  });
});
