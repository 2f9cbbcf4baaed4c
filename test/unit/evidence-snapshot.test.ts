/**
 * An alert's evidence is read when the alert is made (snapshotEvidence): a signal result named
 * whole by an evidence path carries getters (a fan-in's `addresses`, computed from the graph when
 * read), and an alert is serialised by a sink after later messages have changed the graph. The
 * evidence an alert holds must be plain data.
 */
import { describe, expect, it } from 'vitest';
import { parseRuleText } from '../../src/engine/loader.js';
import { snapshotEvidence } from '../../src/engine/evidence-snapshot.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { evmAddress, HOUR, prng, transfer } from '../../src/simulate/builders.js';
import { Decimal } from '../../src/money/decimal.js';
import { displayAddress } from '../../src/chain/address.js';

const RULE = `
id: test.evidence-snapshot
version: 1
typology: dprk-consolidation
title: every withdrawal, showing who paid its destination
sources: ["test"]
on: [withdrawal]
signals:
  fanIn:
    op: fan-in
    within: 30d
    kinds: [withdrawal]
    pass: { gte: 1 }
require:
  - fanIn
score: { base: 60 }
severity: { critical: 95, high: 75, medium: 50 }
evidence:
  fanIn: signals.fanIn
explain: "{event.accountId} withdrew."
`;

/** Paths of every accessor property in a value (plain objects and arrays, as JSON would walk them). */
function accessors(value: unknown, path = '$'): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => accessors(v, `${path}[${i}]`));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return [];
  return Object.keys(value).flatMap((k) => {
    const d = Object.getOwnPropertyDescriptor(value, k)!;
    return d.get ? [`${path}.${k}`] : accessors(d.value, `${path}.${k}`);
  });
}

describe('alert evidence is read when the alert is made', () => {
  it('a fan-in result named whole is held as plain data, its lazily computed addresses read already', () => {
    const { rule, errors } = parseRuleText(RULE, 'test.yaml');
    expect(errors).toEqual([]);
    const p = new Pipeline({ rules: [rule!] });
    const rand = prng(5);
    const t0 = Date.parse('2025-03-01T00:00:00Z');
    const destination = evmAddress(rand);
    const alerts = [1, 2].flatMap((k) => p.process(transfer({ eventId: `wd-${k}`, kind: 'withdrawal', time: t0 + k * HOUR, accountId: `acct-${k}`, chain: 'ethereum', asset: 'USDT', amount: 100, to: destination, decimals: 2 }, rand), { line: k }).alerts);
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      expect(accessors(alert.evidence)).toEqual([]);
      const shown = alert.evidence.fanIn as { ok: boolean; addresses: string[]; facts: { addresses: string[] } };
      expect(shown.ok).toBe(true);
      expect(shown.addresses).toEqual([displayAddress(`evm:${destination.toLowerCase()}`)]);
      expect(shown.facts.addresses).toEqual(shown.addresses);
    }
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

const DAYS_RULE = `
id: test.evidence-days
version: 1
typology: dprk-consolidation
title: a second withdrawal to one address, showing how long ago the first was
sources: ["test"]
on: [withdrawal]
signals:
  before:
    op: fresh
    within: 400d
require:
  - { field: signals.before.firstPaidDaysBefore, gte: 1.5 }
score: { base: 60 }
severity: { critical: 95, high: 75, medium: 50 }
evidence:
  paidDaysBefore: signals.before.firstPaidDaysBefore
  seenDaysBefore: signals.before.firstSeenDaysBefore
explain: "{event.accountId} paid {counterparty.addresses} {signals.before.firstPaidDaysBefore} days before."
`;

describe('day counts in evidence', () => {
  it('show two places, while the condition compares the exact count', () => {
    const { rule, errors } = parseRuleText(DAYS_RULE, 'test.yaml');
    expect(errors).toEqual([]);
    const p = new Pipeline({ rules: [rule!] });
    const rand = prng(9);
    const t0 = Date.parse('2025-03-01T00:00:00Z');
    const destination = evmAddress(rand);
    // 1 day 12 h 7 min 13 s apart: 1.5050115… days, over the 1.5 the rule asks by a hair.
    const gap = 1.5 * 24 * HOUR + 7 * 60_000 + 13_000;
    const alerts = [0, gap].flatMap((dt, k) => p.process(transfer({ eventId: `wd-${k}`, kind: 'withdrawal', time: t0 + dt, accountId: 'acct-1', chain: 'ethereum', asset: 'USDT', amount: 100, to: destination, decimals: 2 }, rand), { line: k }).alerts);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.evidence.paidDaysBefore).toBe(1.51);
    expect(alerts[0]!.evidence.seenDaysBefore).toBe(1.5);
  });
});
