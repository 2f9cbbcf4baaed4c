/**
 * `common-funder`: of a deposit's sending addresses, which were funded on-chain by one upstream
 * address shortly before, and how many distinct accounts received deposits from addresses that
 * same funder funded. Gas funding (a little ETH or TRX sent to fresh addresses so they can move
 * tokens) and fan-out dispersal (value split over many addresses that each pay a different
 * account) both show one operator behind deposits that look unrelated.
 *
 * Reads only the graph's flow edges and cluster touches, which are bounded per key: a funder's
 * newest `maxEdgesPerAddress` out-edges, and per funded address the newest `TOUCHES_SCANNED`
 * touches of its cluster. One cluster funding a million addresses costs what one funding 500 does.
 */
import { toDecimal, type Decimal } from '../money/decimal.js';
import { displayAddress } from '../chain/address.js';
import type { EntityGraph, FlowEdge, Touch } from '../graph/entity-graph.js';
import type { TransferEvent } from '../decode/events.js';
import type { HistoryItem } from './state.js';
import { upperBound } from '../state/sorted-by-time.js';
import type { SignalSpec } from './rule-schema.js';
import { clusterExcluded, excludesLabel } from './label-exclusion.js';
import type { Env, Signal, SignalResult } from './signals.js';
import { counterpartyIds } from './counterparty-ids.js';
import { NO_RESULT } from './no-result.js';
import { WINDOW_READ_LIMIT } from './read-limits.js';

export type CommonFunderSpec = Extract<SignalSpec, { op: 'common-funder' }>;

/** Touches of a funded address's cluster read, newest first (a fresh address has a handful). */
const TOUCHES_SCANNED = 16;
/** Funders of one sending address considered (an address funded by many is not a fresh one). */
const FUNDERS_PER_ADDRESS = 4;

interface Funded {
  address: number;
  /** Time of the funding edge. */
  fundedAt: number;
}

interface Tally {
  accounts: Set<string>;
  eventIds: string[];
  fundedAddresses: Set<number>;
  saturated: boolean;
}

/** Whether an exact USD value lies within a rule's band (bounds included). */
export function inUsdRange(usd: Decimal, range: readonly [number, number]): boolean {
  const [low, high] = usdBounds(range);
  return usd.compare(low) >= 0 && usd.compare(high) <= 0;
}

const boundsOfRange = new WeakMap<readonly [number, number], readonly [Decimal, Decimal]>();

/** A band's bounds as exact decimals, made once per band: every funding edge a walk meets is tested against them. */
function usdBounds(range: readonly [number, number]): readonly [Decimal, Decimal] {
  let bounds = boundsOfRange.get(range);
  if (!bounds) boundsOfRange.set(range, (bounds = [toDecimal(range[0]), toDecimal(range[1])]));
  return bounds;
}

function isFunding(spec: CommonFunderSpec, e: FlowEdge): boolean {
  return spec.assets.includes(e.asset) && e.usd !== null && inUsdRange(e.usd, spec.usdRange);
}

function isFresh(spec: CommonFunderSpec, graph: EntityGraph, address: number, fundedAt: number): boolean {
  if (spec.freshWithin === undefined) return true;
  const first = graph.firstSeenAt(address);
  return first === undefined || first >= fundedAt - spec.freshWithin;
}

/** The funders of `address`: peers of funding edges into it within [from, to], at most FUNDERS_PER_ADDRESS, by id. */
function fundersOf(spec: CommonFunderSpec, graph: EntityGraph, address: number, from: number, to: number): readonly number[] {
  let found: Set<number> | undefined; // most addresses have no funding edge in the window: no set made for them
  const edges = graph.edgesIn(address);
  // The list is sorted by time: walked from the newest, it ends at the window's start.
  for (let i = edges.length - 1; i >= 0; i--) {
    const e = edges[i]!;
    if (e.time < from) break;
    if (e.time > to || !isFunding(spec, e) || e.from === address) continue;
    if (!isFresh(spec, graph, address, e.time)) continue;
    (found ??= new Set()).add(e.from);
  }
  if (found === undefined) return NO_IDS;
  return found.size === 1 ? [...found] : [...found].sort((a, b) => a - b).slice(0, FUNDERS_PER_ADDRESS);
}

