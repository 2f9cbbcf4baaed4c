/**
 * Co-spent inputs are one owner: funds of any input reach what the transaction pays (detection
 * QA F-cospend-{direct,fwd,rev}). Three accounts withdraw BTC to their own addresses, which are
 * then spent together into a listed address, directly or through one more hop. The decoder gives
 * the transaction's edges from its largest input only (session 28's bound), so before, only the
 * account whose address was the largest input met the label; the others now reach it through a
 * co-spend link to the largest input, at no extra hop (high at 1 hop, medium at 2), whatever the
 * order the chain data and the withdrawals arrive in.
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { bitcoinTx, prng } from '../../src/simulate/builders.js';
import { derivedBtc } from '../../src/simulate/derived.js';
import { EntityGraph } from '../../src/graph/entity-graph.js';
import { GraphWriter, MAX_COSPEND_LINKS } from '../../src/graph/clustering.js';
import { findExposure } from '../../src/graph/exposure.js';
import { decodeMessage } from '../../src/decode/decode.js';
import { graphRoundTrip } from '../helpers/graph-section.js';
import { rules } from '../helpers/sample.js';

const T0 = Date.UTC(2025, 0, 2);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const iso = (t: number): string => new Date(t).toISOString();
const label = (address: string): string =>
  JSON.stringify({ schema: 'intel.label.v1', chain: 'bitcoin', address, label: 'sanctioned', entity: 'Listed wallet', source: 'test', confidence: 1, observedAt: iso(T0 - DAY) });
const withdrawal = (n: number, to: string, btc: number, time: number): string =>
  JSON.stringify({ schema: 'exchange.transfer.v1', eventId: `w-${n}`, kind: 'withdrawal', status: 'completed', occurredAt: iso(time), accountId: `acct-${n}`, chain: 'bitcoin', asset: 'BTC', amount: String(btc), usdValue: btc * 95_000, from: [derivedBtc(50, 1)], to });

/** The stream of one scenario: three withdrawals, the co-spend, and (with `hop`) one more hop to the listed address. */
function scenario(seed: number, hop: boolean, times = { withdrawals: T0, cospend: T0 + DAY, hop: T0 + 2 * DAY }) {
  const rand = prng(seed);
  const listed = derivedBtc(seed, 90);
  const mid = derivedBtc(seed, 91);
  const own = [derivedBtc(seed, 1), derivedBtc(seed, 2), derivedBtc(seed, 3)];
  const sats = [5_000_000, 6_000_000, 7_000_000]; // the largest input is the third account's
  const withdrawals = own.map((a, i) => withdrawal(i, a, sats[i]! / 1e8, times.withdrawals + i * HOUR));
  const cospend = bitcoinTx(own.map((address, i) => ({ address, sats: sats[i]! })), [{ address: hop ? mid : listed, sats: 17_995_000 }], times.cospend, rand);
  const onward = hop ? [bitcoinTx([{ address: mid, sats: 17_995_000 }], [{ address: listed, sats: 17_990_000 }], times.hop, rand)] : [];
  return { label: label(listed), withdrawals, chain: [cospend, ...onward] };
}

/** Highest sanctions-exposure severity and hops per account. */
function sanctions(lines: string[]): Record<string, string> {
  const p = new Pipeline({ rules: rules(), labels: [] });
  const out: Record<string, string> = {};
  const rank = { low: 0, medium: 1, high: 2, critical: 3 } as const;
  for (const line of lines) {
    const r = p.process(line, { file: 't' });
    expect(r.deadLetter).toBeUndefined();
    for (const a of r.alerts) {
      if (a.typology !== 'sanctions-exposure') continue;
      const was = out[a.subject.accountId];
      const now = `${a.severity} ${String((a.evidence as { hops?: number }).hops)}`;
      if (was === undefined || rank[a.severity as keyof typeof rank] > rank[was.split(' ')[0] as keyof typeof rank]) out[a.subject.accountId] = now;
    }
  }
  return out;
}

