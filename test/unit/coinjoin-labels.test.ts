/**
 * The CoinJoin detectors as a mixer label source: participants of a detected CoinJoin carry a
 * `mixer` label with source `coinjoin:<detector>` from the block time; the exchange's own
 * addresses do not; the derived labels leave after their retention and past a cap; a checkpoint
 * (which carries the labels) rebuilds the eviction queue on restore.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { decodeMessage } from '../../src/decode/decode.js';
import type { ChainEvent } from '../../src/decode/events.js';
import { CoinJoinLabeller } from '../../src/graph/coinjoin-labels.js';
import { EntityGraph } from '../../src/graph/entity-graph.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { bitcoinTx, btcAddress, DAY, prng, transfer } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';
import { removeTempDirs, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const T0 = Date.UTC(2025, 3, 1);

/** A Whirlpool-shaped 5x5 mix of 0.01 BTC; returns the line and its participants. */
function whirlpoolLine(seed: number, at: number, first?: string, firstOutput?: string): { line: string; inputs: string[]; outputs: string[] } {
  const rand = prng(seed);
  const inputs = Array.from({ length: 5 }, (_, i) => (i === 0 && first ? first : btcAddress(rand)));
  const outputs = Array.from({ length: 5 }, (_, i) => (i === 0 && firstOutput ? firstOutput : btcAddress(rand)));
  const line = bitcoinTx(inputs.map((address) => ({ address, sats: 1_050_000 })), outputs.map((address) => ({ address, sats: 1_000_000 })), at, rand);
  return { line, inputs, outputs };
}

function chainEvent(line: string): ChainEvent {
  const r = decodeMessage(line);
  if (!r.ok || r.event.type !== 'chain') throw new Error('not a chain event');
  return r.event;
}

const labelsOf = (graph: EntityGraph, address: string, at: number): string[] => graph.labels.labelsAt(graph.id(`btc:${address}`), at).map((l) => `${l.label}/${l.source}`);

