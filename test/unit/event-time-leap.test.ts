/**
 * A replay of history cannot lean on the machine's clock: a login dated 600 days on in a 2025 stream is
 * within 366 days of today. Accepted, it moved every retention clock on: the sample lost a third
 * of its alerts and its duplicate detection (QA). An exchange event dated more than
 * EVENT_TIME_MAX_LEAP_DAYS after the newest one is dead-lettered instead.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR } from '../../src/config/paths.js';
import { loadRuleSet } from '../../src/engine/loader.js';
import { CLOCK_SUPPORT, Pipeline } from '../../src/pipeline/pipeline.js';
import { DAY, label, login, prng, transfer } from '../../src/simulate/builders.js';
import { derivedEvm } from '../../src/simulate/derived.js';

const rules = loadRuleSet(DEFAULT_RULES_DIR);
const T0 = Date.UTC(2025, 2, 1);
const SESSION = { ip: '203.0.113.9', ipCountry: 'DE', vpn: false };

function run(lines: string[], maxLeapMs?: number): { codes: (string | undefined)[]; duplicates: number } {
  const p = new Pipeline({ rules, ...(maxLeapMs !== undefined ? { maxLeapMs } : {}) });
  const codes = lines.map((line, i) => p.process(line, { file: 't', line: i + 1 }).deadLetter?.code);
  return { codes, duplicates: p.stats.duplicates };
}

describe('an exchange event dated far after the stream (EVENT_TIME_MAX_LEAP_DAYS)', () => {
  const rand = prng(3);
  const deposit = transfer({ eventId: 'dep-1', kind: 'deposit', time: T0 + DAY, accountId: 'acct-a', chain: 'ethereum', asset: 'USDT', amount: 500, from: [derivedEvm(81, 1)], to: derivedEvm(81, 2) }, rand);
  // The stream's clock is supported by CLOCK_SUPPORT events before the leap (a clock fewer support gives way to it).
  const history = Array.from({ length: CLOCK_SUPPORT }, (_, i) => login(`h-${i}`, T0 + i * 60_000, `acct-h${i}`, SESSION));
  const stream = [
    ...history,
    deposit,
    login('l-future', T0 + 600 * DAY, 'acct-z', SESSION),
    login('l-2', T0 + 2 * DAY, 'acct-a', SESSION),
    deposit,
  ];
  const accepted = history.map(() => undefined);

  it('is dead-lettered as TW_TIME_AHEAD, and the redelivery after it is still a duplicate', () => {
    const { codes, duplicates } = run(stream);
    expect(codes).toEqual([...accepted, undefined, 'TW_TIME_AHEAD', undefined, undefined]);
    expect(duplicates).toBe(1);
  });

  it('is accepted with the bound turned off (0), and then moves the dedupe clock past the redelivery', () => {
    const { codes, duplicates } = run(stream, 0);
    expect(codes).toEqual([...accepted, undefined, undefined, undefined, undefined]);
    expect(duplicates).toBe(0);
  });

  it('follows the stream when the clock was set by a stale first event (session 45 QA: 102 of 153 lines refused after one withdrawal dated 100 days early)', () => {
    const stale = login('l-stale', T0 - 100 * DAY, 'acct-s', SESSION);
    const { codes } = run([stale, ...history, deposit]);
    expect(codes.every((c) => c === undefined)).toBe(true);
  });

  it('follows a stream that goes on after a gap longer than the bound, once CLOCK_SUPPORT leaps came in a row', () => {
    const after = Array.from({ length: CLOCK_SUPPORT + 3 }, (_, i) => login(`g-${i}`, T0 + 200 * DAY + i * 60_000, `acct-g${i}`, SESSION));
    const { codes } = run([...history, ...after]);
    expect(codes.slice(history.length)).toEqual([...after.slice(0, CLOCK_SUPPORT).map(() => 'TW_TIME_AHEAD'), undefined, undefined, undefined]);
  });

  it('does not bound intelligence: a label observed years after the stream is accepted', () => {
    const later = label('ethereum', derivedEvm(81, 3), 'sanctioned', 'SDN entity', T0 + 600 * DAY);
    expect(run([login('l-1', T0, 'acct-a', SESSION), later]).codes).toEqual([undefined, undefined]);
  });
});
