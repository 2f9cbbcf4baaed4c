/**
 * An alert's evidence is read when the alert is made (snapshotEvidence): a result's lazy facts
 * (here a failing `distinct-payers` count's cluster names) and a whole signal result named by an
 * evidence path must not change when later messages merge the clusters they name before a sink
 * serialises the alert.
 */
import { describe, expect, it } from 'vitest';
import { parseRuleText } from '../../src/engine/loader.js';
import { snapshotEvidence } from '../../src/engine/evidence-snapshot.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { bitcoinTx, btcAddress, HOUR, prng, transfer } from '../../src/simulate/builders.js';
import { Decimal } from '../../src/money/decimal.js';

const RULE = `
id: test.evidence-snapshot
version: 1
typology: dprk-it-payroll
title: every withdrawal, showing its account's payers
sources: ["test"]
on: [withdrawal]
signals:
  employers:
    op: distinct-payers
    within: 30d
    pass: { gte: 2 }
require:
  - any:
      - employers
      - { field: event.amount, gte: 0 }
score: { base: 60 }
severity: { critical: 95, high: 75, medium: 50 }
evidence:
  employers: signals.employers
explain: "{event.accountId} withdrew."
`;

describe('alert evidence is read when the alert is made', () => {
  it('a failing distinct-payers count named whole keeps the cluster names it had, after a merge renames the payer cluster', () => {
    const { rule, errors } = parseRuleText(RULE, 'test.yaml');
    expect(errors).toEqual([]);
    const p = new Pipeline({ rules: [rule!] });
    const rand = prng(3);
    const t0 = Date.parse('2025-03-01T00:00:00Z');
    // The payer's address and one that sorts before it: a co-spend of both renames the payer's
    // cluster after the smaller key.
    const [a, b] = [btcAddress(rand), btcAddress(rand)].sort();
    const payer = b!;
    const smaller = a!;
    p.process(transfer({ eventId: 'dep-1', kind: 'deposit', time: t0, accountId: 'acct-1', chain: 'bitcoin', asset: 'BTC', amount: 0.02, from: [payer], to: btcAddress(rand), decimals: 8 }, rand), { line: 1 });
    const alerts = p.process(transfer({ eventId: 'wd-1', kind: 'withdrawal', time: t0 + HOUR, accountId: 'acct-1', chain: 'bitcoin', asset: 'BTC', amount: 0.01, to: btcAddress(rand), decimals: 8 }, rand), { line: 2 }).alerts;
    expect(alerts).toHaveLength(1);
    const nameThen = p.graph.clusterName(p.graph.id(`btc:${payer}`));
    // Read nothing of the alert yet: a sink serialises it after the next messages.
    p.process(bitcoinTx([{ address: payer, sats: 50_000 }, { address: smaller, sats: 50_000 }], [{ address: btcAddress(rand), sats: 90_000 }], t0 + 2 * HOUR, rand), { line: 3 });
    expect(p.graph.clusterName(p.graph.id(`btc:${payer}`)), 'the merge renamed the payer cluster').not.toBe(nameThen);
    const shown = JSON.parse(JSON.stringify(alerts[0]!.evidence)) as { employers: { ok: boolean; value: number; facts: { payerClusters: string[] }; payerClusters: string[] } };
    expect(shown.employers.ok).toBe(false);
    expect(shown.employers.value).toBe(1);
    expect(shown.employers.payerClusters).toEqual([nameThen]);
    expect(shown.employers.facts.payerClusters).toEqual([nameThen]);
  });

  it('copies plain objects and arrays with their getters read, in key order, and keeps other objects as they are', () => {
    let reads = 0;
    const amount = Decimal.parse('12.50');
    const source = { a: 1, get b() { reads++; return [{ c: amount }]; }, d: new Date(0) };
    const copy = snapshotEvidence(source) as typeof source;
    expect(reads).toBe(1);
    expect(Object.keys(copy)).toEqual(['a', 'b', 'd']);
    expect(Object.getOwnPropertyDescriptor(copy, 'b')!.get).toBeUndefined();
    expect(copy.b[0]!.c).toBe(amount);
    expect(copy.d).toBe(source.d);
    expect(JSON.stringify(copy)).toBe(JSON.stringify({ a: 1, b: [{ c: amount }], d: new Date(0) }));
  });
});
