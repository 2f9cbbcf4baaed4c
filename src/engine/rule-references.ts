/**
 * Checks that everything a rule names exists: each signal in `require` and score modifiers, each
 * field in `where`, selectors, modifiers, evidence and `alsoAlert`, each `{path}` of `explain`, and
 * that severity thresholds are in order. A misspelt name would otherwise read as "absent" and the
 * rule would silently never fire (or explain "made ? transfers").
 */
import { fieldUnitMismatch, unitMismatch } from './fact-units.js';
import { misspeltTypology } from './known-typologies.js';
import { misspeltLabel } from './known-labels.js';
import { ANY_UNTRACED } from './label-exclusion.js';
import { didYouMean } from './did-you-mean.js';
import { parseQuantity } from './units.js';
import { accountField, COMMON_SIGNAL_FIELDS, contextFields, CONTEXT_ROOTS, eventFields, signalFacts, type FieldShape, type TriggerKind } from './rule-paths.js';
import { FIELD_COMPARATORS, type Condition, type RuleSpec, type SignalSpec } from './rule-schema.js';
import { explainPaths, PLACEHOLDER, SECTION, sectionConditions } from './explain-placeholders.js';

/** A finding, located by its path in the rule document (the loader turns it into a line). */
export interface RuleIssue {
  at: (string | number)[];
  message: string;
}

/** Where a path is read, which decides what it may name. */
export interface Scope {
  /** The kinds of event the path is read on (the rule's `on`, or a selector's `kinds`). */
  kinds: readonly TriggerKind[];
  /** Selectors and top-level `where` run before any signal: they see fewer roots. */
  roots: readonly string[];
  signals: Readonly<Record<string, SignalSpec>>;
}

/** The shape a path resolves to, or an error message naming the first segment that does not exist. */
export function resolvePath(path: string, scope: Scope): { shape?: FieldShape; error?: string } {
  const [root, name, sub] = path.split('.');
  if (!root || !(scope.roots as readonly string[]).includes(root)) {
    const where = scope.roots.length === 1 ? 'a selector sees only event fields' : `paths start with ${scope.roots.join(', ')}`;
    return { error: `unknown path ${path}: ${where}${didYouMean(root ?? '', scope.roots)}` };
  }
  if (name === undefined) return { shape: { type: 'object' } };
  if (root === 'event') return eventPath(path, name, sub, scope.kinds);
  if (root === 'account' || root === 'counterparty') {
    const known = contextFields()[root];
    if (!known.includes(name)) return { error: `unknown field ${root}.${name}${didYouMean(name, known)}` };
    return { shape: root === 'account' ? accountField(name) : { type: 'unknown' } };
  }
  if (root === 'signals') return signalPath(name, sub, scope.signals);
  return { shape: { type: 'unknown' } };
}

function eventPath(path: string, name: string, sub: string | undefined, kinds: readonly TriggerKind[]): { shape?: FieldShape; error?: string } {
  const carriers = kinds.map((k) => eventFields(k).get(name)).filter((s): s is FieldShape => s !== undefined);
  if (carriers.length === 0) {
    const all = kinds.flatMap((k) => [...eventFields(k).keys()]);
    return { error: `unknown field event.${name} on ${kinds.join(', ')} events${didYouMean(name, all)}` };
  }
  const shape = carriers[0]!;
  if (sub === undefined || !shape.fields) return { shape };
  const inner = shape.fields.get(sub);
  if (!inner) return { error: `unknown field ${path.split('.').slice(0, 3).join('.')}${didYouMean(sub, shape.fields.keys())}` };
  return { shape: inner };
}

function signalPath(name: string, fact: string | undefined, signals: Readonly<Record<string, SignalSpec>>): { shape?: FieldShape; error?: string } {
  const spec = signals[name];
  if (!spec) return { error: `unknown signal ${name}${didYouMean(name, Object.keys(signals))}` };
  if (fact === undefined) return { shape: { type: 'object' } };
  const facts = signalFacts(spec.op);
  if (!facts) return { shape: { type: 'unknown' } };
  const known = [...COMMON_SIGNAL_FIELDS, ...facts];
  if (!known.includes(fact)) return { error: `signal ${name} (${spec.op}) has no fact ${fact}${didYouMean(fact, known)}` };
  return { shape: { type: 'unknown' } };
}

