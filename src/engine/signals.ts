/**
 * The rule language's signal operators. Each is compiled once from its spec into a function of
 * the evaluation environment, and returns whether it holds, a value, the event ids that are its
 * evidence, and facts for the alert. All windows look back from the trigger's event time only.
 */
import { reverseLink } from './reverse-link.js';
import { NO_RESULT, sharedFailure } from './no-result.js';
import { displayAddress } from '../chain/address.js';
import type { TransferEvent } from '../decode/events.js';
import type { EntityGraph, Touch } from '../graph/entity-graph.js';
import { findExposure, type ExposureQuery } from '../graph/exposure.js';
import { compileAll, type Context } from './conditions.js';
import type { SignalSpec } from './rule-schema.js';
import { clusterExcluded } from './label-exclusion.js';
import type { AggregatorSpec, HistoryItem, RuleState } from './state.js';
import { RecentAccountsMemo } from '../graph/recent-accounts-memo.js';
import { counterpartyIds } from './counterparty-ids.js';
import { pointedView } from './event-view.js';
import { median, payerRisk } from './payer-risk.js';
import { distinctPayers } from './distinct-payers.js';
import { flaggedPayers, FLAGGED_PAYERS_FACTS } from './flagged-payers.js';
import { commonFunder, COMMON_FUNDER_FACTS } from './common-funder.js';
import { predecessor, PREDECESSOR_FACTS } from './predecessor.js';
import { decayingExposure } from './decaying-exposure.js';
import { declaredCountries } from './declared-countries.js';
import { sequence } from './sequence.js';
import { cadence } from './cadence.js';
import { WINDOW_READ_LIMIT } from './read-limits.js';
import { upperBound } from '../state/sorted-by-time.js';
import { Decimal, isDecimal, sumOf } from '../money/decimal.js';

export interface SignalResult {
  ok: boolean;
  /** A number, or an exact decimal for a window's sum, min or max of amounts. */
  value?: number | Decimal;
  eventIds: string[];
  facts: Record<string, unknown>;
  /** True when some facts are getters, computed only when read (the engine copies them as such). */
  lazyFacts?: boolean;
  /** The view of a shared result, made once (see sharedFailure in no-result.ts); the engine shows it instead of a copy. */
  readonly sharedView?: SignalResult;
}

export interface Env {
  trigger: HistoryItem;
  ctx: Context;
  graph: EntityGraph;
  state: RuleState;
  /** Labels are read as of this time (≥ the trigger's time when late evidence re-evaluates). */
  asOf: number;
  /** A `linkage` window ends here instead of at the trigger's time (see Trigger.linkedAt). */
  linkedAt?: number;
  /** A `distinct-payers` window with `laterWithin` ends here, at most that long after the trigger (later-payers.ts). */
  payersUntil?: number;
}

export type Signal = ((env: Env) => SignalResult) & {
  /** Set on a per-account window: the aggregate the state keeps for it incrementally. */
  aggregator?: AggregatorSpec;
  /**
   * A necessary condition for the signal to hold, cheaper than the signal (false: it surely does
   * not hold for this trigger). A rule whose `require` tries the signal first is then known to
   * fail without computing it (see the engine's `fire`).
   */
  mayHold?: (env: Env) => boolean;
};

const DAY = 86_400_000;
/** A signal that does not hold: the shared NO_RESULT unless it states facts. */
const none = (facts?: Record<string, unknown>): SignalResult => (facts === undefined ? NO_RESULT : { ok: false, eventIds: [], facts });
const round = (n: number, places = 2): number => Math.round(n * 10 ** places) / 10 ** places;

/**
 * The context a history item exposes to `where` conditions, valid until the next item is read
 * (see `pointedView`): a reader evaluates its condition or reads its field at once. Nothing is
 * made per read (a copy per read was once most of the garbage the rules made) nor kept on the
 * item. The view is its own context (its `event` is itself).
 */
export function itemContext(item: HistoryItem): Context {
  return pointedView(item);
}

export function makeSelector(sel: { kinds: string[]; where: Parameters<typeof compileAll>[0] }): (item: HistoryItem) => boolean {
  const where = compileAll(sel.where);
  return (item) => sel.kinds.includes(item.type === 'login' ? 'login' : item.msg.kind) && where(itemContext(item));
}

