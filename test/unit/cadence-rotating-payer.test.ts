/**
 * A payroll platform pays from many hot wallets that no clustering heuristic joins, each carrying
 * the platform's label and entity. A worker paid monthly from a different one each time is on a
 * salary cadence all the same (QA: missed, because payments were grouped by payer cluster alone).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, HOUR, label, prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const T0 = Date.UTC(2025, 0, 5);
const account = 'acct-rotating-pay';
const vpn = { ip: '198.51.100.7', ipCountry: 'US', vpn: true, vpnProvider: 'Astrill' };

/** Four monthly 4,000 USDC salaries, each from another address, each forwarded 92% within a day over a VPN. */
function stream(labelled: boolean, entities: readonly string[] = ['PayCo']): string[] {
  const rand = prng(11);
  const lines: string[] = [];
  for (let m = 0; m < 4; m++) {
    const payer = derivedEvm(91, m);
    if (labelled) lines.push(label('ethereum', payer, 'payroll-platform', entities[m % entities.length]!, T0 - DAY));
  }
  for (let m = 0; m < 4; m++) {
    const t = T0 + m * 30 * DAY;
    lines.push(transfer({ eventId: `sal-${m}`, kind: 'deposit', time: t, accountId: account, chain: 'ethereum', asset: 'USDC', amount: 4_000, from: [derivedEvm(91, m)], to: derivedEvm(92, 1) }, rand));
    lines.push(transfer({ eventId: `fwd-${m}`, kind: 'withdrawal', time: t + 6 * HOUR, accountId: account, chain: 'ethereum', asset: 'USDC', amount: 3_680, to: derivedEvm(93, m), session: vpn }, rand));
  }
  return lines;
}

function payrollAlerts(lines: string[]): string[] {
  const pipeline = new Pipeline({ rules });
  return lines.flatMap((line, i) => pipeline.process(line, { file: 't', line: i + 1 }).alerts).filter((a) => a.ruleId === 'dprk-it-payroll.cadence-forward').map((a) => a.subject.accountId);
}

describe('a salary cadence from a payroll platform that pays from rotating addresses', () => {
  it('is one payer when every address carries the platform as its entity', () => {
    expect(payrollAlerts(stream(true))).toContain(account);
  });

  it('is four payers when nothing ties the addresses together, or when they belong to different entities', () => {
    expect(payrollAlerts(stream(false))).toEqual([]);
    expect(payrollAlerts(stream(true, ['PayCo', 'OtherPay']))).toEqual([]);
  });
});
