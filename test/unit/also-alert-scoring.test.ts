/**
 * An alert a rule raises for another account than its trigger's (`alsoAlert`) is scored on that
 * account's own newest evidence transfer, as it is explained: QA found the extortion victims of
 * the sample (businesses that never used a VPN) scored and noted "withdrawal session over a VPN",
 * read from the trigger's transfer.
 */
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules, sampleLines } from '../helpers/sample.js';

describe('alerts for accounts named by alsoAlert', () => {
  it('take no modifier from another account\'s session', () => {
    const lines = sampleLines();
    const vpnAccounts = new Set<string>();
    for (const line of lines) {
      const m = JSON.parse(line) as { accountId?: string; vpn?: boolean; session?: { vpn?: boolean } };
      if (m.accountId && (m.vpn === true || m.session?.vpn === true)) vpnAccounts.add(m.accountId);
    }
    const pipeline = new Pipeline({ rules: rules() });
    const alerts = lines.flatMap((l, i) => pipeline.process(l, { file: 'sample', line: i + 1 }).alerts);
    const claimsVpn = alerts.filter((a) => ((a.evidence.modifiers as string[] | undefined) ?? []).some((n) => /VPN/.test(n)));
    expect(claimsVpn.length).toBeGreaterThan(0);
    expect(claimsVpn.filter((a) => !vpnAccounts.has(a.subject.accountId)).map((a) => `${a.ruleId} ${a.subject.accountId}`)).toEqual([]);
  });
});
