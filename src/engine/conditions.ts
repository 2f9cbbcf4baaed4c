/** Compiles rule conditions once into closures over an evaluation context (a plain object). */
import { FIELD_COMPARATORS, type Condition } from './rule-schema.js';
import { Decimal, isDecimal } from '../money/decimal.js';
import { parseQuantity } from './units.js';
import { PLACEHOLDER, SECTION, sectionConditions } from './explain-placeholders.js';
import { unitOf } from './fact-units.js';

export type Context = Record<string, unknown>;
export type Predicate = (ctx: Context) => boolean;

/** Reads a dotted path (`event.session.vpn`, `signals.fanIn.value`). */
export function getPath(ctx: unknown, path: string): unknown {
  return getParts(ctx, path.split('.'));
}

/** A path's parts that are plain identifiers, each read as `.name`: what a compiled reader may contain. */
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A reader of one dotted path, compiled once per rule condition. Every condition shares
 * getParts' keyed loads, which V8 then sees with dozens of names and object shapes (megamorphic:
 * a hash look-up per step); a reader of its own per path keeps each load site to the few shapes
 * its field sees. Only identifier parts are compiled (the rule schema's paths are; anything else
 * falls back to getParts), so no text of a rule file becomes code.
 */
export function pathReader(path: string): (ctx: unknown) => unknown {
  const parts = path.split('.');
  if (!parts.every((p) => IDENTIFIER.test(p))) return (ctx) => getParts(ctx, parts);
  let body = 'let v = ctx;';
  for (const p of parts) body += ` if (v === null || typeof v !== 'object') return undefined; v = v.${p};`;
  return new Function('ctx', `${body} return v;`) as (ctx: unknown) => unknown;
}

function getParts(ctx: unknown, parts: readonly string[]): unknown {
  let value: unknown = ctx;
  for (let i = 0; i < parts.length; i++) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[parts[i]!];
  }
  return value;
}

/*
 * Conjunctions and disjunctions as plain loops: `parts.every((p) => p(ctx))` would allocate a
 * closure over `ctx` on every call, and these run for every rule on every trigger.
 */
function allOf(parts: readonly Predicate[]): Predicate {
  if (parts.length === 1) return parts[0]!;
  return (ctx) => {
    for (let i = 0; i < parts.length; i++) if (!parts[i]!(ctx)) return false;
    return true;
  };
}

function anyOf(parts: readonly Predicate[]): Predicate {
  return (ctx) => {
    for (let i = 0; i < parts.length; i++) if (parts[i]!(ctx)) return true;
    return false;
  };
}

/** Strings compare case-blind; an exact decimal compares by its canonical text (`2500.00` is `2500`). */
const norm = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : isDecimal(v) ? v.toString() : v);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/**
 * A numeric comparison, exact when the field is a decimal (amounts, USD values, window sums): the
 * rule's number means the decimal its text names, so `lt: 10000 USD` holds for 9,999.99 and not
 * for 10,000.00, whatever a double would make of a sum near it.
 */
function order(actual: unknown, expected: number, exact: Decimal | undefined): number | undefined {
  if (typeof actual === 'number') return actual < expected ? -1 : actual > expected ? 1 : actual === expected ? 0 : undefined;
  if (isDecimal(actual)) return actual.compare(exact ?? Decimal.fromNumber(expected));
  return undefined;
}

/**
 * How two fields order: numbers and exact decimals compare (a decimal with a number through the
 * number's decimal); undefined when either is missing or not numeric, so no ordering holds.
 */
function orderFields(a: unknown, b: unknown): number | undefined {
  if (typeof b === 'number') {
    if (Number.isNaN(b)) return undefined;
    // An infinite bound orders every finite value without a decimal made of it.
    if (!Number.isFinite(b)) return typeof a === 'number' || isDecimal(a) ? (typeof a === 'number' && a === b ? 0 : b > 0 ? -1 : 1) : undefined;
    return order(a, b, undefined);
  }
  if (isDecimal(b)) {
    if (isDecimal(a)) return a.compare(b);
    if (typeof a === 'number' && Number.isFinite(a)) return Decimal.fromNumber(a).compare(b);
  }
  return undefined;
}

