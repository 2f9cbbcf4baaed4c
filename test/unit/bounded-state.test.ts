/**
 * State that must stay bounded and cheap for years: content-derived cluster names, a payment
 * service's cluster with thousands of payers, and per-key rule state that forgets dormant keys.
 */
import { describe, expect, it } from 'vitest';
import { addressKey } from '../../src/chain/address.js';
import { DEFAULT_GRAPH_OPTIONS, EntityGraph, nameOfKey } from '../../src/graph/entity-graph.js';
import { Decimal } from '../../src/money/decimal.js';
import { RuleState } from '../../src/engine/state.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { bitcoinTx, btcAddress, DAY, evmAddress, HOUR, label, prng, tokenLog, transfer, tronAddress, USDT_ETH } from '../../src/simulate/builders.js';
import type { LoginEvent } from '../../src/decode/events.js';
import { rules } from '../helpers/sample.js';

const T0 = Date.parse('2025-03-01T00:00:00Z');

describe('cluster names derive from content', () => {
  it('names a cluster by its smallest member key, whatever order the messages arrive in', () => {
    const rand = prng(11);
    const [a, b, c] = [btcAddress(rand), btcAddress(rand), btcAddress(rand)];
    const out = btcAddress(rand);
    const spend1 = bitcoinTx([{ address: a, sats: 50_000 }, { address: b, sats: 60_000 }], [{ address: out, sats: 100_000 }], T0, rand);
    const spend2 = bitcoinTx([{ address: c, sats: 70_000 }, { address: b, sats: 10_000 }], [{ address: out, sats: 75_000 }], T0 + HOUR, rand);
    const deposit = transfer({ eventId: 'ev-d', kind: 'deposit', time: T0 + 2 * HOUR, accountId: 'acct-1', chain: 'bitcoin', asset: 'BTC', amount: 0.1, from: [c], to: btcAddress(rand) }, rand);
    const names = [[spend1, spend2, deposit], [deposit, spend2, spend1], [spend2, deposit, spend1]].map((order) => {
      const p = new Pipeline({ rules: [] });
      order.forEach((m, i) => p.process(m, { line: i + 1 }));
      const id = p.graph.id(addressKey('bitcoin', a));
      return p.graph.clusterName(id);
    });
    const smallest = [a, b, c].map((x) => addressKey('bitcoin', x)).sort()[0]!;
    expect(names).toEqual([nameOfKey(smallest), nameOfKey(smallest), nameOfKey(smallest)]);
  });
});

/** Customers pay a service: each to a fresh deposit address, which the service sweeps to one hot wallet. */
function serviceStream(payers: number): { lines: string[]; hot: string } {
  const rand = prng(5);
  const hot = evmAddress(rand);
  const lines: string[] = [];
  for (let i = 0; i < payers; i++) {
    const t = T0 + i * 60_000;
    const depositAddress = evmAddress(rand);
    lines.push(transfer({ eventId: `ev-w${i}`, kind: 'withdrawal', time: t, accountId: `acct-${i}`, chain: 'ethereum', asset: 'USDT', amount: 250, to: depositAddress }, rand));
    lines.push(tokenLog('ethereum', USDT_ETH, depositAddress, hot, 250, t + 30_000, rand));
  }
  return { lines, hot };
}

