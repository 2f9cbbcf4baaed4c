/**
 * Withdrawals of other accounts to one external cluster, read out of event order: a fan-in
 * counted its payers without the late one, so the nearest later transfers to that cluster are
 * judged again (pipeline.judgeLaterTouchesAgain). Five risky accounts paying one hub within 5 s,
 * read in reverse, gave no fan-in alert at all; in order, all five accounts end high.
 */
import { describe, expect, it } from 'vitest';
import { verdictsInOrder } from '../helpers/verdicts.js';

const HUB = `0x${'ab'.repeat(20)}`;

const withdrawal = (letter: string, second: number): string => JSON.stringify({
  schema: 'exchange.transfer.v1', eventId: `hub-w-${letter}`, kind: 'withdrawal', status: 'completed', occurredAt: `2025-03-01T03:00:0${second}.000Z`, accountId: `acct-hub-${letter}`,
  chain: 'ethereum', asset: 'USDC', amount: '3000.00', usdValue: 3000, txHash: `0x${String(second).repeat(64)}`, from: [], to: HUB,
  customer: { type: 'individual', kycCountry: 'US', createdAt: '2025-02-01T00:00:00.000Z' }, session: { ip: `198.51.100.${second + 1}`, ipCountry: 'KP', vpn: true, deviceId: `dev-${letter}` },
});

const messages = [0, 1, 2, 3, 4].map((second) => withdrawal('abcde'[second]!, second));
const verdicts = (order: number[]): Record<string, string> => verdictsInOrder(messages, order, 'dprk-consolidation.fan-in');

describe('withdrawals of several accounts to one cluster, read out of order', () => {
  it('give the fan-in verdicts of event order, whatever the order they are read in', () => {
    const inOrder = verdicts([0, 1, 2, 3, 4]);
    expect(inOrder).toEqual({ 'acct-hub-a': 'high', 'acct-hub-b': 'high', 'acct-hub-c': 'high', 'acct-hub-d': 'high', 'acct-hub-e': 'high' });
    for (const shuffled of [[4, 3, 2, 1, 0], [4, 2, 0, 3, 1], [2, 4, 0, 1, 3], [1, 0, 2, 4, 3]]) expect(verdicts(shuffled), shuffled.join('')).toEqual(inOrder);
  });
});
