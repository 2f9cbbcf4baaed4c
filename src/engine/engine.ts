/**
 * The rule engine: compiled rules evaluated against a trigger (a transfer or a login, or an
 * earlier transfer re-examined after a graph change). It does no I/O; it returns alerts.
 * Alert ids derive from rule id, version, subject and evidence, so a replay reproduces them,
 * and a rule fires again for a subject only when the subject's own evidence is new.
 */
import { validatedTimeMs } from '../contract/primitives.js';
import { Decimal } from '../money/decimal.js';
import { inUsdRange, type CommonFunderSpec } from './common-funder.js';
import { createHash } from 'node:crypto';
import { displayAddress } from '../chain/address.js';
import type { Alert, Severity } from '../contract/schemas.js';
import type { TransferEvent } from '../decode/events.js';
import type { EntityGraph, GraphChange } from '../graph/entity-graph.js';
import { shownGraphChange } from './graph-change-view.js';
import { compileAll, compileCondition, getPath, renderTemplate, type Context, type Predicate } from './conditions.js';
import type { LoadedRule } from './loader.js';
import { FIELD_COMPARATORS, type Condition, type RuleSpec, type SignalSpec } from './rule-schema.js';
import { NO_RESULT, plainResultView } from './no-result.js';
import { snapshotEvidence } from './evidence-snapshot.js';
import { unitOf } from './fact-units.js';
import { compileSignal, fewestPassing, readsGraph, type Env, type Signal, type SignalResult } from './signals.js';
import { eventView } from './event-view.js';
import { counterpartyIds } from './counterparty-ids.js';
import type { HistoryItem, RuleState } from './state.js';
import { IdWindow } from '../state/id-window.js';
import { ruleReadsMembership } from './merge-readers.js';
import { gateOf, gateStillFails, noteGateFailed, type Gate } from './gates.js';
import { SUBNET_WITHIN } from './subnet-sightings.js';
import { sequenceReach } from './sequence-fifo.js';
import { anyEarlierWithdrawal, bringsNewPayer, earlierWithdrawals, laterPayersOf, type LaterPayers } from './later-payers.js';
import { CleanJudgementMark, implicatedNeedOf } from './clean-judgement-mark.js';

export interface CompiledRule {
  spec: RuleSpec;
  hash: string;
  where: Predicate;
  signals: [string, Signal][];
  /** Prototype of the rule's lazy signal results: one getter per signal, each reading `lazyState`. */
  signalProto: object;
  /**
   * The rule's lazy signal results, reused by each evaluation (evaluations never nest, and nothing
   * keeps it once the rule's verdict is taken: alerts hold the result objects, not this).
   */
  lazy: object;
  /** What the rule's getters read and write: the trigger's environment and the results computed for it. */
  lazyState: LazySignals;
  require: Predicate;
  modifiers: { when: Predicate; add: number; note: string }[];
  /** True when a graph change can change this rule's verdict. */
  graphDependent: boolean;
  /** True when a merge of unlabelled clusters can (see merge-readers.ts). */
  readsMembership: boolean;
  /** The sequence signal `require` tries first, if it does (see gates.ts). */
  gate: Gate | undefined;
  /**
   * A necessary condition for the signal `require` tries first, when it has one (Signal.mayHold):
   * false means `require` fails, known without computing the signal.
   */
  mayHold: ((env: Env) => boolean) | undefined;
  /** For a rule that needs a fan-in's payers implicated (and has no gate): its last judgement that implicated too few (clean-judgement-mark.ts). */
  cleanMark: CleanJudgementMark | undefined;
}

/** Compiles one rule; a gated one (see gates.ts) takes `gateBit`. */
export function compileRule(rule: LoadedRule, gateBit = 0): CompiledRule {
  const spec = rule.spec;
  const compiledSignals = Object.entries(spec.signals).map(([name, s]) => [name, compileSignal(s, spec.signals)] as [string, Signal]);
  const lazyState: LazySignals = { env: undefined as unknown as Env, results: new Array<SignalResult | undefined>(compiledSignals.length).fill(undefined) };
  const signalProto = lazySignalPrototype(compiledSignals, lazyState);
  const lazy = Object.create(signalProto) as object;
  const ordered = cheapestFirst(spec.require, spec.signals);
  const names = compiledSignals.map(([name]) => name);
  const gate = gateOf(ordered, spec.signals, names, gateBit);
  return {
    spec,
    hash: rule.hash,
    where: compileAll(spec.where),
    signals: compiledSignals,
    signalProto,
    lazy,
    lazyState,
    require: compileAll(ordered),
    modifiers: spec.score.modifiers.map((m) => ({ when: compileCondition(m.when), add: m.add, note: m.note })),
    graphDependent: Object.values(spec.signals).some(readsGraph) || JSON.stringify(spec.where).includes('counterparty.'),
    readsMembership: ruleReadsMembership(spec),
    gate,
    mayHold: firstSignalMayHold(ordered, compiledSignals, gate),
    cleanMark: gate === undefined ? cleanMarkOf(spec, names) : undefined,
  };
}

function cleanMarkOf(spec: RuleSpec, names: readonly string[]): CleanJudgementMark | undefined {
  const need = implicatedNeedOf(spec, names);
  return need === undefined ? undefined : new CleanJudgementMark(need);
}

/**
 * The necessary condition of the signal the ordered `require` tries first, if it is a signal
 * that has one. Not for a gate: its failing verdict is noted for re-examinations (see gates.ts),
 * which needs it computed.
 */
function firstSignalMayHold(ordered: readonly Condition[], signals: readonly [string, Signal][], gate: Gate | undefined): ((env: Env) => boolean) | undefined {
  const first = ordered[0];
  if (first === undefined || !('signal' in first)) return undefined;
  const index = signals.findIndex(([name]) => name === first.signal);
  if (index < 0 || index === gate?.index) return undefined;
  return signals[index]![1].mayHold;
}

/** Compiles a rule set, giving each gated rule a bit of its own. */
export function compileRuleSet(rules: readonly LoadedRule[]): CompiledRule[] {
  let bit = 0;
  return rules.map((rule) => {
    const compiled = compileRule(rule, bit);
    if (compiled.gate) bit++;
    return compiled;
  });
}

/** Every label an exposure or decaying-exposure signal of the rules looks for, sorted. */
export function exposureLabelsOf(specs: readonly RuleSpec[]): string[] {
  return [...new Set(specs.flatMap((spec) => Object.values(spec.signals).flatMap((s) => (s.op === 'exposure' || s.op === 'decaying-exposure' ? s.labels : s.op === 'flagged-payers' && s.exposure ? s.exposure.labels : []))))].sort();
}