describe('a payment service with thousands of payers (a hot key)', () => {
  it('raises no consolidation alert for a payer of a service with clean payers paying small sums (shipped rule)', () => {
    const p = new Pipeline({ rules: rules() });
    const alerted = new Set<string>();
    serviceStream(120).lines.forEach((m, i) => { for (const a of p.process(m, { line: i + 1 }).alerts) if (a.ruleId === 'dprk-consolidation.fan-in') alerted.add(a.subject.accountId); });
    // Not even the first payers, while the cluster is as small as a hub: no payer risk, no salary-sized sums, no onward flow.
    expect([...alerted]).toEqual([]);
  });

  it('raises no consolidation alert once more than 50 accounts pay the cluster, even with the hub conditions lifted', () => {
    const countOnly = rules().map((r) => (r.spec.id !== 'dprk-consolidation.fan-in' ? r : { ...r, spec: { ...r.spec, require: [{ signal: 'fanIn' }], alsoAlert: 'signals.fanIn.accountIds', alertListedOnly: false } }));
    const p = new Pipeline({ rules: countOnly });
    const alerted = new Set<string>();
    serviceStream(120).lines.forEach((m, i) => { for (const a of p.process(m, { line: i + 1 }).alerts) if (a.ruleId === 'dprk-consolidation.fan-in') alerted.add(a.subject.accountId); });
    // The first payers alert while the cluster looks like a small hub by count; none after it passes 50.
    expect(alerted.size).toBeGreaterThan(0);
    expect(alerted.size).toBeLessThanOrEqual(50);
    for (let i = 60; i < 120; i++) expect(alerted.has(`acct-${i}`), `acct-${i}`).toBe(false);
  });

  it('re-examines O(1) transfers per sweep once the cluster is saturated, not every payer again', () => {
    const payers = 3_000;
    const p = new Pipeline({ rules: rules() });
    serviceStream(payers).lines.forEach((m, i) => { p.process(m, { line: i + 1 }); });
    expect(p.stats.merges).toBeGreaterThanOrEqual(payers - 1);
    // Quadratic would be about payers² / 2 = 4.5 M; bounded is a few per sweep.
    expect(p.stats.reevaluations).toBeGreaterThan(0);
    expect(p.stats.reevaluations).toBeLessThan(payers * 70);
  });

  it('re-examines O(1) transfers per sweep when the service is a labelled one, and alerts each payer once', () => {
    const payers = 1_000;
    const { lines, hot } = serviceStream(payers);
    const p = new Pipeline({ rules: rules() });
    p.process(label('ethereum', hot, 'gambling', 'Casino', T0 - DAY), { line: 0 });
    const alerted = new Map<string, number>();
    lines.forEach((m, i) => { for (const a of p.process(m, { line: i + 1 }).alerts) if (a.typology === 'high-risk-service') alerted.set(a.subject.accountId, (alerted.get(a.subject.accountId) ?? 0) + 1); });
    expect(p.stats.merges).toBeGreaterThanOrEqual(payers - 1);
    // Each sweep joins a deposit address to the labelled cluster: its payer's withdrawal is judged
    // again, not the newest thousands of the service's (session 44: about 150 a sweep at 1,000 payers, growing).
    expect(p.stats.reevaluations).toBeLessThan(payers * 4);
    expect(alerted.size).toBe(payers);
    expect([...alerted.values()].every((n) => n === 1)).toBe(true);
  });

  it('counts a fan-in up to the saturation point and says so, with bounded evidence', () => {
    // The shipped rule stops at 50 accounts (a service used by many) and wants payer risk: lift both here.
    const unbounded = rules().map((r) => (r.spec.id !== 'dprk-consolidation.fan-in' ? r : { ...r, spec: { ...r.spec, require: [{ signal: 'fanIn' }], alsoAlert: 'signals.fanIn.accountIds', alertListedOnly: false, signals: { ...r.spec.signals, fanIn: { ...r.spec.signals.fanIn!, pass: { gte: 3 } } } } }));
    const p = new Pipeline({ rules: unbounded });
    const { lines, hot } = serviceStream(200);
    const fanIns = lines.flatMap((m, i) => p.process(m, { line: i + 1 }).alerts).filter((a) => a.ruleId === 'dprk-consolidation.fan-in');
    const last = fanIns[fanIns.length - 1]!;
    expect(last.eventIds.length).toBeLessThanOrEqual(p.graph.options.saturation + 2);
    expect(last.evidence.accountIds).toHaveLength(p.graph.options.saturation);
    const hotId = p.graph.id(addressKey('ethereum', hot));
    expect(p.graph.clusterSize(hotId)).toBeGreaterThan(150);
    expect(p.graph.touches(hotId).length).toBe(200);
  });
});

const login = (accountId: string, time: number, eventId: string): LoginEvent => ({
  type: 'login', eventId, time, msg: { schema: 'exchange.login.v1', eventId, occurredAt: new Date(time).toISOString(), accountId, ip: '10.0.0.1', ipCountry: 'DE', vpn: false, deviceId: `dev-${accountId}` },
});

