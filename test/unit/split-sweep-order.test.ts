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
const eth = (from: string, to: string, hour: number, tx: number): string => JSON.stringify({ schema: 'chain.evm.tx.v1', chain: 'ethereum', hash: `0x${tx.toString(16).padStart(64, '0')}`, blockNumber: 21_000_000 + tx, blockTime: at(hour), from, to, value: (10n ** 16n).toString() });
function withdrawal(id: string, wallet: string, amount: number, hour: number): string {
  return JSON.stringify({
    schema: 'exchange.transfer.v1', eventId: id, kind: 'withdrawal', status: 'completed', occurredAt: at(hour), accountId: `acct-${id}`, chain: 'ethereum', asset: 'USDT',
    amount: amount.toFixed(2), usdValue: amount, from: [hex(0xffff)], to: wallet,
  });
}
function run(lines: string[]): Pipeline {
  const p = new Pipeline({ rules: rules(), labels: [] });
  for (const line of lines) expect(p.process(line, { file: 't' }).deadLetter).toBeUndefined();
  return p;
}
const cluster = (p: Pipeline, address: string): string => p.graph.clusterName(p.graph.id(addressKey('ethereum', address)));
const [WALLET, CONS] = [hex(0xb101), hex(0xb103)];

describe('a split sweep judged alike whichever of its records is read last', () => {
  it('joins alike when the pay is read after all five payments as when read first', () => {
    const pay = withdrawal('w1', WALLET, 5_000, 10);
    const parts = [2_500, 2_495, 10, 10, 10].map((amount, k) => usdt(WALLET, CONS, amount, 30 + k * 2, 2 + k));
    const inOrder = run([pay, ...parts]);
    const payLast = run([...parts, pay]);
    expect(cluster(inOrder, WALLET) === cluster(inOrder, CONS)).toBe(true);
    expect(cluster(payLast, WALLET) === cluster(payLast, CONS)).toBe(true);
  });
  it('joins alike when the pay is read last with six ether payments elsewhere between it and the parts', () => {
    const pay = withdrawal('w2', WALLET, 5_000, 10);
    const others = [1, 2, 3, 4, 5, 6].map((k) => eth(WALLET, hex(0xc000 + k), 12 + k, 100 + k));
    const parts = [usdt(WALLET, CONS, 2_500, 30, 20), usdt(WALLET, CONS, 2_495, 32, 21)];
    const inOrder = run([pay, ...others, ...parts]);
    const payLast = run([...others, ...parts, pay]);
    expect(cluster(inOrder, WALLET) === cluster(inOrder, CONS)).toBe(true);
    expect(cluster(payLast, WALLET) === cluster(payLast, CONS)).toBe(true);
  });
});
