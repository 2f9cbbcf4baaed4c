/**
 * What the forwarding heuristic (deposit-address reuse) must not take for common control
 * (chain QA, session 28):
 * - Transfer logs of a token no registry knows: anyone can emit them between any two addresses;
 * - a router or other contract that passes each inflow on in the same transaction;
 * - a forward into a cluster intelligence lists as a risk (sanctioned, DPRK-linked): one forward
 *   is a flow traced with its hops (typologies.md S2), not proof the sender is the listed party,
 *   and merging it made cluster membership depend on the order chain messages arrived in;
 * - a forward into one of the exchange's own deposit addresses.
 * A forward into a cluster labelled as a custodial service (an exchange) still merges: that is
 * what the heuristic is for (test/unit/custodial-clusters.test.ts).
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

/** A Transfer log of `token`, `usdt` whole units (6 decimals), in transaction `tx`. */
function log(token: string, from: string, to: string, usdt: number, hour: number, tx: number): string {
  return JSON.stringify({
    schema: 'chain.evm.log.v1', chain: 'ethereum', txHash: `0x${tx.toString(16).padStart(64, '0')}`, logIndex: ++logIndex, blockNumber: 21_000_000 + tx, blockTime: at(hour),
    address: token, topics: [TRANSFER_TOPIC, topic(from), topic(to)], data: `0x${(BigInt(usdt) * 10n ** 6n).toString(16).padStart(64, '0')}`,
  });
}
const usdt = (from: string, to: string, amount: number, hour: number, tx: number): string => log(USDT_ETH, from, to, amount, hour, tx);
const label = (address: string, name: string, hour: number): string =>
  JSON.stringify({ schema: 'intel.label.v1', chain: 'ethereum', address, label: name, entity: `Listed ${address.slice(-4)}`, source: 'test', confidence: 1, observedAt: at(hour) });
function transfer(kind: 'deposit' | 'withdrawal', id: string, counterparty: string, amount: number, hour: number, own = hex(0xee01)): string {
  return JSON.stringify({
    schema: 'exchange.transfer.v1', eventId: id, kind, occurredAt: at(hour), accountId: `acct-${id}`, chain: 'ethereum', asset: 'USDT', amount: String(amount), usdValue: amount,
    ...(kind === 'deposit' ? { from: [counterparty], to: own } : { from: [hex(0xffff)], to: counterparty }),
  });
}

/** Each message's sanctions-exposure alerts as "account severity hops", in order. */
function run(lines: string[]): { p: Pipeline; alerts: string[] } {
  const p = new Pipeline({ rules: rules(), labels: [] });
  const alerts: string[] = [];
  for (const line of lines) {
    const r = p.process(line, { file: 't' });
    expect(r.deadLetter).toBeUndefined();
    for (const a of r.alerts) if (a.typology === 'sanctions-exposure') alerts.push(`${a.subject.accountId} ${a.severity} ${/in (\d+) hop/.exec(a.explanation)?.[1] ?? '?'}`);
  }
  return { p, alerts };
}
const cluster = (p: Pipeline, address: string): string => p.graph.clusterName(p.graph.id(addressKey('ethereum', address)));

