/**
 * Indirect sanctions exposure follows value, not contact (typologies.md T2: traced value of at
 * least 1,000 USD or 10% of the account's transfer). Dust and zero-value token transfers from a
 * listed address are how address poisoning reaches ordinary wallets: they must not taint the
 * wallets' later deposits, nor a withdrawal's destination that sends such a transfer on.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, HOUR, label, nativeTx, prng, tokenLog, transfer, USDC_ETH, USDT_ETH } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';
import { minHopUsd } from '../../src/engine/signals.js';
import { Decimal } from '../../src/money/decimal.js';

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const T0 = Date.UTC(2025, 4, 1);
const SDN = derivedEvm(71, 1);
const wallet = derivedEvm(71, 2);
const depositAddress = derivedEvm(71, 3);

function indirectAlerts(lines: string[]): string[] {
  const pipeline = new Pipeline({ rules });
  return lines.flatMap((line, i) => {
    const r = pipeline.process(line, { file: 't', line: i + 1 });
    expect(r.deadLetter, `line ${i + 1} dead-lettered`).toBeUndefined();
    return r.alerts;
  }).filter((a) => a.ruleId === 'sanctions-exposure.indirect').map((a) => a.subject.accountId);
}

const listed = label('ethereum', SDN, 'sanctioned', 'SDN entity', T0 - DAY);
/** A 5,000 USDC deposit from the wallet, an hour after what reached it. */
const deposit = (rand: ReturnType<typeof prng>): string => transfer({ eventId: 'dep-1', kind: 'deposit', time: T0 + HOUR, accountId: 'acct-dusted', chain: 'ethereum', asset: 'USDC', amount: 5_000, from: [wallet], to: depositAddress }, rand);

describe('indirect sanctions exposure carries value', () => {
  it('alerts when the listed address paid the wallet a salary-sized sum', () => {
    const rand = prng(1);
    expect(indirectAlerts([listed, tokenLog('ethereum', USDC_ETH, SDN, wallet, 2_000, T0, rand), deposit(rand)])).toEqual(['acct-dusted']);
  });

  it('does not alert when the listed address sent the wallet dust (0.0001 ETH)', () => {
    const rand = prng(2);
    expect(indirectAlerts([listed, nativeTx(SDN, wallet, 0.0001, T0, rand), deposit(rand)])).toEqual([]);
  });

  it('does not alert on a zero-value token transfer from the listed address (address poisoning)', () => {
    const rand = prng(3);
    expect(indirectAlerts([listed, tokenLog('ethereum', USDT_ETH, SDN, wallet, 0, T0, rand), deposit(rand)])).toEqual([]);
  });

  it('does not alert on a large transfer of a token no registry knows (a fake token anyone can mint), and still does for the same sum in a listed stablecoin', () => {
    const fakeToken = derivedEvm(71, 9);
    const rand = prng(5);
    expect(indirectAlerts([listed, tokenLog('ethereum', fakeToken, SDN, wallet, 5_000_000, T0, rand), deposit(rand)])).toEqual([]);
    expect(indirectAlerts([listed, tokenLog('ethereum', USDT_ETH, SDN, wallet, 5_000, T0, prng(5)), deposit(prng(6))])).toEqual(['acct-dusted']);
  });

  it('does not alert on a withdrawal whose destination then sends the listed address zero', () => {
    const rand = prng(4);
    const withdrawal = transfer({ eventId: 'wd-1', kind: 'withdrawal', time: T0, accountId: 'acct-poisoned', chain: 'ethereum', asset: 'USDT', amount: 3_000, to: wallet }, rand);
    expect(indirectAlerts([listed, withdrawal, tokenLog('ethereum', USDT_ETH, wallet, SDN, 0, T0 + HOUR, rand)])).toEqual([]);
    expect(indirectAlerts([listed, withdrawal, tokenLog('ethereum', USDT_ETH, wallet, SDN, 2_900, T0 + HOUR, rand)])).toEqual(['acct-poisoned']);
  });
});

/**
 * typologies.md T2 fires on the value traced from the account's transfer, not on the size of the
 * last hop: a busy unlabelled hub mixes one customer's funds with millions of others', so the
 * share of them that reaches a listed address is tiny (QA: 60 of 60 customers of such a hub,
 * which once paid a DPRK-linked address $2,000, or once was paid $1,500 by one, alerted high).
 */