describe('rule state', () => {
  it('evicts accounts and devices with nothing inside the retention as new keys arrive, two per new key', () => {
    const state = new RuleState({ retention: 30 * DAY });
    for (let i = 0; i < 5_000; i++) state.add(login(`old-${i}`, T0 + i, `l-old-${i}`));
    expect(state.sizes.accounts).toBe(5_000);
    // Known keys move the rolling trim one account per event: 1,000 events visit about 1,000
    // accounts, and the dormant ones among them go; the ten that logged in again stay.
    for (let i = 0; i < 1_000; i++) state.add(login(`old-${i % 10}`, T0 + 60 * DAY + i, `l-again-${i}`));
    expect(state.sizes.accounts).toBeLessThanOrEqual(5_000 - 900);
    expect(state.sizes.accounts).toBeGreaterThanOrEqual(5_000 - 1_000);
    for (let i = 0; i < 10; i++) expect(state.history(`old-${i}`).length).toBeGreaterThan(0);
    for (let i = 0; i < 10_000; i++) state.add(login(`new-${i}`, T0 + 60 * DAY + 1_000 + i, `l-new-${i}`));
    // The 4,990 dormant accounts are gone; the 10 that logged in again and the new ones stay.
    expect(state.sizes.accounts).toBe(10_010);
    expect(state.sizes.devices).toBe(10_010);
    expect(state.history('old-4000')).toEqual([]);
    expect(state.history('old-5')).toHaveLength(100); // its first login fell out of the retention
  });

  it('forgets transfers by eventId in insertion order once past the retention', () => {
    const state = new RuleState({ retention: 10 * DAY });
    const rand = prng(9);
    const p = new Pipeline({ rules: [] });
    const decode = (i: number, time: number) => {
      const r = p.decode(transfer({ eventId: `ev-${i}`, kind: 'withdrawal', time, accountId: `acct-${i}`, chain: 'ethereum', asset: 'USDT', amount: 5, to: evmAddress(rand) }, rand));
      if (!r.ok || r.event.type !== 'transfer') throw new Error('not a transfer');
      return r.event;
    };
    for (let i = 0; i < 100; i++) state.add(decode(i, T0 + i * 1_000));
    expect(state.transfer('ev-0')).toBeDefined();
    for (let i = 100; i < 200; i++) state.add(decode(i, T0 + 20 * DAY + i));
    expect(state.transfer('ev-0')).toBeUndefined();
    expect(state.transfer('ev-99')).toBeUndefined();
    expect(state.transfer('ev-150')).toBeDefined();
    expect(state.sizes.transfers).toBe(100);
  });

  it('keeps a hot account to its cap and answers a window by binary search', () => {
    const state = new RuleState({ retention: 365 * DAY, maxHistory: 1_000 });
    for (let i = 0; i < 10_000; i++) state.add(login('hot', T0 + i * 1_000, `l-${i}`));
    expect(state.history('hot').length).toBeLessThanOrEqual(1_250);
    const between = state.historyBetween('hot', T0 + 9_990_000, T0 + 9_995_000);
    expect(between.map((e) => e.eventId)).toEqual(['l-9990', 'l-9991', 'l-9992', 'l-9993', 'l-9994', 'l-9995']);
  });

  it('keeps an out-of-order event in event-time order', () => {
    const state = new RuleState();
    state.add(login('a', T0 + 2_000, 'second'));
    state.add(login('a', T0 + 1_000, 'first'));
    expect(state.history('a').map((e) => e.eventId)).toEqual(['first', 'second']);
  });
});

describe('address graph', () => {
  it('drops edge lists and cluster touches of addresses dormant past their retention', () => {
    const rand = prng(3);
    // The stream jumps 400 days on purpose: the leap bound is turned off.
    const p = new Pipeline({ rules: rules(), maxLeapMs: 0 });
    const exchangeDeposit = evmAddress(rand);
    for (let i = 0; i < 2_000; i++) {
      p.process(transfer({ eventId: `ev-old-${i}`, kind: 'deposit', time: T0 + i * 1_000, accountId: `acct-${i % 100}`, chain: 'ethereum', asset: 'USDT', amount: 10, from: [evmAddress(rand)], to: exchangeDeposit }, rand), { line: i });
    }
    const before = p.graph.sizes;
    expect(before.clusterMeta).toBeGreaterThanOrEqual(2_000);
    const later = T0 + 400 * DAY;
    for (let i = 0; i < 3_000; i++) {
      p.process(transfer({ eventId: `ev-new-${i}`, kind: 'deposit', time: later + i * 1_000, accountId: `acct-new-${i}`, chain: 'ethereum', asset: 'USDT', amount: 10, from: [evmAddress(rand)], to: exchangeDeposit }, rand), { line: i });
    }
    const after = p.graph.sizes;
    // Only the new senders' clusters and edges remain (plus the exchange deposit address's own list).
    expect(after.clusterMeta).toBeLessThanOrEqual(3_000);
    expect(after.edgeLists).toBeLessThanOrEqual(3_000 + 1);
    expect(p.state.sizes.accounts).toBe(3_000);
  });
});

