/**
 * A label on an address that joined its cluster as a forwarder holds for that address alone
 * (src/graph/label-scope.ts). Session 44's chain QA: customers' wallets that pay a merchant in
 * full are merged into the merchant's cluster by the deposit-address heuristic; when one payer's
 * wallet was listed later, every other payer became `sanctions-exposure` high "in 0 hops". A
 * label on the address they swept into (a consolidation address, a hot wallet) still holds for
 * everything swept into it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { addressKey } from '../../src/chain/address.js';
import { loadNewestValid, saveCheckpoint } from '../../src/checkpoint/index.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';
import { FIXED_TIME, removeTempDirs, tempDir } from '../helpers/checkpoint.js';

afterAll(removeTempDirs);

const ETH = 10n ** 18n;
const hex = (n: number): string => `0x${n.toString(16).padStart(40, '0')}`;
const at = (hour: number): string => new Date(Date.UTC(2025, 2, 1) + hour * 3_600_000).toISOString();
const hash = (seed: string): string => `0x${Buffer.from(seed).toString('hex').padEnd(64, '0').slice(0, 64)}`;
let txs = 0;
const tx = (from: string, to: string, wei: bigint, hour: number): string =>
  JSON.stringify({ schema: 'chain.evm.tx.v1', chain: 'ethereum', hash: hash(`tx-${++txs}`), blockNumber: 18_000_000 + hour, blockTime: at(hour), from, to, value: wei.toString() });
const label = (address: string, hour: number, entity: string): string =>
  JSON.stringify({ schema: 'intel.label.v1', chain: 'ethereum', address, label: 'sanctioned', entity, source: 'operator-intel', confidence: 1, observedAt: at(hour) });
/** A customer sends 0.5 ETH ($1,500) to an external address. */
const withdrawal = (id: string, to: string, hour: number): string =>
  JSON.stringify({ schema: 'exchange.transfer.v1', eventId: id, kind: 'withdrawal', status: 'completed', occurredAt: at(hour), accountId: `acct-${id}`, chain: 'ethereum', asset: 'ETH', amount: '0.5', usdValue: 1500, txHash: hash(id), from: [], to });
const deposit = (id: string, from: string, eth: string, hour: number): string =>
  JSON.stringify({ schema: 'exchange.transfer.v1', eventId: id, kind: 'deposit', occurredAt: at(hour), accountId: `acct-${id}`, chain: 'ethereum', asset: 'ETH', amount: eth, usdValue: Number(eth) * 3000, txHash: hash(id), from: [from], to: hex(0xee01) });
/** 0.495 ETH of the 0.5 withdrawn: a forward by the heuristic (90% or more within 72 h). */
const sweep = (from: string, to: string, hour: number): string => tx(from, to, (495n * ETH) / 1000n, hour);

/** The sanctions-exposure alerts a line gives, as "account severity hops". */
function sanctions(p: Pipeline, line: string): string[] {
  return p.process(line, { file: 't' }).alerts
    .filter((a) => a.typology === 'sanctions-exposure')
    .map((a) => `${a.subject.accountId} ${a.severity} ${a.ruleId.endsWith('.direct') ? 'direct' : String(a.evidence.hops)}`)
    .sort();
}

function feed(p: Pipeline, lines: readonly string[]): string[] {
  return lines.flatMap((line) => sanctions(p, line));
}

const cluster = (p: Pipeline, address: string): string => p.graph.clusterName(p.graph.id(addressKey('ethereum', address)));