describe('co-spent inputs reach what the transaction pays', () => {
  it('a co-spend paying a listed address directly: every input\'s account high at 1 hop, not the largest input\'s alone', () => {
    const s = scenario(61, false);
    expect(sanctions([s.label, ...s.withdrawals, ...s.chain])).toEqual({ 'acct-0': 'high 1', 'acct-1': 'high 1', 'acct-2': 'high 1' });
  });

  it('a co-spend paying the listed address through one more hop: every account medium at 2 hops', () => {
    const s = scenario(62, true);
    expect(sanctions([s.label, ...s.withdrawals, ...s.chain])).toEqual({ 'acct-0': 'medium 2', 'acct-1': 'medium 2', 'acct-2': 'medium 2' });
  });

  it('chain data late (dated within the hour of the withdrawals, read after later ones), early, or shuffled at one instant: the same verdicts', () => {
    // Late: the chain data is dated right after each withdrawal but read after all of them.
    const late = scenario(63, true, { withdrawals: T0, cospend: T0 + 3 * HOUR, hop: T0 + 4 * HOUR });
    const later = withdrawal(9, derivedBtc(63, 40), 0.01, T0 + 2 * DAY);
    const expected = { 'acct-0': 'medium 2', 'acct-1': 'medium 2', 'acct-2': 'medium 2' };
    expect(sanctions([late.label, ...late.withdrawals, later, ...late.chain])).toEqual(expected);
    // Early: the chain data is read before the withdrawals it follows.
    const early = scenario(64, true);
    expect(sanctions([early.label, ...early.chain, ...early.withdrawals])).toEqual(expected);
    // One instant, read in shuffled orders.
    const same = scenario(65, false, { withdrawals: T0, cospend: T0, hop: T0 });
    const all = [...same.withdrawals.map((w) => w.replace(/"occurredAt":"[^"]+"/, `"occurredAt":"${iso(T0)}"`)), ...same.chain];
    const rand = prng(7);
    for (let round = 0; round < 4; round++) {
      const order = [...all];
      for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [order[i], order[j]] = [order[j]!, order[i]!]; }
      expect(sanctions([same.label, ...order])).toEqual({ 'acct-0': 'high 1', 'acct-1': 'high 1', 'acct-2': 'high 1' });
    }
  });

  it('links at most MAX_COSPEND_LINKS inputs of one transaction to its payer, the largest first', () => {
    const graph = new EntityGraph();
    const writer = new GraphWriter(graph);
    const rand = prng(66);
    const n = MAX_COSPEND_LINKS + 20;
    const inputs = Array.from({ length: n }, (_, i) => ({ address: derivedBtc(66, 100 + i), sats: 100_000 + i }));
    const payee = derivedBtc(66, 1);
    const decoded = decodeMessage(bitcoinTx(inputs, [{ address: payee, sats: 1_000_000 }], T0, rand));
    if (!decoded.ok || decoded.event.type !== 'chain') throw new Error('not a chain event');
    writer.applyChain(decoded.event);
    const payer = graph.id(`btc:${inputs[n - 1]!.address}`);
    const linked = inputs.filter((i) => graph.edgesOut(graph.id(`btc:${i.address}`)).some((e) => e.coSpend === true && e.to === payer));
    expect(linked.length).toBe(MAX_COSPEND_LINKS);
    expect(linked.map((i) => i.sats).sort((a, b) => b - a)[MAX_COSPEND_LINKS - 1]).toBe(100_000 + n - 1 - MAX_COSPEND_LINKS);
    // A link is no hop: an input's walk meets the payee at 1, as the payer's does.
    graph.addLabel(graph.id(`btc:${payee}`), { label: 'sanctioned', source: 'test', confidence: 1, from: T0 - DAY }, false, 'l');
    const q = { direction: 'downstream' as const, labels: ['sanctioned'], maxHops: 1, hopWithin: 30 * DAY, stopAt: [], from: T0, asOf: T0 };
    expect(findExposure(graph, [graph.id(`btc:${linked[0]!.address}`)], q)?.hops).toBe(1);
    // And upstream a link is no inflow: the payee's funders are the payer alone.
    const up = findExposure(graph, [graph.id(`btc:${payee}`)], { ...q, direction: 'upstream', labels: ['none'], match: { accepts: (id) => id !== payer && id !== graph.id(`btc:${payee}`), label: 'x', source: 't' }, maxHops: 2 });
    expect(up).toBeUndefined();
  });

  it('keeps its links through a checkpoint, marked as links, shared by both lists', async () => {
    const graph = new EntityGraph();
    const writer = new GraphWriter(graph);
    const inputs = [{ address: derivedBtc(67, 1), sats: 5_000_000 }, { address: derivedBtc(67, 2), sats: 7_000_000 }];
    const decoded = decodeMessage(bitcoinTx(inputs, [{ address: derivedBtc(67, 3), sats: 11_000_000 }], T0, prng(67)));
    if (!decoded.ok || decoded.event.type !== 'chain') throw new Error('not a chain event');
    graph.tick(T0);
    writer.applyChain(decoded.event);
    const copy = await graphRoundTrip(graph);
    const small = copy.id(`btc:${inputs[0]!.address}`);
    const [link] = copy.edgesOut(small);
    expect([link?.coSpend, link?.to, link?.amount.toString()]).toEqual([true, copy.id(`btc:${inputs[1]!.address}`), '0.05']);
    expect(copy.edgesIn(link!.to)).toContain(link);
    // The payer's own edge is a transfer still.
    expect(copy.edgesOut(link!.to).map((e) => e.coSpend)).toEqual([undefined]);
  });
});