describe('flow edges past their retention', () => {
  it('leave a quiet address\'s list (one that gets no new edge) as the clock passes each edge\'s retention, while its edges inside the retention stay', () => {
    const graph = new EntityGraph({ ...DEFAULT_GRAPH_OPTIONS, edgeRetention: 100 * DAY });
    const quiet = graph.id('eth:quiet');
    const sink = graph.id('eth:sink');
    const edge = (i: number, time: number) => ({ asset: 'USDT', amount: Decimal.parse('10'), usd: Decimal.parse('10'), time, ref: `tx-${i}` });
    graph.tick(T0);
    for (let i = 0; i < 20; i++) graph.addEdge(quiet, sink, edge(i, T0 + i * HOUR));
    graph.addEdge(quiet, sink, edge(99, T0 + 150 * DAY));
    // 200 days on, events pass (the clock ticks once for each); the quiet address and its sink get nothing new.
    const later = T0 + 200 * DAY;
    for (let i = 0; i < 4; i++) graph.tick(later + i * 1_000);
    // Its first edges are past the retention (day 200 less 100 days); the one of day 150 is not, until day 250.
    expect(graph.edgesOut(quiet).map((e) => e.ref)).toEqual(['tx-99']);
    expect(graph.edgesIn(sink).map((e) => e.ref)).toEqual(['tx-99']);
    // Past the retention of its last edge as well, the whole list goes, at the next event.
    graph.tick(later + 60 * DAY);
    expect(graph.edgesOut(quiet)).toEqual([]);
    expect(graph.edgesIn(sink)).toEqual([]);
    // The expiry ring let go of every edge it passed (its size is a metric: graph_edgesAwaitingExpiry).
    expect(graph.sizes.edgesAwaitingExpiry).toBe(0);
    expect(graph.sizes.edgeLists).toBe(0);
  });
});

describe('link index (devices and IPs)', () => {
  it('keeps one entry per account however often it logs in, and answers a window with first sightings', () => {
    const state = new RuleState({ retention: 365 * DAY, maxSightings: 3 });
    for (let i = 0; i < 1_000; i++) state.add({ ...login('a', T0 + i * 1_000, `a-${i}`), msg: { ...login('a', 0, '').msg, deviceId: 'shared' } });
    state.add({ ...login('b', T0 + 2_000_000, 'b-0'), msg: { ...login('b', 0, '').msg, deviceId: 'shared' } });
    const linked = state.linked('device', 'shared', T0 + 500_000, T0 + 3_000_000);
    // 'a' was first seen before the window: its latest sighting evidences it.
    expect(linked).toEqual([{ accountId: 'a', eventId: 'a-999' }, { accountId: 'b', eventId: 'b-0' }]);
    expect(state.linked('device', 'shared', T0, T0 + 10_000)).toEqual([{ accountId: 'a', eventId: 'a-0' }]);
  });

  it('keeps at most maxSightings accounts per value, dropping the least recently seen', () => {
    const state = new RuleState({ retention: 365 * DAY, maxSightings: 3 });
    for (const [i, acct] of ['a', 'b', 'c', 'a', 'd'].entries()) state.add({ ...login(acct, T0 + i, `${acct}-${i}`), msg: { ...login(acct, 0, '').msg, deviceId: 'wifi' } });
    expect(state.linked('device', 'wifi', T0, T0 + 10).map((s) => s.accountId).sort()).toEqual(['a', 'c', 'd']);
  });
});

describe('link retention', () => {
  it('a busy shared IP keeps the accounts of its window, not of its whole life', () => {
    const state = new RuleState({ retention: 365 * DAY, linkRetention: 30 * DAY, maxSightings: 256 });
    const onWifi = (acct: string, time: number, id: string) => ({ ...login(acct, time, id), msg: { ...login(acct, 0, '').msg, ip: '172.16.0.1' } });
    for (let i = 0; i < 200; i++) state.add(onWifi(`early-${i}`, T0 + i * 60_000, `e-${i}`));
    // A stream of other customers 60 days later, one new login a minute on the same IP.
    for (let i = 0; i < 50; i++) state.add(onWifi(`late-${i}`, T0 + 60 * DAY + i * 60_000, `l-${i}`));
    const linked = state.linked('ip', '172.16.0.1', 0, T0 + 100 * DAY);
    expect(linked).toHaveLength(50);
    expect(linked.every((s) => s.accountId.startsWith('late-'))).toBe(true);
  });
});

