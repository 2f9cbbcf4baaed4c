/**
 * Two defects of the forwarder label scope (src/graph/label-scope.ts, session 45 review), and the
 * forward parents that fix the first:
 *
 * - A consolidation address that receives forwards (workers' wallets sweeping salaries into it)
 *   and then forwards on itself joins the onward cluster as a forwarder. Listed later, its label
 *   held for it alone, so the wallets swept into it were one hop away at the listing and a new
 *   salary withdrawal to one raised nothing. Its label now holds for the addresses that joined
 *   through it (read up each address's forward parents).
 * - An `exchange` label on a deposit address that swept into the exchange's (unlabelled) hot
 *   wallet held for the deposit address alone: the cluster was no longer custodial, and an
 *   exposure walk passed through the hot wallet, which `stopAt: [exchange]` stops. A label naming
 *   a custodial service holds for the whole cluster wherever it is.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { addressKey } from '../../src/chain/address.js';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { EntityGraph, type MergeCause } from '../../src/graph/entity-graph.js';
import { FORWARD_CHAIN_STEPS } from '../../src/graph/label-scope.js';
import type { LabelRecord } from '../../src/graph/labels.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';
import { FIXED_TIME, removeTempDirs, tempDir } from '../helpers/checkpoint.js';
import { ETH, ethAddress, ethTx, labelLine, withdrawalLine, depositLine, sweepTx, clusterOf } from '../helpers/eth-forwarding-lines.js';

afterAll(removeTempDirs);

/** The alerts a line gives, as "account rule severity hops". */
function alerts(p: Pipeline, line: string): string[] {
  return p.process(line, { file: 't' }).alerts.map((a) => `${a.subject.accountId} ${a.ruleId} ${a.severity} ${String(a.evidence.hops ?? '')}`.trimEnd()).sort();
}
const feed = (p: Pipeline, lines: readonly string[]): string[] => lines.flatMap((l) => alerts(p, l));

describe('a listed consolidation address that itself forwarded on (DPRK workers\' wallets swept into it)', () => {
  const hub = ethAddress(0xc0c0);
  const onward = ethAddress(0xf00d);
  const [w1, w2] = [ethAddress(0xd001), ethAddress(0xd002)];
  const salaries = [withdrawalLine('w1', w1, 1), sweepTx(w1, hub, 2), withdrawalLine('w2', w2, 3), sweepTx(w2, hub, 4), ethTx(hub, onward, (990n * ETH) / 1000n, 6)];
  const atListing = ['acct-w1 sanctions-exposure.indirect high 0', 'acct-w2 sanctions-exposure.indirect high 0'];
  // The fan-in's alsoAlert passes its verdict on to the accounts that paid the cluster before.
  const nextSalary = ['acct-w1 dprk-consolidation.fan-in high', 'acct-w1-next dprk-consolidation.fan-in high', 'acct-w1-next sanctions-exposure.indirect high 0', 'acct-w2 dprk-consolidation.fan-in high'];

  it('covers the workers\' wallets at 0 hops, at the listing and for a new (requested) salary withdrawal', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    expect(feed(p, salaries)).toEqual([]);
    expect(clusterOf(p, w1)).toBe(clusterOf(p, onward));
    expect(alerts(p, labelLine(hub, 240, 'Listed Hub'))).toEqual(atListing);
    expect(alerts(p, withdrawalLine('w1-next', w1, 300, 'requested'))).toEqual(nextSalary);
  });

  it('does not cover the address the hub forwarded into', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    feed(p, [...salaries, labelLine(hub, 240, 'Listed Hub')]);
    const got = alerts(p, withdrawalLine('to-onward', onward, 300, 'requested'));
    expect(got.filter((a) => a.includes('sanctions-exposure'))).toEqual([]);
    // A third account paying the cluster makes it a consolidation: since session 60 the earlier
    // payers' withdrawals are judged again as of it (FactorCrossings), now that the listing
    // exposes them, and the fan-in's alsoAlert names the third payer; no exposure reaches it.
    expect(got).toEqual(['acct-to-onward dprk-consolidation.fan-in medium', 'acct-w1 dprk-consolidation.fan-in high', 'acct-w2 dprk-consolidation.fan-in high']);
  });

  it('gives the same alerts when the chain events are read before the withdrawals, newest first', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    const chainFirst = [salaries[4]!, salaries[3]!, salaries[1]!, salaries[2]!, salaries[0]!];
    feed(p, chainFirst);
    expect(clusterOf(p, w2)).toBe(clusterOf(p, onward));
    expect(alerts(p, labelLine(hub, 240, 'Listed Hub'))).toEqual(atListing);
    expect(alerts(p, withdrawalLine('w1-next', w1, 300, 'requested'))).toEqual(nextSalary);
  });

  it('keeps the forward parents across a checkpoint', async () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    feed(p, salaries);
    const dir = tempDir('tw-forward-parents-');
    await saveCheckpoint(dir, p, { rules: rules(), positions: { line: salaries.length }, createdAt: FIXED_TIME });
    const restored = (await loadNewestValid(dir, { build: () => new Pipeline({ rules: rules(), labels: [] }), rules: rules() }))!.pipeline;
    expect(alerts(restored, labelLine(hub, 240, 'Listed Hub'))).toEqual(atListing);
    expect(alerts(restored, withdrawalLine('w1-next', w1, 300, 'requested'))).toEqual(nextSalary);
  });
});