type Bounds = { gte?: number | undefined; gt?: number | undefined; lte?: number | undefined; lt?: number | undefined };

/** Whether a value lies within the bounds; an exact decimal is compared exactly with each bound's decimal text. */
function passes(t: Bounds, v: number | Decimal): boolean {
  if (isDecimal(v)) {
    const cmp = (bound: number): number => v.compare(Decimal.fromNumber(bound));
    return (t.gte === undefined || cmp(t.gte) >= 0) && (t.gt === undefined || cmp(t.gt) > 0) && (t.lte === undefined || cmp(t.lte) <= 0) && (t.lt === undefined || cmp(t.lt) < 0);
  }
  return (t.gte === undefined || v >= t.gte) && (t.gt === undefined || v > t.gt) && (t.lte === undefined || v <= t.lte) && (t.lt === undefined || v < t.lt);
}

/** A window's value as evidence: counts and statistics rounded, exact amounts kept whole. */
const shown = (v: number | Decimal): number | Decimal => (isDecimal(v) ? v : round(v, 4));
const ZERO = Decimal.ZERO;
const usdOrZero = (e: TransferEvent): Decimal => e.usd ?? ZERO;

/**
 * The USD a hop must carry for the exposure op: the smaller of `minTracedUsd` and
 * `minTracedShare` of the trigger's value (either alone when the other is unset or unknown); 0: any.
 */
export function minHopUsd(spec: { minTracedUsd?: number | undefined; minTracedShare?: number | undefined }, triggerUsd: Decimal | null): number {
  const share = spec.minTracedShare !== undefined && triggerUsd !== null ? spec.minTracedShare * triggerUsd.toNumber() : undefined;
  if (spec.minTracedUsd === undefined) return share ?? 0;
  return share === undefined ? spec.minTracedUsd : Math.min(spec.minTracedUsd, share);
}

function exposure(spec: Extract<SignalSpec, { op: 'exposure' }>): Signal {
  // One query per signal, its trigger's fields set on each call: a walk keeps nothing of it.
  const query: ExposureQuery = { direction: 'upstream', labels: spec.labels, maxHops: spec.maxHops, hopWithin: spec.hopWithin, stopAt: spec.stopAt, from: 0, asOf: 0 };
  return ({ trigger, graph, asOf }) => {
    if (trigger.type !== 'transfer') return none();
    const direction = spec.direction === 'counterparty' ? (trigger.msg.kind === 'deposit' ? 'upstream' : 'downstream') : spec.direction;
    query.direction = direction;
    query.from = trigger.time;
    query.asOf = asOf;
    query.minHopUsd = minHopUsd(spec, trigger.usd);
    query.tracedUsd = trigger.usd === null ? undefined : trigger.usd.toNumber();
    const hit = findExposure(graph, counterpartyIds(graph, trigger), query);
    if (!hit) return none();
    // A label that took effect after the transfer is a look-back finding (the counterparty was
    // listed later, or again after a delisting that covered the transfer): the alert says so.
    const lookBack = hit.labelledSince > trigger.time;
    return { ok: true, value: hit.hops, eventIds: [], facts: { ...hit, direction, listing: listingOf(hit), labelledFrom: labelledFrom(hit.labelledSince), listedAfterTransfer: lookBack, ...(lookBack ? { listedAt: new Date(hit.labelledSince).toISOString(), transferAt: new Date(trigger.time).toISOString() } : {}) } };
  };
}

/** When the matched label took effect, as evidence reads it (undefined for a label held from the start of time). */
function labelledFrom(since: number): string | undefined {
  return Number.isFinite(since) && since > 0 ? new Date(since).toISOString() : undefined;
}

/** Where a matched label comes from, for an explanation: an OFAC entry's uid and programs, else the label's source. */
export function listingOf(hit: { source: string; detail?: Record<string, unknown> }): string {
  const uid = hit.detail?.sdnUid;
  if (uid === undefined) return `source ${hit.source}`;
  const programs = hit.detail?.programs;
  return `SDN uid ${String(uid)}, programs ${Array.isArray(programs) ? programs.join(', ') : String(programs ?? '?')}`;
}