/** Checks every name a condition reads, recursively. */
export function checkCondition(c: Condition, at: (string | number)[], scope: Scope, out: RuleIssue[], bare = false): void {
  if ('all' in c) return c.all.forEach((x, i) => checkCondition(x, [...at, 'all', i], scope, out));
  if ('any' in c) return c.any.forEach((x, i) => checkCondition(x, [...at, 'any', i], scope, out));
  if ('not' in c) return checkCondition(c.not, [...at, 'not'], scope, out);
  if ('signal' in c) {
    if (!scope.roots.includes('signals')) out.push({ at, message: `${c.signal}: signals are not computed yet here; move the condition to require` });
    else if (!scope.signals[c.signal]) out.push({ at: bare ? at : [...at, 'signal'], message: `unknown signal ${c.signal}${didYouMean(c.signal, Object.keys(scope.signals))}` });
    return;
  }
  const fieldError = readError(c.field, scope);
  if (fieldError) out.push({ at: [...at, 'field'], message: fieldError });
  for (const op of NUMERIC_COMPARATORS) {
    const error = op in c ? numericLiteralError(op, c[op]) ?? unitMismatch(c.field, op, c[op]) : undefined;
    if (error) out.push({ at: [...at, op], message: error });
  }
  for (const op of FIELD_COMPARATORS) {
    const other = c[op];
    if (typeof other !== 'string') continue;
    const error = readError(other, scope) ?? fieldUnitMismatch(c.field, op, other);
    if (error) out.push({ at: [...at, op], message: error });
  }
}

/** Comparators whose value must be a number or a quantity with a unit (`2000 USD`, `72h`, `80%`). */
const NUMERIC_COMPARATORS = ['gte', 'gt', 'lte', 'lt', 'multipleOf'] as const;

/**
 * Why a numeric comparator's literal is no number, or undefined: `10,000 USD`, `10000 EUR` or
 * `10k` would otherwise reach the engine as text and fail every event the condition meets.
 */
function numericLiteralError(op: string, raw: unknown): string | undefined {
  const value = parseQuantity(raw);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return `${op}: ${JSON.stringify(raw)} is not a number or a quantity such as 2000 USD, 72h or 80% (no thousands separators; USD is the only currency)`;
  }
  if (op === 'multipleOf' && value <= 0) return `multipleOf: ${JSON.stringify(raw)} must be more than 0`;
  return undefined;
}

/** Facts that list account ids (what `alsoAlert` and a payer-risk's `accounts` may name). */
const ACCOUNT_LIST_FACT = /^(accountIds|successorIds|[a-z]+AccountIds)$/;

/**
 * Errors of the paths that name another signal's lists: `alsoAlert` and each payer-risk's
 * `accounts` must name a list of account ids, a payer-risk's `valueOf` a list of event ids, and
 * payer-risk signals may not read one another in a cycle (each would compute the other first).
 */
function checkListPaths(spec: RuleSpec, full: Scope, out: RuleIssue[]): void {
  const accountList = (path: string): string | undefined => {
    const error = resolvePath(path, full).error;
    if (error) return error;
    const [root, , fact] = path.split('.');
    if (root !== 'signals' || fact === undefined || !ACCOUNT_LIST_FACT.test(fact)) return `${path} is not a list of account ids (a signal's accountIds, riskyAccountIds, implicatedAccountIds or successorIds)`;
    return undefined;
  };
  if (spec.alsoAlert !== undefined) {
    const error = accountList(spec.alsoAlert);
    if (error) out.push({ at: ['alsoAlert'], message: error });
  }
  for (const [name, signal] of Object.entries(spec.signals)) {
    if (signal.op !== 'payer-risk') continue;
    const error = accountList(signal.accounts);
    if (error) out.push({ at: ['signals', name, 'accounts'], message: `accounts: ${error}` });
    if (signal.valueOf !== undefined) {
      const valueError = resolvePath(signal.valueOf, full).error ?? (signal.valueOf.split('.')[2] === 'eventIds' ? undefined : `${signal.valueOf} is not a list of event ids (a signal's eventIds)`);
      if (valueError) out.push({ at: ['signals', name, 'valueOf'], message: `valueOf: ${valueError}` });
    }
  }
  const cycle = payerRiskCycle(spec.signals);
  if (cycle) out.push({ at: ['signals', cycle[0]!, 'accounts'], message: `payer-risk signals read one another in a cycle (${cycle.join(' -> ')}): none could be computed` });
}

