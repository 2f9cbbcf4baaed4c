import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoUtc, validatedTimeMs } from '../../src/contract/primitives.js';
import { isoTimeText, nearMiss } from '../helpers/arbitraries.js';

/**
 * The parser parseIsoUtc replaced (a regex, Date.parse, and a day round-trip): the hand-written
 * one must accept exactly what it accepted, with the same milliseconds.
 */
const REFERENCE_FORM = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|\+00:00)$/;
function referenceParse(text: string): number | undefined {
  const m = REFERENCE_FORM.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(m[8] === 'Z' ? text : text.slice(0, -6) + 'Z');
  if (Number.isNaN(ms)) return undefined;
  if (new Date(ms).getUTCDate() !== Number(m[3])) return undefined;
  return ms;
}

const agrees = (text: string): void => {
  expect(parseIsoUtc(text), JSON.stringify(text)).toBe(referenceParse(text));
};

describe('parseIsoUtc', () => {
  it('reads the contract examples, fractions truncated to milliseconds', () => {
    expect(parseIsoUtc('2025-01-16T09:30:00Z')).toBe(Date.UTC(2025, 0, 16, 9, 30));
    expect(parseIsoUtc('2025-01-16T09:30:00.5Z')).toBe(Date.UTC(2025, 0, 16, 9, 30, 0, 500));
    expect(parseIsoUtc('2025-01-16T09:30:00.123987654+00:00')).toBe(Date.UTC(2025, 0, 16, 9, 30, 0, 123));
    expect(parseIsoUtc('0000-03-01T00:00:00Z')).toBe(Date.parse('0000-03-01T00:00:00Z'));
  });

  it.each(['2025-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2025-04-31T00:00:00Z', '2025-01-16T24:00:00Z', '2025-01-16T23:59:60Z', '2025-01-16T09:30:00.Z', '2025-01-16T09:30:00.1234567890Z', '2025-01-16T09:30:00-00:00', '2025-01-16 09:30:00Z', '2025-01-16T09:30:00'])(
    'rejects %s',
    (text) => {
      expect(parseIsoUtc(text)).toBeUndefined();
      expect(referenceParse(text)).toBeUndefined();
    },
  );

  it('agrees with Date.parse on every day 00 to 32 of every month 00 to 13 in leap, common and century years, at 23:59:59 and 24:00', () => {
    for (const year of [0, 1, 4, 100, 400, 1900, 1970, 1999, 2000, 2024, 2025, 2100, 2400, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const date = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          agrees(`${date}T23:59:59.999Z`);
          agrees(`${date}T24:00:00Z`);
        }
      }
    }
  });

  it('agrees with the reference parser on 20,000 generated times and near-misses', () => {
    fc.assert(fc.property(fc.oneof(isoTimeText, nearMiss(isoTimeText), fc.string({ maxLength: 30 })), agrees), { numRuns: 20_000, seed: 9 });
  });
});

describe('validatedTimeMs', () => {
  it('gives what Date.parse gives, for strict contract times and, by falling back, for any other text', () => {
    for (const text of ['2024-01-01T00:00:00.000Z', '2024-02-29T23:59:59.999999999Z', '1999-12-31T12:00:00+00:00', '2025-06-01T08:30:00.5Z', '2025-06-01', 'not a time']) {
      expect(Object.is(validatedTimeMs(text), Date.parse(text)), text).toBe(true);
    }
  });
});
