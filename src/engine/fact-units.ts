/**
 * The unit a fact is counted in, read from its name, and the literal units a comparison with it
 * may use. Facts are plain numbers at run time (`signals.hop.hours` is 7.5, not 7.5 h in
 * milliseconds), so `hours lte 6h` compared 7.5 with 21,600,000 and always held, and `percent gte
 * 80%` compared 95 with 0.8. Such a condition is refused at load with the literal it needs.
 */
import { parseDuration } from './units.js';

export type FactUnit = 'days' | 'hours' | 'usd' | 'percent' | 'fraction' | 'asset-units';

const UNIT_BY_NAME: readonly [RegExp, FactUnit][] = [
  [/(^days|Days|DaysBefore)$/, 'days'],
  [/(^hours|Hours)$/, 'hours'],
  [/(^usd|Usd)$/, 'usd'],
  [/(^percent|Percent)$/, 'percent'],
  [/^(ratio|share|cv|decay)$/, 'fraction'],
];

/** The unit of the field a path names, or undefined when its name does not say (then any literal goes). */
export function unitOf(path: string): FactUnit | undefined {
  if (path === 'event.amount') return 'asset-units';
  const name = path.slice(path.lastIndexOf('.') + 1);
  return UNIT_BY_NAME.find(([pattern]) => pattern.test(name))?.[1];
}

type LiteralUnit = 'duration' | 'usd' | 'percent';

function literalUnit(raw: unknown): LiteralUnit | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (parseDuration(text) !== undefined) return 'duration';
  if (/USD$/.test(text)) return 'usd';
  if (/%$/.test(text)) return 'percent';
  return undefined;
}

const PLAIN: Record<FactUnit, string> = {
  days: 'a number of days',
  hours: 'a number of hours',
  usd: 'a USD value',
  percent: 'a percentage from 0 to 100',
  fraction: 'a fraction (0.8 or 80%)',
  'asset-units': "an amount in the asset's own units (compare event.usd for USD)",
};

/** What a literal of this unit should be written as for the fact, as advice. */
function advice(unit: FactUnit, raw: string, literal: LiteralUnit): string {
  const ms = parseDuration(raw);
  if (literal === 'duration' && ms !== undefined && unit === 'days') return `: write ${ms / 86_400_000}`;
  if (literal === 'duration' && ms !== undefined && unit === 'hours') return `: write ${ms / 3_600_000}`;
  if (literal === 'percent' && unit === 'percent') return `: write ${raw.replace(/\s*%$/, '')}`;
  return '';
}

/** Why comparing `field` with the literal `raw` mixes units, or undefined when it does not. */
export function unitMismatch(field: string, op: string, raw: unknown): string | undefined {
  const unit = unitOf(field);
  // A fraction's threshold of 10 or more, reached from below, is a percentage written bare: a ratio
  // of 90 never comes (newcomer QA, session 43: `ratio gte: 90` loaded and pass-through fell silent).
  if (unit === 'fraction' && typeof raw === 'number' && raw >= 10 && (op === 'gte' || op === 'gt' || op === 'eq')) {
    return `${op}: ${raw} is out of reach: ${field} is ${PLAIN[unit]}${raw <= 100 ? `: write ${raw}%` : ''}`;
  }
  const literal = literalUnit(raw);
  if (unit === undefined || literal === undefined) return undefined;
  const fits = (literal === 'usd' && unit === 'usd') || (literal === 'percent' && unit === 'fraction');
  if (fits) return undefined;
  return `${op}: ${JSON.stringify(raw)} is ${literal === 'duration' ? 'a duration (in milliseconds)' : literal === 'usd' ? 'a USD value' : 'a fraction (80% is 0.8)'}, but ${field} is ${PLAIN[unit]}${advice(unit, String(raw), literal)}`;
}

/** Why comparing two fields mixes units (`firstPaidDaysBefore gtField forwarded.hours`), or undefined. */
export function fieldUnitMismatch(field: string, op: string, other: string): string | undefined {
  const [a, b] = [unitOf(field), unitOf(other)];
  if (a === undefined || b === undefined || a === b) return undefined;
  return `${op}: ${field} is ${PLAIN[a]} but ${other} is ${PLAIN[b]}`;
}