/** The other field of a field comparison, scaled by `times` when the condition gives it (a number or an exact decimal; anything else as it is). */
function scaled(value: unknown, times: number | undefined): unknown {
  if (times === undefined) return value;
  if (typeof value === 'number') return value * times;
  if (isDecimal(value)) return value.times(Decimal.fromNumber(times));
  return value;
}

/** One comparison chosen by its operator name: the reference the per-operator closures (see comparison) are tested against. */
export function compare(op: string, actual: unknown, expected: unknown, ctx: Context, exact?: Decimal, times?: number): boolean {
  switch (op) {
    case 'eq': return isDecimal(actual) && typeof expected === 'number' ? order(actual, expected, exact) === 0 : norm(actual) === norm(expected);
    case 'ne': return isDecimal(actual) && typeof expected === 'number' ? order(actual, expected, exact) !== 0 : norm(actual) !== norm(expected);
    case 'in': return asList(expected).map(norm).includes(norm(actual));
    case 'notIn': return !asList(expected).map(norm).includes(norm(actual));
    case 'gte': { const o = order(actual, expected as number, exact); return o !== undefined && o >= 0; }
    case 'gt': { const o = order(actual, expected as number, exact); return o !== undefined && o > 0; }
    case 'lte': { const o = order(actual, expected as number, exact); return o !== undefined && o <= 0; }
    case 'lt': { const o = order(actual, expected as number, exact); return o !== undefined && o < 0; }
    case 'exists': return (actual !== undefined && actual !== null) === Boolean(expected);
    case 'contains': return asList(actual).map(norm).includes(norm(expected));
    case 'notContains': return !asList(actual).map(norm).includes(norm(expected));
    case 'containsAny': { const have = asList(actual).map(norm); return asList(expected).some((e) => have.includes(norm(e))); }
    case 'multipleOf':
      if (isDecimal(actual)) return actual.sign() > 0 && actual.isMultipleOf(exact ?? Decimal.fromNumber(expected as number));
      return typeof actual === 'number' && actual > 0 && Math.abs(actual / (expected as number) - Math.round(actual / (expected as number))) < 1e-9;
    case 'eqField': return actual !== undefined && norm(actual) === norm(getPath(ctx, expected as string));
    case 'neField': { const other = getPath(ctx, expected as string); return actual !== undefined && other !== undefined && norm(actual) !== norm(other); }
    case 'gtField': { const o = orderFields(actual, scaled(getPath(ctx, expected as string), times)); return o !== undefined && o > 0; }
    case 'gteField': { const o = orderFields(actual, scaled(getPath(ctx, expected as string), times)); return o !== undefined && o >= 0; }
    case 'ltField': { const o = orderFields(actual, scaled(getPath(ctx, expected as string), times)); return o !== undefined && o < 0; }
    case 'lteField': { const o = orderFields(actual, scaled(getPath(ctx, expected as string), times)); return o !== undefined && o <= 0; }
    // The field's values and the other field's share at least one (`signals.forwarded.eventIds` and a cadence's `runEventIds`).
    case 'containsAnyField': { const other = asList(getPath(ctx, expected as string)).map(norm); return other.length > 0 && asList(actual).some((v) => other.includes(norm(v))); }
    default: throw new Error(`unknown comparator ${op}`);
  }
}

export function compileCondition(c: Condition): Predicate {
  if ('all' in c) return allOf(c.all.map(compileCondition));
  if ('any' in c) return anyOf(c.any.map(compileCondition));
  if ('not' in c) { const inner = compileCondition(c.not); return (ctx) => !inner(ctx); }
  if ('signal' in c) { const read = pathReader(`signals.${c.signal}.ok`); return (ctx) => read(ctx) === true; }
  const { field, times, ...rest } = c;
  const [op, raw] = Object.entries(rest).find(([, v]) => v !== undefined)!;
  const expected = Array.isArray(raw) ? raw.map(parseQuantity) : (FIELD_COMPARATORS as readonly string[]).includes(op) ? raw : parseQuantity(raw);
  const read = pathReader(field);
  // Membership tests compare against a set normalised once, here, not on every event.
  if (op === 'in' || op === 'notIn') {
    const set = new Set(asList(expected).map(norm));
    return op === 'in' ? (ctx) => set.has(norm(read(ctx))) : (ctx) => !set.has(norm(read(ctx)));
  }
  // A numeric threshold as an exact decimal, once, for fields that hold decimals.
  const exact = typeof expected === 'number' && Number.isFinite(expected) ? Decimal.fromNumber(expected) : undefined;
  return comparison(op, read, expected, exact) ?? ((ctx) => compare(op, read(ctx), expected, ctx, exact, times));
}

