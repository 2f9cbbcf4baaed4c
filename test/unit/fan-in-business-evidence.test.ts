/**
 * A consolidation alert shows the figures its rule read: with a business among a cluster's payers,
 * `fan-in` v10 judges the other payers' median sum and payment, so v11's evidence carries them and
 * the business count beside the median over every payer (which alone was not what raised it).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { rules, rulesDir } from '../helpers/sample.js';

const CASE = `${rulesDir}/dprk-consolidation/cases/fan-in-workers-and-business-payer-positive.jsonl`;

function fanInAlerts() {
  const p = new Pipeline({ rules: rules() });
  const lines = readFileSync(CASE, 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.flatMap((line) => p.process(line, {}).alerts).filter((a) => a.ruleId === 'dprk-consolidation.fan-in');
}

describe('fan-in evidence with a business among the payers', () => {
  it('names the business payers left out and the other payers\' medians, which differ from the median over all', () => {
    const alerts = fanInAlerts();
    expect(alerts.length).toBeGreaterThan(0);
    const withBusiness = alerts.filter((a) => a.evidence.businessPayers === 1);
    expect(withBusiness.length).toBeGreaterThan(0);
    for (const a of withBusiness) {
      const individual = Number(a.evidence.individualMedianUsdPerPayer);
      expect(individual).toBeGreaterThanOrEqual(3000);
      expect(Number(a.evidence.individualMedianPaymentUsd)).toBeGreaterThanOrEqual(2500);
      expect(individual).not.toBe(Number(a.evidence.medianUsdPerPayer));
    }
  });
});
