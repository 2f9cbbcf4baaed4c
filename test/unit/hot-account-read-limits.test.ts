/**
 * A hot account (a payment processor's, a market maker's: a transfer every few seconds) must not
 * make each of its events cost a pass over its whole retained history (up to 5,000 items) per
 * signal. The scanning signals read only the newest WINDOW_READ_LIMIT items of their window
 * (src/engine/read-limits.ts); an account with fewer items in the window is judged as before.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleSet } from '../../src/engine/loader.js';
import { WINDOW_READ_LIMIT } from '../../src/engine/read-limits.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { derivedEvm } from '../../src/simulate/derived.js';
import { prng, transfer } from '../../src/simulate/builders.js';

const HEADER = `version: 1
typology: pass-through
title: read-limit probe
sources: ["test"]
on: [withdrawal]
score: { base: 30 }
severity: { critical: 95, high: 75, medium: 50 }
explain: "{event.accountId}"
`;

/** A one-rule set in a directory of its own. */
function ruleSet(id: string, signals: string): ReturnType<typeof loadRuleSet> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-read-limit-'));
  mkdirSync(join(dir, 'probe'));
  writeFileSync(join(dir, 'probe', 'rule.yaml'), `id: ${id}\n${HEADER}signals:\n${signals}require: [probe]\n`);
  return loadRuleSet(dir);
}

const T0 = Date.UTC(2025, 3, 1);
const MINUTE = 60_000;
const customer = { type: 'individual' as const, kycCountry: 'US', createdAt: '2024-01-01T00:00:00.000Z' };

/** The account's transfers: one inflow of `big` USD, then `small` one-dollar deposits from one payer, then a withdrawal of 9,500 USD. */
function hotAccountLines(small: number, bigFrom: (n: number) => string): string[] {
  const rand = prng(3);
  const base = { accountId: 'acct-hot', chain: 'ethereum', asset: 'USDT', customer };
  const lines = [transfer({ ...base, eventId: 'big', kind: 'deposit', time: T0, amount: 10_000, from: [bigFrom(0)], to: derivedEvm(2, 1) }, rand)];
  for (let i = 0; i < small; i++) lines.push(transfer({ ...base, eventId: `small-${i}`, kind: 'deposit', time: T0 + MINUTE + i * 1000, amount: 1, from: [bigFrom(1)], to: derivedEvm(2, 1) }, rand));
  lines.push(transfer({ ...base, eventId: 'out', kind: 'withdrawal', status: 'completed', time: T0 + 6 * 3_600_000, amount: 9_500, to: derivedEvm(3, 1) }, rand));
  return lines;
}

function alertsOf(rules: ReturnType<typeof loadRuleSet>, lines: string[]): string[] {
  const p = new Pipeline({ rules });
  const out: string[] = [];
  for (const line of lines) for (const a of p.process(line, { file: 'hot-account', line: 0 }).alerts) out.push(a.ruleId);
  return out;
}

describe('scanning signals read a bounded part of a hot account\'s window', () => {
  const sequence = ruleSet('probe.sequence', `  probe:
    op: sequence
    first: { kinds: [deposit] }
    then: { kinds: [withdrawal] }
    within: 24h
    minRatio: 90%
    maxRatio: 1.1
`);

  it('sequence finds the inflow among the newest WINDOW_READ_LIMIT items and not beyond them', () => {
    // The big deposit, the small ones and the withdrawal: the big one is the oldest of limit items.
    expect(alertsOf(sequence, hotAccountLines(WINDOW_READ_LIMIT - 2, (n) => derivedEvm(1, n)))).toEqual(['probe.sequence']);
    // Two more small deposits push it out of what the trigger reads.
    expect(alertsOf(sequence, hotAccountLines(WINDOW_READ_LIMIT, (n) => derivedEvm(1, n)))).toEqual([]);
  });

  const payers = ruleSet('probe.payers', `  probe:
    op: distinct-payers
    within: 30d
    pass: { gte: 2 }
`);

  it('distinct-payers counts the payers of the newest WINDOW_READ_LIMIT items', () => {
    // Two payers: the big deposit's and the small ones'.
    expect(alertsOf(payers, hotAccountLines(WINDOW_READ_LIMIT - 2, (n) => derivedEvm(1, n)))).toEqual(['probe.payers']);
    expect(alertsOf(payers, hotAccountLines(WINDOW_READ_LIMIT, (n) => derivedEvm(1, n)))).toEqual([]);
  });
});
