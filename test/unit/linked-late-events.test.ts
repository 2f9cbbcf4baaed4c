/**
 * An event that arrives after later events of other accounts on its device or IP: their linkage
 * was counted without it, so the nearest of them are judged again (as an account's own later
 * events are, late-account-events.test.ts). Five withdrawals from one device within 4 s, read
 * shuffled, alerted three accounts and none high; in order, all five and a high.
 */
import { describe, expect, it } from 'vitest';
import { verdictsInOrder } from '../helpers/verdicts.js';

const withdrawal = (letter: string, second: number): string => JSON.stringify({
  schema: 'exchange.transfer.v1', eventId: `farm-w-${letter}`, kind: 'withdrawal', status: 'completed', occurredAt: `2025-03-01T03:00:0${second}.000Z`, accountId: `acct-farm-${letter}`,
  chain: 'ethereum', asset: 'USDC', amount: '250.00', usdValue: 250, txHash: `0x${String(second).repeat(64)}`, from: [], to: `0x${(second + 1).toString(16).repeat(40)}`,
  customer: { type: 'individual', kycCountry: 'US', createdAt: '2024-06-01T00:00:00.000Z' }, session: { ip: `198.51.100.${second + 1}`, ipCountry: 'US', vpn: false, deviceId: 'dev-farm-shared' },
});

const messages = [0, 1, 2, 3, 4].map((second) => withdrawal('abcde'[second]!, second));
const verdicts = (order: number[]): Record<string, string> => verdictsInOrder(messages, order, 'account-linkage.shared-device');

describe('events of other accounts on a device, read out of order', () => {
  it('give the verdicts of event order, whatever the order they are read in', () => {
    const inOrder = verdicts([0, 1, 2, 3, 4]);
    expect(Object.keys(inOrder).sort()).toEqual(['acct-farm-a', 'acct-farm-b', 'acct-farm-c', 'acct-farm-d', 'acct-farm-e']);
    expect(Object.values(inOrder).every((s) => s === 'high')).toBe(true);
    for (const shuffled of [[4, 2, 0, 3, 1], [4, 3, 2, 1, 0], [2, 4, 0, 1, 3]]) expect(verdicts(shuffled), shuffled.join('')).toEqual(inOrder);
  });
});
