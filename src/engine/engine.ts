/**
 * The rule engine: compiled rules evaluated against a trigger (a transfer or a login, or an
 * earlier transfer re-examined after a graph change). It does no I/O; it returns alerts.
 * Alert ids derive from rule id, version, subject and evidence, so a replay reproduces them,
 * and a rule fires again for a subject only when the subject's own evidence is new.
 */
import { createHash } from 'node:crypto';
import { displayAddress } from '../chain/address.js';
import type { Alert, Severity } from '../contract/schemas.js';
import type { TransferEvent } from '../decode/events.js';
import type { EntityGraph, GraphChange } from '../graph/entity-graph.js';
import { compileAll, compileCondition, getPath, renderTemplate, type Context, type Predicate } from './conditions.js';
import type { LoadedRule } from './loader.js';
import type { RuleSpec } from './rule-schema.js';
import { compileSignal, counterpartyIds, readsGraph, type Signal, type SignalResult } from './signals.js';
import type { HistoryItem, RuleState } from './state.js';
import { RecentIds } from '../state/recent-ids.js';

export interface CompiledRule {
  spec: RuleSpec;
  hash: string;
  where: Predicate;
  signals: [string, Signal][];
  require: Predicate;
  modifiers: { when: Predicate; add: number; note: string }[];
  /** True when a graph change can change this rule's verdict. */
  graphDependent: boolean;
}

export function compileRule(rule: LoadedRule): CompiledRule {
  const spec = rule.spec;
  return {
    spec,
    hash: rule.hash,
    where: compileAll(spec.where),
    signals: Object.entries(spec.signals).map(([name, s]) => [name, compileSignal(s)]),
    require: compileAll(spec.require),
    modifiers: spec.score.modifiers.map((m) => ({ when: compileCondition(m.when), add: m.add, note: m.note })),
    graphDependent: Object.values(spec.signals).some(readsGraph) || JSON.stringify(spec.where).includes('counterparty.'),
  };
}

const DAY = 86_400_000;
const LABEL_ORDER = ['sanctioned', 'dprk-linked'];

function counterpartyContext(graph: EntityGraph, t: TransferEvent, asOf: number): Context {
  const ids = counterpartyIds(graph, t);
  const labels = new Set<string>();
  const entities = new Set<string>();
  for (const id of ids) {
    for (const l of graph.clusterLabels(id, asOf)) {
      labels.add(l.record.label);
      if (l.record.entity) entities.add(l.record.entity);
    }
  }
  const first = ids[0];
  return {
    // Checksummed display forms cost a keccak each: computed only when a template or evidence asks.
    get addresses() { return ids.map((id) => displayAddress(graph.key(id))); },
    labels: [...labels].sort((a, b) => (LABEL_ORDER.indexOf(b) - LABEL_ORDER.indexOf(a)) || a.localeCompare(b)),
    entities: [...entities].sort(),
    cluster: first === undefined ? null : graph.clusterName(first),
    clusterSize: first === undefined ? 0 : graph.clusterSize(first),
    own: ids.some((id) => graph.isOwn(id)),
  };
}

/** The evaluation context of a trigger: the rule conditions' view of the world. */
export function buildContext(trigger: HistoryItem, graph: EntityGraph, asOf: number): Context {
  if (trigger.type === 'login') return { event: { ...trigger.msg, kind: 'login' }, account: {}, counterparty: {}, signals: {} };
  const m = trigger.msg;
  return {
    event: { ...m, amount: trigger.amount, usd: trigger.usd },
    account: {
      type: m.customer?.type,
      kycCountry: m.customer?.kycCountry,
      ageDays: m.customer ? Math.floor((trigger.time - Date.parse(m.customer.createdAt)) / DAY) : undefined,
    },
    counterparty: counterpartyContext(graph, trigger, asOf),
    signals: {},
  };
}

function severityOf(spec: RuleSpec, score: number): Severity {
  const s = spec.severity;
  if (s.critical !== undefined && score >= s.critical) return 'critical';
  if (s.high !== undefined && score >= s.high) return 'high';
  if (s.medium !== undefined && score >= s.medium) return 'medium';
  return 'low';
}