/**
 * The comparators the rules use most (thresholds and equality), each as its own closure: what
 * `compare` does for the operator, without choosing the operator by string on every call and
 * with the normalised expected value worked out once. Undefined for the rest (compare does them).
 */
function comparison(op: string, read: (ctx: unknown) => unknown, expected: unknown, exact: Decimal | undefined): Predicate | undefined {
  const threshold = expected as number;
  switch (op) {
    case 'gte': return (ctx) => { const o = order(read(ctx), threshold, exact); return o !== undefined && o >= 0; };
    case 'gt': return (ctx) => { const o = order(read(ctx), threshold, exact); return o !== undefined && o > 0; };
    case 'lte': return (ctx) => { const o = order(read(ctx), threshold, exact); return o !== undefined && o <= 0; };
    case 'lt': return (ctx) => { const o = order(read(ctx), threshold, exact); return o !== undefined && o < 0; };
    case 'eq':
    case 'ne': {
      const wanted = norm(expected);
      const byOrder = typeof expected === 'number';
      const equal = (actual: unknown): boolean => (byOrder && isDecimal(actual) ? order(actual, threshold, exact) === 0 : norm(actual) === wanted);
      return op === 'eq' ? (ctx) => equal(read(ctx)) : (ctx) => !equal(read(ctx));
    }
    default: return undefined;
  }
}

export function compileAll(conditions: readonly Condition[]): Predicate {
  return allOf(conditions.map(compileCondition));
}

/**
 * Nouns an explanation puts after a count, each with its singular: "{n} days" reads "1 day"
 * when n is 1 (session 30 QA: alerts said "1 days" and "0 days").
 */
const SINGULAR: Readonly<Record<string, string>> = {
  days: 'day', hours: 'hour', minutes: 'minute', weeks: 'week', months: 'month', years: 'year',
  payments: 'payment', addresses: 'address', accounts: 'account', transfers: 'transfer', times: 'time',
  pieces: 'piece', hops: 'hop', deposits: 'deposit', withdrawals: 'withdrawal', payers: 'payer',
  senders: 'sender', employers: 'employer', devices: 'device', logins: 'login',
};

/** A whole count of these units that rounds to 0 reads as less than one ("first seen less than a day earlier"). */
const LESS_THAN_ONE: Readonly<Record<string, string>> = { days: 'less than a day', hours: 'less than an hour' };

/**
 * Fills `{path}` placeholders from the context; numbers are rounded for reading, exact amounts
 * printed whole, a count of exactly 1 takes the singular of the noun after it, and 0 days or
 * hours read "less than a day" ("an hour"). `{path|text}` reads `text` when the path has no value
 * (a signal of a branch that did not fire), where `{path}` reads "?".
 */
/**
 * A placeholder and the noun after it (`{n} accounts`: the noun agrees with the number), or a
 * singular noun with `(s)` (`{hops} hop(s)`: "1 hop", "2 hops"; session 41 QA: "in 1 hop(s)").
 */
const RENDERED = new RegExp(`${PLACEHOLDER.source}(?: ([a-z]+)(\\(s\\)|\\b))?`, 'g');

export function renderTemplate(template: string, ctx: Context): string {
  return renderPlaceholders(template.includes('[?') ? renderSections(template, ctx) : template, ctx);
}

/** The template with each section's text where its conditions hold (the signals named held, or did not), else nothing. */
function renderSections(template: string, ctx: Context): string {
  const signals = (ctx.signals ?? {}) as Record<string, { ok?: boolean } | undefined>;
  return template.replace(SECTION, (_, list: string, text: string) => (sectionConditions(list).every((c) => (signals[c.signal]?.ok === true) === c.held) ? text : ''));
}

