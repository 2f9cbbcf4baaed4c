/**
 * Held pay (session 64): a worker's wallet that holds its salary past the forwarding window (72 h)
 * and then sweeps it whole into a consolidation address joins that address's cluster, up to 7 days
 * (typologies.md: pay is forwarded "within days"; session 46 QA: 0 of 8 wallets holding 80 to 140
 * hours joined). Only on strong evidence: one inflow since the wallet's previous outflow, swept
 * whole (98% or more), into an address another wallet paid in the 30 days before. A saver paying
 * rent out of the pay, a wallet with other income, a sweep into one's own deposit address at a
 * service, a hold longer than 7 days and a busy wallet stay apart.
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

/** A USDT Transfer log (or one of `token`) of `amount` whole units in transaction `tx`. */
function usdt(from: string, to: string, amount: number, hour: number, tx: number, token = USDT_ETH): string {
  return JSON.stringify({
    schema: 'chain.evm.log.v1', chain: 'ethereum', txHash: `0x${tx.toString(16).padStart(64, '0')}`, logIndex: ++logIndex, blockNumber: 21_000_000 + tx, blockTime: at(hour),
    address: token, topics: [TRANSFER_TOPIC, topic(from), topic(to)], data: `0x${(BigInt(Math.round(amount * 100)) * 10n ** 4n).toString(16).padStart(64, '0')}`,
  });
}
/** A native ETH transfer of `wei` in transaction `tx`. */
function eth(from: string, to: string, wei: string, hour: number, tx: number): string {
  return JSON.stringify({ schema: 'chain.evm.tx.v1', chain: 'ethereum', hash: `0x${tx.toString(16).padStart(64, '0')}`, blockNumber: 21_000_000 + tx, blockTime: at(hour), from, to, value: wei });
}
/** The exchange pays `amount` USDT out of its hot wallet to `wallet` for account `id`. */
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

const [WALLET, CONS, OTHER_WORKER, LANDLORD, SIDE_INCOME, SAVINGS_DEPOSIT, PLATFORM_GAS, POISONER] = [hex(0xb001), hex(0xb002), hex(0xb003), hex(0xb004), hex(0xb005), hex(0xb006), hex(0xb007), hex(0xb008)];
/** Another worker's wallet paid CONS at hour 0: CONS is a shared destination. */
const sharedCons = usdt(OTHER_WORKER, CONS, 4_000, 0, 1);

