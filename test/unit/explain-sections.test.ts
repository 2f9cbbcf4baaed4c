/**
 * Sections of a rule's explain template (src/engine/explain-placeholders.ts, conditions.ts
 * renderTemplate): `[?name text]` renders only when the signal held, `[?!name text]` only when it
 * did not, `[?a,!b text]` when every condition does; placeholders inside render as outside.
 */
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../src/engine/conditions.js';

const JUST_UNDER = '{event.accountId} made [?nearThreshold {signals.nearThreshold.count} transfers between 9,000 and 10,000 USD within 7 days][?nearThreshold,spreadDeposits  and {signals.spreadDeposits.count} deposits in that band within 10 days][?spreadDeposits,!nearThreshold {signals.spreadDeposits.count} deposits between 9,000 and 10,000 USD within 10 days].';
const ctx = (near: [boolean, number], spread: [boolean, number]): Record<string, unknown> => ({
  event: { accountId: 'acct-1' },
  signals: { nearThreshold: { ok: near[0], count: near[1] }, spreadDeposits: { ok: spread[0], count: spread[1] } },
});

describe('explain sections', () => {
  it("renders only the branch of just-under v4 that held, with its own count, never the other branch's 0", () => {
    expect(renderTemplate(JUST_UNDER, ctx([true, 3], [false, 0]))).toBe('acct-1 made 3 transfers between 9,000 and 10,000 USD within 7 days.');
    expect(renderTemplate(JUST_UNDER, ctx([false, 2], [true, 3]))).toBe('acct-1 made 3 deposits between 9,000 and 10,000 USD within 10 days.');
    // Both held: v3's sentence, unchanged.
    expect(renderTemplate(JUST_UNDER, ctx([true, 4], [true, 4]))).toBe('acct-1 made 4 transfers between 9,000 and 10,000 USD within 7 days and 4 deposits in that band within 10 days.');
  });

  it('keeps the number agreement of placeholders inside a section, and leaves a template without sections as it was', () => {
    expect(renderTemplate('[?a {signals.a.count} transfers]', { signals: { a: { ok: true, count: 1 } } })).toBe('1 transfer');
    expect(renderTemplate('[?a x][?!a y]', { signals: {} })).toBe('y');
    expect(renderTemplate('{event.accountId} [x] done', { event: { accountId: 'a' } })).toBe('a [x] done');
  });
});