describe('an `exchange` label on a deposit address that swept into an unlabelled hot wallet', () => {
  const hot = ethAddress(0xe0e0);
  const [d1, d2] = [ethAddress(0xde01), ethAddress(0xde02)];
  const listed = ethAddress(0x5a5a);
  const customer = ethAddress(0xcc01);

  it('makes the cluster custodial: the hot wallet stops an exposure walk (stopAt: exchange)', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    // Our customers withdraw to another exchange's deposit addresses; they sweep into its hot wallet.
    feed(p, [withdrawalLine('d1', d1, 1), sweepTx(d1, hot, 2), withdrawalLine('d2', d2, 3), sweepTx(d2, hot, 4)]);
    feed(p, [labelLine(d1, 10, 'OtherExchange', 'exchange'), labelLine(listed, 0, 'Listed Person')]);
    // A listed address pays the other exchange's hot wallet; the hot wallet pays a customer's wallet.
    feed(p, [ethTx(listed, hot, 3n * ETH, 20), ethTx(hot, customer, ETH / 10n, 22)]);
    expect(alerts(p, depositLine('cust', customer, '0.1', 24)).filter((a) => a.includes('sanctions-exposure'))).toEqual([]);
  });
});

/** The graph alone: forward parents, their bound, their order and their renumbering. */
describe('forward parents (EntityGraph)', () => {
  const T = Date.UTC(2025, 2, 1);
  const cause = (ref: string): MergeCause => ({ heuristic: 'forwarding', ref, time: T });
  const sanctioned: LabelRecord = { label: 'sanctioned', source: 'test', confidence: 1, from: T };
  const key = (n: number): string => addressKey('ethereum', ethAddress(n));
  const labelsOf = (g: EntityGraph, id: number): string[] => g.clusterLabels(id, T + 1).map((l) => `${l.address === g.key(id) ? 'own' : l.address.slice(-4)} ${l.record.label}`);

  it('an address that forwarded into two keeps the one with the smaller key, in either order', () => {
    const parents = [true, false].map((smallFirst) => {
      const g = new EntityGraph();
      const [w, small, large] = [g.id(key(0x10)), g.id(key(0x20)), g.id(key(0x30))];
      const order = smallFirst ? [small, large] : [large, small];
      for (const receiver of order) g.mergeForward(receiver, w, cause(`f-${receiver}`), `e-${receiver}`);
      return g.key(g.forwardParent(w));
    });
    expect(parents).toEqual([key(0x20), key(0x20)]);
  });

  it('no parent on a held merge', () => {
    const g = new EntityGraph();
    const [w, hot] = [g.id(key(0x10)), g.id(key(0x20))];
    g.addLabel(hot, { label: 'exchange', entity: 'Ex A', source: 'test', confidence: 1, from: T }, false, 'l-1');
    g.addLabel(w, { label: 'exchange', entity: 'Ex B', source: 'test', confidence: 1, from: T }, false, 'l-2');
    expect(g.mergeForward(hot, w, cause('f'), 'f')?.kind).toBe('held-merge');
    expect(g.forwardParent(w)).toBe(-1);
    expect(g.isForwarder(w)).toBe(false);
  });

  it('a forwarder\'s label holds for what joined through it, FORWARD_CHAIN_STEPS deep, not for its receiver nor its siblings', () => {
    const g = new EntityGraph();
    // x0 swept into x1, x1 into x2, … the last into `top`; `sibling` swept into x2 too.
    const xs = Array.from({ length: FORWARD_CHAIN_STEPS + 2 }, (_, i) => g.id(key(0x100 + i)));
    const top = g.id(key(0x999));
    const sibling = g.id(key(0x500));
    for (let i = 0; i < xs.length; i++) g.mergeForward(i + 1 < xs.length ? xs[i + 1]! : top, xs[i]!, cause(`f-${i}`), `e-${i}`);
    g.mergeForward(xs[2]!, sibling, cause('f-s'), 'e-s');
    const listed = xs[FORWARD_CHAIN_STEPS + 1]!;
    g.addLabel(listed, sanctioned, false, 'l');
    expect(labelsOf(g, listed)).toEqual(['own sanctioned']);
    expect(labelsOf(g, xs[1]!)).toEqual([`${g.key(listed).slice(-4)} sanctioned`]); // FORWARD_CHAIN_STEPS parents up
    expect(labelsOf(g, xs[0]!)).toEqual([]); // one more: past the bound
    expect(labelsOf(g, sibling)).toEqual([`${g.key(listed).slice(-4)} sanctioned`]);
    expect(labelsOf(g, top)).toEqual([]);
    expect(g.wholeClusterLabels(top, T + 1)).toEqual([]);
  });

  it('two addresses that swept into each other: each one\'s label holds for both, and the read ends', () => {
    const g = new EntityGraph();
    const [a, b, c] = [g.id(key(0x10)), g.id(key(0x20)), g.id(key(0x30))];
    g.mergeForward(b, a, cause('ab'), 'ab');
    g.mergeForward(a, b, cause('ba'), 'ba');
    g.mergeForward(a, c, cause('ca'), 'ca');
    g.addLabel(b, sanctioned, false, 'l');
    expect(labelsOf(g, a)).toEqual(['0020 sanctioned']);
    expect(labelsOf(g, c)).toEqual(['0020 sanctioned']);
  });

  it('a custodial service\'s label on a forwarder holds for its whole cluster, and guards its merges', () => {
    const g = new EntityGraph();
    const [deposit1, deposit2, hot, listed] = [g.id(key(0x10)), g.id(key(0x11)), g.id(key(0x20)), g.id(key(0x30))];
    g.mergeForward(hot, deposit1, cause('f-1'), 'e-1');
    g.mergeForward(hot, deposit2, cause('f-2'), 'e-2');
    g.addLabel(deposit1, { label: 'exchange', entity: 'OtherExchange', source: 'test', confidence: 1, from: T }, false, 'l-1');
    expect(labelsOf(g, deposit2)).toEqual(['0010 exchange']);
    expect(g.wholeClusterLabels(hot, T + 1).map((l) => `${l.record.label} ${l.record.entity}`)).toEqual(['exchange OtherExchange']);
    g.addLabel(listed, { ...sanctioned, entity: 'Listed' }, false, 'l-2');
    expect(g.merge(hot, listed, { heuristic: 'co-spend', ref: 'c', time: T + 1 }, 'c')?.kind).toBe('held-merge');
    // A gambling site's deposit address, swept into its hot wallet: the site's whole cluster.
    const [casinoDeposit, casinoHot] = [g.id(key(0x40)), g.id(key(0x41))];
    g.mergeForward(casinoHot, casinoDeposit, cause('f-3'), 'e-3');
    g.addLabel(casinoDeposit, { label: 'gambling', entity: 'Casino', source: 'test', confidence: 1, from: T }, false, 'l-3');
    expect(labelsOf(g, casinoHot)).toEqual(['0040 gambling']);
  });

  it('a compaction renumbers the parents', () => {
    const g = new EntityGraph();
    const gone = g.id(key(0x01)); // forgotten: every id after it moves down one
    const [w, hub, onward] = [g.id(key(0x10)), g.id(key(0x20)), g.id(key(0x30))];
    g.mergeForward(hub, w, cause('w'), 'w');
    g.mergeForward(onward, hub, cause('h'), 'h');
    g.addLabel(hub, sanctioned, false, 'l');
    expect(g.compact((id) => id === gone)).toBe(1);
    const [w2, hub2, onward2] = [g.index.lookup(key(0x10))!, g.index.lookup(key(0x20))!, g.index.lookup(key(0x30))!];
    expect([w2, hub2, onward2]).toEqual([w - 1, hub - 1, onward - 1]);
    expect([g.forwardParent(w2), g.forwardParent(hub2), g.forwardParent(onward2)]).toEqual([hub2, onward2, -1]);
    expect(labelsOf(g, w2)).toEqual(['0020 sanctioned']);
    expect(labelsOf(g, onward2)).toEqual([]);
  });
});