/** Relative cost of computing each signal operator: graph walks cost most, a keyed lookup least. */
const SIGNAL_COST: Record<SignalSpec['op'], number> = { fresh: 1, linkage: 1, window: 2, sequence: 2, 'fan-in': 3, cadence: 3, 'payer-risk': 3, 'distinct-payers': 2, 'flagged-payers': 5, exposure: 4, 'common-funder': 3, predecessor: 3, 'decaying-exposure': 4, 'reverse-link': 4 };

/**
 * The costliest signal a condition reads (0 when it reads only fields of the event or account),
 * through its field or the other field it is compared with (`gtField: signals.employers.sinceDays`
 * computes that signal too).
 */
function conditionCost(c: Condition, signals: Record<string, SignalSpec>): number {
  if ('all' in c) return Math.max(0, ...c.all.map((x) => conditionCost(x, signals)));
  if ('any' in c) return Math.max(0, ...c.any.map((x) => conditionCost(x, signals)));
  if ('not' in c) return conditionCost(c.not, signals);
  if ('signal' in c) return signalCost(c.signal, signals);
  let cost = signalCost(signalNamed(c.field), signals);
  for (const comparator of FIELD_COMPARATORS) {
    const other = (c as Partial<Record<(typeof FIELD_COMPARATORS)[number], string>>)[comparator];
    if (other !== undefined) cost = Math.max(cost, signalCost(signalNamed(other), signals));
  }
  return cost;
}

/** The signal a field path reads (`signals.<name>.…`), if it reads one. */
const signalNamed = (path: string): string | undefined => (path.startsWith('signals.') ? path.split('.')[1] : undefined);

function signalCost(name: string | undefined, signals: Record<string, SignalSpec>): number {
  const spec = name === undefined ? undefined : signals[name];
  return spec ? SIGNAL_COST[spec.op] : 0;
}

/**
 * `require` is a conjunction of pure conditions, so its order changes no verdict, only the cost:
 * conditions are tried cheapest first (stable), and a costly graph walk runs only when every
 * cheaper condition already holds.
 */
export function cheapestFirst(conditions: readonly Condition[], signals: Record<string, SignalSpec>): Condition[] {
  return conditions.map((c, i) => ({ c, i, cost: conditionCost(c, signals) })).sort((a, b) => a.cost - b.cost || a.i - b.i).map((x) => x.c);
}

const DAY = 86_400_000;
/** A rule's `signals` while its `where` runs: none computed yet (shared, never written). */
const NO_SIGNALS: Context = Object.freeze({});
/** What `fire` returns for a rule that does not hold (most): shared, never written. */
const NO_ALERTS: Alert[] = Object.freeze([]) as unknown as Alert[];
/** A login's `account` and `counterparty`: nothing known. */
const NOTHING_KNOWN: Context = Object.freeze({});
const LABEL_ORDER = ['sanctioned', 'dprk-linked'];

/**
 * The counterparty's view, each field computed on first read: most triggers are judged by rules
 * that never look at the counterparty, and its labels, names and checksummed addresses (a keccak
 * each) would be work thrown away. A class, not an object literal with getters: V8 builds such a
 * literal through the runtime (about a microsecond each), a class instance in a few nanoseconds.
 */
class CounterpartyView {
  readonly #graph: EntityGraph;
  readonly #ids: readonly number[];
  readonly #asOf: number;
  #labelled: { labels: string[]; entities: string[] } | undefined;

  constructor(graph: EntityGraph, ids: readonly number[], asOf: number) {
    this.#graph = graph;
    this.#ids = ids;
    this.#asOf = asOf;
  }

