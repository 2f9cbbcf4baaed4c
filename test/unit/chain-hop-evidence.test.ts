/**
 * chain-hop.asset-switch names why it fired: toward a labelled cluster (its label and path), or
 * toward an unlabelled cluster that looks like a laundering hub, where the evidence now says how
 * many accounts paid it, which carry risk of their own and the median each sent (session 40 QA:
 * the evidence held only the cluster's name). A payer-risk signal whose accounts are not there (the
 * hub's fan-in did not hold) gives no facts, so a toward alert shows no median of 0 over no payers.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/contract/schemas.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { simulate } from '../../src/simulate/scenarios.js';
import { rules } from '../helpers/sample.js';

function chainHops(seed: number, scale: number): Alert[] {
  const { lines } = simulate({ seed, scale });
  const p = new Pipeline({ rules: rules() });
  return lines.flatMap((l, i) => p.process(l, { file: 's', line: i + 1 }).alerts).filter((a) => a.ruleId === 'chain-hop.asset-switch');
}

describe('chain-hop evidence', () => {
  it('shows a laundering hub\'s payers and median when that branch fired, and nothing of them when a label did', () => {
    const alerts = chainHops(44, 2);
    const hub = alerts.filter((a) => a.evidence.launderingCluster !== undefined);
    const labelled = alerts.filter((a) => a.evidence.towardLabel !== undefined);
    expect(hub.length).toBeGreaterThan(0);
    expect(labelled.length).toBeGreaterThan(0);
    for (const a of hub) {
      expect(a.evidence.launderingAccounts as number).toBeGreaterThanOrEqual(3);
      expect(a.evidence.launderingRiskyPayers).toEqual(expect.any(Array));
      expect(Number(a.evidence.launderingMedianUsdPerAccount)).toBeGreaterThan(0);
    }
    for (const a of labelled.filter((x) => x.evidence.launderingCluster === undefined)) {
      expect(a.evidence).not.toHaveProperty('launderingMedianUsdPerAccount');
      expect(a.evidence).not.toHaveProperty('launderingRiskyPayers');
    }
  });
});
