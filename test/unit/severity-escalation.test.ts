/**
 * An account is alerted again by a rule when its verdict rises to a severity the rule never gave
 * it: a device farm that grows to five accounts raises every member to high (typologies.md T5,
 * the rule's own "≥ 5 high"), where only the fifth account's alert was high before. A later,
 * lower verdict is not news.
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules } from '../helpers/sample.js';

const login = (account: string, day: number, device = 'dev-farm'): string => JSON.stringify({
  schema: 'exchange.login.v1', eventId: `farm-${account}-${day}`, occurredAt: `2025-03-${String(day).padStart(2, '0')}T09:00:00.000Z`, accountId: account, ip: `198.51.100.${day}`, ipCountry: 'US', vpn: false, deviceId: device,
});

describe('severity escalation', () => {
  it('raises every member of a device farm to high when it reaches five accounts, once, and not down again', () => {
    const pipeline = new Pipeline({ rules: rules(), labels: [] });
    const alerts = ['a', 'b', 'c', 'd', 'e'].flatMap((x, i) => pipeline.process(login(`acct-farm-${x}`, i + 1), { file: 'x', line: i + 1 }).alerts).filter((a) => a.ruleId === 'account-linkage.shared-device');
    const highest = new Map<string, string[]>();
    for (const a of alerts) highest.set(a.subject.accountId, [...(highest.get(a.subject.accountId) ?? []), a.severity]);
    for (const x of ['a', 'b', 'c', 'd']) expect(highest.get(`acct-farm-${x}`)!.at(-1), x).toBe('high');
    expect(highest.get('acct-farm-e')).toEqual(['high']);
    // A sixth login by a member (the group no larger) raises nobody again.
    const again = pipeline.process(login('acct-farm-a', 6), { file: 'x', line: 6 }).alerts.filter((a) => a.ruleId === 'account-linkage.shared-device');
    expect(again).toEqual([]);
  });
});
