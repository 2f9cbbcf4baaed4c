/**
 * Two ways one listing used to spread over a service's customers (enrichment QA, session 26):
 * - a sanctions label on one deposit address of a labelled exchange, merged into the exchange's
 *   cluster by its sweep, covered the whole exchange (every deposit from its hot wallet high);
 * - the forwarding heuristic took a busy hot wallet paying a withdrawal out of many inflows for
 *   a deposit address forwarding one, and merged it into the payee's (sanctioned) cluster.
 */
import { describe, expect, it } from 'vitest';
import { addressKey } from '../../src/chain/address.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';

const ETH = 10n ** 18n;
const hex = (n: number): string => `0x${n.toString(16).padStart(40, '0')}`;
const at = (hour: number): string => new Date(Date.UTC(2025, 2, 1) + hour * 3_600_000).toISOString();
let block = 18_000_000;
const tx = (from: string, to: string, wei: bigint, hour: number): string =>
  JSON.stringify({ schema: 'chain.evm.tx.v1', chain: 'ethereum', hash: `0x${(++block).toString(16).padStart(64, '0')}`, blockNumber: block, blockTime: at(hour), from, to, value: wei.toString() });
const label = (address: string, name: string, hour: number, entity: string): string =>
  JSON.stringify({ schema: 'intel.label.v1', chain: 'ethereum', address, label: name, entity, source: 'test', confidence: 1, observedAt: at(hour) });
const deposit = (id: string, from: string, hour: number): string =>
  JSON.stringify({ schema: 'exchange.transfer.v1', eventId: id, kind: 'deposit', occurredAt: at(hour), accountId: `acct-${id}`, chain: 'ethereum', asset: 'ETH', amount: '1', usdValue: 3000, from: [from], to: hex(0xee00 + block % 256) });

function sanctionsAlerts(p: Pipeline, line: string): string[] {
  return p.process(line, { file: 't' }).alerts.filter((a) => a.typology === 'sanctions-exposure').map((a) => `${a.subject.accountId} ${a.severity}`);
}

const cluster = (p: Pipeline, address: string): string => p.graph.clusterName(p.graph.id(addressKey('ethereum', address)));

describe('a labelled exchange whose deposit address is listed after its sweep', () => {
  const hot = hex(0x1001);
  const [listed, other] = [hex(0x2001), hex(0x2002)];

  function exchange(): Pipeline {
    const p = new Pipeline({ rules: rules(), labels: [] });
    p.process(label(hot, 'exchange', 0, 'Big Exchange'), { file: 't' });
    p.process(tx(hex(0x3001), listed, 1n * ETH, 1), { file: 't' });
    p.process(tx(listed, hot, (999n * ETH) / 1000n, 2), { file: 't' });
    p.process(tx(hex(0x3002), other, 1n * ETH, 3), { file: 't' });
    p.process(tx(other, hot, (999n * ETH) / 1000n, 4), { file: 't' });
    p.process(label(listed, 'sanctioned', 100, 'Listed Person'), { file: 't' });
    return p;
  }

  it('keeps the deposit addresses in the exchange\'s cluster (the sweep heuristic still merges)', () => {
    const p = exchange();
    expect(cluster(p, listed)).toBe(cluster(p, hot));
    expect(cluster(p, other)).toBe(cluster(p, hot));
  });

  it('does not make deposits from the exchange\'s hot wallet or its other deposit addresses sanctioned', () => {
    const p = exchange();
    expect(sanctionsAlerts(p, deposit('from-hot', hot, 200))).toEqual([]);
    expect(sanctionsAlerts(p, deposit('from-other', other, 201))).toEqual([]);
  });

  it('still holds the listing for the listed address itself', () => {
    const p = exchange();
    expect(sanctionsAlerts(p, deposit('from-listed', listed, 202))).toEqual(['acct-from-listed critical']);
  });

  it('lets a label on the exchange\'s own address (a sanctioned exchange) cover its cluster', () => {
    const p = exchange();
    p.process(label(hot, 'sanctioned', 150, 'Big Exchange'), { file: 't' });
    expect(sanctionsAlerts(p, deposit('from-other-sanctioned', other, 203))).toEqual(['acct-from-other-sanctioned high']);
  });
});

describe('the forwarding heuristic', () => {
  it('does not merge a hot wallet that pays a withdrawal out of several inflows into its payee', () => {
    const p = new Pipeline({ rules: rules(), labels: [] });
    const hot = hex(0x5001);
    const payees = [hex(0x6001), hex(0x6002)];
    [1n, 2n, 5n, 3n, 7n].forEach((eth, i) => p.process(tx(hex(0x4001 + i), hot, eth * ETH, i), { file: 't' }));
    p.process(label(payees[1]!, 'sanctioned', 5, 'Payee Person'), { file: 't' });
    p.process(tx(hot, payees[0]!, (95n * ETH) / 100n, 6), { file: 't' });
    p.process(tx(hot, payees[1]!, (190n * ETH) / 100n, 7), { file: 't' });
    expect(cluster(p, hot)).not.toBe(cluster(p, payees[0]!));
    expect(cluster(p, hot)).not.toBe(cluster(p, payees[1]!));
    expect(sanctionsAlerts(p, deposit('from-payee', payees[0]!, 20))).toEqual([]);
  });

  it('merges a deposit address that sweeps what it received since its last sweep, one inflow or several', () => {
    const p = new Pipeline({ rules: [], labels: [] });
    const [hot, single, twice] = [hex(0x7001), hex(0x7002), hex(0x7003)];
    p.process(tx(hex(0x8001), single, 2n * ETH, 1), { file: 't' });
    p.process(tx(single, hot, (1999n * ETH) / 1000n, 2), { file: 't' });
    p.process(tx(hex(0x8002), twice, 1n * ETH, 3), { file: 't' });
    p.process(tx(hex(0x8003), twice, 3n * ETH, 4), { file: 't' });
    p.process(tx(twice, hot, (3996n * ETH) / 1000n, 5), { file: 't' });
    expect(cluster(p, single)).toBe(cluster(p, hot));
    expect(cluster(p, twice)).toBe(cluster(p, hot));
  });

  it('judges a sweep read before the inflows it sweeps as it would in event order', () => {
    const p = new Pipeline({ rules: [], labels: [] });
    const [hot, address] = [hex(0x9001), hex(0x9002)];
    p.process(tx(address, hot, (3996n * ETH) / 1000n, 5), { file: 't' });
    p.process(tx(hex(0x9003), address, 1n * ETH, 3), { file: 't' });
    expect(cluster(p, address)).not.toBe(cluster(p, hot)); // 3.996 of 1 ETH: more than came in
    p.process(tx(hex(0x9004), address, 3n * ETH, 4), { file: 't' });
    expect(cluster(p, address)).toBe(cluster(p, hot));
  });
});