const NO_IDS: readonly number[] = Object.freeze([]);

/** Addresses the funder funded within [from, to], newest edge first, one entry per address. */
function fundedBy(spec: CommonFunderSpec, graph: EntityGraph, funder: number, from: number, to: number): Funded[] {
  const out: Funded[] = [];
  const seen = new Set<number>();
  const edges = graph.edgesOut(funder);
  for (let i = edges.length - 1; i >= 0; i--) {
    const e = edges[i]!;
    if (e.time < from) break; // sorted by time: the rest are older still
    if (e.time > to || seen.has(e.to) || !isFunding(spec, e)) continue;
    seen.add(e.to);
    if (isFresh(spec, graph, e.to, e.time)) out.push({ address: e.to, fundedAt: e.time });
  }
  return out;
}

/**
 * Whether a funded address is a known service (its cluster carries an excluded label): an
 * exchange's hot wallet receives from everyone and pays out to its own customers, so deposits it
 * sends are no share of a dispersal, whoever paid into it shortly before (session 51 QA: a
 * depositor at another exchange, whose deposit address swept into that exchange's labelled hot
 * wallet, was the "disperser" of four of our customers who withdrew there).
 */
function serviceAddress(spec: CommonFunderSpec, graph: EntityGraph, address: number, asOf: number, memo: Map<number, boolean>): boolean {
  let excluded = memo.get(address);
  if (excluded === undefined) memo.set(address, (excluded = paysForService(spec, graph, address, asOf)));
  return excluded;
}

/**
 * Whether a sending address pays out for a service: its cluster carries an excluded label, unless
 * it joined that cluster as a forwarder, when only a label on the address itself counts. A
 * forwarder is, to the heuristic, a deposit address sweeping into the service, and a deposit
 * address pays out nobody's customers; and cluster membership is not dated, so a sweep made
 * after the deposits would count in a run that read the chain ahead and not in event order
 * (session 51 review: a dispersal address that later swept a new inflow into another
 * exchange's labelled wallet lost the whole cell, three medium alerts, with the chain read first).
 */
function paysForService(spec: CommonFunderSpec, graph: EntityGraph, address: number, asOf: number): boolean {
  if (!graph.isForwarder(address)) return clusterExcluded(graph, address, asOf, spec.excludeLabels);
  const key = graph.key(address);
  const traced = graph.options.tracedLabels;
  return graph.clusterLabels(address, asOf).some((l) => l.address === key && excludesLabel(spec.excludeLabels, l.record.label, traced));
}

/** Distinct accounts paid by deposits from the funded addresses that are no known service, after their funding and within [from, to]. */
function tally(spec: CommonFunderSpec, graph: EntityGraph, funded: readonly Funded[], from: number, to: number, asOf: number, limit: number): Tally {
  const t: Tally = { accounts: new Set(), eventIds: [], fundedAddresses: new Set(), saturated: false };
  const services = new Map<number, boolean>();
  for (const f of funded) {
    const touches = graph.touches(f.address);
    for (let i = touches.length - 1, read = 0; i >= 0 && read < TOUCHES_SCANNED; i--, read++) {
      const touch = touches[i]!;
      if (touch.time < from || touch.time < f.fundedAt) break; // sorted by time: the rest are older still
      if (touch.kind !== 'deposit' || touch.address !== f.address || touch.time > to) continue;
      if (touch.time > f.fundedAt + spec.fundedWithin) continue;
      if (serviceAddress(spec, graph, f.address, asOf, services)) break; // none of its deposits counts
      if (!t.accounts.has(touch.accountId)) {
        if (t.accounts.size >= limit) { t.saturated = true; return t; }
        t.accounts.add(touch.accountId);
      }
      t.eventIds.push(touch.eventId);
      t.fundedAddresses.add(f.address);
    }
  }
  return t;
}

