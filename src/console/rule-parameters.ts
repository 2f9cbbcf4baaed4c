/**
 * The thresholds and settings of the rules, as their files write them (`30d`, `20%`, `2500`), for
 * the case page's "why it fired": an alert carries the figures its rule read (`evidence`) and the
 * rule's id, version and file hash, but not the bounds those figures were held against. Before
 * session 49 the analyst saw "individualMedianPaymentUsd 6624.15" and had to open the rule file
 * to learn that the bound was 2,500.
 *
 * Read from the rules folder the console is given (`console serve --rules`), each file on its
 * own: a broken file is left out (the monitor refuses it; the console only shows what it can).
 * So is a rule id that two files carry (the monitor refuses the folder): neither file's
 * thresholds can be said to be the rule's, and the console warns at start naming both files.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { listRuleFiles, parseRuleText } from '../engine/loader.js';
import { COMPARATORS, FIELD_COMPARATORS } from '../engine/rule-schema.js';

/** One comparison a rule makes: on a field (named by its evidence key when the alert carries it), how, and what for. */
export interface RuleThreshold {
  field: string;
  /** The alert's evidence key that holds this field's value, if any. */
  evidenceKey?: string;
  /** `>= $2,500`, `in exchange, bridge`, `>= 20%`, `>= 5 × signals.salary.meanUsd`. */
  test: string;
  /** `required`, `one way to fire`, `adds 15 to the score: …`, `event filter`. */
  role: string;
}

export interface RuleParameters {
  ruleId: string;
  version: number;
  /** The hash alerts carry (`evidence.rule.hash`): the first 16 hex of the file's SHA-256. */
  hash: string;
  thresholds: RuleThreshold[];
  /** Each signal with its settings as written: `fanIn`: `fan-in; within 30d; pass >= 3, <= 50; …`. */
  signals: { name: string; settings: string }[];
}

type Raw = Record<string, unknown>;

const SYMBOLS: Record<string, string> = {
  gte: '>=', gt: '>', lte: '<=', lt: '<', eq: '=', ne: '!=', in: 'one of', notIn: 'none of', contains: 'contains', notContains: 'does not contain',
  containsAny: 'contains any of', multipleOf: 'a multiple of', gteField: '>=', gtField: '>', lteField: '<=', ltField: '<', eqField: '=', neField: '!=', containsAnyField: 'shares an item with',
};

