/**
 * A hot wallet's later outflows are not read one by one when a late-read pay has forwarding judge
 * an older sweep (the review of session 65): the search for the previous outflow before the sweep
 * starts at the sweep's time by binary search, not at the out-list's newest edge.
 */
import { describe, expect, it } from 'vitest';
import { addressKey } from '../../src/chain/address.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { USDT_ETH } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';

const hex = (n: number): string => `0x${n.toString(16).padStart(40, '0')}`;
const at = (hour: number): string => new Date(Date.UTC(2025, 2, 1) + hour * 3_600_000).toISOString();
const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
const topic = (address: string): string => `0x${'0'.repeat(24)}${address.slice(2).toLowerCase()}`;
let logIndex = 0;

function usdt(from: string, to: string, amount: number, hour: number, tx: number): string {
  return JSON.stringify({
    schema: 'chain.evm.log.v1', chain: 'ethereum', txHash: `0x${tx.toString(16).padStart(64, '0')}`, logIndex: ++logIndex, blockNumber: 21_000_000 + tx, blockTime: at(hour),
    address: USDT_ETH, topics: [TRANSFER_TOPIC, topic(from), topic(to)], data: `0x${(BigInt(Math.round(amount * 100)) * 10n ** 4n).toString(16).padStart(64, '0')}`,
  });
}
function eth(from: string, to: string, wei: string, hour: number, tx: number): string {
  return JSON.stringify({ schema: 'chain.evm.tx.v1', chain: 'ethereum', hash: `0x${tx.toString(16).padStart(64, '0')}`, blockNumber: 21_000_000 + tx, blockTime: at(hour), from, to, value: wei });
}
function withdrawal(id: string, wallet: string, amount: number, hour: number): string {
  return JSON.stringify({
    schema: 'exchange.transfer.v1', eventId: id, kind: 'withdrawal', status: 'completed', occurredAt: at(hour), accountId: `acct-${id}`, chain: 'ethereum', asset: 'USDT',
    amount: amount.toFixed(2), usdValue: amount, from: [hex(0xffff)], to: wallet,
  });
}

const [WALLET, CONS, OTHER_WORKER] = [hex(0xe001), hex(0xe002), hex(0xe003)];
const LATER_OUTFLOWS = 400;

describe('forwarding judged again when the pay is read after the sweep', () => {
  it('reads a few of the wallet\'s out-edges, not its 400 later outflows, and still joins the consolidation address', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    const feed = (line: string): void => { expect(p.process(line, { file: 't' }).deadLetter).toBeUndefined(); };
    feed(usdt(OTHER_WORKER, CONS, 4_000, 0, 1));
    feed(usdt(WALLET, CONS, 4_990, 20, 2)); // the sweep, 10 hours after the pay
    // Outflows past the 72-hour window after the pay: only forwarding inside the window reads its edges.
    for (let k = 0; k < LATER_OUTFLOWS; k++) feed(eth(WALLET, hex(0xd000 + k), '1000000000000000', 100 + k * 0.1, 100 + k));
    const wallet = p.graph.id(addressKey('ethereum', WALLET));
    let walletOutReads = 0;
    const edgesOut = p.graph.edgesOut.bind(p.graph);
    p.graph.edgesOut = (id: number) => {
      const list = edgesOut(id);
      if (id !== wallet) return list;
      return new Proxy(list, { get: (target, key, receiver) => { if (typeof key === 'string' && /^\d+$/.test(key)) walletOutReads++; return Reflect.get(target, key, receiver); } });
    };
    feed(withdrawal('w1', WALLET, 5_000, 10)); // the pay, read last
    const cluster = (address: string): string => p.graph.clusterName(p.graph.id(addressKey('ethereum', address)));
    expect(cluster(WALLET)).toBe(cluster(CONS));
    expect(walletOutReads).toBeGreaterThan(0);
    expect(walletOutReads).toBeLessThan(LATER_OUTFLOWS / 4);
  });
});
