/**
 * The rule language's signal operators. Each is compiled once from its spec into a function of
 * the evaluation environment, and returns whether it holds, a value, the event ids that are its
 * evidence, and facts for the alert. All windows look back from the trigger's event time only.
 */
import { displayAddress } from '../chain/address.js';
import type { TransferEvent } from '../decode/events.js';
import type { EntityGraph } from '../graph/entity-graph.js';
import { findExposure } from '../graph/exposure.js';
import { compileAll, type Context } from './conditions.js';
import type { SignalSpec } from './rule-schema.js';
import type { AggregatorSpec, HistoryItem, RuleState } from './state.js';
import { recentAccounts } from '../graph/touches.js';
import { eventView } from './event-view.js';
import { payerRisk } from './payer-risk.js';
import { distinctPayers } from './distinct-payers.js';

export interface SignalResult {
  ok: boolean;
  value?: number;
  eventIds: string[];
  facts: Record<string, unknown>;
}

export interface Env {
  trigger: HistoryItem;
  ctx: Context;
  graph: EntityGraph;
  state: RuleState;
  /** Labels are read as of this time (≥ the trigger's time when late evidence re-evaluates). */
  asOf: number;
}

export type Signal = ((env: Env) => SignalResult) & {
  /** Set on a per-account window: the aggregate the state keeps for it incrementally. */
  aggregator?: AggregatorSpec;
};

const DAY = 86_400_000;
const none = (facts: Record<string, unknown> = {}): SignalResult => ({ ok: false, eventIds: [], facts });
const round = (n: number, places = 2): number => Math.round(n * 10 ** places) / 10 ** places;

/**
 * The context a history item exposes to `where` conditions. Built once per item and kept on it:
 * window and sequence selectors read the same items for every trigger, and a copy per read was
 * most of the garbage the rules made. The view is its own context (its `event` is itself).
 */
export function itemContext(item: HistoryItem): Context {
  return (item.view ??= eventView(item));
}

function makeSelector(sel: { kinds: string[]; where: Parameters<typeof compileAll>[0] }): (item: HistoryItem) => boolean {
  const where = compileAll(sel.where);
  return (item) => sel.kinds.includes(item.type === 'login' ? 'login' : item.msg.kind) && where(itemContext(item));
}

function passes(t: { gte?: number | undefined; gt?: number | undefined; lte?: number | undefined; lt?: number | undefined }, v: number): boolean {
  return (t.gte === undefined || v >= t.gte) && (t.gt === undefined || v > t.gt) && (t.lte === undefined || v <= t.lte) && (t.lt === undefined || v < t.lt);
}

/** The last trigger's counterparty ids: every rule judging one trigger asks for them again. */
let lastIds: { graph: EntityGraph; trigger: TransferEvent; ids: readonly number[] } | undefined;

/** Addresses whose clusters are the trigger's counterparty (an address's id never changes, so memoised per trigger). */
export function counterpartyIds(graph: EntityGraph, t: TransferEvent): readonly number[] {
  if (lastIds?.trigger === t && lastIds.graph === graph) return lastIds.ids;
  const ids = (t.msg.kind === 'deposit' ? t.from : [t.to]).map((k) => graph.id(k));
  lastIds = { graph, trigger: t, ids };
  return ids;
}

function exposure(spec: Extract<SignalSpec, { op: 'exposure' }>): Signal {
  return ({ trigger, graph, asOf }) => {
    if (trigger.type !== 'transfer') return none();
    const direction = spec.direction === 'counterparty' ? (trigger.msg.kind === 'deposit' ? 'upstream' : 'downstream') : spec.direction;
    const hit = findExposure(graph, counterpartyIds(graph, trigger), { direction, labels: spec.labels, maxHops: spec.maxHops, hopWithin: spec.hopWithin, stopAt: spec.stopAt, from: trigger.time, asOf });
    if (!hit) return none();
    return { ok: true, value: hit.hops, eventIds: [], facts: { ...hit, direction } };
  };
}