function windowAgg(spec: Extract<SignalSpec, { op: 'window' }>): Signal {
  const select = makeSelector(spec.of);
  const valueOf = (e: HistoryItem): unknown => (spec.agg === 'count' ? 1 : (itemContext(e).event as Record<string, unknown>)[spec.field]);
  const agg = spec.agg;
  // A median, or a window without its trigger, is read from the history: no running aggregate keeps either.
  const aggregator: AggregatorSpec | undefined = spec.key === 'account' && agg !== 'median' && !spec.excludeTrigger ? { within: spec.within, select, valueOf, agg } : undefined;
  const signal: Signal = ({ trigger, graph, state }) => {
    const from = trigger.time - spec.within;
    // A trigger at the account's newest time reads the incrementally kept aggregate: O(1).
    const live = aggregator ? state.aggregate(trigger.msg.accountId, aggregator, trigger.time) : undefined;
    if (live) {
      const value = live.value(aggregator!.agg);
      const ok = live.count > 0 && passes(spec.pass, value);
      return { ok, value: shown(value), eventIds: ok ? live.eventIds() : [], facts: { value: shown(value), count: live.count, within: `${spec.within / DAY}d`, key: spec.key } };
    }
    let items: HistoryItem[];
    // A window no running aggregate keeps (a median, or without its trigger) is scanned at every
    // trigger: its newest WINDOW_READ_LIMIT selected items (see newestSelected).
    if (spec.key === 'account') items = aggregator ? (state.historyBetween(trigger.msg.accountId, from, trigger.time) as HistoryItem[]) : newestSelected(state, trigger, from, select, spec.excludeTrigger, agg === 'median' ? valueOf : undefined);
    else if (spec.key === 'counterparty') {
      if (trigger.type !== 'transfer') return none();
      const ids = new Set(counterpartyIds(graph, trigger).flatMap((id) => graph.touches(id).filter((t) => t.time >= from && t.time <= trigger.time).map((t) => t.eventId)));
      items = [...ids].map((id) => state.transfer(id)).filter((e): e is TransferEvent => e !== undefined && e.time >= from && e.time <= trigger.time);
    } else if (spec.key === 'account-counterparty') {
      if (trigger.type !== 'transfer') return none();
      items = sameCounterpartyTransfers(state, trigger, from);
    } else {
      const session = trigger.type === 'login' ? trigger.msg : trigger.msg.session;
      const value = spec.key === 'device' ? session?.deviceId : state.linkedIpOf(session);
      if (!value) return none();
      const accounts = state.linked(spec.key, value, from, trigger.time).map((s) => s.accountId).sort();
      items = accounts.flatMap((a) => state.historyBetween(a, from, trigger.time));
    }
    items = items.filter(select);
    if (spec.excludeTrigger) items = items.filter((e) => e.eventId !== trigger.eventId);
    const values = items.map(valueOf);
    const value = aggregateOf(spec.agg, items.length, values);
    const ok = items.length > 0 && passes(spec.pass, value);
    return { ok, value: shown(value), eventIds: ok ? items.map((e) => e.eventId) : [], facts: { value: shown(value), count: items.length, within: `${spec.within / DAY}d`, key: spec.key } };
  };
  if (aggregator) signal.aggregator = aggregator;
  return signal;
}

/**
 * The newest WINDOW_READ_LIMIT items of the account's window that the selector takes (the trigger
 * left out when asked; with `valued`, only items whose field has a value), oldest first. The limit
 * counts the selected items, not every item: a 90-day withdrawal median of a business that takes
 * hundreds of deposits is read from its withdrawals, not from the few among its newest 256 items
 * (session 49 review). The walk is bounded by the account's history (5,000 items at most).
 */
function newestSelected(state: RuleState, trigger: Env['trigger'], from: number, select: (e: HistoryItem) => boolean, excludeTrigger: boolean, valued?: (e: HistoryItem) => unknown): HistoryItem[] {
  const list = state.history(trigger.msg.accountId);
  const out: HistoryItem[] = [];
  for (let i = upperBound(list, trigger.time) - 1; i >= 0 && out.length < WINDOW_READ_LIMIT; i--) {
    const item = list[i]!;
    if (item.time < from) break;
    if (!select(item) || (excludeTrigger && item.eventId === trigger.eventId)) continue;
    if (valued && !hasValue(valued(item))) continue;
    out.push(item);
  }
  return out.reverse();
}

