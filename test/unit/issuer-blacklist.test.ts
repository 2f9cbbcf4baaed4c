/**
 * Stablecoin issuer blacklist logs (Tether AddedBlackList/RemovedBlackList with the address in
 * data, Circle Blacklisted/UnBlacklisted with it indexed) become `issuer-blacklisted` labels with
 * history; any other log stays ignored. A blacklisting after a deposit re-scores the deposit.
 */
import { id } from 'ethers';
import { describe, expect, it } from 'vitest';
import { BLACKLIST_TOPICS } from '../../src/chain/issuer-blacklist.js';
import { decodeMessage } from '../../src/decode/decode.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { blacklistLog } from '../../src/simulate/exposure-scenarios.js';
import { prng, transfer, USDC_ETH, USDT_ETH, USDT_TRON, DAY } from '../../src/simulate/builders.js';
import { rules } from '../helpers/sample.js';

const X = '0x1111111111111111111111111111111111111111';
const TRON_X = 'TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW';
const T0 = Date.UTC(2025, 2, 1);

function decodeLog(line: string) {
  const r = decodeMessage(line);
  if (!r.ok) throw new Error(r.reject.reason);
  return r.event;
}

describe('issuer blacklist logs', () => {
  it('uses the topic hashes of the issuers\' event signatures', () => {
    expect(BLACKLIST_TOPICS.AddedBlackList).toBe(id('AddedBlackList(address)'));
    expect(BLACKLIST_TOPICS.AddedBlackList).toBe('0x42e160154868087d6bfdc0ca23d96a1c1cfa32f1b72ba9ba27b69b98a0d819dc');
    expect(BLACKLIST_TOPICS.Blacklisted).toBe('0xffa4e6181777692565cf28528fc88fd1516ea86b56da075235fa575af6a4b855');
  });

  it('decodes Tether AddedBlackList (address in data) into a label from the block time', () => {
    const event = decodeLog(blacklistLog('ethereum', USDT_ETH, 'AddedBlackList', X, T0, prng(1)));
    expect(event.type).toBe('label');
    if (event.type !== 'label') return;
    expect(event.key).toBe(`evm:${X}`);
    expect(event.time).toBe(T0);
    expect(event.msg).toMatchObject({ label: 'issuer-blacklisted', source: 'tether:AddedBlackList', observedAt: new Date(T0).toISOString() });
    expect(event.msg.removed).toBeUndefined();
    expect(event.detail).toMatchObject({ issuer: 'tether', event: 'AddedBlackList', contract: USDT_ETH });
  });

  it('decodes Circle Blacklisted (address indexed) and Tron USDT AddedBlackList', () => {
    const circle = decodeLog(blacklistLog('ethereum', USDC_ETH, 'Blacklisted', X, T0, prng(2)));
    expect(circle).toMatchObject({ type: 'label', key: `evm:${X}`, msg: { source: 'circle:Blacklisted' } });
    const tron = decodeLog(blacklistLog('tron', USDT_TRON, 'AddedBlackList', TRON_X, T0, prng(3)));
    expect(tron).toMatchObject({ type: 'label', key: `tron:${TRON_X}`, msg: { source: 'tether:AddedBlackList', address: TRON_X } });
  });

  it('a removal carries the listing\'s source, so it closes that label', () => {
    const removal = decodeLog(blacklistLog('ethereum', USDC_ETH, 'UnBlacklisted', X, T0, prng(4)));
    expect(removal).toMatchObject({ type: 'label', msg: { source: 'circle:Blacklisted', removed: true } });
    const p = new Pipeline({ rules: [] });
    p.process(blacklistLog('ethereum', USDT_ETH, 'AddedBlackList', X, T0, prng(5)), {});
    p.process(blacklistLog('ethereum', USDT_ETH, 'RemovedBlackList', X, T0 + 10 * DAY, prng(6)), {});
    const xid = p.graph.id(`evm:${X}`);
    expect(p.graph.labels.labelsAt(xid, T0 + DAY).map((l) => l.label)).toEqual(['issuer-blacklisted']);
    expect(p.graph.labels.labelsAt(xid, T0 + 11 * DAY)).toEqual([]);
  });

  it('ignores, never rejects, other logs and blacklist events from contracts that are not the issuer\'s', () => {
    const copycat = decodeMessage(blacklistLog('ethereum', '0x2222222222222222222222222222222222222222', 'AddedBlackList', X, T0, prng(7)));
    expect(copycat).toMatchObject({ ok: true, event: { type: 'ignored' } });
    // Tether's event with the address indexed instead of in data is not Tether's event.
    const wrongShape = JSON.parse(blacklistLog('ethereum', USDT_ETH, 'AddedBlackList', X, T0, prng(8)));
    wrongShape.topics.push(wrongShape.data);
    wrongShape.data = '0x';
    expect(decodeMessage(JSON.stringify(wrongShape))).toMatchObject({ ok: true, event: { type: 'ignored' } });
    const other = { ...wrongShape, topics: ['0x' + 'ab'.repeat(32)], data: '0x' };
    expect(decodeMessage(JSON.stringify(other))).toMatchObject({ ok: true, event: { type: 'ignored' } });
  });

  it('a blacklisting days after a deposit re-scores the deposit (late evidence); one lifted before the deposit does not', () => {
    const rand = prng(9);
    const p = new Pipeline({ rules: rules() });
    const Y = '0x3333333333333333333333333333333333333333';
    const deposit = (eventId: string, from: string, at: number) => transfer({ eventId, kind: 'deposit', time: at, accountId: `acct-${eventId}`, chain: 'ethereum', asset: 'USDT', amount: 5000, from: [from], to: '0x4444444444444444444444444444444444444444' }, rand);
    expect(p.process(deposit('early', X, T0), {}).alerts).toEqual([]);
    const late = p.process(blacklistLog('ethereum', USDT_ETH, 'AddedBlackList', X, T0 + 7 * DAY, rand), {}).alerts.filter((a) => a.typology === 'issuer-blacklist');
    expect(late.map((a) => [a.subject.accountId, a.severity])).toEqual([['acct-early', 'high']]);
    expect(late[0]!.evidence).toMatchObject({ direct: true, source: 'tether:AddedBlackList', graphChange: expect.anything() });

    p.process(blacklistLog('ethereum', USDT_ETH, 'AddedBlackList', Y, T0 + 8 * DAY, rand), {});
    p.process(blacklistLog('ethereum', USDT_ETH, 'RemovedBlackList', Y, T0 + 9 * DAY, rand), {});
    expect(p.process(deposit('after-removal', Y, T0 + 10 * DAY), {}).alerts.filter((a) => a.typology === 'issuer-blacklist')).toEqual([]);
  });
});
