/**
 * Finds rules that can never fire, from their text alone: a signal whose own parameters admit no
 * result (contradictory bounds, a ratio band that is empty, a cadence window too short for the
 * payments it requires, a count past what the operator can count), a condition on a value the
 * schema cannot take, and bounds on one field that contradict each other across `where` and
 * `require`. Each finding is certain, never a guess: a rule it names cannot raise an alert.
 */
import { DEFAULT_GRAPH_OPTIONS } from '../graph/entity-graph.js';
import { formatDuration, parseQuantity } from './units.js';
import { resolvePath, type RuleIssue, type Scope } from './rule-references.js';
import { CONTEXT_ROOTS, type TriggerKind } from './rule-paths.js';
import type { Condition, RuleSpec, SignalSpec } from './rule-schema.js';

type Bounds = { gte?: number | undefined; gt?: number | undefined; lte?: number | undefined; lt?: number | undefined };

/** Whether no number satisfies every bound. */
export function emptyInterval(b: Bounds): boolean {
  const low = Math.max(b.gte ?? -Infinity, b.gt ?? -Infinity);
  const high = Math.min(b.lte ?? Infinity, b.lt ?? Infinity);
  const open = (b.gt !== undefined && b.gt >= low) || (b.lt !== undefined && b.lt <= high);
  return low > high || (low === high && open);
}

const describe = (b: Bounds): string => Object.entries(b).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${v}`).join(' and ');

/** Why a signal can never hold on its own parameters, or undefined. */
export function deadSignal(spec: SignalSpec, on: readonly TriggerKind[]): string | undefined {
  if ('pass' in spec && emptyInterval(spec.pass)) return `pass can never hold (${describe(spec.pass)})`;
  switch (spec.op) {
    case 'fan-in': {
      const cap = DEFAULT_GRAPH_OPTIONS.saturation;
      if ((spec.pass.gte ?? 0) > cap || (spec.pass.gt ?? 0) >= cap) return `fan-in counts at most ${cap} distinct accounts, so pass (${describe(spec.pass)}) never holds`;
      return undefined;
    }
    case 'sequence':
      if (spec.minRatio > spec.maxRatio) return `minRatio ${spec.minRatio} is above maxRatio ${spec.maxRatio}`;
      if (!spec.then.kinds.some((k) => on.includes(k))) return `the trigger must be a \`then\` event (${spec.then.kinds.join(', ')}), but the rule runs on ${on.join(', ')}`;
      return undefined;
    case 'cadence': {
      if (spec.usdRange && spec.usdRange[0] > spec.usdRange[1]) return `usdRange is empty (${spec.usdRange[0]} > ${spec.usdRange[1]})`;
      const shortestGap = Math.min(...spec.periods.map((p) => p.every - p.tolerance));
      const needed = (spec.minCount - 1) * shortestGap;
      if (spec.within < needed) return `window ${formatDuration(spec.within)} is shorter than the ${spec.minCount} payments it requires span at the shortest period (${formatDuration(needed)})`;
      if (spec.mergeWithin >= Math.max(...spec.periods.map((p) => p.every + p.tolerance))) return `mergeWithin ${formatDuration(spec.mergeWithin)} merges every periodic payment into one, so no cadence of ${spec.minCount} can form`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Why a single field condition can never hold in this scope, or undefined. */
function impossibleField(c: Extract<Condition, { field: string }>, scope: Scope): string | undefined {
  const shape = resolvePath(c.field, scope).shape;
  if (!shape) return undefined;
  const [op, raw] = Object.entries(c).find(([k, v]) => k !== 'field' && k !== 'times' && v !== undefined) ?? [];
  if (op === undefined) return undefined;
  const expected = Array.isArray(raw) ? raw.map(parseQuantity) : parseQuantity(raw);
  if (['gte', 'gt', 'lte', 'lt', 'multipleOf'].includes(op) && shape.type !== 'number' && shape.type !== 'unknown') return `${c.field} is a ${shape.type}, never a number, so ${op} never holds`;
  if (!shape.values) return undefined;
  const norm = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);
  const domain = shape.values.map(norm);
  const list = (Array.isArray(expected) ? expected : [expected]).map(norm);
  if ((op === 'eq' || op === 'in') && list.every((v) => !domain.includes(v))) return `${c.field} is one of ${shape.values.join(', ')}; ${op} ${list.join(', ')} never holds`;
  if (op === 'notIn' && domain.every((v) => list.includes(v))) return `${c.field} is always one of ${list.join(', ')}, so notIn never holds`;
  if (op === 'ne' && domain.length === 1 && domain[0] === list[0]) return `${c.field} is always ${String(shape.values[0])}, so ne never holds`;
  return undefined;
}

/** Why a condition can never hold (given the dead signals), or undefined. */
export function neverHolds(c: Condition, scope: Scope, dead: ReadonlyMap<string, string>): string | undefined {
  if ('all' in c) {
    for (const x of c.all) { const why = neverHolds(x, scope, dead); if (why) return why; }
    return contradictoryBounds(c.all)?.why;
  }
  if ('any' in c) {
    const whys = c.any.map((x) => neverHolds(x, scope, dead));
    return whys.every((w) => w !== undefined) ? whys.join('; and ') : undefined;
  }
  if ('not' in c) return undefined;
  if ('signal' in c) return dead.has(c.signal) ? `signal ${c.signal}: ${dead.get(c.signal)}` : undefined;
  if (c.field.startsWith('signals.')) {
    const name = c.field.split('.')[1]!;
    if (dead.has(name) && !('exists' in c && c.exists === false)) return `signal ${name}: ${dead.get(name)}`;
  }
  return impossibleField(c, scope);
}

