/**
 * An exposure alert proves its label: where it came from, when it took effect, the confidence
 * its source gave, and whether it took effect only after the transfer (a look-back finding), for
 * an indirect hit as for a direct one (session 44 chain QA: an indirect alert named none of it).
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, evmAddress, prng, tokenLog, transfer, USDT_ETH } from '../../src/simulate/builders.js';
import { ofacLabels, rules } from '../helpers/sample.js';

const T0 = Date.UTC(2025, 2, 1);

function labelLine(address: string, at: number, confidence: number): string {
  return JSON.stringify({ schema: 'intel.label.v1', chain: 'ethereum', address, label: 'sanctioned', entity: 'Listed party', source: 'vendor-feed', confidence, observedAt: new Date(at).toISOString() });
}

function indirectAfter(labelAt: number, confidence = 1) {
  const rand = prng(61);
  const listed = evmAddress(rand);
  const sender = evmAddress(rand);
  const p = new Pipeline({ rules: rules() });
  p.process(tokenLog('ethereum', USDT_ETH, listed, sender, 9_000, T0 - 10 * DAY, rand), {});
  p.process(transfer({ eventId: 'dep-1', kind: 'deposit', time: T0, accountId: 'acct-1', chain: 'ethereum', asset: 'USDT', amount: 4_000, from: [sender], to: evmAddress(rand) }, rand), {});
  const alerts = p.process(labelLine(listed, labelAt, confidence), {}).alerts.filter((a) => a.ruleId === 'sanctions-exposure.indirect');
  expect(alerts).toHaveLength(1);
  return alerts[0]!;
}

describe('an indirect exposure alert proves its label', () => {
  it('names the source, when the label took effect and its confidence, and says when that was after the transfer', () => {
    const alert = indirectAfter(T0 + 60 * DAY, 0.05);
    expect(alert.evidence).toMatchObject({ hops: 1, source: 'vendor-feed', labelledFrom: '2025-04-30T00:00:00.000Z', confidence: 0.05, listedAfterTransfer: true, listedAt: '2025-04-30T00:00:00.000Z', transferAt: '2025-03-01T00:00:00.000Z' });
    expect(alert.explanation).toContain('source vendor-feed');
  });

  it('names the list edition of an OFAC SDN label, as the direct rule does', () => {
    const listed = ofacLabels().find((l) => l.key.startsWith('evm:') && l.record.label === 'sanctioned')!;
    const rand = prng(62);
    const sender = evmAddress(rand);
    const p = new Pipeline({ rules: rules(), labels: [listed] });
    p.process(tokenLog('ethereum', USDT_ETH, listed.key.slice('evm:'.length), sender, 9_000, T0 - 10 * DAY, rand), {});
    const alerts = p.process(transfer({ eventId: 'dep-2', kind: 'deposit', time: T0, accountId: 'acct-2', chain: 'ethereum', asset: 'USDT', amount: 4_000, from: [sender], to: evmAddress(rand) }, rand), {}).alerts;
    const indirect = alerts.filter((a) => a.ruleId === 'sanctions-exposure.indirect');
    expect(indirect).toHaveLength(1);
    expect(indirect[0]!.evidence).toMatchObject({ source: 'ofac-sdn', sdnUid: listed.record.detail!.sdnUid, list: listed.record.detail!.list });
    expect(String(indirect[0]!.evidence.list)).toMatch(/^OFAC SDN \d{4}-\d{2}-\d{2}$/);
  });

  it('says no look-back for a label in force at the transfer', () => {
    const alert = indirectAfter(T0 - 30 * DAY);
    expect(alert.evidence).toMatchObject({ source: 'vendor-feed', labelledFrom: '2025-01-30T00:00:00.000Z', confidence: 1, listedAfterTransfer: false });
    expect(alert.evidence).not.toHaveProperty('listedAt');
  });
});