/** A value as the rule writes it: numbers grouped by thousands, a USD field's number as `$2,500`, lists joined. */
function shown(v: unknown, usd = false): string {
  if (typeof v === 'number') return `${usd ? '$' : ''}${v.toLocaleString('en-US', { maximumFractionDigits: 6 })}`;
  if (Array.isArray(v)) return v.map((x) => shown(x, usd)).join(', ');
  if (v !== null && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${k} ${shown(x)}`).join(', ')} }`;
  return String(v);
}

const isUsdField = (field: string): boolean => /usd$/i.test(field);

/** A field condition's comparison as text, or undefined for anything else (all, any, not, a bare signal). */
function testOf(c: Raw): string | undefined {
  if (typeof c.field !== 'string') return undefined;
  const comparator = COMPARATORS.find((k) => k in c);
  if (comparator === undefined) return undefined;
  const value = c[comparator];
  if ((FIELD_COMPARATORS as readonly string[]).includes(comparator)) return `${SYMBOLS[comparator] ?? comparator} ${typeof c.times === 'number' ? `${shown(c.times)} × ` : ''}${String(value)}`;
  if (comparator === 'exists') return value === false ? 'absent' : 'present';
  return `${SYMBOLS[comparator] ?? comparator} ${shown(value, isUsdField(c.field))}`;
}

/** A required comparison under a choice of ways is one way to fire; other roles (a filter, a modifier) stay. */
const oneWayOf = (role: string): string => (role === 'required' ? 'one way to fire' : role);

/**
 * Every field comparison under a condition, with the role it plays there. Under `not` each
 * comparison is shown negated, so `all` and `any` swap (not (a and b) is not a, or not b): a
 * negated `all` offers ways to fire, a negated `any` requires each.
 */
function collect(c: unknown, role: string, negated: boolean, out: { field: string; test: string; role: string }[]): void {
  if (c === null || typeof c !== 'object') return; // a bare signal name: its settings are listed with the signal
  const o = c as Raw;
  if (Array.isArray(o.all)) for (const x of o.all) collect(x, negated ? oneWayOf(role) : role, negated, out);
  else if (Array.isArray(o.any)) for (const x of o.any) collect(x, negated ? role : oneWayOf(role), negated, out);
  else if ('not' in o) collect(o.not, role, !negated, out);
  else if (typeof o.signal !== 'string') {
    const test = testOf(o);
    if (test !== undefined) out.push({ field: o.field as string, test: negated ? `not ${test}` : test, role });
  }
}

/** The rule's thresholds and signal settings, from the file's YAML as written. */
export function parametersOf(raw: Raw, hash: string): RuleParameters {
  const found: { field: string; test: string; role: string }[] = [];
  for (const c of (raw.where as unknown[] | undefined) ?? []) collect(c, 'event filter', false, found);
  for (const c of (raw.require as unknown[] | undefined) ?? []) collect(c, 'required', false, found);
  const score = raw.score as { modifiers?: { when: unknown; add: number; note: string }[] } | undefined;
  for (const m of score?.modifiers ?? []) collect(m.when, `${m.add < 0 ? 'takes' : 'adds'} ${Math.abs(m.add)} ${m.add < 0 ? 'from' : 'to'} the score: ${m.note}`, false, found);
  const keyOf = new Map(Object.entries((raw.evidence as Record<string, string> | undefined) ?? {}).map(([key, path]) => [path, key]));
  const signals = Object.entries((raw.signals as Record<string, Raw> | undefined) ?? {}).map(([name, spec]) => ({
    name,
    settings: [String(spec.op), ...Object.entries(spec).filter(([k]) => k !== 'op').map(([k, v]) => (k === 'pass' && v && typeof v === 'object' ? `pass ${Object.entries(v).map(([c, x]) => `${SYMBOLS[c] ?? c} ${shown(x)}`).join(', ')}` : `${k} ${shown(v)}`))].join('; '),
  }));
  return {
    ruleId: String(raw.id), version: Number(raw.version), hash,
    thresholds: found.map((t) => ({ ...t, ...(keyOf.has(t.field) ? { evidenceKey: keyOf.get(t.field)! } : {}) })),
    signals,
  };
}

/** The parameters of every valid rule file of a folder, by rule id; a broken file, and a rule id two files carry, are left out. */
export class RuleBook {
  private constructor(
    private readonly byId: ReadonlyMap<string, RuleParameters>,
    readonly skipped: string[],
    /** Each rule id more than one file carries, with those files: shown for neither. */
    readonly duplicates: { ruleId: string; files: string[] }[] = [],
  ) {}

  static read(dir: string): RuleBook {
    const byId = new Map<string, RuleParameters>();
    const filesOf = new Map<string, string[]>();
    const skipped: string[] = [];
    for (const path of listRuleFiles(dir)) {
      const text = readFileSync(path, 'utf8');
      const { rule } = parseRuleText(text, path);
      if (!rule) { skipped.push(path); continue; }
      byId.set(rule.spec.id, parametersOf(parse(text) as Raw, rule.hash));
      filesOf.set(rule.spec.id, [...(filesOf.get(rule.spec.id) ?? []), path]);
    }
    const duplicates = [...filesOf].filter(([, files]) => files.length > 1).map(([ruleId, files]) => ({ ruleId, files }));
    for (const d of duplicates) byId.delete(d.ruleId);
    return new RuleBook(byId, skipped, duplicates);
  }

  /** What the console says at start of the files it left out. */
  warnings(): string[] {
    return [
      ...this.skipped.map((file) => `--rules: ${file} is not a valid rule file; the case page shows no thresholds for its alerts`),
      ...this.duplicates.map((d) => `--rules: rule id ${d.ruleId} is in ${d.files.length} files (${d.files.join(', ')}); the monitor refuses such a folder, and the case page shows the thresholds of neither`),
    ];
  }

  static empty(): RuleBook {
    return new RuleBook(new Map(), []);
  }

  /** The parameters of these rules the folder holds. */
  of(ruleIds: Iterable<string>): Record<string, RuleParameters> {
    const out: Record<string, RuleParameters> = {};
    for (const id of ruleIds) { const p = this.byId.get(id); if (p) out[id] = p; }
    return out;
  }

  get size(): number {
    return this.byId.size;
  }
}