describe('a wallet that holds its pay past 72 hours', () => {
  it('joins the consolidation address it sweeps the pay into whole 100 hours later', () => {
    const p = run([sharedCons, withdrawal('w1', WALLET, 5_000, 10), usdt(WALLET, CONS, 4_990, 110, 2)]);
    expect(cluster(p, WALLET)).toBe(cluster(p, CONS));
  });

  it('joins it as well when the sweep is read before the withdrawal that paid the wallet', () => {
    const p = run([sharedCons, usdt(WALLET, CONS, 4_990, 140, 2), withdrawal('w1', WALLET, 5_000, 10)]);
    expect(cluster(p, WALLET)).toBe(cluster(p, CONS));
  });

  it('joins when an earlier month\'s pay went elsewhere: the held pay is what came in since the previous outflow', () => {
    const p = run([
      sharedCons, withdrawal('w1', WALLET, 5_000, 10), usdt(WALLET, LANDLORD, 2_000, 100, 2), // month 1: rent, no merge
      usdt(OTHER_WORKER, CONS, 4_000, 700, 3), withdrawal('w2', WALLET, 5_200, 720), usdt(WALLET, CONS, 5_190, 850, 4),
    ]);
    expect(cluster(p, WALLET)).not.toBe(cluster(p, LANDLORD));
    expect(cluster(p, WALLET)).toBe(cluster(p, CONS));
  });

  it('stays apart from a landlord it pays rent out of the pay', () => {
    const p = run([usdt(OTHER_WORKER, LANDLORD, 1_500, 0, 1), withdrawal('w1', WALLET, 5_000, 10), usdt(WALLET, LANDLORD, 2_500, 110, 2)]);
    expect(cluster(p, WALLET)).not.toBe(cluster(p, LANDLORD));
  });

  it('stays apart when other income reached the wallet before the sweep', () => {
    const p = run([sharedCons, withdrawal('w1', WALLET, 5_000, 10), usdt(SIDE_INCOME, WALLET, 800, 50, 2), usdt(WALLET, CONS, 5_790, 110, 3)]);
    expect(cluster(p, WALLET)).not.toBe(cluster(p, CONS));
  });

  it('stays apart from its own deposit address at a service that no other wallet pays', () => {
    const p = run([withdrawal('w1', WALLET, 5_000, 10), usdt(WALLET, SAVINGS_DEPOSIT, 4_995, 110, 2)]);
    expect(cluster(p, WALLET)).not.toBe(cluster(p, SAVINGS_DEPOSIT));
  });

  it('stays apart from its own deposit address that the service tops up with gas in the chain\'s coin', () => {
    const p = run([eth(PLATFORM_GAS, SAVINGS_DEPOSIT, '2000000000000000', 5, 9), withdrawal('w1', WALLET, 5_000, 10), usdt(WALLET, SAVINGS_DEPOSIT, 4_995, 110, 2)]);
    expect(cluster(p, WALLET)).not.toBe(cluster(p, SAVINGS_DEPOSIT));
  });

  it('stays apart from its own deposit address that a token no registry knows was sent to', () => {
    const p = run([usdt(POISONER, SAVINGS_DEPOSIT, 5_000, 5, 9, hex(0xdead)), withdrawal('w1', WALLET, 5_000, 10), usdt(WALLET, SAVINGS_DEPOSIT, 4_995, 110, 2)]);
    expect(cluster(p, WALLET)).not.toBe(cluster(p, SAVINGS_DEPOSIT));
  });

  it('stays apart from its own deposit address that a poisoner sent dust of the asset', () => {
    const p = run([usdt(POISONER, SAVINGS_DEPOSIT, 0.01, 5, 9), withdrawal('w1', WALLET, 5_000, 10), usdt(WALLET, SAVINGS_DEPOSIT, 4_995, 110, 2)]);
    expect(cluster(p, WALLET)).not.toBe(cluster(p, SAVINGS_DEPOSIT));
  });

  it('stays apart when it held the pay longer than 7 days', () => {
    const p = run([usdt(OTHER_WORKER, CONS, 4_000, 100, 1), withdrawal('w1', WALLET, 5_000, 10), usdt(WALLET, CONS, 4_990, 10 + 7 * 24 + 1, 2)]);
    expect(cluster(p, WALLET)).not.toBe(cluster(p, CONS));
  });

  it('stays apart when it is a busy wallet paid by many', () => {
    const payers = Array.from({ length: 20 }, (_, k) => usdt(hex(0xc000 + k), WALLET, 250, 10 + k, 10 + k));
    const p = run([sharedCons, ...payers, usdt(WALLET, CONS, 5_000, 110, 2)]);
    expect(cluster(p, WALLET)).not.toBe(cluster(p, CONS));
  });

  it('joins alike in event order and when the pay is read after the wallet\'s next five outflows', () => {
    const pay = withdrawal('w1', WALLET, 5_000, 10);
    const sweep = usdt(WALLET, CONS, 4_990, 110, 2);
    const later = Array.from({ length: 5 }, (_, k) => eth(WALLET, hex(0xd000 + k), '1000000000000000', 200 + k, 20 + k));
    const inOrder = run([sharedCons, pay, sweep, ...later]);
    const payLast = run([sharedCons, sweep, ...later, pay]);
    expect(cluster(inOrder, WALLET)).toBe(cluster(inOrder, CONS));
    expect(cluster(payLast, WALLET)).toBe(cluster(payLast, CONS));
  });

  it('joins alike in event order and when the pay is read after seventeen later inflows of the wallet', () => {
    const pay = withdrawal('w1', WALLET, 5_000, 10);
    const sweep = usdt(WALLET, CONS, 4_990, 110, 2);
    const later = Array.from({ length: 17 }, (_, k) => usdt(hex(0xc100 + k), WALLET, 100, 200 + k, 40 + k));
    const inOrder = run([sharedCons, pay, sweep, ...later]);
    const payLast = run([sharedCons, sweep, ...later, pay]);
    expect(cluster(inOrder, WALLET)).toBe(cluster(inOrder, CONS));
    expect(cluster(payLast, WALLET)).toBe(cluster(payLast, CONS));
  });

  it('joins alike in event order and when the pay is read after an outflow of another asset in the sweep\'s second', () => {
    const pay = withdrawal('w1', WALLET, 5_000, 10);
    const sweep = usdt(WALLET, CONS, 4_990, 110, 2);
    const gasOut = eth(WALLET, LANDLORD, '1000000000000000', 110, 3);
    const inOrder = run([sharedCons, pay, gasOut, sweep]);
    const payLast = run([sharedCons, gasOut, sweep, pay]);
    expect(cluster(inOrder, WALLET)).toBe(cluster(inOrder, CONS));
    expect(cluster(payLast, WALLET)).toBe(cluster(payLast, CONS));
    expect(cluster(payLast, WALLET)).not.toBe(cluster(payLast, LANDLORD));
  });
});