function windowAgg(spec: Extract<SignalSpec, { op: 'window' }>): Signal {
  const select = makeSelector(spec.of);
  const valueOf = (e: HistoryItem): unknown => (spec.agg === 'count' ? 1 : (itemContext(e).event as Record<string, unknown>)[spec.field]);
  const aggregator: AggregatorSpec | undefined = spec.key === 'account' ? { within: spec.within, select, valueOf } : undefined;
  const signal: Signal = ({ trigger, graph, state }) => {
    const from = trigger.time - spec.within;
    // A trigger at the account's newest time reads the incrementally kept aggregate: O(1).
    const live = aggregator ? state.aggregate(trigger.msg.accountId, aggregator, trigger.time) : undefined;
    if (live) {
      const value = live.value(spec.agg);
      const ok = live.count > 0 && passes(spec.pass, value);
      return { ok, value: round(value, 4), eventIds: ok ? live.eventIds() : [], facts: { value: round(value, 4), count: live.count, within: `${spec.within / DAY}d`, key: spec.key } };
    }
    let items: HistoryItem[];
    if (spec.key === 'account') items = state.historyBetween(trigger.msg.accountId, from, trigger.time) as HistoryItem[];
    else if (spec.key === 'counterparty') {
      if (trigger.type !== 'transfer') return none();
      const ids = new Set(counterpartyIds(graph, trigger).flatMap((id) => graph.touches(id).filter((t) => t.time >= from && t.time <= trigger.time).map((t) => t.eventId)));
      items = [...ids].map((id) => state.transfer(id)).filter((e): e is TransferEvent => e !== undefined && e.time >= from && e.time <= trigger.time);
    } else {
      const session = trigger.type === 'login' ? trigger.msg : trigger.msg.session;
      const value = spec.key === 'device' ? session?.deviceId : session?.ip;
      if (!value) return none();
      const accounts = state.linked(spec.key, value, from, trigger.time).map((s) => s.accountId).sort();
      items = accounts.flatMap((a) => state.historyBetween(a, from, trigger.time));
    }
    items = items.filter(select);
    const values = items.map(valueOf);
    const nums = values.filter((v): v is number => typeof v === 'number');
    let value: number;
    switch (spec.agg) {
      case 'count': value = items.length; break;
      case 'sum': value = nums.reduce((s, v) => s + v, 0); break;
      case 'distinct': value = new Set(values.map(String)).size; break;
      case 'min': value = nums.length ? Math.min(...nums) : 0; break;
      case 'max': value = nums.length ? Math.max(...nums) : 0; break;
      case 'mean': value = nums.length ? nums.reduce((s, v) => s + v, 0) / nums.length : 0; break;
      case 'cv': value = coefficientOfVariation(nums); break;
    }
    const ok = items.length > 0 && passes(spec.pass, value);
    return { ok, value: round(value, 4), eventIds: ok ? items.map((e) => e.eventId) : [], facts: { value: round(value, 4), count: items.length, within: `${spec.within / DAY}d`, key: spec.key } };
  };
  if (aggregator) signal.aggregator = aggregator;
  return signal;
}

