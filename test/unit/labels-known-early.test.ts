/**
 * A risk label dated after a transfer but read before it (chain or intel data ahead of the
 * exchange's) must reach the transfer's verdict as it does in event order, where the label's
 * arrival re-examines the transfer as of the label's time. Read first, the transfer was judged
 * as of its own time only and never again: with chain data a week ahead, half the issuer-freeze
 * and mixer findings of a simulated stream were lost.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, label, prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const T0 = Date.UTC(2025, 3, 1);
const destination = derivedEvm(51, 7);

function sanctionsAlerts(lines: string[]): string[] {
  const pipeline = new Pipeline({ rules });
  return lines.flatMap((line, i) => pipeline.process(line, { file: 'test', line: i + 1 }).alerts)
    .filter((a) => a.typology === 'sanctions-exposure')
    .map((a) => `${a.subject.accountId} ${a.ruleId}`);
}

describe('a label dated after a transfer, read before it', () => {
  const withdrawal = transfer({ eventId: 'wd-early', kind: 'withdrawal', time: T0, accountId: 'acct-early', chain: 'ethereum', asset: 'USDT', amount: 2_500, to: destination }, prng(4));
  const sanctioned = label('ethereum', destination, 'sanctioned', 'SDN entity', T0 + DAY);

  it('gives the transfer the alert it gets when the label comes after it', () => {
    const inOrder = sanctionsAlerts([withdrawal, sanctioned]);
    expect(inOrder.length).toBeGreaterThan(0);
    expect(sanctionsAlerts([sanctioned, withdrawal])).toEqual(inOrder);
  });

  it('does not judge a transfer again under a label dated before it (that one it saw when judged)', () => {
    const before = label('ethereum', destination, 'sanctioned', 'SDN entity', T0 - DAY);
    const alerts = sanctionsAlerts([before, withdrawal]);
    expect(new Set(alerts).size).toBe(alerts.length);
    expect(alerts.length).toBeGreaterThan(0);
  });
});