export function deriveAlertId(ruleId: string, version: number, accountId: string, eventIds: readonly string[]): string {
  return 'al-' + createHash('sha256').update(`${ruleId}\u0000${version}\u0000${accountId}\u0000${eventIds.join('\u0001')}`).digest('hex').slice(0, 32);
}

export interface Trigger {
  item: HistoryItem;
  /** Present when a graph change re-examines an earlier transfer. */
  change?: GraphChange;
}

export class RuleEngine {
  private rules: CompiledRule[];
  /** rule id + subject → evidence event ids already alerted on. */
  private readonly alerted = new Map<string, Set<string>>();
  /** When each rule id + subject last triggered (event time): one silent for 400 days is forgotten, so memory stays bounded. */
  private readonly alertedAt = new RecentIds(400 * 86_400_000, (key) => this.alerted.delete(key));
  private readonly emitted = new RecentIds(400 * 86_400_000);

  constructor(rules: LoadedRule[], readonly graph: EntityGraph, readonly state: RuleState) {
    this.rules = rules.map(compileRule);
  }

  /** Swaps in a new, already validated rule set (hot reload). */
  replaceRules(rules: LoadedRule[]): void {
    this.rules = rules.map(compileRule);
    this.labelsCache = undefined;
  }

  /** Rule id + subject pairs whose alerted evidence is remembered. */
  get noveltySize(): number {
    return this.alerted.size;
  }

  get ruleCount(): number {
    return this.rules.length;
  }

  /** Every label an exposure signal of the rule set looks for. */
  get exposureLabels(): string[] {
    return (this.labelsCache ??= [...new Set(this.rules.flatMap((r) => Object.values(r.spec.signals).flatMap((s) => (s.op === 'exposure' ? s.labels : []))))].sort());
  }

  private labelsCache: string[] | undefined;

  get hasGraphRules(): boolean {
    return this.rules.some((r) => r.graphDependent);
  }

  evaluate({ item, change }: Trigger): Alert[] {
    const kind = item.type === 'login' ? 'login' : item.msg.kind;
    const asOf = Math.max(item.time, change?.time ?? 0);
    let ctx: Context | undefined;
    const alerts: Alert[] = [];
    for (const rule of this.rules) {
      if (!rule.spec.on.includes(kind) || (change && !rule.graphDependent)) continue;
      ctx ??= buildContext(item, this.graph, asOf);
      const ruleCtx: Context = { ...ctx, signals: {} };
      if (!rule.where(ruleCtx)) continue;
      alerts.push(...this.fire(rule, item, ruleCtx, asOf, change));
    }
    return alerts;
  }

  /** The trigger's account, plus any accounts the rule's `alsoAlert` names, each with its own alert. */
  private fire(rule: CompiledRule, item: HistoryItem, ctx: Context, asOf: number, change?: GraphChange): Alert[] {
    const first = this.fireFor(rule, item, ctx, asOf, item.msg.accountId, change);
    if (!first.evaluated) return [];
    const out = first.alert ? [first.alert] : [];
    const others = rule.spec.alsoAlert ? getPath(ctx, rule.spec.alsoAlert) : undefined;
    if (Array.isArray(others)) {
      for (const accountId of others) {
        if (typeof accountId !== 'string' || accountId === item.msg.accountId) continue;
        const extra = this.fireFor(rule, item, ctx, asOf, accountId, change, true);
        if (extra.alert) out.push(extra.alert);
      }
    }
    return out;
  }

  private fireFor(rule: CompiledRule, item: HistoryItem, ctx: Context, asOf: number, accountId: string, change?: GraphChange, reuse = false): { evaluated: boolean; alert?: Alert } {
    if (!reuse) this.runSignals(rule, item, ctx, asOf);
    if (!rule.require(ctx)) return { evaluated: false };
    const alert = this.buildAlert(rule, item, ctx, accountId, change);
    return alert ? { evaluated: true, alert } : { evaluated: true };
  }