/** Whether a field's value is a number an aggregate can read (a median of unpriced withdrawals is no median of 0). */
const hasValue = (v: unknown): boolean => isDecimal(v) || (typeof v === 'number' && Number.isFinite(v));

/** The counterparty addresses of a transfer: a deposit's senders, a withdrawal's receiver. */
const counterpartyKeysOf = (t: TransferEvent): readonly string[] => (t.msg.kind === 'deposit' ? t.from : [t.to]);

/**
 * The account's transfers of the trigger's kind within [from, trigger] that share a counterparty
 * address with it (the trigger among them), from the window's newest WINDOW_READ_LIMIT items.
 */
function sameCounterpartyTransfers(state: RuleState, trigger: TransferEvent, from: number): HistoryItem[] {
  const keys = counterpartyKeysOf(trigger);
  if (keys.length === 0) return [];
  const out: HistoryItem[] = [];
  for (const item of state.recentBetween(trigger.msg.accountId, from, trigger.time, WINDOW_READ_LIMIT)) {
    if (item.type !== 'transfer' || item.msg.kind !== trigger.msg.kind) continue;
    if (counterpartyKeysOf(item).some((k) => keys.includes(k))) out.push(item);
  }
  return out;
}

/** A field's values as exact decimals (amounts are; a plain number means its decimal text); others are left out. */
function exactValues(values: readonly unknown[]): Decimal[] {
  const out: Decimal[] = [];
  for (const v of values) {
    if (isDecimal(v)) out.push(v);
    else if (typeof v === 'number' && Number.isFinite(v)) out.push(Decimal.fromNumber(v));
  }
  return out;
}

/** A window's aggregate over its items' values: sums, minima, maxima and medians exact; mean and cv in floating point. */
function aggregateOf(agg: Extract<SignalSpec, { op: 'window' }>['agg'], count: number, values: readonly unknown[]): number | Decimal {
  if (agg === 'count') return count;
  if (agg === 'distinct') return new Set(values.map(String)).size;
  const exact = exactValues(values);
  switch (agg) {
    case 'sum': return sumOf(exact);
    case 'min': return exact.length ? exact.reduce((m, v) => (v.compare(m) < 0 ? v : m)) : ZERO;
    case 'max': return exact.length ? exact.reduce((m, v) => (v.compare(m) > 0 ? v : m)) : ZERO;
    case 'mean': return exact.length ? sumOf(exact).toNumber() / exact.length : 0;
    case 'median': return exact.length ? median(exact) : ZERO;
    case 'cv': return coefficientOfVariation(exact.map((v) => v.toNumber()));
  }
}