/**
 * Each sequence's `exceptRegularPay` names a cadence signal of the rule: its run is what regular
 * pay means, and its window keeps the deposits that reading needs (kind-retention.ts).
 */
function checkRegularPayNames(spec: RuleSpec, out: RuleIssue[]): void {
  for (const [name, signal] of Object.entries(spec.signals)) {
    if (signal.op !== 'sequence' || signal.exceptRegularPay === undefined) continue;
    const named = spec.signals[signal.exceptRegularPay];
    if (named?.op === 'cadence') continue;
    const cadences = Object.keys(spec.signals).filter((n) => spec.signals[n]!.op === 'cadence');
    const message = named ? `exceptRegularPay: ${signal.exceptRegularPay} is a ${named.op} signal, not a cadence` : `exceptRegularPay: unknown signal ${signal.exceptRegularPay}${didYouMean(signal.exceptRegularPay, cadences)}`;
    out.push({ at: ['signals', name, 'exceptRegularPay'], message });
  }
}

/** A sequence's `maxGroups` bounds the inflows `pick: largest` tries; with `newest` the first that holds is taken, so it would do nothing. */
function checkPickBounds(spec: RuleSpec, out: RuleIssue[]): void {
  for (const [name, signal] of Object.entries(spec.signals)) {
    if (signal.op !== 'sequence' || signal.maxGroups === undefined || signal.pick === 'largest') continue;
    out.push({ at: ['signals', name, 'maxGroups'], message: `maxGroups bounds the inflows pick: largest tries; with pick: ${signal.pick} the first that holds is taken, so it does nothing` });
  }
}

/** A sequence's `othersTakeFirst` reads the `then` kinds' events its `where` leaves out: with no `where` there are none. */
function checkOtherOutflows(spec: RuleSpec, out: RuleIssue[]): void {
  for (const [name, signal] of Object.entries(spec.signals)) {
    if (signal.op !== 'sequence' || !signal.othersTakeFirst || signal.then.where.length > 0) continue;
    out.push({ at: ['signals', name, 'othersTakeFirst'], message: 'othersTakeFirst reads the events of the `then` kinds that its `where` leaves out; this `then` has no `where`, so every one is a follow-up and it does nothing' });
  }
}

/** A sequence with `match: fifo` matches each follow-up to inflows itself: the options that choose or shape one inflow for `latest` do not apply. */
function checkFifoMatch(spec: RuleSpec, out: RuleIssue[]): void {
  for (const [name, signal] of Object.entries(spec.signals)) {
    if (signal.op !== 'sequence' || signal.match !== 'fifo') continue;
    const clashes = [signal.pick === 'largest' && 'pick: largest', signal.differ.length > 0 && 'differ', signal.othersTakeFirst && 'othersTakeFirst', signal.exceptRegularPay !== undefined && 'exceptRegularPay'].filter((c): c is string => typeof c === 'string');
    if (clashes.length > 0) out.push({ at: ['signals', name, 'match'], message: `match: fifo matches each follow-up to the oldest open inflow itself; it does not combine with ${clashes.join(', ')}` });
  }
}

/** The signals a payer-risk reads through its `accounts` and `valueOf` paths. */
function payerRiskReads(signal: SignalSpec): string[] {
  if (signal.op !== 'payer-risk') return [];
  return [signal.accounts, signal.valueOf].flatMap((path) => (path?.startsWith('signals.') ? [path.split('.')[1]!] : []));
}

/** A cycle among the signals' payer-risk reads (the names, back to the first), or undefined. */
function payerRiskCycle(signals: Readonly<Record<string, SignalSpec>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string, path: string[]): string[] | undefined => {
    if (state.get(name) === 'open') return [...path.slice(path.indexOf(name)), name];
    if (state.has(name) || !signals[name]) return undefined;
    state.set(name, 'open');
    for (const next of payerRiskReads(signals[name]!)) {
      const found = visit(next, [...path, name]);
      if (found) return found;
    }
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(signals)) {
    const found = visit(name, []);
    if (found) return found;
  }
  return undefined;
}