/**
 * The sending addresses to trace: a deposit's own; for a withdrawal, those of the account's
 * deposits within `back` before it (the risk an account shows when it moves the funds on is seen
 * only then, so the verdict is taken again at that point).
 */
function sendersOf(env: Env, back: number): readonly number[] {
  const { trigger, graph, state } = env;
  if (trigger.type !== 'transfer') return NO_IDS;
  if (trigger.msg.kind === 'deposit') {
    const ids = counterpartyIds(graph, trigger); // a deposit's counterparty is its senders
    return ids.length === 1 ? ids : [...new Set(ids)];
  }
  return WITHDRAWAL_SENDERS.within(trigger, state.history(trigger.msg.accountId), state.version, graph, back);
}

/**
 * A withdrawal's senders: those of the account's deposits in its window's newest WINDOW_READ_LIMIT
 * items, walked back from the withdrawal until FUNDERS_PER_ADDRESS addresses are found. Walked
 * once per trigger for every common-funder signal that judges it (each asks with its own
 * `fundedWithin`, and the walk for a shorter one is the start of the walk for a longer one), where
 * each signal read the same deposits and looked up the same addresses again.
 */
class WithdrawalSenders {
  private trigger: HistoryItem | undefined;
  private history: readonly HistoryItem[] = [];
  private version = -1;
  private graph: EntityGraph | undefined;
  private generation = -1;
  /** The distinct senders in the order the walk met them, and the time of the deposit that brought each. */
  private readonly ids: number[] = [];
  private readonly times: number[] = [];
  private readonly met = new Set<number>();
  /** The next item the walk reads (it reads down from the last at or before the trigger's time), and the lowest it may. */
  private next = -1;
  private low = 0;

  /** The senders of deposits from `time - back` to the trigger, sorted (NO_IDS when none). */
  within(trigger: TransferEvent, history: readonly HistoryItem[], version: number, graph: EntityGraph, back: number): readonly number[] {
    if (trigger !== this.trigger || history !== this.history || version !== this.version || graph !== this.graph || graph.generation !== this.generation) this.restart(trigger, history, version, graph);
    const from = trigger.time - back;
    while (this.met.size < FUNDERS_PER_ADDRESS && this.next >= this.low && history[this.next]!.time >= from) {
      const e = history[this.next--]!;
      if (e.type !== 'transfer' || e.msg.kind !== 'deposit') continue;
      for (const k of e.from) {
        const id = graph.id(k);
        if (this.met.has(id)) continue;
        this.met.add(id);
        this.ids.push(id);
        this.times.push(e.time);
      }
    }
    let n = 0;
    while (n < this.ids.length && this.times[n]! >= from) n++;
    if (n === 0) return NO_IDS;
    return n === 1 ? [this.ids[0]!] : this.ids.slice(0, n).sort((a, b) => a - b);
  }

  private restart(trigger: HistoryItem, history: readonly HistoryItem[], version: number, graph: EntityGraph): void {
    this.trigger = trigger;
    this.history = history;
    this.version = version;
    this.graph = graph;
    this.generation = graph.generation;
    this.ids.length = 0;
    this.times.length = 0;
    this.met.clear();
    const end = upperBound(history, trigger.time);
    this.next = end - 1;
    this.low = Math.max(0, end - WINDOW_READ_LIMIT);
  }
}

/** One walk per trigger for every common-funder signal (signals run one at a time; the state is unchanged while a trigger is judged). */
const WITHDRAWAL_SENDERS = new WithdrawalSenders();

