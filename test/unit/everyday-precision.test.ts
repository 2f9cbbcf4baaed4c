/**
 * Issue #12's precision bar: on streams where most customers, planted accounts included, also pay
 * popular unlabelled services that sweep (some honest customers with a VPN, abroad or new), the
 * shipped rules keep account precision at medium and above >= 0.9 and miss no planted account.
 * Several seeds, none of which the rules were tuned on alone.
 */
import { describe, expect, it } from 'vitest';
import { simulateEveryday } from '../../src/simulate/everyday.js';
import { scoredReplay } from '../helpers/scored-replay.js';

describe('precision among ordinary customers who pay popular services', () => {
  for (const seed of [21, 22, 23]) {
    it(`seed ${seed}: precision >= 0.9, every planted typology found`, () => {
      const stream = simulateEveryday({ seed, scale: 2 });
      const serviceCustomers = stream.truth.benign.filter((a) => a.startsWith('acct-svc-')).length;
      expect(serviceCustomers).toBeGreaterThan(400);
      const { score } = scoredReplay(stream);
      for (const [typology, r] of Object.entries(score.recall)) expect(r.missed, typology).toEqual([]);
      expect(score.precision.precision, JSON.stringify(score.precision.wrong)).toBeGreaterThanOrEqual(0.9);
    }, 120_000);
  }

  it('without the hub conditions the same stream alerts service customers for consolidation (the test can fail)', async () => {
    const { Pipeline } = await import('../../src/pipeline/pipeline.js');
    const { rules, ofacLabels } = await import('../helpers/sample.js');
    const countOnly = rules().map((r) => (r.spec.id !== 'dprk-consolidation.fan-in' ? r : { ...r, spec: { ...r.spec, require: [{ signal: 'fanIn' }], alsoAlert: 'signals.fanIn.accountIds', alertListedOnly: false } }));
    const stream = simulateEveryday({ seed: 21, scale: 2 });
    const p = new Pipeline({ rules: countOnly, labels: ofacLabels() });
    const alerted = new Set(stream.lines.flatMap((l, i) => p.process(l, { line: i + 1 }).alerts).filter((a) => a.typology === 'dprk-consolidation' && a.severity !== 'low').map((a) => a.subject.accountId));
    expect([...alerted].filter((a) => a.startsWith('acct-svc-')).length).toBeGreaterThan(10);
  }, 120_000);
});

describe('extortion in any asset, with the onward evidence arriving late (issue #12 part 3)', () => {
  /** Exchange messages first, then every chain and intel message: all on-chain evidence is late. */
  const evidenceLast = (lines: string[]): string[] => [...lines.filter((l) => l.includes('"schema":"exchange.')), ...lines.filter((l) => !l.includes('"schema":"exchange.'))];

  for (const seed of [31, 32]) {
    it(`seed ${seed}: every planted extortion payment raises a medium or higher alert, in order and with evidence last`, () => {
      const stream = simulateEveryday({ seed, scale: 3, services: 10 });
      const planted = Object.entries(stream.truth.accounts).filter(([, t]) => t.includes('extortion-payment')).map(([a]) => a);
      expect(planted.length).toBe(6);
      for (const lines of [stream.lines, evidenceLast(stream.lines)]) {
        const { score } = scoredReplay({ lines, truth: stream.truth });
        expect(score.recall['extortion-payment']!.missed).toEqual([]);
      }
    }, 180_000);
  }
});