describe('CoinJoin participants as mixer labels', () => {
  it('labels every input and output of a detected Whirlpool mix, and the mix itself, from the block time', () => {
    const p = new Pipeline({ rules: [] });
    const mix = whirlpoolLine(1, T0);
    const result = p.process(mix.line, {});
    expect(result.changes?.filter((c) => c.kind === 'label')).toHaveLength(11);
    for (const a of [...mix.inputs, ...mix.outputs]) {
      expect(labelsOf(p.graph, a, T0)).toEqual(['mixer/coinjoin:whirlpool']);
      expect(labelsOf(p.graph, a, T0 - 1)).toEqual([]);
    }
    const record = p.graph.labels.labelsAt(p.graph.id(`btc:${mix.outputs[0]}`), T0)[0]!;
    expect(record.detail).toMatchObject({ txid: expect.stringMatching(/^[0-9a-f]{64}$/), reason: expect.stringContaining('mix') });
  });

  it('labels nothing of an ordinary two-output payment', () => {
    const p = new Pipeline({ rules: [] });
    const rand = prng(2);
    const a = btcAddress(rand);
    const b = btcAddress(rand);
    p.process(bitcoinTx([{ address: a, sats: 2_000_000 }, { address: b, sats: 1_000_000 }], [{ address: btcAddress(rand), sats: 1_500_000 }, { address: btcAddress(rand), sats: 1_490_000 }], T0, rand), {});
    expect(labelsOf(p.graph, a, T0)).toEqual([]);
  });

  it('never labels the exchange\'s own address, and a withdrawal into a later mix alerts as mixer exposure', () => {
    const p = new Pipeline({ rules: rules() });
    const rand = prng(3);
    const w = btcAddress(rand);
    const own = btcAddress(rand);
    p.process(transfer({ eventId: 'dep-own', kind: 'deposit', time: T0 - 2 * DAY, accountId: 'acct-own', chain: 'bitcoin', asset: 'BTC', amount: 0.5, from: [btcAddress(rand)], to: own }, rand), {});
    expect(p.process(transfer({ eventId: 'wd-1', kind: 'withdrawal', time: T0 - DAY, accountId: 'acct-mixer', chain: 'bitcoin', asset: 'BTC', amount: 0.0105, to: w }, rand), {}).alerts.filter((a) => a.typology === 'mixer-exposure')).toEqual([]);
    const mix = whirlpoolLine(4, T0, w);
    const line = JSON.parse(mix.line);
    const withOwn = whirlpoolLine(5, T0 + DAY, own);
    p.process(withOwn.line, {});
    expect(labelsOf(p.graph, own, T0 + DAY)).toEqual([]);
    const alerts = p.process(JSON.stringify(line), {}).alerts.filter((a) => a.typology === 'mixer-exposure');
    expect(alerts.map((a) => [a.subject.accountId, a.severity, a.evidence.source, a.evidence.hops])).toEqual([['acct-mixer', 'high', 'coinjoin:whirlpool', 0]]);
  });

  it('a deposit paid straight out of a mix, its senders left empty, is mixer exposure: to a new deposit address and to a reused one', () => {
    const p = new Pipeline({ rules: rules() });
    const rand = prng(21);
    const fresh = btcAddress(rand);
    const reused = btcAddress(rand);
    p.process(transfer({ eventId: 'dep-earlier', kind: 'deposit', time: T0 - 3 * DAY, accountId: 'acct-reused', chain: 'bitcoin', asset: 'BTC', amount: 0.2, from: [btcAddress(rand)], to: reused }, rand), {});
    const deposit = (eventId: string, accountId: string, to: string, txid: string, d: number) => {
      const line = JSON.parse(transfer({ eventId, kind: 'deposit', time: T0 + d * DAY, accountId, chain: 'bitcoin', asset: 'BTC', amount: 0.01, to }, rand));
      return JSON.stringify({ ...line, txHash: txid, from: [] });
    };
    const mixerAlerts = (line: string) => p.process(line, {}).alerts.filter((a) => a.typology === 'mixer-exposure').map((a) => [a.subject.accountId, a.severity, a.evidence.source, a.evidence.hops]);
    const intoFresh = whirlpoolLine(22, T0, undefined, fresh);
    const intoReused = whirlpoolLine(23, T0, undefined, reused);
    p.process(intoFresh.line, {});
    p.process(intoReused.line, {});
    expect(labelsOf(p.graph, reused, T0)).toEqual([]); // the exchange's own address is never labelled
    expect(mixerAlerts(deposit('dep-fresh', 'acct-fresh', fresh, JSON.parse(intoFresh.line).txid, 1))).toEqual([['acct-fresh', 'high', 'coinjoin:whirlpool', 0]]);
    expect(mixerAlerts(deposit('dep-reused', 'acct-reused', reused, JSON.parse(intoReused.line).txid, 1))).toEqual([['acct-reused', 'high', 'coinjoin:whirlpool', 0]]);
    // The mix is no one's address: it gains no edge and no touch from the deposits it paid.
    const mixId = p.graph.index.lookup(`btc:coinjoin:${JSON.parse(intoFresh.line).txid}`)!;
    expect(p.graph.edgesOut(mixId)).toEqual([]);
    expect(p.graph.touches(mixId)).toEqual([]);
    // A deposit whose transaction is no known mix, its senders empty too, meets no mixer rule.
    expect(mixerAlerts(deposit('dep-other', 'acct-other', btcAddress(rand), 'ab'.repeat(32), 1))).toEqual([]);
  });

  it('the mix itself carries the label and no flow edge: it funds no one in the rules that read edges', () => {
    const p = new Pipeline({ rules: rules() });
    const rand = prng(31);
    const mix = whirlpoolLine(32, T0);
    p.process(mix.line, {});
    const mixId = p.graph.index.lookup(`btc:coinjoin:${JSON.parse(mix.line).txid}`)!;
    expect(p.graph.labelRecords(mixId).map((r) => r.source)).toEqual(['coinjoin:whirlpool']);
    expect(p.graph.edgesOut(mixId)).toEqual([]);
  });

  it('a label holds for the mixed address only: a service that sweeps it into its hot wallet does not become a mixer', () => {
    const p = new Pipeline({ rules: rules() });
    const rand = prng(12);
    const mix = whirlpoolLine(13, T0);
    p.process(mix.line, {});
    const serviceDeposit = btcAddress(rand);
    const hot = btcAddress(rand);
    // The service co-spends a mixed output it received with one of its own deposit addresses.
    p.process(bitcoinTx([{ address: mix.outputs[0]!, sats: 1_000_000 }, { address: serviceDeposit, sats: 400_000 }], [{ address: hot, sats: 1_395_000 }], T0 + DAY, rand), {});
    expect(p.graph.clusterName(p.graph.id(`btc:${serviceDeposit}`))).toBe(p.graph.clusterName(p.graph.id(`btc:${mix.outputs[0]}`)));
    expect(p.graph.clusterLabels(p.graph.id(`btc:${serviceDeposit}`), T0 + DAY)).toEqual([]);
    const wd = (acct: string, to: string, d: number) => transfer({ eventId: `wd-${acct}`, kind: 'withdrawal', time: T0 + d * DAY, accountId: acct, chain: 'bitcoin', asset: 'BTC', amount: 0.004, to }, rand);
    const customer = p.process(wd('acct-customer', serviceDeposit, 2), {}).alerts.filter((a) => a.typology === 'mixer-exposure');
    expect(customer).toEqual([]);
    const mixed = p.process(wd('acct-mixed', mix.outputs[1]!, 2), {}).alerts.filter((a) => a.typology === 'mixer-exposure');
    expect(mixed.map((a) => a.severity)).toEqual(['high']);
  });

  it('a withdrawal to a service address that later pays a mixed output in its own cluster is mixer exposure, in either order (an address-only label re-examines over an internal edge)', () => {
    const mix = whirlpoolLine(13, T0);
    const rand = prng(12);
    const service = btcAddress(rand);
    const hot = btcAddress(rand);
    const coSpend = bitcoinTx([{ address: mix.outputs[0]!, sats: 1_000_000 }, { address: service, sats: 400_000 }], [{ address: hot, sats: 1_395_000 }], T0 + DAY, rand);
    const withdrawal = transfer({ eventId: 'wd-1', kind: 'withdrawal', time: T0 + 2 * DAY, accountId: 'acct-1', chain: 'bitcoin', asset: 'BTC', amount: 0.004, to: service }, rand);
    const payment = bitcoinTx([{ address: service, sats: 400_000 }], [{ address: mix.outputs[0]!, sats: 390_000 }], T0 + 3 * DAY, rand);
    const mixerAlerts = (lines: string[]) => {
      const p = new Pipeline({ rules: rules() });
      return lines.flatMap((l) => p.process(l, {}).alerts).filter((a) => a.typology === 'mixer-exposure').map((a) => [a.subject.accountId, a.severity, a.evidence.hops]);
    };
    expect(mixerAlerts([mix.line, coSpend, withdrawal, payment])).toEqual([['acct-1', 'medium', 1]]);
    expect(mixerAlerts([mix.line, coSpend, payment, withdrawal])).toEqual([['acct-1', 'medium', 1]]);
  });

  it('keeps derived labels for their retention and at most maxAddresses of them, oldest leaving first', () => {
    const graph = new EntityGraph();
    const labeller = new CoinJoinLabeller(graph, { retention: 30 * DAY, maxAddresses: 12 });
    const first = whirlpoolLine(6, T0);
    const verdict = { protocol: 'whirlpool' as const, reason: 'test' };
    const keys = (xs: string[]): string[] => xs.map((x) => `btc:${x}`);
    labeller.label(keys([...first.inputs, ...first.outputs]), verdict, 'tx1', T0, 'e1');
    expect(labeller.size).toBe(10);
    const second = whirlpoolLine(7, T0 + DAY);
    labeller.label(keys([...second.inputs, ...second.outputs]), verdict, 'tx2', T0 + DAY, 'e2');
    expect(labeller.size).toBe(12); // the cap: 8 of the first mix's labels left
    expect(graph.labels.addressCount).toBe(12);
    const third = whirlpoolLine(8, T0 + 40 * DAY);
    labeller.label(keys(third.inputs.slice(0, 2)), verdict, 'tx3', T0 + 40 * DAY, 'e3');
    expect(labeller.size).toBe(2); // everything older than 30 days left
    expect(labelsOf(graph, second.outputs[4]!, T0 + 40 * DAY)).toEqual([]);
    expect(graph.hasLabelledMember(graph.id(`btc:${second.outputs[4]}`))).toBe(false);
    expect(labelsOf(graph, third.inputs[0]!, T0 + 40 * DAY)).toEqual(['mixer/coinjoin:whirlpool']);
  });

  it('a checkpoint carries the labels and the restored pipeline rebuilds the queue from them', async () => {
    const first = whirlpoolLine(9, T0);
    const lines = [first.line, whirlpoolLine(10, T0 + DAY).line];
    const straight = new Pipeline({ rules: rules() });
    for (const l of lines) straight.process(l, {});
    const dir = tempDir('tw-coinjoin-');
    await saveCheckpoint(dir, straight, { rules: rules(), positions: { line: lines.length } });
    const restored = await loadNewestValid(dir, { build: () => new Pipeline({ rules: rules(), labels: [] }), rules: rules() });
    const p = restored!.pipeline;
    expect(p.graph.labels.addressCount).toBe(22); // 10 participants and the mix itself, twice
    // The per-address flags are rebuilt too: the restored graph reads a mixed output's label.
    expect(p.graph.clusterLabels(p.graph.id(`btc:${first.outputs[2]}`), T0 + DAY).map((l) => l.record.source)).toEqual(['coinjoin:whirlpool']);
    // A mix a year later evicts the restored labels exactly as the straight pipeline's.
    const later = whirlpoolLine(11, T0 + 400 * DAY).line;
    straight.process(later, {});
    p.process(later, {});
    expect(p.graph.labels.addressCount).toBe(11);
    expect(straight.graph.labels.addressCount).toBe(11);
  });
});