function readError(path: string, scope: Scope): string | undefined {
  if (path.startsWith('signals.') && !scope.roots.includes('signals')) return `${path}: signals are not computed yet here; move the condition to require`;
  return resolvePath(path, scope).error;
}

/** A bare string in `require` or `when` is parsed into `{ signal }`; its YAML node is the string itself. */
function isBare(rawItem: unknown): boolean {
  return typeof rawItem === 'string';
}

const SELECTOR_ROOTS = ['event'] as const;
const WHERE_ROOTS = ['event', 'account', 'counterparty'] as const;

/** Every reference error of a rule, each at its path in the document. `raw` is the parsed YAML before zod. */
export function checkReferences(spec: RuleSpec, raw: Record<string, unknown>): RuleIssue[] {
  const out: RuleIssue[] = [];
  const full: Scope = { kinds: spec.on, roots: CONTEXT_ROOTS, signals: spec.signals };
  const rawList = (key: string): unknown[] => (Array.isArray(raw[key]) ? (raw[key] as unknown[]) : []);
  spec.where.forEach((c, i) => checkCondition(c, ['where', i], { ...full, roots: WHERE_ROOTS }, out, isBare(rawList('where')[i])));
  spec.require.forEach((c, i) => checkCondition(c, ['require', i], full, out, isBare(rawList('require')[i])));
  const rawModifiers = ((raw.score as Record<string, unknown> | undefined)?.modifiers ?? []) as Record<string, unknown>[];
  spec.score.modifiers.forEach((m, i) => checkCondition(m.when, ['score', 'modifiers', i, 'when'], full, out, isBare(rawModifiers[i]?.when)));
  for (const [name, signal] of Object.entries(spec.signals)) {
    for (const part of ['of', 'first', 'then'] as const) {
      const selector = (signal as Partial<Record<typeof part, { kinds: TriggerKind[]; where: Condition[] }>>)[part];
      selector?.where.forEach((c, i) => checkCondition(c, ['signals', name, part, 'where', i], { kinds: selector.kinds, roots: SELECTOR_ROOTS, signals: {} }, out));
    }
  }
  for (const [name, signal] of Object.entries(spec.signals)) {
    if (signal.op !== 'window' || signal.agg === 'count') continue;
    const error = resolvePath(`event.${signal.field}`, { kinds: signal.of.kinds, roots: SELECTOR_ROOTS, signals: {} }).error;
    if (error) out.push({ at: ['signals', name, 'field'], message: `field ${signal.field}: ${error}` });
  }
  for (const [name, path] of Object.entries(spec.evidence)) {
    const error = resolvePath(path, full).error;
    if (error) out.push({ at: ['evidence', name], message: `evidence ${name}: ${error}` });
  }
  checkListPaths(spec, full, out);
  checkRegularPayNames(spec, out);
  checkPickBounds(spec, out);
  checkOtherOutflows(spec, out);
  checkFifoMatch(spec, out);
  // A brace outside a `{path}` is a placeholder typed wrong: alerts would show the raw template (workflow QA).
  const stray = /[{}]/.exec(spec.explain.replace(PLACEHOLDER, ''));
  if (stray) out.push({ at: ['explain'], message: `explain has a ${stray[0]} that opens or closes no {path}: write a placeholder as {signals.name.fact}, with no spaces, or {signals.name.fact|text when it has no value}` });
  checkExplainSections(spec, out);
  for (const path of explainPaths(spec.explain)) {
    if (path === 'score') continue;
    const error = resolvePath(path!, full).error;
    if (error) out.push({ at: ['explain'], message: `explain {${path}}: ${error}` });
  }
  out.push(...checkSeverity(spec));
  out.push(...checkLabelNames(spec));
  const meant = misspeltTypology(spec.typology);
  if (meant) out.push({ at: ['typology'], message: `typology ${spec.typology} is no known typology; did you mean ${meant}? (an operator's own typology must differ from a known one by more than a few letters)` });
  // Signals that nothing requires decide nothing: the rule would fire on every event `where` passes (workflow QA: 39 extra medium alerts).
  if (spec.require.length === 0 && Object.keys(spec.signals).length > 0) out.push({ at: Array.isArray(raw.require) ? ['require'] : ['signals'], message: `require is empty: the rule defines signals (${Object.keys(spec.signals).join(', ')}) but requires none, so it would fire on every event its where passes; require what must hold` });
  return out;
}

