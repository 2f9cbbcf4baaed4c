import { describe, expect, it } from 'vitest';
import { addressKey } from '../../src/chain/address.js';
import { decodeTransferLogWithInterface, decodeTransferLog } from '../../src/chain/evm.js';
import { decodeMessage } from '../../src/decode/decode.js';
import { detectCoinJoin } from '../../src/graph/coinjoin.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { bitcoinMessage, coinjoins, erc20, multiInput } from '../helpers/mainnet.js';
import { rules } from '../helpers/sample.js';
import { shownRef } from '../../src/graph/tx-ref.js';

const label = (chain: string, address: string, name: string, observedAt = '2021-01-01T00:00:00Z', removed = false): string =>
  JSON.stringify({ schema: 'intel.label.v1', chain, address, label: name, entity: 'TEST PARTY', source: 'test', observedAt, ...(removed ? { removed } : {}) });
const deposit = (id: string, from: string, chain = 'bitcoin', asset = 'BTC', at = '2021-10-01T00:00:00Z'): string =>
  JSON.stringify({ schema: 'exchange.transfer.v1', eventId: id, kind: 'deposit', occurredAt: at, accountId: `acct-${id}`, chain, asset, amount: '1.5', usdValue: 60000, from: [from], to: chain === 'bitcoin' ? 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4' : '0x52908400098527886e0f7030069857d2e4169ee7' });

function cluster(p: Pipeline, address: string): string {
  return p.graph.clusterName(p.graph.id(addressKey('bitcoin', address)));
}

describe('Bitcoin clustering on real mainnet transactions (block 702861)', () => {
  for (const c of multiInput().cases) {
    it(`${c.case}: the expected co-spend clusters form`, () => {
      const p = new Pipeline({ rules: [] });
      for (const tx of c.transactions) expect(p.process(bitcoinMessage(tx), { file: c.case }).deadLetter).toBeUndefined();
      for (const expected of c.expect.multi_input_clusters) {
        expect(new Set(expected.map((a) => cluster(p, a))).size, expected.join(' ')).toBe(1);
      }
      const clusters = c.expect.multi_input_clusters.map((e) => cluster(p, e[0]!));
      expect(new Set(clusters).size).toBe(clusters.length);
    });
  }

  it('the colored-coins transfer that the classic rule flags is not a CoinJoin, and its inputs merge', () => {
    const c = multiInput().cases.find((x) => x.case === 'coinjoin-false-positive-colored-coins')!;
    const r = decodeMessage(bitcoinMessage(c.transactions[0]!));
    if (!r.ok || r.event.type !== 'chain') return expect.fail('not decoded');
    expect(detectCoinJoin(r.event.bitcoin!.inputs, r.event.bitcoin!.outputs)).toBeUndefined();
  });

  for (const tx of coinjoins().transactions) {
    it(`detects the real ${tx.label.split(' ')[0]} and never merges its inputs or guesses change`, () => {
      const r = decodeMessage(bitcoinMessage(tx));
      if (!r.ok || r.event.type !== 'chain') return expect.fail('not decoded');
      const verdict = detectCoinJoin(r.event.bitcoin!.inputs, r.event.bitcoin!.outputs);
      expect(verdict?.protocol).toBe(tx.label.includes('whirlpool') ? 'whirlpool' : 'wasabi1');
      const p = new Pipeline({ rules: [] });
      const out = p.process(bitcoinMessage(tx), { file: 'coinjoin' });
      // No merge: its only graph changes are the mixer labels of its participants (coinjoin-labels.ts).
      expect((out.changes ?? []).filter((c) => c.kind !== 'label')).toEqual([]);
      expect(new Set((out.changes ?? []).map((c) => 'label' in c.cause && `${c.cause.label} ${c.cause.source}`))).toEqual(new Set([`mixer coinjoin:${verdict!.protocol}`]));
      const inputs = [...new Set(r.event.bitcoin!.inputs.map((i) => i.address!))];
      expect(new Set(inputs.map((k) => p.graph.clusterName(p.graph.id(k)))).size).toBe(inputs.length);
    });
  }
});

describe('exposure through clusters and flows on real data', () => {
  const chain = multiInput().cases.find((x) => x.case === 'cioh-transitive-chain-3tx')!;
  const [sanctioned, , , depositor] = chain.expect.multi_input_clusters[0]!;

  it('raises sanctions-exposure for a deposit from an address transitively co-spent with a sanctioned one, naming the merges', () => {
    const p = new Pipeline({ rules: rules() });
    p.process(label('bitcoin', sanctioned!, 'sanctioned'), { file: 't' });
    for (const tx of chain.transactions) p.process(bitcoinMessage(tx), { file: 't' });
    const alerts = p.process(deposit('d1', depositor!), { file: 't' }).alerts;
    const hit = alerts.find((a) => a.typology === 'sanctions-exposure');
    expect(hit).toMatchObject({ severity: 'high', evidence: { direct: false, hops: 0, labelledAddress: sanctioned } });
  });

  it('shows in the path which member carries the label and the merges that joined them', () => {
    const p = new Pipeline({ rules: rules() });
    p.process(label('bitcoin', sanctioned!, 'sanctioned'), { file: 't' });
    for (const tx of chain.transactions) p.process(bitcoinMessage(tx), { file: 't' });
    const hit = p.process(deposit('d3', depositor!), { file: 't' }).alerts.find((a) => a.typology === 'sanctions-exposure');
    const path = hit?.evidence.path as { sameClusterAs?: { address: string; mergedBy: { heuristic: string; ref: string }[] } }[];
    expect(path.at(-1)?.sameClusterAs?.address).toBe(sanctioned);
    expect(path.at(-1)?.sameClusterAs?.mergedBy.map((m) => m.heuristic)).toContain('co-spend');
    expect(new Set(path.at(-1)?.sameClusterAs?.mergedBy.map((m) => m.ref))).toEqual(new Set(chain.transactions.map((t) => t.txid)));
  });

  it('raises it late when the co-spend, dated before the deposit, arrives after it: the very alert an event-time reading gives', () => {
    const p = new Pipeline({ rules: rules() });
    p.process(label('bitcoin', sanctioned!, 'sanctioned'), { file: 't' });
    expect(p.process(deposit('d2', depositor!), { file: 't' }).alerts).toEqual([]);
    const late = chain.transactions.flatMap((tx) => p.process(bitcoinMessage(tx), { file: 't' }).alerts);
    const hit = late.find((a) => a.typology === 'sanctions-exposure');
    const inOrder = new Pipeline({ rules: rules() });
    inOrder.process(label('bitcoin', sanctioned!, 'sanctioned'), { file: 't' });
    for (const tx of chain.transactions) inOrder.process(bitcoinMessage(tx), { file: 't' });
    const expected = inOrder.process(deposit('d2', depositor!), { file: 't' }).alerts.find((a) => a.typology === 'sanctions-exposure');
    expect(expected).toBeDefined();
    expect(hit).toEqual(expected);
    expect(hit?.evidence.graphChange).toBeUndefined();
  });

  it('names the graph change when the co-spend is dated after the deposit (late evidence in event time too)', () => {
    const p = new Pipeline({ rules: rules() });
    p.process(label('bitcoin', sanctioned!, 'sanctioned'), { file: 't' });
    expect(p.process(deposit('d4', depositor!, 'bitcoin', 'BTC', '2021-09-01T00:00:00Z'), { file: 't' }).alerts).toEqual([]);
    const late = chain.transactions.flatMap((tx) => p.process(bitcoinMessage(tx), { file: 't' }).alerts);
    const hit = late.find((a) => a.typology === 'sanctions-exposure');
    expect(hit?.evidence.graphChange).toMatchObject({ kind: 'merge', cause: { heuristic: 'co-spend' } });
    expect(hit?.eventIds.some((id) => id.startsWith('btc:'))).toBe(true);
  });

  it('raises nothing for a deposit from an address that only shared a CoinJoin with a sanctioned one', () => {
    const tx = coinjoins().transactions.find((t) => t.label.includes('whirlpool'))!;
    const r = decodeMessage(bitcoinMessage(tx));
    if (!r.ok || r.event.type !== 'chain') return expect.fail('not decoded');
    const [a, b] = r.event.bitcoin!.inputs.map((i) => i.address!.slice(4));
    const p = new Pipeline({ rules: rules() });
    p.process(label('bitcoin', a!, 'sanctioned'), { file: 't' });
    p.process(bitcoinMessage(tx), { file: 't' });
    expect(p.process(deposit('d3', b!), { file: 't' }).alerts.filter((x) => x.typology === 'sanctions-exposure')).toEqual([]);
  });

  it('decodes the real ERC-20 Transfer (not tx.from) into a flow from its sender to its receiver; an unregistered token carries no traced value, so the receiver\'s deposit is not tainted', () => {
    const { transaction, receipt } = erc20();
    const messages = receipt.logs.map((l) => JSON.stringify({ schema: 'chain.evm.log.v1', chain: 'ethereum', txHash: l.transactionHash, logIndex: parseInt(l.logIndex, 16), blockNumber: parseInt(l.blockNumber, 16), blockTime: '2016-06-23T10:00:00Z', address: l.address, topics: l.topics, data: l.data }));
    const decoded = messages.map((m) => decodeMessage(m));
    const transfers = decoded.filter((d) => d.ok && d.event.type === 'chain');
    expect(transfers).toHaveLength(1);
    expect(decoded.filter((d) => d.ok && d.event.type === 'ignored')).toHaveLength(1);
    const t = transfers[0]!.ok && transfers[0]!.event.type === 'chain' ? transfers[0]!.event.transfers[0]! : undefined;
    expect(t!.from).not.toBe(`evm:${transaction.from}`);
    const log = receipt.logs.find((l) => l.topics.length === 3)!;
    expect(decodeTransferLog('ethereum', log.address, log.topics, log.data)!.value).toBe(decodeTransferLogWithInterface(log.topics, log.data));

    const p = new Pipeline({ rules: rules() });
    p.process(label('ethereum', t!.from.slice(4), 'sanctioned', '2016-01-01T00:00:00Z'), { file: 't' });
    for (const m of messages) p.process(m, { file: 't' });
    const edge = p.graph.edgesIn(p.graph.id(t!.to)).find((e) => e.from === p.graph.id(t!.from));
    expect(edge && shownRef(edge.ref)).toBe(transaction.hash.slice(2));
    expect(edge?.asset).toBe(t!.asset);
    // The token is in no registry (anyone could emit this Transfer from a listed address): no hop carries value.
    const alerts = p.process(deposit('d4', t!.to.slice(4), 'ethereum', 'ETH', '2016-06-24T00:00:00Z'), { file: 't' }).alerts;
    expect(alerts.filter((a) => a.typology === 'sanctions-exposure')).toEqual([]);
  });
});

describe('labels with history', () => {
  it('answers as of the event time: a delisted address screens before its removal, not after', () => {
    const addr = '0x52908400098527886e0f7030069857d2e4169ee7';
    const p = new Pipeline({ rules: rules() });
    p.process(label('ethereum', addr, 'sanctioned', '2022-08-08T00:00:00Z'), { file: 't' });
    p.process(label('ethereum', addr, 'sanctioned', '2025-03-21T00:00:00Z', true), { file: 't' });
    const send = (id: string, at: string) => p.process(JSON.stringify({ schema: 'exchange.transfer.v1', eventId: id, kind: 'deposit', occurredAt: at, accountId: 'acct-x', chain: 'ethereum', asset: 'ETH', amount: '1', from: [addr], to: '0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae' }), { file: 't' }).alerts;
    expect(send('before', '2024-05-01T00:00:00Z').map((a) => a.severity)).toEqual(['critical']);
    expect(send('after', '2025-06-01T00:00:00Z')).toEqual([]);
  });
});
