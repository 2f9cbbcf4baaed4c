/**
 * Contract lines for the forwarder-label tests: native ETH moves between numbered addresses, hours
 * after 2025-03-01, with an exchange's withdrawals and deposits of ETH and operator labels.
 */
import { addressKey } from '../../src/chain/address.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';

export const ETH = 10n ** 18n;
/** The EVM address numbered `n`. */
export const ethAddress = (n: number): string => `0x${n.toString(16).padStart(40, '0')}`;
const hourTime = (hour: number): string => new Date(Date.UTC(2025, 2, 1) + hour * 3_600_000).toISOString();
const hashOf = (seed: string): string => `0x${Buffer.from(seed).toString('hex').padEnd(64, '0').slice(0, 64)}`;
/** Transactions written so far in this test file: each one's hash is new. */
let txs = 0;

export const ethTx = (from: string, to: string, wei: bigint, hour: number): string =>
  JSON.stringify({ schema: 'chain.evm.tx.v1', chain: 'ethereum', hash: hashOf(`tx-${++txs}`), blockNumber: 18_000_000 + hour, blockTime: hourTime(hour), from, to, value: wei.toString() });
/** 0.495 ETH of the 0.5 withdrawn: a forward by the heuristic (90% or more within 72 h). */
export const sweepTx = (from: string, to: string, hour: number): string => ethTx(from, to, (495n * ETH) / 1000n, hour);
export const labelLine = (address: string, hour: number, entity: string, label = 'sanctioned'): string =>
  JSON.stringify({ schema: 'intel.label.v1', chain: 'ethereum', address, label, entity, source: 'operator-intel', confidence: 1, observedAt: hourTime(hour) });
/** A customer sends 0.5 ETH ($1,500) to an external address. */
export const withdrawalLine = (id: string, to: string, hour: number, status = 'completed'): string =>
  JSON.stringify({ schema: 'exchange.transfer.v1', eventId: id, kind: 'withdrawal', status, occurredAt: hourTime(hour), accountId: `acct-${id}`, chain: 'ethereum', asset: 'ETH', amount: '0.5', usdValue: 1500, txHash: hashOf(id), from: [], to });
export const depositLine = (id: string, from: string, eth: string, hour: number): string =>
  JSON.stringify({ schema: 'exchange.transfer.v1', eventId: id, kind: 'deposit', occurredAt: hourTime(hour), accountId: `acct-${id}`, chain: 'ethereum', asset: 'ETH', amount: eth, usdValue: Number(eth) * 3000, txHash: hashOf(id), from: [from], to: ethAddress(0xee01) });
/** The name of the cluster an ethereum address is in. */
export const clusterOf = (p: Pipeline, address: string): string => p.graph.clusterName(p.graph.id(addressKey('ethereum', address)));
