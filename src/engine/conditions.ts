/** Compiles rule conditions once into closures over an evaluation context (a plain object). */
import type { Condition } from './rule-schema.js';
import { parseQuantity } from './units.js';

export type Context = Record<string, unknown>;
export type Predicate = (ctx: Context) => boolean;

/** Reads a dotted path (`event.session.vpn`, `signals.fanIn.value`). */
export function getPath(ctx: unknown, path: string): unknown {
  return getParts(ctx, path.split('.'));
}

function getParts(ctx: unknown, parts: readonly string[]): unknown {
  let value: unknown = ctx;
  for (const part of parts) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const norm = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

function compare(op: string, actual: unknown, expected: unknown, ctx: Context): boolean {
  switch (op) {
    case 'eq': return norm(actual) === norm(expected);
    case 'ne': return norm(actual) !== norm(expected);
    case 'in': return asList(expected).map(norm).includes(norm(actual));
    case 'notIn': return !asList(expected).map(norm).includes(norm(actual));
    case 'gte': return typeof actual === 'number' && actual >= (expected as number);
    case 'gt': return typeof actual === 'number' && actual > (expected as number);
    case 'lte': return typeof actual === 'number' && actual <= (expected as number);
    case 'lt': return typeof actual === 'number' && actual < (expected as number);
    case 'exists': return (actual !== undefined && actual !== null) === Boolean(expected);
    case 'contains': return asList(actual).map(norm).includes(norm(expected));
    case 'notContains': return !asList(actual).map(norm).includes(norm(expected));
    case 'containsAny': { const have = asList(actual).map(norm); return asList(expected).some((e) => have.includes(norm(e))); }
    case 'multipleOf': return typeof actual === 'number' && actual > 0 && Math.abs(actual / (expected as number) - Math.round(actual / (expected as number))) < 1e-9;
    case 'eqField': return actual !== undefined && norm(actual) === norm(getPath(ctx, expected as string));
    case 'neField': { const other = getPath(ctx, expected as string); return actual !== undefined && other !== undefined && norm(actual) !== norm(other); }
    default: throw new Error(`unknown comparator ${op}`);
  }
}

export function compileCondition(c: Condition): Predicate {
  if ('all' in c) { const parts = c.all.map(compileCondition); return (ctx) => parts.every((p) => p(ctx)); }
  if ('any' in c) { const parts = c.any.map(compileCondition); return (ctx) => parts.some((p) => p(ctx)); }
  if ('not' in c) { const inner = compileCondition(c.not); return (ctx) => !inner(ctx); }
  if ('signal' in c) { const path = `signals.${c.signal}.ok`; return (ctx) => getPath(ctx, path) === true; }
  const { field, ...rest } = c;
  const [op, raw] = Object.entries(rest).find(([, v]) => v !== undefined)!;
  const expected = Array.isArray(raw) ? raw.map(parseQuantity) : op === 'eqField' || op === 'neField' ? raw : parseQuantity(raw);
  const parts = field.split('.');
  // Membership tests compare against a set normalised once, here, not on every event.
  if (op === 'in' || op === 'notIn') {
    const set = new Set(asList(expected).map(norm));
    return op === 'in' ? (ctx) => set.has(norm(getParts(ctx, parts))) : (ctx) => !set.has(norm(getParts(ctx, parts)));
  }
  return (ctx) => compare(op, getParts(ctx, parts), expected, ctx);
}

export function compileAll(conditions: readonly Condition[]): Predicate {
  const parts = conditions.map(compileCondition);
  return (ctx) => parts.every((p) => p(ctx));
}

/** Fills `{path}` placeholders from the context; numbers are rounded for reading. */
export function renderTemplate(template: string, ctx: Context): string {
  return template.replace(/\{([a-zA-Z0-9_.]+)\}/g, (_, path: string) => {
    const v = getPath(ctx, path);
    if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 2 });
    if (Array.isArray(v)) return v.join(', ');
    return v === undefined || v === null ? '?' : String(v);
  });
}