/** Numeric bounds on one field, gathered across a conjunction, that no value satisfies: why, and the condition that closed the interval. */
export function contradictoryBounds(conditions: readonly Condition[]): { why: string; index: number } | undefined {
  const byField = new Map<string, Bounds>();
  for (const [index, c] of conditions.entries()) {
    if (!('field' in c)) continue;
    for (const op of ['gte', 'gt', 'lte', 'lt', 'eq'] as const) {
      const v = parseQuantity(c[op]);
      if (typeof v !== 'number') continue;
      const b = byField.get(c.field) ?? {};
      if (op === 'eq') { b.gte = Math.max(b.gte ?? -Infinity, v); b.lte = Math.min(b.lte ?? Infinity, v); }
      else if (op === 'gte' || op === 'gt') b[op] = Math.max(b[op] ?? -Infinity, v);
      else b[op] = Math.min(b[op] ?? Infinity, v);
      byField.set(c.field, b);
      if (emptyInterval(b)) return { why: `the bounds on ${c.field} contradict each other (${describe(b)})`, index };
    }
  }
  return undefined;
}

/** Why a window's, cadence's or sequence's selector can match no event, or undefined. */
function emptySelector(signal: SignalSpec): string | undefined {
  for (const part of ['of', 'first', 'then'] as const) {
    const selector = (signal as Partial<Record<typeof part, { kinds: TriggerKind[]; where: Condition[] }>>)[part];
    if (!selector || selector.where.length === 0) continue;
    const why = neverHolds({ all: selector.where }, { kinds: selector.kinds, roots: ['event'], signals: {} }, new Map());
    if (why) return `its \`${part}\` selector matches no event: ${why}`;
  }
  return undefined;
}

/** Every reason the rule can never fire, and every modifier that can never apply. */
export function checkReachability(spec: RuleSpec): RuleIssue[] {
  const out: RuleIssue[] = [];
  const dead = new Map<string, string>();
  for (const [name, signal] of Object.entries(spec.signals)) {
    const why = deadSignal(signal, spec.on) ?? emptySelector(signal);
    if (why) dead.set(name, why);
  }
  const full: Scope = { kinds: spec.on, roots: CONTEXT_ROOTS, signals: spec.signals };
  const gates: [Condition, (string | number)[]][] = [
    ...spec.where.map((c, i): [Condition, (string | number)[]] => [c, ['where', i]]),
    ...spec.require.map((c, i): [Condition, (string | number)[]] => [c, ['require', i]]),
  ];
  let fires = true;
  for (const [c, at] of gates) {
    const why = neverHolds(c, full, dead);
    if (why) { out.push({ at: signalAt(why, dead) ?? at, message: `rule can never fire: ${why}` }); fires = false; }
  }
  if (fires) {
    const contradiction = contradictoryBounds(gates.map(([c]) => c));
    if (contradiction) out.push({ at: gates[contradiction.index]![1], message: `rule can never fire: ${contradiction.why}` });
    else checkModifiers(spec, full, dead, out);
  }
  return out;
}

/** The parameter a dead signal's reason names: the error points at the line to change (newcomer QA, session 43: `pass: { gte: 5, lte: 2 }` was reported at the `require` below it). */
const PARAMETER_OF_REASON: readonly [RegExp, string][] = [
  [/^pass\b|^fan-in counts/, 'pass'], [/^minRatio\b/, 'minRatio'], [/^usdRange\b/, 'usdRange'], [/^window\b/, 'within'],
  [/^mergeWithin\b/, 'mergeWithin'], [/^the trigger must be a `then`/, 'then'], [/^its `(of|first|then)` selector/, '$1'],
];

/** Where a reason about a dead signal points: the signal's parameter, or the signal; undefined for any other reason. */
function signalAt(why: string, dead: ReadonlyMap<string, string>): (string | number)[] | undefined {
  const m = /^signal (\S+): (.*)$/s.exec(why);
  if (!m || !dead.has(m[1]!)) return undefined;
  for (const [pattern, key] of PARAMETER_OF_REASON) {
    const hit = pattern.exec(m[2]!);
    if (hit) return ['signals', m[1]!, key === '$1' ? hit[1]! : key];
  }
  return ['signals', m[1]!];
}

/** Modifiers that can never apply (checked only for a rule that can fire: otherwise they are noise). */
function checkModifiers(spec: RuleSpec, full: Scope, dead: ReadonlyMap<string, string>, out: RuleIssue[]): void {
  spec.score.modifiers.forEach((m, i) => {
    const why = neverHolds(m.when, full, dead);
    if (why) out.push({ at: ['score', 'modifiers', i, 'when'], message: `modifier "${m.note}" can never apply: ${why}` });
  });
}