export function coefficientOfVariation(values: number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  if (mean === 0) return 0;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

function sequence(spec: Extract<SignalSpec, { op: 'sequence' }>): Signal {
  const first = makeSelector(spec.first);
  const then = makeSelector(spec.then);
  return ({ trigger, state }) => {
    if (trigger.type !== 'transfer' || !then(trigger)) return none();
    // Anchors lie within the window; a split payment's earlier parts up to groupWithin before them.
    const history = state.historyBetween(trigger.msg.accountId, trigger.time - spec.within - spec.groupWithin, trigger.time);
    // The latest qualifying first-event before the trigger, within the window.
    const anchors = history.filter((e) => e.type === 'transfer' && e.time >= trigger.time - spec.within && e.eventId !== trigger.eventId && first(e)) as TransferEvent[];
    for (let i = anchors.length - 1; i >= 0; i--) {
      const anchor = anchors[i]!;
      // Split payments: earlier first-events within groupWithin of this one are the same inflow.
      const group = anchors.slice(0, i + 1).filter((a) => a.time >= anchor.time - spec.groupWithin);
      const inflow = group.reduce((s, a) => s + (a.usd ?? 0), 0);
      if (!inflow) continue;
      const since = group[0]!.time;
      const differs = (e: TransferEvent): boolean => spec.differ.length === 0 || spec.differ.some((f) => e.msg[f] !== anchor.msg[f]);
      if (!differs(trigger)) continue;
      const follow = history.filter((e): e is TransferEvent => e.type === 'transfer' && e.time >= since && e.time <= trigger.time && !group.includes(e as TransferEvent) && then(e) && differs(e));
      const moved = follow.reduce((s, e) => s + (e.usd ?? 0), 0);
      const ratio = moved / inflow;
      if (ratio >= spec.minRatio && ratio <= spec.maxRatio) {
        return {
          ok: true,
          value: round(ratio, 4),
          eventIds: [...group.map((a) => a.eventId), ...follow.map((e) => e.eventId)],
          facts: { ratio: round(ratio, 4), percent: Math.round(ratio * 100), firstEventId: anchor.eventId, firstAsset: anchor.msg.asset, firstChain: anchor.msg.chain, firstUsd: round(inflow), movedUsd: round(moved), hours: round((trigger.time - since) / 3_600_000, 1) },
        };
      }
    }
    return none();
  };
}

interface Payment {
  time: number;
  usd: number;
  eventIds: string[];
}

function payerOf(graph: EntityGraph, e: TransferEvent): string | undefined {
  const first = e.from[0];
  return first === undefined ? undefined : graph.clusterName(graph.id(first));
}

function cadence(spec: Extract<SignalSpec, { op: 'cadence' }>): Signal {
  const select = makeSelector(spec.of);
  return ({ trigger, graph, state }) => {
    const items = state.historyBetween(trigger.msg.accountId, trigger.time - spec.within, trigger.time).filter((e): e is TransferEvent => e.type === 'transfer' && select(e));
    const byPayer = new Map<string, TransferEvent[]>();
    for (const e of items) {
      const payer = payerOf(graph, e);
      if (payer) byPayer.set(payer, [...(byPayer.get(payer) ?? []), e]);
    }
    let best: SignalResult = none();
    for (const [payer, events] of [...byPayer].sort(([a], [b]) => a.localeCompare(b))) {
      const payments: Payment[] = [];
      for (const e of events) {
        const last = payments[payments.length - 1];
        if (last && e.time - last.time <= spec.mergeWithin) { last.usd += e.usd ?? 0; last.eventIds.push(e.eventId); }
        else payments.push({ time: e.time, usd: e.usd ?? 0, eventIds: [e.eventId] });
      }
      const result = regularRun(payments, spec);
      if (result && (!best.ok || result.count > (best.value ?? 0))) {
        best = {
          ok: true,
          value: result.count,
          eventIds: result.run.flatMap((p) => p.eventIds),
          facts: { payer, payerAddress: displayAddress(events[0]!.from[0]!), count: result.count, periodDays: result.period / DAY, cv: round(result.cv, 3), meanUsd: round(result.mean) },
        };
      }
    }
    return best;
  };
}

/** The longest run of payments, ending with the latest, whose gaps fit one period (a missed period allowed). */
function regularRun(payments: Payment[], spec: Extract<SignalSpec, { op: 'cadence' }>): { run: Payment[]; count: number; period: number; cv: number; mean: number } | undefined {
  const inBand = (p: Payment): boolean => !spec.usdRange || (p.usd >= spec.usdRange[0] && p.usd <= spec.usdRange[1]);
  for (const { every, tolerance } of spec.periods) {
    const run: Payment[] = [];
    for (let i = payments.length - 1; i >= 0; i--) {
      const p = payments[i]!;
      if (!inBand(p)) break;
      const next = run[0];
      if (next) {
        const gap = next.time - p.time;
        const fits = [1, 2].some((k) => Math.abs(gap - k * every) <= tolerance * k);
        if (!fits) break;
      }
      run.unshift(p);
    }
    if (run.length >= spec.minCount) {
      const usd = run.map((p) => p.usd);
      const cv = coefficientOfVariation(usd);
      if (cv <= spec.maxCv) return { run, count: run.length, period: every, cv, mean: usd.reduce((s, v) => s + v, 0) / usd.length };
    }
  }
  return undefined;
}

function fanIn(spec: Extract<SignalSpec, { op: 'fan-in' }>): Signal {
  return ({ trigger, graph, asOf }) => {
    if (trigger.type !== 'transfer') return none();
    for (const id of counterpartyIds(graph, trigger)) {
      const labels = graph.clusterLabels(id, asOf).map((l) => l.record.label);
      if (labels.some((l) => spec.excludeLabels.includes(l)) || graph.isOwn(id)) continue;
      // Walks back from the newest touch and stops at the saturation count: a cluster that a
      // million accounts paid costs what one that 64 paid does.
      const recent = recentAccounts(graph.touches(id), Math.max(trigger.time, asOf), trigger.time - spec.within, graph.options.saturation, spec.kinds);
      const accounts = [...recent.accounts].sort();
      if (passes(spec.pass, accounts.length)) {
        const addresses = [...new Set(recent.touches.map((t) => displayAddress(graph.key(t.address))))].sort();
        const facts: Record<string, unknown> = { cluster: graph.clusterName(id), accounts: accounts.length, accountIds: accounts, addresses, labels: [...new Set(labels)].sort() };
        if (recent.saturated) facts.saturated = true;
        return { ok: true, value: accounts.length, eventIds: recent.touches.map((t) => t.eventId), facts };
      }
    }
    return none();
  };
}

function linkage(spec: Extract<SignalSpec, { op: 'linkage' }>): Signal {
  return ({ trigger, state }) => {
    const session = trigger.type === 'login' ? trigger.msg : trigger.msg.session;
    const value = spec.by === 'device' ? session?.deviceId : session?.ip;
    if (!value) return none();
    const linked = state.linked(spec.by, value, trigger.time - spec.within, trigger.time);
    if (!passes(spec.pass, linked.length)) return none({ accounts: linked.length });
    linked.sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
    return { ok: true, value: linked.length, eventIds: linked.map((s) => s.eventId), facts: { by: spec.by, accounts: linked.length, accountIds: linked.map((s) => s.accountId) } };
  };
}

function fresh(spec: Extract<SignalSpec, { op: 'fresh' }>): Signal {
  return ({ trigger, graph, state }) => {
    if (trigger.type !== 'transfer') return none();
    const ids = counterpartyIds(graph, trigger);
    const firstSeen = Math.min(...ids.map((id) => graph.firstSeenAt(id) ?? trigger.time));
    const keys = new Set(trigger.msg.kind === 'deposit' ? trigger.from : [trigger.to]);
    const paidBefore = state.history(trigger.msg.accountId).some((e) => e.type === 'transfer' && e.time < trigger.time && e.eventId !== trigger.eventId && (e.msg.kind === 'deposit' ? e.from.some((k) => keys.has(k)) : keys.has(e.to)));
    const ageDays = round((trigger.time - firstSeen) / DAY, 1);
    const ok = !paidBefore && trigger.time - firstSeen <= spec.within;
    return { ok, value: ageDays, eventIds: [], facts: { firstSeenDaysBefore: ageDays, paidBefore } };
  };
}

export function compileSignal(spec: SignalSpec): Signal {
  switch (spec.op) {
    case 'exposure': return exposure(spec);
    case 'window': return windowAgg(spec);
    case 'sequence': return sequence(spec);
    case 'cadence': return cadence(spec);
    case 'fan-in': return fanIn(spec);
    case 'linkage': return linkage(spec);
    case 'fresh': return fresh(spec);
    case 'payer-risk': return payerRisk(spec);
    case 'distinct-payers': return distinctPayers(spec);
  }
}

/** Whether a signal reads the address graph (and so must be re-run when the graph changes). */
export function readsGraph(spec: SignalSpec): boolean {
  return spec.op === 'exposure' || spec.op === 'fan-in' || spec.op === 'cadence' || spec.op === 'distinct-payers' || (spec.op === 'window' && spec.key === 'counterparty');
}

/**
 * The facts each operator reports, readable as `signals.<name>.<fact>` in conditions, evidence
 * and explanations (besides `ok`, `value`, `eventIds` and `facts`). The rule loader refuses a path
 * to any other fact, so a new operator declares its facts here; an operator left out is accepted,
 * and paths under its signals go unchecked (`rules check` says so).
 */
export const SIGNAL_FACTS: Partial<Record<SignalSpec['op'], readonly string[]>> = {
  exposure: ['hops', 'direct', 'label', 'labelledAddress', 'entity', 'source', 'detail', 'path', 'direction'],
  window: ['value', 'count', 'within', 'key'],
  sequence: ['ratio', 'percent', 'firstEventId', 'firstAsset', 'firstChain', 'firstUsd', 'movedUsd', 'hours'],
  cadence: ['payer', 'payerAddress', 'count', 'periodDays', 'cv', 'meanUsd'],
  'fan-in': ['cluster', 'accounts', 'accountIds', 'addresses', 'labels', 'saturated'],
  linkage: ['by', 'accounts', 'accountIds'],
  fresh: ['firstSeenDaysBefore', 'paidBefore'],
  'payer-risk': ['accounts', 'risky', 'riskyAccountIds', 'share', 'factors', 'within', 'implicatedAccountIds', 'implicated', 'triggerImplicated', 'medianUsd'],
  'distinct-payers': ['payers', 'payerClusters', 'deposits', 'within'],
};