/**
 * The explain template's sections (explain-placeholders.ts) name signals of the rule, and a
 * placeholder of a signal that is a branch of an `any` in `require` (it may not have held when
 * the rule fires: `structuring.just-under` v3 read "0 deposits in that band within 10 days" when
 * only its 7-day branch held) is read only in a section that names it held, or with a text for
 * no value (`{signals.toward.label|…}`).
 */
function checkExplainSections(spec: RuleSpec, out: RuleIssue[]): void {
  const branches = branchSignals(spec.require);
  const sections = [...spec.explain.matchAll(SECTION)];
  for (const m of sections) {
    for (const c of sectionConditions(m[1]!)) if (!(c.signal in spec.signals)) out.push({ at: ['explain'], message: `explain section [?${m[1]} …] names ${c.signal}, no signal of this rule` });
    unguardedBranchReads(m[2]!, branches, new Set(sectionConditions(m[1]!).filter((c) => c.held).map((c) => c.signal)), out);
  }
  const outside = spec.explain.replace(SECTION, '');
  if (outside.includes('[?')) out.push({ at: ['explain'], message: 'explain has a [? that opens no section: write [?signal text], [?!signal text] or [?a,!b text], with one space before the text and no [ or ] inside it' });
  unguardedBranchReads(outside, branches, new Set(), out);
}

/** Issues for placeholders in `text` of a branch signal not among `held`, without a text for no value. */
function unguardedBranchReads(text: string, branches: Set<string>, held: Set<string>, out: RuleIssue[]): void {
  for (const m of text.matchAll(PLACEHOLDER)) {
    const signal = /^signals\.([a-zA-Z][a-zA-Z0-9]*)\./.exec(m[1]!)?.[1];
    if (signal === undefined || !branches.has(signal) || held.has(signal) || m[2] !== undefined) continue;
    out.push({ at: ['explain'], message: `explain {${m[1]}}: ${signal} is a branch of an any in require and may not have held when the rule fires; read it in a section [?${signal} …] (and say what held otherwise in [?!${signal} …]), or give it a text for no value` });
  }
}

/** The signals under an `any` or a `not` of `require` that `require` does not also name at its top level (those may fail while the rule fires). */
function branchSignals(require: readonly Condition[]): Set<string> {
  const sure = new Set(require.flatMap((c) => ('signal' in c ? [c.signal] : [])));
  const out = new Set<string>();
  const visit = (c: Condition, underAny: boolean): void => {
    if ('signal' in c) { if (underAny && !sure.has(c.signal)) out.add(c.signal); }
    else if ('any' in c) c.any.forEach((x) => visit(x, true));
    else if ('all' in c) c.all.forEach((x) => visit(x, underAny));
    else if ('not' in c) visit(c.not, true); // under a not it may fail (or never hold) while the rule fires
  };
  require.forEach((c) => visit(c, false));
  return out;
}

/** `any-untraced` (label-exclusion.ts) stands for labels to leave out; in a list of labels to find or stop at it would match nothing. */
function misplacedUntraced(list: string, at: (string | number)[], out: RuleIssue[]): void {
  if (list === 'excludeLabels') return;
  out.push({ at, message: `${ANY_UNTRACED} stands for every label no exposure signal traces and is read only in excludeLabels; in ${list} it would match nothing` });
}

/** Operators under which a value outside a signal's labels makes a condition that never holds. */
const FINDING_OPS = new Set(['eq', 'in', 'contains', 'containsAny']);

/** For `signals.<name>.label`, the labels that signal looks for (its `labels`); undefined for any other field. */
function foundLabels(spec: RuleSpec, field: string): readonly string[] | undefined {
  const m = /^signals\.([a-zA-Z][a-zA-Z0-9]*)\.label$/.exec(field);
  const labels = m ? (spec.signals[m[1]!] as { labels?: unknown } | undefined)?.labels : undefined;
  return Array.isArray(labels) && labels.every((l) => typeof l === 'string') ? labels as string[] : undefined;
}

