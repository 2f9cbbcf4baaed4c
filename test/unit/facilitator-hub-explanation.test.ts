/**
 * facilitator-hub v9 (session 48 review): the explanation dates the start of the salary-sized
 * deposits the destination is read against (v8: the first in 180 days). It said "a destination it
 * did not pay before those payments began", the 45-day window's, of a wallet first paid 85 days
 * before, with the account's first salary.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const lines = readFileSync(join(DEFAULT_RULES_DIR, 'dprk-it-payroll/cases/facilitator-hub-since-first-salary.jsonl'), 'utf8').split('\n').filter(Boolean);

describe('facilitator-hub explains which payments the destination is read against', () => {
  it('dates the first salary-sized deposit, not the 45-day window, for a wallet paid since the first salary', () => {
    const pipeline = new Pipeline({ rules });
    const alerts = lines.flatMap((line, i) => pipeline.process(line, { file: 'case', line: i + 1 }).alerts).filter((a) => a.ruleId === 'dprk-it-payroll.facilitator-hub');
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      const evidence = alert.evidence as Record<string, number>;
      expect(evidence.destinationFirstPaidDaysBefore).toBeGreaterThan(45);
      expect(alert.explanation).toContain(`a destination it did not pay before its salary-sized deposits began, ${evidence.paymentsSinceDays} days earlier.`);
    }
  });
});
