/**
 * The operators common-funder and predecessor declare their facts (SIGNAL_FACTS), so the loader
 * refuses a rule that reads a misspelt one, at its line, instead of loading a rule that prints "?"
 * or never fires.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleSet, RuleSetError } from '../../src/engine/loader.js';
import { rulesDir } from '../helpers/sample.js';

/** The shipped rule with one text replaced, alone in a rule directory; the loader's refusal reasons. */
function reasonsFor(rule: string, from: string, to: string): string[] {
  const text = readFileSync(join(rulesDir, rule), 'utf8');
  expect(text).toContain(from);
  const dir = mkdtempSync(join(tmpdir(), 'tw-facts-'));
  mkdirSync(join(dir, 'x'));
  writeFileSync(join(dir, 'x', 'rule.yaml'), text.replace(from, to));
  try {
    loadRuleSet(dir);
  } catch (err) {
    if (!(err instanceof RuleSetError)) throw err;
    return err.errors.map((e) => `${e.line}: ${e.reason}`);
  }
  return [];
}

describe('facts of the new signal operators are checked at load', () => {
  it('the shipped rules using them load', () => {
    const ids = loadRuleSet(rulesDir).map((r) => r.spec.id);
    expect(ids).toEqual(expect.arrayContaining(['common-funder.gas-funding', 'fan-out-dispersal.disperser', 'dprk-it-payroll.persona-rotation']));
  });

  it('loads a payer-risk signal that leaves out valueOf (not read as Object.prototype.valueOf)', () => {
    const rotation = loadRuleSet(rulesDir).find((r) => r.spec.id === 'dprk-it-payroll.persona-rotation')!;
    expect(rotation.spec.signals.predecessorRisk).toMatchObject({ op: 'payer-risk', accounts: 'signals.rotation.accountIds' });
    expect(rotation.spec.signals.predecessorRisk).not.toHaveProperty('valueOf', expect.any(String));
  });

  it('refuses a misspelt common-funder fact in evidence, suggesting the right one', () => {
    const reasons = reasonsFor('common-funder/gas-funding.yaml', 'fundedAddresses: signals.funder.fundedAddresses', 'fundedAddresses: signals.funder.fundedAdresses');
    expect(reasons).toEqual([expect.stringMatching(/^\d+: evidence\.fundedAddresses: .*signal funder \(common-funder\) has no fact fundedAdresses; did you mean fundedAddresses\?$/)]);
  });

  it('refuses a misspelt predecessor fact in explain', () => {
    const reasons = reasonsFor('dprk-it-payroll/persona-rotation.yaml', '{signals.rotation.silentDays}', '{signals.rotation.silentDay}');
    expect(reasons).toEqual([expect.stringMatching(/signal rotation \(predecessor\) has no fact silentDay; did you mean silentDays\?$/)]);
  });
});
