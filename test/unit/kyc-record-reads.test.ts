/**
 * A login of an account whose transfers carry no KYC record (`customer` is optional in the
 * contract) learns that it has none without reading its history (engine/kyc-record-counts.ts):
 * it used to read back up to 256 history items per login. The answers stay those of a read.
 */
import { describe, expect, it, vi } from 'vitest';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { declaredCountries, hasKycBy } from '../../src/engine/declared-countries.js';
import type { HistoryItem, RuleState } from '../../src/engine/state.js';
import { rules } from '../helpers/sample.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 4, 1);
const iso = (t: number): string => new Date(t).toISOString();

function deposit(accountId: string, n: number, kyc?: string): string {
  return JSON.stringify({
    schema: 'exchange.transfer.v1', eventId: `dep-${accountId}-${n}`, kind: 'deposit', occurredAt: iso(T0 + n * MINUTE), accountId,
    chain: 'ethereum', asset: 'USDC', amount: '10.00', usdValue: 10, txHash: '0x' + String(n + 1).padStart(64, 'b'),
    from: ['0x' + String(n).padStart(40, '3')], to: '0x' + '4'.repeat(40),
    ...(kyc ? { customer: { type: 'individual', kycCountry: kyc, createdAt: '2024-01-10T00:00:00Z' } } : {}),
  });
}

/** Counts the history items read from `state` (each indexed element of a history list). */
function countingReads(state: RuleState): { reads: () => number } {
  let reads = 0;
  const history = state.history.bind(state);
  vi.spyOn(state, 'history').mockImplementation((accountId: string) => new Proxy(history(accountId) as HistoryItem[], {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  }));
  return { reads: () => reads };
}

function pipelineWith(lines: string[]): Pipeline {
  const pipeline = new Pipeline({ rules: rules(), labels: [] });
  lines.forEach((line, i) => pipeline.process(line, { file: 'x', line: i + 1 }));
  return pipeline;
}

describe('KYC record look-ups of an account whose transfers carry none', () => {
  it('reads no history item, for any number of transfers (was 256 per look-up)', () => {
    const pipeline = pipelineWith(Array.from({ length: 300 }, (_, n) => deposit('acct-bare', n)));
    const { reads } = countingReads(pipeline.state);
    for (let i = 0; i < 10; i++) expect(hasKycBy(pipeline.state, 'acct-bare', T0 + 400 * MINUTE)).toBe(false);
    expect(declaredCountries(pipeline.state, ['acct-bare'], T0 + 400 * MINUTE).codes).toEqual([]);
    expect(reads()).toBe(0);
  });

  it('still finds a KYC record the history holds, and forgets it once the history lets it go', () => {
    const lines = [deposit('acct-mixed', 0, 'CA'), ...Array.from({ length: 20 }, (_, n) => deposit('acct-mixed', n + 1))];
    const pipeline = pipelineWith(lines);
    expect(hasKycBy(pipeline.state, 'acct-mixed', T0 + 30 * MINUTE)).toBe(true);
    expect(hasKycBy(pipeline.state, 'acct-mixed', T0 - MINUTE)).toBe(false);
    expect(declaredCountries(pipeline.state, ['acct-mixed'], T0 + 30 * MINUTE).codes).toEqual(['CA']);
    // 250 days on (past the 203-day retention), a bare deposit: the record has left the history.
    // Another account deposits every five days meanwhile (the clock follows steps, not a leap).
    const DAY = 24 * 60;
    const steps = Array.from({ length: 50 }, (_, d) => deposit('acct-clock', (d + 1) * 5 * DAY));
    const later = pipelineWith([...lines, ...steps, deposit('acct-mixed', 250 * DAY + 1)]);
    expect(later.state.holdsKycRecord('acct-mixed')).toBe(false);
    const { reads } = countingReads(later.state);
    expect(hasKycBy(later.state, 'acct-mixed', T0 + (250 * DAY + 1) * MINUTE)).toBe(false);
    expect(reads()).toBe(0);
  });
});