export function coefficientOfVariation(values: number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  if (mean === 0) return 0;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

/**
 * The count from which an upper bound (`lte`, `lt`) fails whatever more accounts come: a walk
 * may stop there, as its verdict is already known (infinite without an upper bound).
 */
export function failingCount(t: Bounds): number {
  let ceiling = Number.POSITIVE_INFINITY;
  if (t.lte !== undefined) ceiling = Math.min(ceiling, Math.floor(t.lte) + 1);
  if (t.lt !== undefined) ceiling = Math.min(ceiling, Math.ceil(t.lt));
  return Math.max(1, ceiling);
}

/**
 * The fewest of something (accounts, payers) a count needs to pass its lower bounds: the count is
 * at most the number of items it is read from, so fewer items than this fail whatever they hold.
 */
export function fewestPassing(t: Bounds): number {
  let fewest = 0;
  if (t.gte !== undefined) fewest = Math.max(fewest, Math.ceil(t.gte));
  if (t.gt !== undefined) fewest = Math.max(fewest, Math.floor(t.gt) + 1);
  return fewest;
}

function fanIn(spec: Extract<SignalSpec, { op: 'fan-in' }>): Signal {
  // A merge re-examines two transfers of one cluster in a row: the second walk is usually the first's.
  const memo = new RecentAccountsMemo();
  const saturations = new SaturationMemo();
  // A hot cluster fails `lte` at its 51st account: walking on to the saturation count (64) changes no verdict.
  const ceiling = failingCount(spec.pass);
  const fewest = fewestPassing(spec.pass);
  const signal: Signal = ({ trigger, graph, asOf }) => {
    if (trigger.type !== 'transfer') return none();
    for (const id of counterpartyIds(graph, trigger)) {
      if (graph.isOwn(id) || clusterExcluded(graph, id, asOf, spec.excludeLabels)) continue;
      const limit = Math.min(graph.options.saturation, ceiling);
      const to = Math.max(trigger.time, asOf);
      const from = trigger.time - spec.within;
      // A saturated walk's count fails `pass`: a cluster known to saturate this window is passed over unwalked.
      const failsSaturated = !passes(spec.pass, limit);
      const stamp = failsSaturated ? graph.touchStamp(id) : 0;
      if (stamp !== 0 && saturations.covers(stamp, limit, from, to)) continue;
      // Walks back from the newest touch and stops at the saturation count: a cluster that a
      // million accounts paid costs what one that 64 paid does.
      const recent = memo.walk(graph.touches(id), to, from, limit, spec.kinds);
      if (stamp !== 0 && recent.saturated) saturations.remember(stamp, limit, recent.stopTime, to);
      if (passes(spec.pass, recent.count)) {
        const accounts = recent.accounts;
        const facts: Record<string, unknown> = {
          cluster: graph.clusterName(id), accounts: accounts.length, accountIds: accounts,
          // Shown only when an alert or a condition reads them: most fan-ins that hold raise none.
          get addresses() { return (recent.addresses ??= displayAddresses(graph, recent.touches)); },
          labels: [...new Set(graph.clusterLabels(id, asOf).map((l) => l.record.label))].sort(),
        };
        if (recent.saturated) facts.saturated = true;
        return { ok: true, value: accounts.length, eventIds: recent.eventIds, facts, lazyFacts: true };
      }
    }
    return none();
  };
  // Each touch names one account: a cluster with fewer touches than `pass` needs accounts fails
  // unwalked, as does a trigger whose counterparty is only such clusters (a fresh destination).
  // (A `pass` that no account passes too has no such bound.)
  if (fewest > 0) signal.mayHold = ({ trigger, graph }) => {
    if (trigger.type !== 'transfer') return false;
    for (const id of counterpartyIds(graph, trigger)) if (graph.touches(id).length >= fewest) return true;
    return false;
  };
  return signal;
}

/**
 * Clusters whose fan-in walk saturated, by touch stamp (see EntityGraph.touchStamp): the walk
 * found more than `limit` accounts among the touches from `stopTime` to `to`. While the stamp
 * stands the touches only grow, so any window reaching from at or before `stopTime` to at or
 * after `to` saturates too, and its verdict (a count that fails `pass`) is known without the
 * walk. A hot cluster's sweeps re-examine transfers one after another with windows that keep
 * covering its busy recent past: each used to walk back to its 51st account.
 */
class SaturationMemo {
  private readonly byStamp = new Map<number, { limit: number; stopTime: number; to: number }>();

  covers(stamp: number, limit: number, from: number, to: number): boolean {
    const known = this.byStamp.get(stamp);
    return known !== undefined && known.limit === limit && from <= known.stopTime && to >= known.to;
  }

  remember(stamp: number, limit: number, stopTime: number, to: number): void {
    // Bounded: a busy exchange's hot clusters are few; the rest come back after a clear.
    if (this.byStamp.size >= SATURATIONS_KEPT) this.byStamp.clear();
    this.byStamp.set(stamp, { limit, stopTime, to });
  }
}

const SATURATIONS_KEPT = 1 << 16;

/** The touches' distinct addresses in display form, sorted; each address is checksummed once, however many touches name it. */
function displayAddresses(graph: EntityGraph, touches: readonly Touch[]): string[] {
  const ids = new Set<number>();
  for (const t of touches) ids.add(t.address);
  const shown = new Set<string>();
  for (const id of ids) shown.add(displayAddress(graph.key(id)));
  return [...shown].sort();
}

/** Account counts below this fail with a shared result (most triggers see their device or IP used by their own account alone). */
const SHARED_LINKAGE_COUNTS = 64;
const linkageFailures: SignalResult[] = [];

/** A linkage that does not hold, with its account count: shared for small counts. */
function linkageFailure(count: number): SignalResult {
  if (count >= SHARED_LINKAGE_COUNTS || !Number.isInteger(count) || count < 0) return none({ accounts: count });
  return (linkageFailures[count] ??= sharedFailure(undefined, { accounts: count }));
}

function linkage(spec: Extract<SignalSpec, { op: 'linkage' }>): Signal {
  return ({ trigger, state, linkedAt }) => {
    const session = trigger.type === 'login' ? trigger.msg : trigger.msg.session;
    const value = spec.by === 'device' ? session?.deviceId : state.linkedIpOf(session);
    if (!value) return none();
    const to = linkedAt ?? trigger.time;
    // Counted first: on nearly every trigger the device or IP is the account's own and fails `pass`.
    const count = state.linkedCount(spec.by, value, to - spec.within, to);
    if (!passes(spec.pass, count)) return linkageFailure(count);
    const linked = state.linked(spec.by, value, to - spec.within, to);
    linked.sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
    const accountIds = linked.map((s) => s.accountId);
    const { codes: kycCountryCodes, laterRecordIds } = declaredCountries(state, accountIds, to);
    const facts = { by: spec.by, accounts: linked.length, accountIds, kycCountries: kycCountryCodes.length, kycCountryCodes, ipCountry: session?.ipCountry?.toUpperCase() };
    const eventIds = linked.map((s) => s.eventId);
    // A KYC record read after the linkage's end (created by then) is evidence: the verdict it makes is not the one without it.
    for (const id of laterRecordIds) eventIds.push(id);
    return { ok: true, value: linked.length, eventIds, facts };
  };
}

function fresh(spec: Extract<SignalSpec, { op: 'fresh' }>): Signal {
  return ({ trigger, graph, state }) => {
    if (trigger.type !== 'transfer') return none();
    const ids = counterpartyIds(graph, trigger);
    // A deposit from senders unknown (an empty `from`) has no counterparty to be fresh.
    if (ids.length === 0) return none();
    const firstSeen = Math.min(...ids.map((id) => graph.firstSeenAt(id) ?? trigger.time));
    const keys = new Set(trigger.msg.kind === 'deposit' ? trigger.from : [trigger.to]);
    // An index lookup per address (paid-counterparties.ts), not a scan of the whole history.
    const firstPaid = state.firstDealtAt(trigger.msg.accountId, keys);
    const paidBefore = firstPaid !== undefined && firstPaid < trigger.time;
    const ageDays = round((trigger.time - firstSeen) / DAY, 1);
    // A relation begun within firstPaidWithin is new only if this account started it by paying
    // (the earlier pieces of a split payment); money received from the address and sent back is
    // a relation it already had (session 41 QA: market makers returning a counterparty's funds).
    const relationIsNew = !paidBefore || (trigger.time - firstPaid! <= spec.firstPaidWithin && !receivedFromReceiver(state, trigger, firstPaid!));
    const ok = relationIsNew && trigger.time - firstSeen <= spec.within;
    // Days since the account first dealt with the counterparty (kept history), absent when it never did before.
    const facts: Record<string, unknown> = { firstSeenDaysBefore: ageDays, paidBefore };
    if (paidBefore) facts.firstPaidDaysBefore = (trigger.time - firstPaid) / DAY; // unrounded: compared with other day counts
    return { ok, value: ageDays, eventIds: [], facts };
  };
}

/** Whether a withdrawal's account took a deposit from its receiver between `since` and the withdrawal (its newest WINDOW_READ_LIMIT items). */
function receivedFromReceiver(state: RuleState, trigger: TransferEvent, since: number): boolean {
  if (trigger.msg.kind !== 'withdrawal') return false;
  const receiver = trigger.to;
  for (const e of state.recentBetween(trigger.msg.accountId, since, trigger.time, WINDOW_READ_LIMIT)) {
    if (e.type === 'transfer' && e.msg.kind === 'deposit' && e.time <= trigger.time && e.from.includes(receiver)) return true;
  }
  return false;
}

/** `siblings`: the rule's other signals, which a signal may name (a sequence's `exceptRegularPay`). */
export function compileSignal(spec: SignalSpec, siblings: Readonly<Record<string, SignalSpec>> = {}): Signal {
  switch (spec.op) {
    case 'exposure': return exposure(spec);
    case 'window': return windowAgg(spec);
    case 'sequence': return sequence(spec, regularPaySpec(spec, siblings));
    case 'cadence': return cadence(spec);
    case 'fan-in': return fanIn(spec);
    case 'linkage': return linkage(spec);
    case 'fresh': return fresh(spec);
    case 'payer-risk': return payerRisk(spec);
    case 'distinct-payers': return distinctPayers(spec);
    case 'flagged-payers': return flaggedPayers(spec);
    case 'common-funder': return commonFunder(spec);
    case 'predecessor': return predecessor(spec);
    case 'decaying-exposure': return decayingExposure(spec);
    case 'reverse-link': return reverseLink(spec);
  }
}

/** The cadence signal a sequence's `exceptRegularPay` names, if it names one. */
function regularPaySpec(spec: Extract<SignalSpec, { op: 'sequence' }>, siblings: Readonly<Record<string, SignalSpec>>): Extract<SignalSpec, { op: 'cadence' }> | undefined {
  const named = spec.exceptRegularPay === undefined ? undefined : siblings[spec.exceptRegularPay];
  return named?.op === 'cadence' ? named : undefined;
}

/** Whether a signal reads the address graph (and so must be re-run when the graph changes). */
export function readsGraph(spec: SignalSpec): boolean {
  return spec.op === 'exposure' || spec.op === 'decaying-exposure' || spec.op === 'reverse-link' || spec.op === 'fan-in' || spec.op === 'cadence' || spec.op === 'distinct-payers' || spec.op === 'flagged-payers' || spec.op === 'common-funder' || spec.op === 'predecessor' || (spec.op === 'window' && spec.key === 'counterparty');
}

/**
 * The facts each operator reports, readable as `signals.<name>.<fact>` in conditions, evidence
 * and explanations (besides `ok`, `value`, `eventIds` and `facts`). The rule loader refuses a path
 * to any other fact, so a new operator declares its facts here; an operator left out is accepted,
 * and paths under its signals go unchecked (`rules check` says so).
 */
export const SIGNAL_FACTS: Partial<Record<SignalSpec['op'], readonly string[]>> = {
  exposure: ['hops', 'direct', 'label', 'labelledAddress', 'entity', 'source', 'detail', 'path', 'direction', 'listing', 'labelledFrom', 'confidence', 'listedAfterTransfer', 'listedAt', 'transferAt'],
  window: ['value', 'count', 'within', 'key'],
  sequence: ['ratio', 'percent', 'firstEventId', 'firstAsset', 'firstChain', 'firstUsd', 'laterUsd', 'receivedUsd', 'leftUsd', 'othersUsd', 'movedUsd', 'hours', 'counterparties', 'counterpartyAddresses'],
  cadence: ['payer', 'payerAddress', 'count', 'periodDays', 'cv', 'meanUsd', 'medianUsd', 'sinceDays', 'salariesSinceDays', 'gapPeriods', 'lastPaidDaysBefore', 'runEventIds'],
  'fan-in': ['cluster', 'accounts', 'accountIds', 'addresses', 'labels', 'saturated'],
  linkage: ['by', 'accounts', 'accountIds', 'kycCountries', 'kycCountryCodes', 'ipCountry'],
  fresh: ['firstSeenDaysBefore', 'paidBefore', 'firstPaidDaysBefore'],
  'payer-risk': ['accounts', 'risky', 'riskyAccountIds', 'share', 'factors', 'within', 'implicatedAccountIds', 'implicated', 'triggerImplicated', 'medianUsd', 'totalUsd', 'medianPaymentUsd', 'businessPayers', 'individualPayers', 'individualMedianUsd', 'individualMedianPaymentUsd'],
  'distinct-payers': ['payers', 'payerClusters', 'deposits', 'within', 'sinceDays', 'laterDeposits'],
  'flagged-payers': FLAGGED_PAYERS_FACTS,
  'common-funder': COMMON_FUNDER_FACTS,
  predecessor: PREDECESSOR_FACTS,
  'reverse-link': ['hops', 'path', 'linkedAddress', 'firstDealtDaysBefore'],
  'decaying-exposure': ['hops', 'direct', 'label', 'labelledAddress', 'entity', 'source', 'detail', 'path', 'direction', 'labelledAt', 'ageDays', 'windowDays', 'halfLifeDays', 'decay', 'timing'],
};