  /**
   * Signals are computed lazily, on first read: `require` short-circuits in order, so a rule whose
   * first required signal fails never pays for the rest (exposure searches, cadence scans).
   */
  private runSignals(rule: CompiledRule, item: HistoryItem, ctx: Context, asOf: number): void {
    const results = ctx.signals as Record<string, unknown>;
    for (const [name, signal] of rule.signals) {
      let cached: (SignalResult & Record<string, unknown>) | undefined;
      Object.defineProperty(results, name, {
        enumerable: true,
        configurable: true,
        get: () => {
          if (!cached) {
            const r = signal({ trigger: item, ctx, graph: this.graph, state: this.state, asOf });
            cached = Object.assign({}, r.facts, { ok: r.ok, value: r.value, eventIds: r.eventIds, facts: r.facts });
          }
          return cached;
        },
      });
    }
  }

  private buildAlert(rule: CompiledRule, item: HistoryItem, ctx: Context, accountId: string, change?: GraphChange): Alert | undefined {
    const results = ctx.signals as Record<string, SignalResult & Record<string, unknown>>;
    const spec = rule.spec;
    let score = spec.score.base;
    const notes: string[] = [];
    for (const m of rule.modifiers) {
      if (m.when(ctx)) { score += m.add; notes.push(m.note); }
    }
    score = Math.max(0, Math.min(100, score));
    const evidenceIds = new Set<string>([item.eventId]);
    for (const [name] of rule.signals) if (results[name]!.ok) for (const id of results[name]!.eventIds) evidenceIds.add(id);
    // Each account is alerted once per rule for what holds: a login that only grows a linked group
    // alerts the newcomer, not every member again (N members would otherwise cost N^2 alerts).
    const held = rule.signals.filter(([name]) => results[name]!.ok).map(([name]) => `signal:${name}`);
    if (!this.isNew(spec.id, accountId, evidenceIds, held, item)) return undefined;
    if (change) evidenceIds.add(change.eventId);
    const eventIds = [...evidenceIds].sort();
    const evidence: Record<string, unknown> = { rule: { file: rule.spec.id, hash: rule.hash } };
    // A rule that names its evidence fields gets exactly those; otherwise every signal's facts.
    if (Object.keys(spec.evidence).length === 0) for (const [name] of rule.signals) if (results[name]!.ok) evidence[name] = results[name]!.facts;
    for (const [name, path] of Object.entries(spec.evidence)) {
      const v = getPath(ctx, path);
      if (v !== undefined) evidence[name] = v;
    }
    if (notes.length) evidence.modifiers = notes;
    if (change) evidence.graphChange = { kind: change.kind, cluster: change.cluster, ...(change.absorbed ? { absorbed: change.absorbed } : {}), cause: change.cause, eventId: change.eventId, at: new Date(change.time).toISOString() };
    const subject: Alert['subject'] = { accountId };
    const cluster = getPath(ctx, 'counterparty.cluster');
    if (spec.subject === 'account+cluster' && typeof cluster === 'string') subject.cluster = cluster;
    const alertId = deriveAlertId(spec.id, spec.version, accountId, eventIds);
    // One alert per rule, subject and evidence set, however many evaluations reach it.
    if (this.emitted.has(alertId)) return undefined;
    this.emitted.add(alertId, Math.max(item.time, change?.time ?? 0));
    return {
      alertId,
      ruleId: spec.id,
      ruleVersion: spec.version,
      typology: spec.typology,
      severity: severityOf(spec, score),
      score,
      subject,
      eventIds,
      triggeredAt: new Date(Math.max(item.time, change?.time ?? 0)).toISOString(),
      evidence,
      explanation: renderTemplate(spec.explain, { ...ctx, score }),
    };
  }

  /**
   * True when the subject's own evidence includes an event not alerted on before by this rule,
   * or a signal now holds that did not before (late evidence: the same payment, newly damning).
   */
  private isNew(ruleId: string, accountId: string, ids: Set<string>, signals: string[], item: HistoryItem): boolean {
    const key = `${ruleId}\u0000${accountId}`;
    this.alertedAt.add(key, item.time);
    const seen = this.alerted.get(key) ?? new Set<string>();
    const own = [...ids].filter((id) => (id === item.eventId && item.type !== 'login' && item.msg.accountId === accountId) || this.state.transfer(id)?.msg.accountId === accountId).concat(signals);
    if (own.every((id) => seen.has(id))) return false;
    for (const id of own) seen.add(id);
    this.alerted.set(key, seen);
    return true;
  }
}