describe('indirect exposure through a busy hub traces the customer\'s share (haircut)', () => {
  const hub = derivedEvm(72, 1);
  /** 300 senders paying the hub $10,000 each over the two weeks before T0: $3 M in all. */
  const busyInflows = (rand: ReturnType<typeof prng>): string[] => Array.from({ length: 300 }, (_, i) => tokenLog('ethereum', USDC_ETH, derivedEvm(73, i), hub, 10_000, T0 - 14 * DAY + i * HOUR, rand));

  it('does not alert a customer who paid a busy hub that then paid the listed address, and does when the hub held little else', () => {
    const rand = prng(7);
    const withdrawal = transfer({ eventId: 'wd-hub', kind: 'withdrawal', time: T0, accountId: 'acct-hub-customer', chain: 'ethereum', asset: 'USDC', amount: 3_000, to: hub }, rand);
    const paysListed = tokenLog('ethereum', USDC_ETH, hub, SDN, 2_000, T0 + HOUR, rand);
    expect(indirectAlerts([listed, ...busyInflows(rand), withdrawal, paysListed])).toEqual([]);
    // The same hop from an address that held only a little more than the customer's funds: traced in full.
    const rand2 = prng(7);
    const small = [tokenLog('ethereum', USDC_ETH, derivedEvm(73, 1), hub, 500, T0 - DAY, rand2)];
    expect(indirectAlerts([listed, ...small, transfer({ eventId: 'wd-hub', kind: 'withdrawal', time: T0, accountId: 'acct-hub-customer', chain: 'ethereum', asset: 'USDC', amount: 3_000, to: hub }, rand2), tokenLog('ethereum', USDC_ETH, hub, SDN, 2_000, T0 + HOUR, rand2)])).toEqual(['acct-hub-customer']);
  });

  it('counts only what reached the node before the hop left it, so an inflow dated later dilutes nothing, read before or after', () => {
    const lines = (rand: ReturnType<typeof prng>): string[] => [
      listed,
      transfer({ eventId: 'wd-early', kind: 'withdrawal', time: T0, accountId: 'acct-early', chain: 'ethereum', asset: 'USDC', amount: 3_000, to: hub }, rand),
      tokenLog('ethereum', USDC_ETH, hub, SDN, 2_900, T0 + HOUR, rand),
      tokenLog('ethereum', USDC_ETH, derivedEvm(73, 2), hub, 1_000_000, T0 + 5 * HOUR, rand),
    ];
    const inOrder = lines(prng(9));
    expect(indirectAlerts(inOrder)).toEqual(['acct-early']);
    expect(indirectAlerts([inOrder[0]!, inOrder[1]!, inOrder[3]!, inOrder[2]!])).toEqual(['acct-early']);
  });

  it('does not alert a deposit from a busy hub that the listed address once paid, and does from a wallet it funded', () => {
    const rand = prng(8);
    const fromListed = tokenLog('ethereum', USDC_ETH, SDN, hub, 1_500, T0 - 2 * DAY, rand);
    const deposit = transfer({ eventId: 'dep-hub', kind: 'deposit', time: T0 + HOUR, accountId: 'acct-hub-payee', chain: 'ethereum', asset: 'USDC', amount: 3_000, from: [hub], to: depositAddress }, rand);
    expect(indirectAlerts([listed, ...busyInflows(rand), fromListed, deposit])).toEqual([]);
    const rand2 = prng(8);
    expect(indirectAlerts([listed, tokenLog('ethereum', USDC_ETH, SDN, hub, 1_500, T0 - 2 * DAY, rand2), transfer({ eventId: 'dep-hub', kind: 'deposit', time: T0 + HOUR, accountId: 'acct-hub-payee', chain: 'ethereum', asset: 'USDC', amount: 3_000, from: [hub], to: depositAddress }, rand2)])).toEqual(['acct-hub-payee']);
  });
});

describe('minHopUsd', () => {
  it('is the smaller of the floor and the share of the trigger, either alone when the other is missing', () => {
    expect(minHopUsd({ minTracedUsd: 1000, minTracedShare: 0.1 }, Decimal.fromNumber(5000))).toBe(500);
    expect(minHopUsd({ minTracedUsd: 1000, minTracedShare: 0.1 }, Decimal.fromNumber(50_000))).toBe(1000);
    expect(minHopUsd({ minTracedUsd: 1000, minTracedShare: 0.1 }, null)).toBe(1000);
    expect(minHopUsd({ minTracedShare: 0.1 }, Decimal.fromNumber(300))).toBe(30);
    expect(minHopUsd({}, Decimal.fromNumber(300))).toBe(0);
  });
});
