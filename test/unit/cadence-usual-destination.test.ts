/**
 * typologies.md T3, signal 3: salary forwarded "to an external address that is not the
 * customer's usual personal destination". A customer who moves each monthly salary over a VPN
 * to the wallet it withdrew to before the salaries began is paying itself; a worker who forwards
 * every salary to one address it first paid after the first salary is the pattern (QA: the rule
 * alerted both at medium).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, HOUR, prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const T0 = Date.UTC(2025, 0, 5);
const account = 'acct-own-wallet';
// Astrill: since cadence-forward v5 the one VPN that counts as a second factor (T6).
const vpn = { ip: '198.51.100.7', ipCountry: 'US', vpn: true, vpnProvider: 'Astrill' };
const employer = derivedEvm(71, 0);
const wallet = derivedEvm(72, 0);

/** Four monthly 4,000 USDC salaries from one employer, each 92% forwarded to `wallet` within 6 h over a VPN; optionally a withdrawal to the wallet a week before the first salary. */
function stream(usedBefore: boolean, firstUse = -7 * DAY): string[] {
  const rand = prng(5);
  const lines: string[] = [];
  if (usedBefore) lines.push(transfer({ eventId: 'own-0', kind: 'withdrawal', time: T0 + firstUse, accountId: account, chain: 'ethereum', asset: 'USDC', amount: 250, to: wallet }, rand));
  for (let m = 0; m < 4; m++) {
    const t = T0 + m * 30 * DAY;
    lines.push(transfer({ eventId: `sal-${m}`, kind: 'deposit', time: t, accountId: account, chain: 'ethereum', asset: 'USDC', amount: 4_000, from: [employer], to: derivedEvm(73, 0) }, rand));
    lines.push(transfer({ eventId: `fwd-${m}`, kind: 'withdrawal', time: t + 6 * HOUR, accountId: account, chain: 'ethereum', asset: 'USDC', amount: 3_680, to: wallet, session: vpn }, rand));
  }
  return lines.sort((a, b) => Date.parse(JSON.parse(a).occurredAt) - Date.parse(JSON.parse(b).occurredAt));
}

function payrollAlerts(lines: string[]): string[] {
  const pipeline = new Pipeline({ rules });
  return lines.flatMap((line, i) => pipeline.process(line, { file: 't', line: i + 1 }).alerts).filter((a) => a.ruleId === 'dprk-it-payroll.cadence-forward').map((a) => a.subject.accountId);
}

describe('salary forwarded over a VPN (cadence-forward)', () => {
  it('alerts when the destination was first paid after the salaries began (one consolidation address every month)', () => {
    expect(payrollAlerts(stream(false)).length).toBeGreaterThan(0);
  });

  it('does not alert when the destination is the wallet the account withdrew to before the first salary', () => {
    expect(payrollAlerts(stream(true))).toEqual([]);
  });

  it('alerts when the account first paid the destination between the first salary and the forwards', () => {
    expect(payrollAlerts(stream(true, 2 * DAY)).length).toBeGreaterThan(0);
  });
});