  get addresses(): string[] { return this.#ids.map((id) => displayAddress(this.#graph.key(id))); }
  get labels(): string[] { return this.#labelsOf().labels; }
  get entities(): string[] { return this.#labelsOf().entities; }
  get cluster(): string | null { return this.#ids.length === 0 ? null : this.#graph.clusterName(this.#ids[0]!); }
  get clusterSize(): number { return this.#ids.length === 0 ? 0 : this.#graph.clusterSize(this.#ids[0]!); }
  get own(): boolean { return this.#ids.some((id) => this.#graph.isOwn(id)); }

  /** Every field, as an object literal with these getters would serialise. */
  toJSON(): Record<string, unknown> {
    return Object.fromEntries(COUNTERPARTY_FIELDS.map((f) => [f, (this as unknown as Record<string, unknown>)[f]]));
  }

  #labelsOf(): { labels: string[]; entities: string[] } {
    if (this.#labelled) return this.#labelled;
    const labels = new Set<string>();
    const entities = new Set<string>();
    for (const id of this.#ids) {
      for (const l of this.#graph.clusterLabels(id, this.#asOf)) {
        labels.add(l.record.label);
        if (l.record.entity) entities.add(l.record.entity);
      }
    }
    return (this.#labelled = { labels: [...labels].sort((a, b) => (LABEL_ORDER.indexOf(b) - LABEL_ORDER.indexOf(a)) || a.localeCompare(b)), entities: [...entities].sort() });
  }
}

/** The counterparty fields a rule may read, in declaration order. */
export const COUNTERPARTY_FIELDS: readonly string[] = Object.getOwnPropertyNames(CounterpartyView.prototype).filter((k) => k !== 'constructor' && k !== 'toJSON');

/** The evaluation context of a trigger: the rule conditions' view of the world. */
export function buildContext(trigger: HistoryItem, graph: EntityGraph, asOf: number): Context {
  // A view of the trigger's own: its judgement reads history items through the pointed view meanwhile.
  const event = eventView(trigger);
  // A login names no customer record and no counterparty: shared, frozen empty objects.
  if (trigger.type === 'login') return { event, account: NOTHING_KNOWN, counterparty: NOTHING_KNOWN, signals: NO_SIGNALS };
  const m = trigger.msg;
  return {
    event,
    account: {
      type: m.customer?.type,
      kycCountry: m.customer?.kycCountry,
      ageDays: m.customer ? Math.floor((trigger.time - validatedTimeMs(m.customer.createdAt)) / DAY) : undefined,
    },
    counterparty: new CounterpartyView(graph, counterpartyIds(graph, trigger), asOf),
    signals: NO_SIGNALS,
  };
}

/** Severities from lowest to highest; a novelty key per band (`severity:high`). */
const SEVERITY_BANDS: readonly Severity[] = ['low', 'medium', 'high', 'critical'];
const BAND_KEYS = new Map(SEVERITY_BANDS.map((b) => [b, `severity:${b}`]));

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

/** What a rule concluded for one trigger, shared by every account it alerts. */
interface Verdict {
  score: number;
  notes: string[];
  evidenceIds: Set<string>;
  /** `signal:<name>` for each signal that holds. */
  held: string[];
  /** Evidence event ids by the account that owns them. */
  owners: Map<string, string[]>;
}

export interface Trigger {
  item: HistoryItem;
  /** Present when a graph change re-examines an earlier transfer. */
  change?: GraphChange;
  /** The change is a merge of unlabelled clusters: only rules that read membership are run again. */
  membershipOnly?: boolean;
  /**
   * Present when an event read after other accounts' later events on its device or IP is judged
   * as one of those would have been (their events themselves no longer kept): only rules with a
   * `linkage` signal run, and it counts the accounts within its window up to this time.
   */
  linkedAt?: number;
  /**
   * The account's own later transfer judged again because an earlier event of the account was
   * read after it (late-judgement.ts): its verdict may alert once more though no id is new (see
   * isNewAgain).
   */
  again?: boolean;
  /**
   * A factor learned after the transfer was judged (FactorCrossings): an alert is raised only at a
   * severity the rule never gave the subject, so a verdict that the factor only adds evidence to
   * (a chain hop already high, whose destination now also counts as a laundering cluster) is not
   * raised twice.
   */
  strongerOnly?: boolean;
}

/** The rule set's common-funder signals, with the longest funding window and freshness among them. */
interface FundingSpecs {
  specs: CommonFunderSpec[];
  window: number;
  freshness: number | undefined;
}

/** How a trigger came: a fresh event, a re-examination after a graph change, or after a merge that changed only membership. */
type TriggerMode = 'fresh' | 'reexamined' | 'membership' | 'linked';

export class RuleEngine {
  private rules: CompiledRule[];
  /**
   * Novelty memory: (rule id, subject, evidence id or held signal) triples already alerted on, as
   * fingerprints in a 400-day event-time window. One flat window instead of a set per subject:
   * bounded in count and bytes, whatever the number of subjects or the size of their evidence.
   */
  private readonly alerted = new IdWindow(400 * DAY);
  /** Alert ids already emitted, over the same window. */
  private readonly emitted = new IdWindow(400 * DAY);

  constructor(rules: LoadedRule[], readonly graph: EntityGraph, readonly state: RuleState) {
    this.rules = compileRuleSet(rules);
    this.registerAggregators();
  }

  /** Swaps in a new, already validated rule set (hot reload). */
  replaceRules(rules: LoadedRule[]): void {
    this.rules = compileRuleSet(rules);
    this.rulesByMode = { fresh: new Map(), reexamined: new Map(), membership: new Map(), linked: new Map() };
    this.labelsCache = undefined;
    this.fundingCache = undefined;
    this.payerWindowCache = undefined;
    this.consolidationCache = undefined;
    this.laterPayersCache = undefined;
    this.linkageReachCache = undefined;
    this.kycLinkageReachCache = undefined;
    this.registerAggregators();
  }

  /** Tells the state which window signals to keep incrementally. */
  private registerAggregators(): void {
    this.state.setAggregators(this.rules.flatMap((r) => r.signals.flatMap(([, s]) => (s.aggregator ? [s.aggregator] : []))));
  }

  /** (rule, subject, evidence) triples remembered as alerted on. */
  get noveltySize(): number {
    return this.alerted.size;
  }

  /** Ids remembered as emitted alerts. */
  get emittedSize(): number {
    return this.emitted.size;
  }

  get ruleCount(): number {
    return this.rules.length;
  }

  /** Every label an exposure signal of the rule set looks for. */
  get exposureLabels(): string[] {
    return (this.labelsCache ??= exposureLabelsOf(this.rules.map((r) => r.spec)));
  }

  private labelsCache: string[] | undefined;

  /**
   * How far back a `flagged-payers` signal reads an account's deposits (0 when no rule has one):
   * a deposit whose payer turns out suspect later in event order can change the verdict on the
   * account's withdrawals this long after it.
   */
  get payerJudgementWindow(): number {
    return (this.payerWindowCache ??= Math.max(0, ...this.rules.flatMap((r) => Object.values(r.spec.signals).flatMap((s) => (s.op === 'flagged-payers' ? [s.within] : [])))));
  }

  private payerWindowCache: number | undefined;

  /**
   * The fewest accounts paying one cluster that any rule's consolidation factor asks (a `fan-in`
   * signal's `pass`, a `flagged-payers` consolidation's `minAccounts` plus the trigger's own
   * account, which it leaves out), and the longest window such a factor reads (0, 0: none reads
   * one). A cluster whose payers reach that count makes the factor true for transfers judged
   * before it (see FactorCrossings).
   */
  get consolidationFactor(): { fewest: number; window: number } {
    if (this.consolidationCache) return this.consolidationCache;
    let fewest = Number.POSITIVE_INFINITY;
    let window = 0;
    for (const r of this.rules) {
      for (const s of Object.values(r.spec.signals)) {
        if (s.op === 'fan-in' && s.kinds.includes('withdrawal')) {
          const n = fewestPassing(s.pass);
          if (n > 1) { fewest = Math.min(fewest, n); window = Math.max(window, s.within); }
        }
        if (s.op === 'flagged-payers' && s.consolidation) {
          fewest = Math.min(fewest, s.consolidation.minAccounts + 1);
          window = Math.max(window, s.consolidation.within);
        }
      }
    }
    return (this.consolidationCache = Number.isFinite(fewest) ? { fewest, window } : { fewest: 0, window: 0 });
  }

  private consolidationCache: { fewest: number; window: number } | undefined;

  /** The longest `linkage` window of the rules in force (0: none reads linkage). */
  get linkageReach(): number {
    return (this.linkageReachCache ??= linkageReach(this.rules));
  }

  private linkageReachCache: number | undefined;

  /** The longest `linkage` window of the rules that read its KYC countries (0: none does); see kycLinkageReach. */
  get kycLinkageReach(): number {
    return (this.kycLinkageReachCache ??= kycLinkageReach(this.rules));
  }

  private kycLinkageReachCache: number | undefined;

  /** Whether an on-chain transfer is one a common-funder signal counts as funding (its late arrival re-examines deposits). */
  isFundingTransfer(asset: string, usd: Decimal | null): boolean {
    if (usd === null) return false;
    for (const s of this.funding().specs) if (s.assets.includes(asset) && inUsdRange(usd, s.usdRange)) return true;
    return false;
  }

  /** The common-funder signals of the rules in force and the bounds they share, made on first use (every chain transfer asks). */
  private funding(): FundingSpecs {
    if (this.fundingCache) return this.fundingCache;
    const specs = this.rules.flatMap((r) => Object.values(r.spec.signals).flatMap((s) => (s.op === 'common-funder' ? [s] : [])));
    const anyAge = specs.length === 0 || specs.some((s) => s.freshWithin === undefined);
    return (this.fundingCache = {
      specs,
      window: Math.max(0, ...specs.map((s) => s.fundedWithin)),
      freshness: anyAge ? undefined : Math.max(...specs.map((s) => s.freshWithin!)),
    });
  }

  private fundingCache: FundingSpecs | undefined;

  /** The common-funder signals of the rules in force (a deposit read late judges the ones their tallies missed it in again). */
  fundingSpecs(): readonly CommonFunderSpec[] {
    return this.funding().specs;
  }

  /** The longest time a common-funder signal allows between a funding and the deposit it made possible. */
  fundingWindow(): number {
    return this.funding().window;
  }

  /**
   * How new (event time, ms) an address must be at its funding for any common-funder signal to
   * count it; undefined when some signal counts funded addresses of any age.
   */
  fundingFreshness(): number | undefined {
    return this.funding().freshness;
  }

  /** Judgements the rules in force skipped because an earlier one over a superset implicated too few payers (see clean-judgement-mark.ts). */
  get cleanJudgementSkips(): number {
    let n = 0;
    for (const r of this.rules) n += r.cleanMark?.skipped ?? 0;
    return n;
  }

  get hasGraphRules(): boolean {
    return this.rules.some((r) => r.graphDependent);
  }

  evaluate({ item, change, membershipOnly, linkedAt, again, strongerOnly }: Trigger): Alert[] {
    const kind = item.type === 'login' ? 'login' : item.msg.kind;
    if (change === undefined && linkedAt === undefined && kind === 'withdrawal') this.carryNoveltyOfSettledRequest(item);
    const asOf = Math.max(item.time, change?.time ?? 0);
    const alerts: Alert[] = [];
    if (kind === 'deposit' && change === undefined && linkedAt === undefined) this.judgeEarlierForwards(item as TransferEvent, alerts);
    const rules = this.rulesFor(kind, linkedAt !== undefined ? 'linked' : change === undefined ? 'fresh' : membershipOnly ? 'membership' : 'reexamined');
    if (rules.length === 0) return alerts;
    // One context for the trigger, its `signals` reset per rule: nothing keeps a rule's context
    // once `fire` returns (alerts copy what they show), so each rule needs no copy of its own.
    const ctx = buildContext(item, this.graph, asOf);
    let env: Env | undefined;
    for (const rule of rules) {
      ctx.signals = NO_SIGNALS;
      if (!rule.where(ctx)) continue;
      env ??= linkedAt === undefined ? { trigger: item, ctx, graph: this.graph, state: this.state, asOf } : { trigger: item, ctx, graph: this.graph, state: this.state, asOf, linkedAt };
      const fired = this.fire(rule, item, ctx, env, change, again === true, strongerOnly === true);
      for (let i = 0; i < fired.length; i++) alerts.push(fired[i]!);
    }
    return alerts;
  }

  /**
   * A selected deposit judges again, as of itself, the account's withdrawals a rule's payer count
   * reaches it from (later-payers.ts: a forward made before the third payer paid). Each is judged
   * as a late factor is (FactorCrossings): shown as the late flow, and alerted only at a severity
   * the rule never gave the account, so a hub alerted already is not alerted once more per salary.
   */
  private judgeEarlierForwards(deposit: TransferEvent, alerts: Alert[]): void {
    for (const { rule, reach } of this.laterPayerRules()) {
      if (!reach.selects(deposit)) continue;
      if (!anyEarlierWithdrawal(this.state, deposit, reach.within) || !bringsNewPayer(this.state, this.graph, deposit, reach)) continue;
      // Only the withdrawals the rule judges (its `where`) count toward the few judged again.
      const contexts = new Map<TransferEvent, Context>();
      const withdrawals = earlierWithdrawals(this.state, deposit, reach.within, (item) => {
        const ctx = buildContext(item, this.graph, deposit.time);
        ctx.signals = NO_SIGNALS;
        if (!rule.where(ctx)) return false;
        contexts.set(item, ctx);
        return true;
      });
      const change: GraphChange = { kind: 'flow', cluster: this.graph.clusterName(this.graph.id(deposit.from[0]!)), time: deposit.time, cause: { flow: deposit.msg.txHash ?? deposit.eventId, from: deposit.from[0]!, to: deposit.to }, eventId: deposit.eventId };
      for (const item of withdrawals) {
        const ctx = contexts.get(item)!;
        const env: Env = { trigger: item, ctx, graph: this.graph, state: this.state, asOf: deposit.time, payersUntil: deposit.time };
        for (const alert of this.fire(rule, item, ctx, env, change, false, true)) alerts.push(alert);
      }
    }
  }

  /** The rules whose payer count reaches deposits after the withdrawal (later-payers.ts), built on first use. */
  private laterPayerRules(): readonly { rule: CompiledRule; reach: LaterPayers }[] {
    this.laterPayersCache ??= this.rules.flatMap((rule) => {
      const reach = laterPayersOf(rule.spec);
      return reach ? [{ rule, reach }] : [];
    });
    return this.laterPayersCache;
  }

  private laterPayersCache: { rule: CompiledRule; reach: LaterPayers }[] | undefined;

  /**
   * The rules a trigger of `kind` runs, in rule-set order: every one for a fresh event, only
   * graph-dependent ones for a re-examination, and of those only the ones reading cluster membership
   * when a merge changed nothing but membership.
   */
  private rulesFor(kind: string, mode: TriggerMode): readonly CompiledRule[] {
    const index = this.rulesByMode[mode];
    let rules = index.get(kind);
    if (rules === undefined) {
      rules = this.rules.filter((r) => r.spec.on.includes(kind as never) && (mode === 'linked' ? readsLinkage(r) : (mode === 'fresh' || r.graphDependent) && (mode !== 'membership' || r.readsMembership)));
      index.set(kind, rules);
    }
    return rules;
  }

  /** Rules by trigger mode and kind (a handful of kinds), built on first use and dropped on a rule reload. */
  private rulesByMode: Record<TriggerMode, Map<string, CompiledRule[]>> = { fresh: new Map(), reexamined: new Map(), membership: new Map(), linked: new Map() };

  /** The trigger's account, plus any accounts the rule's `alsoAlert` names, each with its own alert. */
  private fire(rule: CompiledRule, item: HistoryItem, ctx: Context, env: Env, change: GraphChange | undefined, again: boolean, strongerOnly = false): Alert[] {
    const gated = rule.gate !== undefined && item.type === 'transfer';
    if (gated && change !== undefined && gateStillFails(item, rule.gate!, this.state)) return NO_ALERTS;
    // The first required signal surely fails: so does `require`, whatever the rest would read.
    if (rule.mayHold !== undefined && !rule.mayHold(env)) return NO_ALERTS;
    // An earlier judgement over a superset of what this one reads implicated too few payers.
    if (rule.cleanMark !== undefined && rule.cleanMark.covers(env)) return NO_ALERTS;
    runSignals(rule, ctx, env);
    if (!rule.require(ctx)) {
      rule.cleanMark?.noteFailed(env, rule.lazyState.results);
      // A gate that failed (its result computed and not holding) is noted for later re-examinations.
      if (gated && rule.lazyState.results[rule.gate!.index]?.ok === false) noteGateFailed(item, rule.gate!, this.state);
      return NO_ALERTS;
    }
    // Score, evidence and who owns each piece of it are the same for every account alerted: computed once.
    const verdict = this.verdictOf(rule, item, ctx);
    const out: Alert[] = [];
    const others = rule.spec.alsoAlert ? getPath(ctx, rule.spec.alsoAlert) : undefined;
    // `alertListedOnly`: the trigger's account is alerted only when the alsoAlert list names it.
    const triggerAlerted = !rule.spec.alertListedOnly || (Array.isArray(others) && others.includes(item.msg.accountId));
    const first = triggerAlerted ? this.buildAlert(rule, item, ctx, verdict, item.msg.accountId, change, undefined, again, strongerOnly) : undefined;
    if (first) out.push(first);
    if (Array.isArray(others)) {
      for (const accountId of others) {
        if (typeof accountId !== 'string' || accountId === item.msg.accountId) continue;
        const own = this.subjectView(verdict, accountId, ctx, env.asOf);
        // Scored on its own transfer too: a modifier on the event (a VPN session) is that account's, not the trigger's (QA).
        const extra = this.buildAlert(rule, item, ctx, own ? scoredOn(rule, verdict, own.ctx) : verdict, accountId, change, own, false, strongerOnly);
        if (extra) out.push(extra);
      }
    }
    return out;
  }

  /**
   * What an alert for another account than the trigger's shows as its `event` and counterparty
   * (explanation, evidence fields, USD): that account's own newest evidence transfer, with the
   * rule's signals as they held, so the alert an account receives describes its own transfer, not
   * the trigger's. Undefined when it has none the state still holds.
   */
  private subjectView(verdict: Verdict, accountId: string, ctx: Context, asOf: number): { item: TransferEvent; ctx: Context } | undefined {
    const own = verdict.owners.get(accountId);
    let newest: TransferEvent | undefined;
    for (const id of own ?? []) {
      const t = this.state.transfer(id);
      if (t && (!newest || t.time > newest.time || (t.time === newest.time && t.eventId > newest.eventId))) newest = t;
    }
    if (!newest) return undefined;
    const view = buildContext(newest, this.graph, asOf);
    view.signals = ctx.signals;
    return { item: newest, ctx: view };
  }

  private verdictOf(rule: CompiledRule, item: HistoryItem, ctx: Context): Verdict {
    const results = ctx.signals as Record<string, SignalResult & Record<string, unknown>>;
    const { score, notes } = scoreOf(rule, ctx);
    const evidenceIds = new Set<string>([item.eventId]);
    for (const [name] of rule.signals) if (results[name]!.ok) for (const id of results[name]!.eventIds) evidenceIds.add(id);
    const held = rule.signals.filter(([name]) => results[name]!.ok).map(([name]) => `signal:${name}`);
    // An account's own evidence: the transfers of its own among the evidence (a login is nobody's).
    const owners = new Map<string, string[]>();
    for (const id of evidenceIds) {
      const owner = id === item.eventId && item.type !== 'login' ? item.msg.accountId : this.state.transfer(id)?.msg.accountId;
      if (owner === undefined) continue;
      const list = owners.get(owner);
      if (list) list.push(id);
      else owners.set(owner, [id]);
    }
    return { score, notes, evidenceIds, held, owners };
  }

  private buildAlert(rule: CompiledRule, item: HistoryItem, triggerCtx: Context, verdict: Verdict, accountId: string, change?: GraphChange, own?: { item: TransferEvent; ctx: Context }, again = false, strongerOnly = false): Alert | undefined {
    if (strongerOnly && this.alerted.has(`${rule.spec.id}\u0000${accountId}\u0000${BAND_KEYS.get(severityOf(rule.spec, verdict.score))!}`)) return undefined;
    const results = triggerCtx.signals as Record<string, SignalResult & Record<string, unknown>>;
    // What the alert shows: the subject's own transfer when it is not the trigger's account.
    const ctx = own?.ctx ?? triggerCtx;
    const shown = own?.item ?? item;
    const spec = rule.spec;
    const { score, notes } = verdict;
    // Each account is alerted once per rule for what holds: a login that only grows a linked group
    // alerts the newcomer, not every member again (N members would otherwise cost N^2 alerts).
    const news = this.isNew(spec.id, accountId, verdict.owners.get(accountId) ?? [], verdict.held, severityOf(spec, score), item);
    if (!news && !again) return undefined;
    // A change dated at or before the trigger was in place when an event-time reading judged the
    // trigger: the alert is then the one that reading gives, whichever arrived first (session 44
    // chain QA: a payout log and its deposit at one block time alerted with different ids and
    // evidence as the log came first or second). A change dated later is shown as late evidence,
    // and so is one whose event-time alert was already raised with a weaker verdict (the trigger
    // was judged before it arrived): the stronger verdict needs an id of its own (session 44 review).
    let late = change !== undefined && change.time > item.time ? change : undefined;
    let eventIds = evidenceIdsWith(verdict.evidenceIds, late);
    let alertId = deriveAlertId(spec.id, spec.version, accountId, eventIds);
    if (change !== undefined && late === undefined && this.emitted.has(alertId)) {
      late = change;
      eventIds = evidenceIdsWith(verdict.evidenceIds, late);
      alertId = deriveAlertId(spec.id, spec.version, accountId, eventIds);
    }
    // One alert per rule, subject and evidence set, however many evaluations reach it.
    if (this.emitted.has(alertId)) return undefined;
    if (!news && !this.isNewAgain(spec.id, accountId, item)) return undefined;
    // A re-examination's alert on the transfer is the one event order gives when the evidence came
    // after it: the transfer judged again later is not news again (seed 43 shuffled within blocks
    // of 200: a withdrawal whose onward hop, a day later, was read before it alerted twice).
    if (change !== undefined && news && item.type === 'transfer' && accountId === item.msg.accountId) this.isNewAgain(spec.id, accountId, item);
    const evidence: Record<string, unknown> = { rule: { file: rule.spec.id, hash: rule.hash } };
    // A rule that names its evidence fields gets exactly those; otherwise every signal's facts.
    // Read now, not when a sink serialises the alert (see snapshotEvidence).
    if (Object.keys(spec.evidence).length === 0) for (const [name] of rule.signals) if (results[name]!.ok) evidence[name] = snapshotEvidence(results[name]!.facts);
    for (const [name, path] of Object.entries(spec.evidence)) {
      const v = getPath(ctx, path);
      if (v !== undefined) evidence[name] = shownDays(path, snapshotEvidence(v));
    }
    // The trigger's USD value and where it came from (exchange, market price, peg or table).
    if (shown.type === 'transfer' && !('usd' in evidence)) evidence.usd = { value: shown.usd, source: shown.usdSource };
    if (notes.length) evidence.modifiers = notes;
    if (late) evidence.graphChange = shownGraphChange(late, item.type === 'transfer' ? item.to : undefined);
    const subject: Alert['subject'] = { accountId };
    const cluster = getPath(ctx, 'counterparty.cluster');
    if (spec.subject === 'account+cluster' && typeof cluster === 'string') subject.cluster = cluster;
    this.emitted.add(alertId, Math.max(item.time, late?.time ?? 0));
    return {
      alertId,
      ruleId: spec.id,
      ruleVersion: spec.version,
      typology: spec.typology,
      severity: severityOf(spec, score),
      score,
      subject,
      eventIds,
      triggeredAt: new Date(Math.max(item.time, late?.time ?? 0)).toISOString(),
      evidence,
      explanation: renderTemplate(spec.explain, { ...ctx, score }),
    };
  }

  /**
   * True when the subject's own evidence includes an event not alerted on before by this rule,
   * a signal now holds that did not before (late evidence: the same payment, newly damning), or
   * the severity is higher than this rule ever gave the subject: a device farm that grows to five
   * accounts raises every member to high, not only the fifth (each band is remembered with those
   * below it, so a later, lower verdict is not news).
   */
  private isNew(ruleId: string, accountId: string, own: readonly string[], signals: readonly string[], severity: Severity, item: HistoryItem): boolean {
    const prefix = `${ruleId}\u0000${accountId}\u0000`;
    let fresh = false;
    // Refreshed either way, so a subject that keeps triggering is not forgotten after 400 days.
    const bands = SEVERITY_BANDS.slice(0, SEVERITY_BANDS.indexOf(severity) + 1).map((b) => BAND_KEYS.get(b)!);
    for (const list of [own, signals, bands]) {
      for (const id of list) {
        if (!this.alerted.remember(prefix + id, item.time)) fresh = true;
      }
    }
    return fresh;
  }

  /**
   * True the first time a rule's verdict on a later transfer judged again behind an earlier event
   * of its account read late is raised though it names no new id. Event order judges the transfer
   * once, with that past, and alerts whenever a rule holds (a fresh transfer is its own evidence);
   * read out of order, its first judgement (without the late event) already named every id, so
   * the memory alone dropped event order's alert (session 55: on a hot account read with every
   * 20th line 100 lines late, 1,083 of 1,231 missing quick-out alerts). Once per (rule, subject,
   * transfer): an account read badly out of order judges a transfer again once per late event
   * before it, and every such verdict raised as news gave 26,128 quick-out alerts against event
   * order's 3,073 (shuffled within blocks of 200); the first is event order's whenever it was the
   * last event missing from the transfer's past.
   */
  private isNewAgain(ruleId: string, accountId: string, item: HistoryItem): boolean {
    return !this.alerted.remember(`${ruleId}\u0000${accountId}\u0000judged-again:${item.eventId}`, item.time);
  }

  /**
   * A completed withdrawal that settles a requested one is that withdrawal: each rule that alerted
   * on the request remembers the completion as alerted on too, so it is not news to that rule,
   * at this judgement or any later one (session 43 QA: each of the two alerted). Done when the
   * completion is first judged, in the step that settled it; the novelty memory carries it
   * through checkpoints.
   */
  private carryNoveltyOfSettledRequest(item: HistoryItem): void {
    const request = this.state.requestSettledBy(item.eventId);
    if (request === undefined || item.type !== 'transfer') return;
    this.carryNovelty(item, request);
  }

  /**
   * The same for a completion judged again after its request was, both read late (the late
   * judgement judges the request as event order did, before its completion): the completion is
   * not news to a rule that alerted on the request.
   */
  carryNoveltyOfRequestSettled(completion: TransferEvent): void {
    if (completion.settles) this.carryNovelty(completion, completion.settles.eventId);
  }

  private carryNovelty(item: TransferEvent, request: string): void {
    const accountId = item.msg.accountId;
    for (const rule of this.rules) {
      const prefix = `${rule.spec.id}\u0000${accountId}\u0000`;
      if (this.alerted.has(prefix + request)) this.alerted.remember(prefix + item.eventId, item.time);
    }
  }

  /** The novelty and emitted-alert memories, for a checkpoint (a restore fills them in place). */
  checkpointWindows(): { alerted: IdWindow; emitted: IdWindow } {
    return { alerted: this.alerted, emitted: this.emitted };
  }
}


/**
 * How far back the rule state must reach for a rule set: the longest look-back of any signal
 * that reads per-account, per-device or per-IP history (a sequence's split-payment grouping and
 * a cadence's merge gap included). State older than this can change no verdict.
 */
export function historyRetention(rules: readonly LoadedRule[], floor = DAY): number {
  let longest = floor;
  for (const rule of rules) {
    for (const s of Object.values(rule.spec.signals)) {
      let back = 0;
      if (s.op === 'window' || s.op === 'linkage' || s.op === 'fresh' || s.op === 'payer-risk' || s.op === 'distinct-payers' || s.op === 'flagged-payers') back = s.within;
      else if (s.op === 'sequence') back = sequenceReach(s) + s.groupWithin;
      else if (s.op === 'cadence') back = s.within + s.mergeWithin;
      else if (s.op === 'predecessor') back = s.youngWithin + s.lookback;
      if (back > longest) longest = back;
    }
  }
  return longest;
}

/** Whether the rule has a `linkage` signal. */
function readsLinkage(rule: CompiledRule): boolean {
  return Object.values(rule.spec.signals).some((s) => s.op === 'linkage');
}

/** The longest window of a `linkage` signal among the rules (0 when none has one). */
/** The longest `linkage` window of the rules whose text reads `kycCountries` or `kycCountryCodes` (0 when none does). */
export function kycLinkageReach(rules: readonly { spec: LoadedRule['spec'] }[]): number {
  let longest = 0;
  for (const rule of rules) {
    if (!JSON.stringify(rule.spec).includes('kycCountr')) continue;
    for (const s of Object.values(rule.spec.signals)) if (s.op === 'linkage' && s.within > longest) longest = s.within;
  }
  return longest;
}

export function linkageReach(rules: readonly { spec: LoadedRule['spec'] }[]): number {
  let longest = 0;
  for (const rule of rules) for (const s of Object.values(rule.spec.signals)) if (s.op === 'linkage' && s.within > longest) longest = s.within;
  return longest;
}

/** How long device and IP links are kept behind the newest event (see linkRetention). */
export interface LinkRetention {
  device: number;
  ip: number;
}

/**
 * How long device and IP links must be kept: for each, the longest window that reads it (a
 * `linkage`, a device/IP-keyed `window`, a `predecessor` linking by device, a `payer-risk` with
 * the shared-device factor) plus `lateReach`, how far behind the newest event a trigger may still
 * be judged (a re-examination, an event read behind newer ones: the touch retention). Without the
 * reach, a late trigger read links an in-order run still had, and the verdict hung on the order of
 * arrival. At least `floor` each.
 */
export function linkRetention(rules: readonly LoadedRule[], lateReach: number, floor = DAY): LinkRetention {
  const out: LinkRetention = { device: floor, ip: floor };
  const reads = (key: 'device' | 'ip', back: number): void => { out[key] = Math.max(out[key], back + lateReach); };
  for (const rule of rules) {
    for (const s of Object.values(rule.spec.signals)) {
      if (s.op === 'linkage') reads(s.by, s.within);
      if (s.op === 'window' && (s.key === 'device' || s.key === 'ip')) reads(s.key, s.within);
      if (s.op === 'predecessor' && s.by.includes('device')) reads('device', s.youngWithin + s.lookback);
      if (s.op === 'payer-risk' && s.factors.includes('shared-device')) reads('device', s.within);
    }
  }
  return out;
}

/** Whether any signal reads logins from the account history (windows, sequences or cadences that select them). */
export function readsLoginHistory(rules: readonly LoadedRule[]): boolean {
  return rules.some((rule) => Object.values(rule.spec.signals).some((s) =>
    (s.op === 'window' || s.op === 'cadence') ? s.of.kinds.includes('login') : s.op === 'sequence' ? s.first.kinds.includes('login') || s.then.kinds.includes('login') : false));
}

/**
 * How long IP block sightings must be kept (subnet-sightings.ts): a young account's sessions reach
 * back `youngWithin` from its trigger, and a sighting SUBNET_WITHIN before them links it; a trigger
 * judged late (a re-examination, up to `lateReach` behind the newest event: the touch retention,
 * as kind-retention.ts keeps the histories) reads as far back from its own time. 0 when no
 * `predecessor` signal links by subnet.
 */
export function subnetLinkRetention(rules: readonly LoadedRule[], lateReach: number): number {
  let longest = 0;
  for (const rule of rules) {
    for (const s of Object.values(rule.spec.signals)) {
      if (s.op === 'predecessor' && s.by.includes('subnet')) longest = Math.max(longest, s.youngWithin + SUBNET_WITHIN + lateReach);
    }
  }
  return longest;
}

/** Whether a `predecessor` signal links accounts by the IP block they were seen on (see subnet-sightings.ts). */
export function readsSubnetLinks(rules: readonly LoadedRule[]): boolean {
  return rules.some((rule) => Object.values(rule.spec.signals).some((s) => s.op === 'predecessor' && s.by.includes('subnet')));
}

/** Payer-risk factors that what an account's logins show can decide (see login-signs.ts). */
const LOGIN_FACTORS: ReadonlySet<string> = new Set(['vpn', 'country-mismatch', 'shared-device']);

/**
 * How long accounts' login signs must be kept: the longest `payer-risk` window with a factor logins
 * show, plus `lateReach` (a trigger judged late reads as far back from its own time; see
 * linkRetention); 0 when none reads them.
 */
export function loginSignsRetention(rules: readonly LoadedRule[], lateReach: number): number {
  let longest = 0;
  for (const rule of rules) {
    for (const s of Object.values(rule.spec.signals)) {
      if (s.op === 'payer-risk' && s.within + lateReach > longest && s.factors.some((f) => LOGIN_FACTORS.has(f))) longest = s.within + lateReach;
    }
  }
  return longest;
}

/** How long a cluster's touches must be kept: the longest fan-in or counterparty window, at least `floor`. */
export function touchRetention(rules: readonly LoadedRule[], floor: number): number {
  let longest = floor;
  for (const rule of rules) {
    for (const s of Object.values(rule.spec.signals)) {
      if ((s.op === 'fan-in' || (s.op === 'window' && s.key === 'counterparty')) && s.within > longest) longest = s.within;
      if (s.op === 'flagged-payers' && s.consolidation && s.consolidation.within > longest) longest = s.consolidation.within;
      if (s.op === 'common-funder' && s.within + s.fundedWithin > longest) longest = s.within + s.fundedWithin;
      if (s.op === 'predecessor' && s.youngWithin + s.lookback > longest) longest = s.youngWithin + s.lookback;
    }
  }
  return longest;
}

/** How far back in time an exposure walk can reach: hops × hop window, at least 90 days. */
export function exposureReach(rules: readonly LoadedRule[], floor = 90 * DAY): number {
  let longest = floor;
  for (const rule of rules) {
    for (const s of Object.values(rule.spec.signals)) {
      if ((s.op === 'exposure' || s.op === 'decaying-exposure') && s.maxHops * s.hopWithin > longest) longest = s.maxHops * s.hopWithin;
      if (s.op === 'flagged-payers' && s.exposure && s.exposure.maxHops * s.exposure.hopWithin > longest) longest = s.exposure.maxHops * s.exposure.hopWithin;
    }
  }
  return longest;
}

/**
 * A day count as an alert's evidence shows it: to two places. The rules compare the exact count
 * (`firstPaidDaysBefore gtField sinceDays`), but evidence read `paymentsSinceDays: 27.1375…`
 * (session 40 QA); 0.01 day is about a quarter of an hour.
 */
function shownDays(path: string, value: unknown): unknown {
  return typeof value === 'number' && Number.isFinite(value) && unitOf(path) === 'days' ? Math.round(value * 100) / 100 : value;
}

/**
 * A rule's signal results for one trigger, computed on first read through its prototype's getters.
 * Kept apart from the object the conditions read, in one shape for every rule: that object's
 * hidden class is its rule's own (its prototype's getters differ), so `env` and `results` set on
 * it were a store and a load that V8 saw with as many shapes as there are rules (megamorphic).
 */
interface LazySignals {
  env: Env;
  results: (SignalResult | undefined)[];
}

/**
 * Signals are computed lazily, on first read: `require` short-circuits in order, so a rule whose
 * first required signal fails never pays for the rest (exposure searches, cadence scans). The
 * environment is the trigger's, shared by every rule that judges it.
 */
function runSignals(rule: CompiledRule, ctx: Context, env: Env): void {
  const state = rule.lazyState;
  state.env = env;
  // A loop, not `fill`: the builtin's call costs more than clearing a handful of slots.
  const results = state.results;
  for (let i = 0; i < results.length; i++) results[i] = undefined;
  ctx.signals = rule.lazy;
}

/** What a rule reads of NO_RESULT: its facts (none) and ok, value, eventIds and facts, as for any result; shared and frozen. */
const NO_RESULT_VIEW: SignalResult = Object.freeze({ ok: NO_RESULT.ok, value: NO_RESULT.value, eventIds: NO_RESULT.eventIds, facts: NO_RESULT.facts });

/** Per fact name, one getter that reads the fact from the result's `facts` (see copyWithFactReaders). */
const factReaders = new Map<string, (this: { facts: Record<string, unknown> }) => unknown>();

function factReader(key: string): (this: { facts: Record<string, unknown> }) => unknown {
  let reader = factReaders.get(key);
  if (!reader) factReaders.set(key, (reader = function (this: { facts: Record<string, unknown> }) { return this.facts[key]; }));
  return reader;
}

/**
 * The facts' own properties in order, a getter among them becoming a getter of the copy that
 * reads the original (still computed only if read). Copying each result's own getter function
 * gave every copy a hidden class of its own, which cost V8 about 20 µs per fan-in that held; one
 * shared reader per fact name keeps the copies on shared hidden classes.
 */
export function copyWithFactReaders(facts: Record<string, unknown>): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  for (const key of Object.keys(facts)) {
    const d = Object.getOwnPropertyDescriptor(facts, key)!;
    if (d.get) Object.defineProperty(base, key, { get: factReader(key), enumerable: true, configurable: true });
    else base[key] = d.value;
  }
  return base;
}

/** One getter per signal, defined once per rule instead of once per evaluation; each reads the rule's `state`. */
function lazySignalPrototype(signals: readonly [string, Signal][], state: LazySignals): object {
  const proto = {};
  signals.forEach(([name, signal], i) => {
    Object.defineProperty(proto, name, {
      enumerable: true,
      get() {
        const results = state.results;
        let cached = results[i];
        if (!cached) {
          const r = signal(state.env);
          if (r === NO_RESULT) return (results[i] = NO_RESULT_VIEW);
          if (r.sharedView !== undefined) return (results[i] = r.sharedView);
          if (!r.lazyFacts) return (results[i] = plainResultView(r));
          // Facts with getters (SignalResult.lazyFacts) are copied as getters: computed only if read.
          const base: Record<string, unknown> = copyWithFactReaders(r.facts);
          // Set one by one, as Object.assign would, without a temporary object per signal read.
          base.ok = r.ok;
          base.value = r.value;
          base.eventIds = r.eventIds;
          base.facts = r.facts;
          cached = results[i] = base as unknown as SignalResult;
        }
        return cached;
      },
    });
  });
  return proto;
}

/**
 * The count of distinct fan-in accounts past which more payers can raise no rule's verdict or
 * score: one more than the largest lower bound (`gte`, `gt`) that any fan-in `pass`, `require`,
 * `where` or score modifier compares a fan-in's count with. Upper bounds (`lte`, `lt`) do not
 * count: crossing one only withdraws a verdict, and an alert is never withdrawn. Evidence still
 * lists up to the saturation count.
 */
export function fanInVerdictLimit(rules: readonly LoadedRule[], ceiling = 64): number {
  let limit = 1;
  const bump = (t: { gte?: number | undefined; gt?: number | undefined }): void => {
    if (t.gte !== undefined) limit = Math.max(limit, Math.ceil(t.gte) + 1);
    if (t.gt !== undefined) limit = Math.max(limit, Math.floor(t.gt) + 2);
  };
  for (const rule of rules) {
    const fanIns = Object.entries(rule.spec.signals).filter(([, s]) => s.op === 'fan-in');
    for (const [, s] of fanIns) if (s.op === 'fan-in') bump(s.pass);
    const names = new Set(fanIns.map(([n]) => n));
    const visit = (c: Condition): void => {
      if ('all' in c) c.all.forEach(visit);
      else if ('any' in c) c.any.forEach(visit);
      else if ('not' in c) visit(c.not);
      else if ('field' in c) {
        const [root, name] = c.field.split('.');
        if (root === 'signals' && name !== undefined && names.has(name)) bump(c as { gte?: number; gt?: number; lte?: number; lt?: number });
      }
    };
    [...rule.spec.require, ...rule.spec.where, ...rule.spec.score.modifiers.map((m) => m.when)].forEach(visit);
  }
  return Math.min(limit, ceiling);
}

/** The rule's score and the notes of the modifiers that applied, in a context, clamped to 0-100. */
function scoreOf(rule: CompiledRule, ctx: Context): { score: number; notes: string[] } {
  let score = rule.spec.score.base;
  const notes: string[] = [];
  for (const m of rule.modifiers) {
    if (m.when(ctx)) { score += m.add; notes.push(m.note); }
  }
  return { score: Math.max(0, Math.min(100, score)), notes };
}

/** A verdict scored again in another account's view (its own transfer, the same signals); its evidence stays. */
function scoredOn(rule: CompiledRule, verdict: Verdict, view: Context): Verdict {
  return { ...verdict, ...scoreOf(rule, view) };
}

/** The alert's event ids: its evidence, and the late change's event when one is shown, sorted. */
function evidenceIdsWith(evidenceIds: ReadonlySet<string>, late: GraphChange | undefined): string[] {
  const ids = [...evidenceIds];
  if (late && !evidenceIds.has(late.eventId)) ids.push(late.eventId);
  return ids.sort();
}