/**
 * Other accounts' deposits from addresses funded by this transfer's senders' funders, dated
 * after it and at most a window later, nearest first, at most `limit`: deposits whose
 * common-funder verdict was taken without it, when it arrived after them (QA: one deposit read a
 * few hours late lost its whole dispersal cell). For a withdrawal, `senders` are those of the
 * account's deposits before it and `fundedBack` 2 (their funding came up to `fundedWithin` before
 * them). The same bounded reads as the signal's: a sender's funders, a funder's newest
 * out-edges, each funded address's newest touches.
 */
export function laterFundedDeposits(specs: readonly CommonFunderSpec[], graph: EntityGraph, deposit: { eventId: string; time: number; accountId: string }, senders: readonly number[], limit: number, fundedBack = 1): Touch[] {
  const found: Touch[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    const services = new Map<number, boolean>();
    for (const sender of senders) {
      for (const funder of fundersOf(spec, graph, sender, deposit.time - fundedBack * spec.fundedWithin, deposit.time)) {
        if (graph.isOwn(funder) || clusterExcluded(graph, funder, deposit.time, spec.excludeLabels)) continue;
        for (const f of fundedBy(spec, graph, funder, deposit.time - spec.within - spec.fundedWithin, Number.MAX_SAFE_INTEGER)) {
          const touches = graph.touches(f.address);
          for (let i = touches.length - 1, read = 0; i >= 0 && read < TOUCHES_SCANNED; i--, read++) {
            const t = touches[i]!;
            if (!(t.time > deposit.time || (t.time === deposit.time && t.eventId > deposit.eventId))) break; // sorted by time
            if (t.kind !== 'deposit' || t.address !== f.address || t.accountId === deposit.accountId || t.time > deposit.time + spec.within) continue;
            if (serviceAddress(spec, graph, f.address, deposit.time, services)) break;
            if (!seen.has(t.eventId)) { seen.add(t.eventId); found.push(t); }
          }
        }
      }
    }
  }
  found.sort((a, b) => a.time - b.time || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  return found.length > limit ? found.slice(0, limit) : found;
}

export function commonFunder(spec: CommonFunderSpec): Signal {
  const none: SignalResult = NO_RESULT;
  return (env): SignalResult => {
    const { trigger, graph, asOf } = env;
    if (trigger.type !== 'transfer') return none;
    const to = Math.max(trigger.time, asOf);
    const from = trigger.time - spec.within;
    const senders = sendersOf(env, spec.fundedWithin);
    for (const sender of senders) {
      if (paysForService(spec, graph, sender, asOf)) continue; // a service paid it out: see serviceAddress
      for (const funder of fundersOf(spec, graph, sender, trigger.time - spec.fundedWithin, trigger.time)) {
        if (graph.isOwn(funder)) continue;
        if (clusterExcluded(graph, funder, asOf, spec.excludeLabels)) continue;
        const funded = fundedBy(spec, graph, funder, from - spec.fundedWithin, to);
        const t = tally(spec, graph, funded, from, to, asOf, graph.options.saturation);
        const n = t.accounts.size;
        const p = spec.pass;
        const ok = (p.gte === undefined || n >= p.gte) && (p.gt === undefined || n > p.gt) && (p.lte === undefined || n <= p.lte) && (p.lt === undefined || n < p.lt);
        if (!ok) continue;
        const eventIds = [...new Set(t.eventIds)].sort();
        const facts: Record<string, unknown> = {
          funder: displayAddress(graph.key(funder)), funderCluster: graph.clusterName(funder), accounts: n, accountIds: [...t.accounts].sort(),
          fundedAddresses: [...t.fundedAddresses].map((a) => displayAddress(graph.key(a))).sort(), funded: funded.length, deposits: eventIds.length,
          labels: [...new Set(graph.clusterLabels(funder, asOf).map((l) => l.record.label))].sort(),
        };
        if (t.saturated) facts.saturated = true;
        return { ok: true, value: n, eventIds, facts };
      }
    }
    return none;
  };
}

export const COMMON_FUNDER_FACTS = ['funder', 'funderCluster', 'accounts', 'accountIds', 'fundedAddresses', 'funded', 'deposits', 'labels', 'saturated'] as const;