/** Label lists of the signals that read labels by name. */
const LABEL_LISTS = ['labels', 'excludeLabels', 'stopAt'] as const;

/** Every label name the rule reads (signal label lists, conditions on `counterparty.labels` and on a signal's `label`) that is a known label misspelt, or that the signal never finds. */
function checkLabelNames(spec: RuleSpec): RuleIssue[] {
  const out: RuleIssue[] = [];
  const check = (name: unknown, at: (string | number)[]): void => {
    const meant = typeof name === 'string' ? misspeltLabel(name) : undefined;
    if (meant) out.push({ at, message: `label ${String(name)} is no known label and would match nothing; did you mean ${meant}? (an operator's own label must differ from a known one by more than two letters)` });
  };
  for (const [name, signal] of Object.entries(spec.signals)) {
    for (const list of LABEL_LISTS) {
      const names = (signal as Partial<Record<(typeof LABEL_LISTS)[number], string[]>>)[list];
      names?.forEach((label, i) => (label === ANY_UNTRACED ? misplacedUntraced(list, ['signals', name, list, i], out) : check(label, ['signals', name, list, i])));
    }
    const consolidation = (signal as { consolidation?: { excludeLabels?: string[] } }).consolidation;
    consolidation?.excludeLabels?.forEach((label, i) => { if (label !== ANY_UNTRACED) check(label, ['signals', name, 'consolidation', 'excludeLabels', i]); });
  }
  const visit = (c: Condition, at: (string | number)[]): void => {
    if ('all' in c) return c.all.forEach((x, i) => visit(x, [...at, 'all', i]));
    if ('any' in c) return c.any.forEach((x, i) => visit(x, [...at, 'any', i]));
    if ('not' in c) return visit(c.not, [...at, 'not']);
    if (!('field' in c)) return;
    const found = foundLabels(spec, c.field);
    if (c.field !== 'counterparty.labels' && found === undefined) return;
    for (const [op, value] of Object.entries(c)) {
      if (op === 'field') continue;
      const each = (v: unknown, where: (string | number)[]): void => {
        check(v, where);
        // A signal's label is one of the labels it looks for: any other value never matches.
        if (found && FINDING_OPS.has(op) && typeof v === 'string' && !misspeltLabel(v) && !found.includes(v)) out.push({ at: where, message: `${c.field} is one of the labels signal ${c.field.split('.')[1]} looks for (${found.join(', ')}), never ${v}: this condition could never hold` });
      };
      if (Array.isArray(value)) value.forEach((v, i) => each(v, [...at, op, i]));
      else each(value, [...at, op]);
    }
  };
  spec.where.forEach((c, i) => visit(c, ['where', i]));
  spec.require.forEach((c, i) => visit(c, ['require', i]));
  spec.score.modifiers.forEach((m, i) => visit(m.when, ['score', 'modifiers', i, 'when']));
  return out;
}

const LEVELS = ['critical', 'high', 'medium'] as const;

/** Thresholds within 0..100 and strictly falling from critical to medium (else a level is never assigned). */
export function checkSeverity(spec: RuleSpec): RuleIssue[] {
  const out: RuleIssue[] = [];
  const given = LEVELS.filter((l) => spec.severity[l] !== undefined).map((l) => ({ level: l, value: spec.severity[l]! }));
  if (given.length === 0) out.push({ at: ['severity'], message: 'severity names no band (critical, high, medium): every alert of the rule would be low and open no case' });
  for (const { level, value } of given) {
    if (value < 0 || value > 100) out.push({ at: ['severity', level], message: `severity.${level} ${value} is outside the score range 0..100` });
  }
  for (let i = 1; i < given.length; i++) {
    const above = given[i - 1]!;
    const below = given[i]!;
    if (below.value >= above.value) out.push({ at: ['severity', below.level], message: `severity thresholds out of order: ${below.level} ${below.value} must be below ${above.level} ${above.value}` });
  }
  return out;
}
