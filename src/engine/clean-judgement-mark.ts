/**
 * An exact cut for a rule that needs a fan-in's payers implicated (`dprk-consolidation`): its
 * `require` holds `signals.P.implicated gte n` (n >= 1), where P is a `payer-risk` over the
 * accounts, and evidence if any, of a `fan-in` F.
 *
 * Two triggers judged as of the same time (`asOf`) against the same cluster, with the graph's
 * touches of that cluster and the rule state unchanged between them, read F up to the same end
 * (`asOf`: never before the trigger's time) from a start that moves with the trigger's time: the
 * later trigger's accounts and evidence are a subset of the earlier's. P reads each account over
 * the same window, [asOf - within, asOf], and implicates an account by its own risk or by the sum
 * of its evidence (USD values are not negative): the later trigger's implicated payers are a
 * subset of the earlier's. So when the earlier found fewer than n, the later's `require` fails
 * too, and its judgement is skipped. A merge re-examines the absorbed side's transfer and the
 * larger side's newest, oldest first, both as of the merge: on a hot cluster of clean payers the
 * second judgement was a repetition that could raise nothing (session 60, docs/benchmark-history.md).
 */
import type { RuleSpec } from './rule-schema.js';
import type { Env, SignalResult } from './signals.js';
import type { Touch } from '../graph/entity-graph.js';
import { counterpartyIds } from './counterparty-ids.js';

/** Where a rule's fan-in and payer judgement sit among its signals, and how many implicated payers it needs. */
export interface ImplicatedNeed {
  fanIn: number;
  payers: number;
  least: number;
}

/**
 * The rule's need of implicated payers, when its `require` (a list that must all hold) names one
 * as a plain lower bound on a payer-risk over a fan-in; undefined for any other rule.
 */
export function implicatedNeedOf(spec: RuleSpec, names: readonly string[]): ImplicatedNeed | undefined {
  for (const c of spec.require) {
    if (!('field' in c) || typeof c.field !== 'string') continue;
    const m = /^signals\.([A-Za-z][A-Za-z0-9]*)\.implicated$/.exec(c.field);
    if (!m) continue;
    const least = lowerBoundOf(c);
    if (least === undefined || least <= 0) continue;
    const payersSpec = spec.signals[m[1]!];
    if (payersSpec?.op !== 'payer-risk') continue;
    const f = /^signals\.([A-Za-z][A-Za-z0-9]*)\.accountIds$/.exec(payersSpec.accounts);
    if (!f) continue;
    const fanInSpec = spec.signals[f[1]!];
    if (fanInSpec?.op !== 'fan-in') continue;
    if (payersSpec.valueOf !== undefined && payersSpec.valueOf !== `signals.${f[1]}.eventIds`) continue;
    return { fanIn: names.indexOf(f[1]!), payers: names.indexOf(m[1]!), least };
  }
  return undefined;
}

/** The least value a field condition lets pass when it is only a lower bound (gte, or gt on a count). */
function lowerBoundOf(c: Record<string, unknown>): number | undefined {
  const other = Object.keys(c).filter((k) => k !== 'field' && k !== 'gte' && k !== 'gt');
  if (other.length > 0) return undefined;
  if (typeof c.gte === 'number' && c.gt === undefined) return c.gte;
  if (typeof c.gt === 'number' && c.gte === undefined) return Math.floor(c.gt) + 1;
  return undefined;
}

/** What the last judgement that implicated too few payers was taken on. */
interface Mark {
  state: Env['state'];
  version: number;
  asOf: number;
  triggerTime: number;
  root: number;
  touches: readonly Touch[];
  length: number;
  first: Touch | undefined;
  last: Touch | undefined;
}

/** One rule's last judgement with too few implicated payers, and how many judgements it spared. */
export class CleanJudgementMark {
  private mark: Mark | undefined;
  /** Judgements skipped because an earlier one covered them. */
  skipped = 0;

  constructor(readonly need: ImplicatedNeed) {}

  /** Whether the rule surely fails for this trigger: an earlier judgement over a superset implicated too few. */
  covers(env: Env): boolean {
    const m = this.mark;
    if (m === undefined || env.linkedAt !== undefined || env.trigger.type !== 'transfer') return false;
    if (m.state !== env.state || m.version !== env.state.version || m.asOf !== env.asOf || env.trigger.time < m.triggerTime) return false;
    const root = onlyCluster(env);
    if (root !== m.root) return false;
    const touches = env.graph.touches(root);
    if (touches !== m.touches || touches.length !== m.length || touches[0] !== m.first || touches[touches.length - 1] !== m.last) return false;
    this.skipped++;
    return true;
  }

  /** After a judgement that failed: marks it when its fan-in held and its payers implicated too few. */
  noteFailed(env: Env, results: readonly (SignalResult | undefined)[]): void {
    const fan = results[this.need.fanIn];
    const payers = results[this.need.payers];
    if (env.linkedAt !== undefined || env.trigger.type !== 'transfer' || fan?.ok !== true || payers === undefined) return;
    const implicated = payers.facts.implicated;
    if (typeof implicated !== 'number' || implicated >= this.need.least) return;
    const root = onlyCluster(env);
    if (root === undefined) return;
    const touches = env.graph.touches(root);
    this.mark = { state: env.state, version: env.state.version, asOf: env.asOf, triggerTime: env.trigger.time, root, touches, length: touches.length, first: touches[0], last: touches[touches.length - 1] };
  }
}

/** The root of the trigger's one counterparty cluster (a withdrawal's destination); undefined when it has several. */
function onlyCluster(env: Env): number | undefined {
  if (env.trigger.type !== 'transfer') return undefined;
  const ids = counterpartyIds(env.graph, env.trigger);
  return ids.length === 1 ? env.graph.root(ids[0]!) : undefined;
}