describe('retained transfers keep their addresses as sent', () => {
  it('character for character (lower-case, checksummed and upper-case EVM, Tron, bech32), however the keys share them', () => {
    const rand = prng(23);
    const p = new Pipeline({ rules: rules() });
    const sent: { eventId: string; from: string[]; to: string }[] = [];
    const checksummed = USDT_ETH; // mixed case: its key is lower case
    for (let i = 0; i < 60; i++) {
      const chain = (['ethereum', 'tron', 'bitcoin'] as const)[i % 3]!;
      const address = (): string => chain === 'ethereum' ? [evmAddress(rand), checksummed, evmAddress(rand).toUpperCase().replace('0X', '0x')][i % 3 === 0 ? (i / 3) % 3 : 0]! : chain === 'tron' ? tronAddress(rand) : btcAddress(rand);
      const asset = chain === 'bitcoin' ? 'BTC' : 'USDT';
      const eventId = `ev-${i}`;
      const from = [address(), address()];
      const to = address();
      const kind = i % 2 === 0 ? 'deposit' : 'withdrawal';
      p.process(transfer({ eventId, kind, time: T0 + i * HOUR, accountId: `acct-${i % 4}`, chain, asset, amount: 100 + i, ...(kind === 'deposit' ? { from } : {}), to, decimals: chain === 'bitcoin' ? 8 : 2 }, rand), { line: i + 1 });
      sent.push({ eventId, from: kind === 'deposit' ? from : [], to });
    }
    for (const s of sent) {
      const kept = p.state.transfer(s.eventId)!;
      expect([kept.msg.to, [...kept.msg.from]], s.eventId).toEqual([s.to, s.from]);
    }
  });
});

describe('retained transfers are bounded in count, not only in days (STATE_MAX_TRANSFERS)', () => {
  it('lets the oldest transfers of a kind go, from the index and their accounts, once the cap is passed', () => {
    const rand = prng(27);
    const p = new Pipeline({ rules: rules(), state: { maxTransfers: 100 } });
    // 300 accounts each make one deposit within a day: far inside every retention.
    for (let i = 0; i < 300; i++) {
      const line = transfer({ eventId: `ev-cap-${i}`, kind: 'deposit', time: T0 + i * 60_000, accountId: `acct-cap-${i}`, chain: 'ethereum', asset: 'USDC', amount: 500, from: [evmAddress(rand)], to: evmAddress(rand) }, rand);
      p.process(line, { line: i + 1 });
    }
    const sizes = p.state.sizes;
    expect(sizes.transfers).toBe(100);
    expect(sizes.transfersDroppedAtCap).toBe(200);
    // The oldest left with their accounts' histories; the newest 100 stay.
    expect(sizes.accounts).toBe(100);
    expect(p.state.history('acct-cap-0')).toEqual([]);
    expect(p.state.history('acct-cap-299').map((e) => e.eventId)).toEqual(['ev-cap-299']);
  });
});

describe('the address index is bounded in count, not only in days (STATE_MAX_ADDRESSES)', () => {
  it('forgets addresses that hold only their flows, oldest first, at an hour boundary past the cap; labelled and own ones stay', () => {
    const rand = prng(270);
    const p = new Pipeline({ rules: rules(), graph: { maxAddresses: 1000 } });
    const listed = evmAddress(rand);
    let line = 0;
    p.process(label('ethereum', listed, 'sanctioned', 'Listed', T0), { line: ++line });
    const first = [evmAddress(rand), evmAddress(rand)];
    p.process(tokenLog('ethereum', USDT_ETH, first[0]!, first[1]!, 500, T0 + 1000, rand), { line: ++line });
    // 3,000 token transfers between fresh addresses over 30 hours: 6,000 new addresses, none older than a day.
    for (let i = 0; i < 3000; i++) p.process(tokenLog('ethereum', USDT_ETH, evmAddress(rand), i % 7 === 0 ? listed : evmAddress(rand), 500, T0 + 60_000 + i * 36_000, rand), { line: ++line });
    const sizes = p.graph.sizes;
    expect(sizes.addressesForgottenAtCap).toBeGreaterThan(0);
    // Checked each hour: at most an hour's new addresses (about 200 here) past the cap.
    expect(sizes.addresses).toBeLessThanOrEqual(1000 + 250);
    expect(p.graph.index.lookup(addressKey('ethereum', listed))).not.toBeUndefined();
    // The oldest went first: the first pair's addresses are no longer held.
    expect(p.graph.index.lookup(addressKey('ethereum', first[0]!))).toBeUndefined();
  });
});