function renderPlaceholders(template: string, ctx: Context): string {
  return template.replace(RENDERED, (_, path: string, absent: string | undefined, word: string | undefined, plural: string | undefined) => {
    const v = getPath(ctx, path);
    const numeric = typeof v === 'number' || isDecimal(v);
    // `hop(s)`: the plural is the word and an s, the singular the word.
    const noun = word !== undefined && plural === '(s)' ? `${word}s` : word;
    if (absent !== undefined && (v === undefined || v === null)) return noun === undefined ? absent : absent === '' ? noun : `${absent} ${noun}`;
    const text = renderValue(v, path);
    if (noun === undefined) return text;
    if (numeric && text === '0' && LESS_THAN_ONE[noun] !== undefined) return LESS_THAN_ONE[noun];
    return `${text} ${numeric && text === '1' ? (plural === '(s)' ? word! : SINGULAR[noun] ?? noun) : noun}`;
  });
}

/**
 * A placeholder's value as an explanation shows it. A USD value (a path whose name says USD)
 * shows cents at most: one valued from the price book is the amount times the price, exact to
 * ten places or more ("11,228.9487702678 USD"; session 41 QA). The evidence keeps it exact.
 */
function renderValue(v: unknown, path = ''): string {
  if (isDecimal(v) && unitOf(path) === 'usd') return formatNumber(v.toNumber());
  if (typeof v === 'number') return formatNumber(v);
  if (isDecimal(v)) return v.format();
  if (Array.isArray(v)) return renderList(v);
  if (v !== null && typeof v === 'object') return JSON.stringify(v); // not "[object Object]"
  return v === undefined || v === null ? '?' : String(v);
}

/** Most items of a list an explanation names; the evidence keeps them all. */
export const LISTED_IN_SENTENCE = 5;

/**
 * A list as one sentence shows it: its first LISTED_IN_SENTENCE items and how many more. A salary
 * taken out in 200 pieces to 200 addresses named all 200 in the explanation (cadence-forward v12's
 * `forwardedTo`), 9 kB where the contract asks for one sentence an analyst can read.
 */
function renderList(v: readonly unknown[]): string {
  const shown = v.slice(0, LISTED_IN_SENTENCE).map((x) => (x !== null && typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
  return v.length > LISTED_IN_SENTENCE ? `${shown} and ${v.length - LISTED_IN_SENTENCE} more` : shown;
}

/**
 * A number as `toLocaleString('en-US', { maximumFractionDigits: 2 })` writes it (thousands
 * separators, at most two decimals, trailing zeros dropped), without Intl, which costs more than
 * the rest of an explanation. Like Intl it rounds the shortest decimal form of the double (so
 * 1.005 is 1.01), half away from zero.
 */
export function formatNumber(v: number): string {
  const text = String(Math.abs(v));
  if (!Number.isFinite(v) || Math.abs(v) >= 1e15 || text.includes('e') || Object.is(v, -0)) return v.toLocaleString('en-US', { maximumFractionDigits: 2 });
  const dot = text.indexOf('.');
  let whole = dot < 0 ? text : text.slice(0, dot);
  let frac = dot < 0 ? '' : text.slice(dot + 1);
  if (frac.length > 2) {
    const up = frac.charCodeAt(2) >= 53; // '5'
    frac = frac.slice(0, 2);
    if (up) [whole, frac] = carry(whole, frac);
  }
  frac = frac.replace(/0+$/, '');
  let grouped = '';
  for (let i = whole.length; i > 0; i -= 3) grouped = whole.slice(Math.max(0, i - 3), i) + (grouped ? ',' + grouped : '');
  const sign = v < 0 ? '-' : ''; // Intl keeps the sign of a value that rounds to zero: -0.004 is "-0"
  return sign + grouped + (frac ? '.' + frac : '');
}

/** Adds one unit in the last place of `whole.frac` (two fraction digits), carrying leftwards. */
function carry(whole: string, frac: string): [string, string] {
  const digits = (whole + frac).split('').map(Number);
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === 9) digits[i--] = 0;
  if (i < 0) digits.unshift(1);
  else digits[i]!++;
  const all = digits.join('');
  return [all.slice(0, all.length - 2), all.slice(all.length - 2)];
}