describe('the forwarding heuristic refuses what proves no common control', () => {
  it('never merges on Transfer logs of a token no registry knows', () => {
    const [fake, sender, victim, listed] = [hex(0xf001), hex(0xf002), hex(0xf003), hex(0xf004)];
    const { p, alerts } = run([
      log(fake, sender, victim, 1_000_000, 1, 1),
      log(fake, victim, listed, 1_000_000, 2, 2),
      label(listed, 'sanctioned', 3), // listed after the logs: the listing itself cannot stop a merge
      usdt(hex(0xf005), victim, 5_000, 3, 3),
      transfer('deposit', 'victim', victim, 5_000, 10),
    ]);
    expect(cluster(p, victim)).not.toBe(cluster(p, listed));
    expect(p.stats.merges).toBe(0);
    expect(alerts).toEqual([]);
  });

  it('never merges through a router that passes each inflow on in the same transaction', () => {
    const [router, listed, payee, user1, user2] = [hex(0xa001), hex(0xa002), hex(0xa003), hex(0xa004), hex(0xa005)];
    const { p, alerts } = run([
      label(listed, 'sanctioned', 0),
      transfer('withdrawal', 'user1', user1, 5_000, 1),
      usdt(user1, router, 5_000, 2, 10), usdt(router, listed, 5_000, 2, 10),
      transfer('withdrawal', 'user2', user2, 3_000, 24),
      usdt(user2, router, 3_000, 25, 11), usdt(router, payee, 3_000, 25, 11),
      usdt(hex(0xa006), hex(0xa007), 10, 26, 12), // moves event time on past the re-examinations
    ]);
    // The router is recognised at its first pass-through: neither its forward to the payee nor
    // the second user's sweep into it merges.
    expect(cluster(p, router)).not.toBe(cluster(p, payee));
    expect(cluster(p, user2)).not.toBe(cluster(p, router));
    expect(cluster(p, router)).not.toBe(cluster(p, listed));
    // The first user's funds did reach the listed address, through the router: two hops.
    expect(alerts).toEqual(['acct-user1 medium 2']);
  });

  it('traces two forwards into a DPRK-linked address as a 3-node path at medium (typologies.md S2)', () => {
    const [ta, tb, dprk] = [hex(0xb001), hex(0xb002), hex(0xb003)];
    const { p, alerts } = run([
      label(dprk, 'dprk-linked', 0),
      transfer('withdrawal', 'w', ta, 9_000, 1),
      usdt(hex(0xffff), ta, 9_000, 1, 20), usdt(ta, tb, 8_950, 7, 21), usdt(tb, dprk, 8_900, 55, 22),
    ]);
    expect(cluster(p, tb)).not.toBe(cluster(p, dprk));
    expect(alerts).toEqual(['acct-w medium 2']);
  });

  it('gives the same clusters and alerts whichever of two payouts from one hot wallet arrives first', () => {
    const [hot, listed, payee, dx, dy] = [hex(0xc001), hex(0xc002), hex(0xc003), hex(0xc004), hex(0xc005)];
    const first = [usdt(dx, hot, 4_000, 1, 30), usdt(hot, listed, 3_900, 2, 31)];
    const second = [usdt(dy, hot, 3_000, 3, 32), usdt(hot, payee, 2_950, 4, 33)];
    const tail = [transfer('withdrawal', 'payee', payee, 2_950, 4)];
    const a = run([label(listed, 'sanctioned', 0), ...first, ...second, ...tail]);
    const b = run([label(listed, 'sanctioned', 0), ...second, ...first, ...tail]);
    for (const r of [a, b]) {
      expect(cluster(r.p, payee)).not.toBe(cluster(r.p, listed));
      expect(r.alerts).toEqual([]);
    }
    expect(b.p.stats.merges).toBe(a.p.stats.merges);
    expect(cluster(b.p, hot)).toBe(cluster(a.p, hot));
  });

  it('never merges a customer wallet into one of the exchange\'s own deposit addresses, in either order', () => {
    const [wallet, own] = [hex(0xd001), hex(0xd002)];
    const earlier = transfer('deposit', 'earlier', hex(0xd003), 100, 0, own); // makes `own` the exchange's
    const inflow = usdt(hex(0xd004), wallet, 2_000, 1, 40);
    const sweep = usdt(wallet, own, 2_000, 2, 41);
    for (const lines of [[earlier, inflow, sweep], [earlier, sweep, inflow]]) {
      const { p } = run(lines);
      expect(cluster(p, wallet)).not.toBe(cluster(p, own));
      expect(p.stats.merges).toBe(0);
    }
  });
});
