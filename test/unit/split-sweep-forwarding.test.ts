/**
 * Split sweeps (session 65): a worker's wallet that passes its pay on in two to four parts into
 * one address, each within a day of the one before and none of the asset elsewhere between, joins
 * that address's cluster as a wallet sweeping it in one transfer does, by the 72-hour rule and by
 * the held-pay rule alike (qa-payroll-typologies.ts `--split`: 0 of 10 and 0 of 12 via-own
 * workers joined before). Every prefix of the parts is judged, so the outcome does not depend on
 * which part, or the pay, is read last. Equal parts of two transactions are two transfers, not one
 * transfer read twice. A longer run, a part more than a day after the one
 * before, parts that together carry too little of the pay, and a held split into one's own
 * deposit address stay apart.
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

/** A USDT Transfer log of `amount` whole units in transaction `tx`. */
function usdt(from: string, to: string, amount: number, hour: number, tx: number): string {
  return JSON.stringify({
    schema: 'chain.evm.log.v1', chain: 'ethereum', txHash: `0x${tx.toString(16).padStart(64, '0')}`, logIndex: ++logIndex, blockNumber: 21_000_000 + tx, blockTime: at(hour),
    address: USDT_ETH, topics: [TRANSFER_TOPIC, topic(from), topic(to)], data: `0x${(BigInt(Math.round(amount * 100)) * 10n ** 4n).toString(16).padStart(64, '0')}`,
  });
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
const joined = (p: Pipeline, a: string, b: string): boolean => cluster(p, a) === cluster(p, b);

const [WALLET, WALLET_2, CONS, OTHER_WORKER, LANDLORD, VAULT, SAVINGS_DEPOSIT] = [hex(0xb101), hex(0xb102), hex(0xb103), hex(0xb104), hex(0xb105), hex(0xb106), hex(0xb107)];
/** Another worker's wallet paid CONS at hour 0: CONS is a shared destination. */
const sharedCons = usdt(OTHER_WORKER, CONS, 4_000, 0, 1);

/** `wallet` is paid 5,000 at hour 10 and passes on `shares` of it to `to`, the parts `gap` hours apart from `from` on. */
function paidAndSplit(wallet: string, to: string, shares: number[], from: number, gap: number, tx: number, id: string): string[] {
  return [withdrawal(id, wallet, 5_000, 10), ...shares.map((s, k) => usdt(wallet, to, 5_000 * s, from + k * gap, tx + k))];
}

/** Every order of `xs`. */
function orders<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => orders([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

describe('a wallet that passes its pay on in parts into one address', () => {
  it('joins the address it sweeps the pay into in three parts within a day', () => {
    const p = run(paidAndSplit(WALLET, CONS, [0.4, 0.3, 0.298], 30, 6, 2, 'w1'));
    expect(joined(p, WALLET, CONS)).toBe(true);
  });

  it('joins the address it sweeps the pay into in two equal parts an hour apart (two transactions, not one read twice)', () => {
    const p = run(paidAndSplit(WALLET, CONS, [0.499, 0.499], 30, 1, 2, 'w1'));
    expect(joined(p, WALLET, CONS)).toBe(true);
  });

  it('joins alike whichever of the three parts or the pay is read last', () => {
    const lines = paidAndSplit(WALLET, CONS, [0.4, 0.3, 0.298], 30, 6, 2, 'w1');
    for (const order of orders(lines)) expect(joined(run(order), WALLET, CONS)).toBe(true);
  });

  it('joins a shared consolidation address it sweeps held pay into in two parts 100 hours on, not its own deposit address swept alike', () => {
    const p = run([sharedCons, ...paidAndSplit(WALLET, CONS, [0.5, 0.499], 110, 8, 2, 'w1'), ...paidAndSplit(WALLET_2, SAVINGS_DEPOSIT, [0.5, 0.499], 110, 8, 20, 'w2')]);
    expect(joined(p, WALLET, CONS)).toBe(true);
    expect(joined(p, WALLET_2, SAVINGS_DEPOSIT)).toBe(false);
  });

  it('joins where four parts carry the pay, not where five parts into one address do', () => {
    const p = run([...paidAndSplit(WALLET, CONS, [0.26, 0.25, 0.24, 0.245], 30, 3, 2, 'w1'), ...paidAndSplit(WALLET_2, VAULT, [0.21, 0.2, 0.19, 0.205, 0.185], 30, 3, 20, 'w2')]);
    expect(joined(p, WALLET, CONS)).toBe(true);
    expect(joined(p, WALLET_2, VAULT)).toBe(false);
  });

  it('joins where each part comes within a day of the one before, not where the second comes 30 hours after the first', () => {
    const p = run([...paidAndSplit(WALLET, CONS, [0.5, 0.499], 20, 20, 2, 'w1'), ...paidAndSplit(WALLET_2, VAULT, [0.5, 0.499], 20, 30, 20, 'w2')]);
    expect(joined(p, WALLET, CONS)).toBe(true);
    expect(joined(p, WALLET_2, VAULT)).toBe(false);
  });

  it('joins the address the parts take the pay to, not a landlord paid rent in parts out of the pay', () => {
    const rent = [withdrawal('w2', WALLET_2, 5_000, 10), usdt(WALLET_2, LANDLORD, 1_250, 30, 20), usdt(WALLET_2, LANDLORD, 1_000, 34, 21), usdt(WALLET_2, VAULT, 2_700, 40, 22)];
    const p = run([usdt(OTHER_WORKER, LANDLORD, 1_800, 0, 9), ...paidAndSplit(WALLET, CONS, [0.6, 0.398], 30, 5, 2, 'w1'), ...rent]);
    expect(joined(p, WALLET, CONS)).toBe(true);
    expect(joined(p, WALLET_2, LANDLORD)).toBe(false);
    expect(joined(p, WALLET_2, VAULT)).toBe(false);
  });

  it('joins where the parts follow one another, not where a payment of the asset elsewhere comes between them', () => {
    const between = [withdrawal('w2', WALLET_2, 5_000, 10), usdt(WALLET_2, VAULT, 2_500, 30, 20), usdt(WALLET_2, LANDLORD, 50, 32, 21), usdt(WALLET_2, VAULT, 2_450, 34, 22)];
    const p = run([...paidAndSplit(WALLET, CONS, [0.5, 0.499], 30, 4, 2, 'w1'), ...between]);
    expect(joined(p, WALLET, CONS)).toBe(true);
    expect(joined(p, WALLET_2, VAULT)).toBe(false);
  });
});