describe('a listed payer of a merchant (its wallet joined the merchant\'s cluster as a forwarder)', () => {
  const merchant = hex(0xa11ce);
  const [listed, payer2, payer3] = [hex(0xb001), hex(0xb002), hex(0xb003)];
  const payments = [
    withdrawal('payer-1', listed, 1), sweep(listed, merchant, 2),
    withdrawal('payer-2', payer2, 3), sweep(payer2, merchant, 4),
    withdrawal('payer-3', payer3, 5), sweep(payer3, merchant, 6),
  ];

  it('keeps the wallets in the merchant\'s cluster (the heuristic still merges)', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    feed(p, payments);
    expect(new Set([listed, payer2, payer3].map((a) => cluster(p, a)))).toEqual(new Set([cluster(p, merchant)]));
  });

  it('alerts the listed wallet\'s own payer only, not the merchant\'s other payers', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    expect(feed(p, payments)).toEqual([]);
    expect(sanctions(p, label(listed, 240, 'Listed Person'))).toEqual(['acct-payer-1 high direct']);
    expect(sanctions(p, withdrawal('payer-2-again', payer2, 260))).toEqual([]);
  });

  it('reaches the listed wallet by a hop from the merchant it paid', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    feed(p, payments);
    sanctions(p, label(listed, 240, 'Listed Person'));
    expect(sanctions(p, deposit('merchant', merchant, '1.45', 280))).toEqual(['acct-merchant high 1']);
  });

  it('gives the same alerts when each forward is read before the withdrawal it forwards', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    const forwardsFirst = [payments[1]!, payments[0]!, payments[3]!, payments[2]!, payments[5]!, payments[4]!];
    expect(feed(p, forwardsFirst)).toEqual([]);
    expect(cluster(p, payer2)).toBe(cluster(p, merchant));
    expect(sanctions(p, label(listed, 240, 'Listed Person'))).toEqual(['acct-payer-1 high direct']);
    expect(sanctions(p, withdrawal('payer-2-again', payer2, 260))).toEqual([]);
  });

  it('keeps the forwarder marks across a checkpoint', async () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    feed(p, payments);
    const dir = tempDir('tw-forwarder-marks-');
    await saveCheckpoint(dir, p, { rules: rules(), positions: { line: payments.length }, createdAt: FIXED_TIME });
    const restored = (await loadNewestValid(dir, { build: () => new Pipeline({ rules: rules(), labels: [] }), rules: rules() }))!.pipeline;
    expect(sanctions(restored, label(listed, 240, 'Listed Person'))).toEqual(['acct-payer-1 high direct']);
    expect(sanctions(restored, withdrawal('payer-2-again', payer2, 260))).toEqual([]);
  });
});

describe('a label on the address that forwards were swept into', () => {
  const hub = hex(0xc0c0);
  const [deposit1, deposit2] = [hex(0xd001), hex(0xd002)];
  const sweeps = [
    withdrawal('worker-1', deposit1, 1), sweep(deposit1, hub, 2),
    withdrawal('worker-2', deposit2, 3), sweep(deposit2, hub, 4),
  ];

  it('listed after the sweeps (a hot wallet or consolidation address): covers every deposit address swept into it', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    expect(feed(p, sweeps)).toEqual([]);
    expect(sanctions(p, label(hub, 240, 'Listed Hub'))).toEqual(['acct-worker-1 high 0', 'acct-worker-2 high 0']);
    expect(sanctions(p, withdrawal('worker-1-again', deposit1, 260))).toEqual(['acct-worker-1-again high 0']);
  });

  it('listed before the sweeps (no merge into a listed cluster): the payers reach it in one hop', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    sanctions(p, label(hub, 0, 'Listed Hub'));
    expect(feed(p, sweeps)).toEqual(['acct-worker-1 high 1', 'acct-worker-2 high 1']);
    expect(cluster(p, deposit1)).not.toBe(cluster(p, hub));
  });

  it('still covers the deposit addresses swept into a consolidation address that then forwards on, not what it forwarded into', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    const onward = hex(0xf00d);
    feed(p, sweeps);
    feed(p, [tx(hub, onward, (990n * ETH) / 1000n, 6)]); // the consolidation address forwards both sweeps on
    expect(cluster(p, hub)).toBe(cluster(p, onward));
    // The hub joined `onward`'s cluster as a forwarder: its listing holds for it and for the
    // deposit addresses that joined through it (session 45 review: they had been one hop away),
    // not for `onward`, which a withdrawal reaches no label from.
    expect(sanctions(p, label(hub, 240, 'Listed Hub'))).toEqual(['acct-worker-1 high 0', 'acct-worker-2 high 0']);
    expect(sanctions(p, withdrawal('worker-1-again', deposit1, 260))).toEqual(['acct-worker-1-again high 0']);
    expect(sanctions(p, withdrawal('to-onward', onward, 262))).toEqual([]);
  });
});
