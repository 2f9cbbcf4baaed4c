/**
 * `cadence`: a steady run of similar payments from one payer (salary-like inflows). The
 * window's selected transfers are grouped by payer: the labelled entity of the first sending
 * address's cluster (a payroll platform paying from rotating hot wallets), else that cluster
 * (both read at the trigger: clusters merge, labels arrive), a payer's transfers this close together are one
 * payment (a split salary), and the longest run of payments ending with the latest whose gaps fit
 * a period is judged. The window is read from the account's payer groups (payer-index.ts): a
 * binary search per first sender and one cluster lookup each, not a pass over the whole window
 * with a selector and a graph lookup per transfer. A payer's newest PAYER_GROUP_READ_LIMIT
 * transfers in the window are read (read-limits.ts). (A group too small for a run is still
 * read: another address of its cluster may make up the run, and the scan then takes over.)
 */
import { displayAddress } from '../chain/address.js';
import type { TransferEvent } from '../decode/events.js';
import type { EntityGraph } from '../graph/entity-graph.js';
import { Decimal } from '../money/decimal.js';
import type { SignalSpec } from './rule-schema.js';
import { coefficientOfVariation, makeSelector, type Env, type Signal, type SignalResult } from './signals.js';
import type { HistoryItem } from './state.js';
import type { PayerGroup } from './payer-index.js';
import { lowerBound, upperBound } from '../state/sorted-by-time.js';
import { PAYER_GROUP_READ_LIMIT, WINDOW_READ_LIMIT } from './read-limits.js';
import { conduitFunder } from './payer-conduit.js';
import { runPeriod } from './learned-period.js';

type CadenceSpec = Extract<SignalSpec, { op: 'cadence' }>;

const DAY = 86_400_000;
const ZERO = Decimal.ZERO;
const usdOrZero = (e: TransferEvent): Decimal => e.usd ?? ZERO;
const round = (n: number, places = 2): number => Math.round(n * 10 ** places) / 10 ** places;

export interface Payment {
  time: number;
  /** Exact: a split payment's parts summed. */
  usd: Decimal;
  eventIds: string[];
}

function payerOf(graph: EntityGraph, e: TransferEvent, asOf: number): string | undefined {
  const first = e.from[0];
  return first === undefined ? undefined : payerKey(graph, graph.id(first), asOf);
}

/**
 * Who pays, for grouping payments: the labelled entity the payer's cluster belongs to (a payroll
 * platform pays from many hot wallets that no heuristic merges, one label and entity on each),
 * else, for an address that only passes one funder's money on, that funder's (payer-conduit.ts:
 * an employer treasury funding a new payout address each month), else the cluster. Of several
 * entities, the first by label and name, so the key derives from content alone.
 */
function payerKey(graph: EntityGraph, id: number, asOf: number): string {
  const entity = entityOf(graph, id, asOf);
  if (entity !== undefined) return entity;
  const funder = conduitFunder(graph, id, asOf);
  return funder === undefined ? graph.clusterName(id) : entityOf(graph, funder, asOf) ?? graph.clusterName(funder);
}

function entityOf(graph: EntityGraph, id: number, asOf: number): string | undefined {
  let key: string | undefined;
  for (const { record } of graph.clusterLabels(id, asOf)) {
    if (record.entity === undefined || record.entity === '') continue;
    const candidate = `entity:${record.label}:${record.entity}`;
    if (key === undefined || candidate < key) key = candidate;
  }
  return key;
}

/**
 * Whether the payer's cluster (its first sender's) carries one of the excluded labels as of the
 * judgement: a labelled exchange's hot wallet paying an account every two weeks is the customer
 * moving its own money between exchanges, not an employer (session 42 QA: card top-up customers
 * funding from another exchange were `cadence-forward` medium, the exchange named as the payer).
 */
function excludedPayer(env: Env, first: TransferEvent, excluded: ReadonlySet<string>): boolean {
  const sender = first.from[0];
  if (excluded.size === 0 || sender === undefined) return false;
  for (const { record } of env.graph.clusterLabels(env.graph.id(sender), env.asOf)) if (excluded.has(record.label)) return true;
  return false;
}

export function cadence(spec: CadenceSpec): Signal {
  const select = makeSelector(spec.of);
  const excluded: ReadonlySet<string> = new Set(spec.excludePayerLabels);
  const band = spec.usdRange ? ([Decimal.fromNumber(spec.usdRange[0]), Decimal.fromNumber(spec.usdRange[1])] as const) : undefined;
  const scanned = (env: Env): Map<string, TransferEvent[]> => scanByPayer(env, spec.within, select);
  return (env) => {
    const byPayer = indexedByPayer(env, spec, select) ?? scanned(env);
    let best: SignalResult = { ok: false, eventIds: [], facts: {} };
    // Every payer's regular run, not only the longest: a worker with two employers forwards
    // either one's pay (T3's concurrent jobs), and a condition asks whether the inflow it
    // forwarded is one of these payments (`containsAnyField: signals.payroll.runEventIds`).
    const runEventIds: string[] = [];
    // The first payment in the window of any payer with a regular run: when the salaries began.
    let salariesBegan = Number.POSITIVE_INFINITY;
    // A payer with fewer transfers than the run needs payments has no run (a payment is one or
    // more transfers): left out before the sort, which only orders the others' ties.
    const candidates = [...byPayer].filter(([, events]) => events.length >= spec.minCount && !excludedPayer(env, events[0]!, excluded));
    for (const [payer, events] of candidates.sort(([a], [b]) => a.localeCompare(b))) {
      const result = regularRun(paymentsOf(events, spec.mergeWithin), spec, band);
      if (result) for (const p of result.run) runEventIds.push(...p.eventIds);
      if (result && events[0]!.time < salariesBegan) salariesBegan = events[0]!.time;
      if (result && (!best.ok || result.count > ((best.value as number | undefined) ?? 0))) {
        best = {
          ok: true,
          value: result.count,
          eventIds: result.run.flatMap((p) => p.eventIds),
          facts: {
            payer, payerAddress: displayAddress(events[0]!.from[0]!), count: result.count, periodDays: result.period / DAY, cv: round(result.cv, 3), meanUsd: round(result.mean),
            // Days from the run's first payment to the trigger: how long the pattern has run.
            sinceDays: (env.trigger.time - result.run[0]!.time) / DAY, // unrounded: compared with other day counts
            // Days from the first payment in the window, in a run or not, of any payer with a run
            // (set below, once every payer is read): a late or early payday that breaks a run starts
            // a new one, but the job began with the first payment, and a second job's longer run
            // began after the first job's (session 48 review).
            salariesSinceDays: 0,
            // How many of the run's own periods (learned-period.ts) have passed since its last payment: 1.5 or more, the pay has stopped.
            gapPeriods: round((env.trigger.time - result.run[result.run.length - 1]!.time) / result.learned, 2),
            // Days from the run's last payment to the trigger (T10: the large inflow within 120 days of it).
            lastPaidDaysBefore: (env.trigger.time - result.run[result.run.length - 1]!.time) / DAY,
            medianUsd: round(medianUsdOf(result.run)),
            runEventIds,
          },
        };
      }
    }
    if (best.ok) best.facts.salariesSinceDays = (env.trigger.time - salariesBegan) / DAY;
    return best;
  };
}

/**
 * The window's selected transfers by payer cluster, read from the account's payer groups
 * (payer-index.ts): a binary search per first sender, its cluster looked up once. Undefined when
 * two of the senders are now one cluster (a merge joined them): their transfers would have to be
 * interleaved as the history holds them, and the caller scans the window instead.
 */
function indexedByPayer({ trigger, graph, state, asOf }: Env, spec: CadenceSpec, select: (e: HistoryItem) => boolean): Map<string, TransferEvent[]> | undefined {
  const byPayer = new Map<string, TransferEvent[]>();
  const from = trigger.time - spec.within;
  const oneKind = spec.of.kinds.length === 1;
  for (const group of state.payerGroups(trigger.msg.accountId)) {
    if (!spec.of.kinds.includes(group.kind)) continue;
    const items = group.items;
    const payerId = payerIdOf(graph, group);
    // Too few transfers for a run, and no other group can share its cluster (an address alone in
    // its cluster or no longer held by the graph, one kind read): it can neither pass nor change
    // another payer's verdict. A hot account's thousands of one-off senders cost a look-up each,
    // not a window search and a cluster name.
    // (A labelled address may share its entity with other addresses of other clusters.)
    if (items.length < spec.minCount && oneKind && (payerId === undefined || (graph.uf.isSingleton(payerId) && entityOf(graph, payerId, asOf) === undefined && !mayBeConduit(graph, payerId, items, from, asOf)))) continue;
    const selected: TransferEvent[] = [];
    const end = upperBound(items, trigger.time);
    for (let i = Math.max(lowerBound(items, from), end - PAYER_GROUP_READ_LIMIT); i < end; i++) if (select(items[i]!)) selected.push(items[i]!);
    if (selected.length === 0) continue;
    const payer = payerKey(graph, payerId ?? graph.id(group.payer), asOf);
    if (byPayer.has(payer)) return undefined;
    byPayer.set(payer, selected);
  }
  return byPayer;
}

/**
 * Whether a small group's payer may share its payer key with another group through a funder: its
 * newest transfer lies in the window (else it is read for nothing) and its address is a conduit.
 */
function mayBeConduit(graph: EntityGraph, payerId: number, items: readonly TransferEvent[], from: number, asOf: number): boolean {
  const newest = items[items.length - 1];
  return newest !== undefined && newest.time >= from && conduitFunder(graph, payerId, asOf) !== undefined;
}

/**
 * The group's payer address id, kept on the group until a compaction renumbers the ids; undefined
 * when the graph no longer holds the address (forgotten by a compaction: looked up, not interned
 * again, so a group passed over leaves no new address behind).
 */
function payerIdOf(graph: EntityGraph, group: PayerGroup): number | undefined {
  if (group.idGeneration !== graph.generation) {
    const id = graph.index.lookup(group.payer);
    if (id === undefined) return undefined;
    group.payerId = id;
    group.idGeneration = graph.generation;
  }
  return group.payerId;
}

/** The same grouping by reading the whole window (the reference, and the way after a merge of two senders). */
function scanByPayer({ trigger, graph, state, asOf }: Env, within: number, select: (e: HistoryItem) => boolean): Map<string, TransferEvent[]> {
  const byPayer = new Map<string, TransferEvent[]>();
  for (const e of state.recentBetween(trigger.msg.accountId, trigger.time - within, trigger.time, WINDOW_READ_LIMIT)) {
    if (e.type !== 'transfer' || !select(e)) continue;
    const payer = payerOf(graph, e, asOf);
    if (!payer) continue;
    const events = byPayer.get(payer);
    if (events) events.push(e);
    else byPayer.set(payer, [e]);
  }
  return byPayer;
}

/** A payer's transfers, oldest first, as payments: each takes the transfers up to `mergeWithin` after its first. */
export function paymentsOf(events: readonly TransferEvent[], mergeWithin: number): Payment[] {
  const payments: Payment[] = [];
  for (const e of events) {
    const last = payments[payments.length - 1];
    if (last && e.time - last.time <= mergeWithin) { last.usd = last.usd.plus(usdOrZero(e)); last.eventIds.push(e.eventId); }
    else payments.push({ time: e.time, usd: usdOrZero(e), eventIds: [e.eventId] });
  }
  return payments;
}

/** The median of the payments' USD values (T10 compares a ransom with 5 times it), in floating point as the mean is. */
export function medianUsdOf(run: readonly Payment[]): number {
  const usd = run.map((p) => p.usd.toNumber()).sort((x, y) => x - y);
  const mid = usd.length >> 1;
  return usd.length % 2 ? usd[mid]! : (usd[mid - 1]! + usd[mid]!) / 2;
}

/** The longest run of payments, ending with the latest, whose gaps fit one period (a missed period allowed). */
export function regularRun(payments: Payment[], spec: CadenceSpec, band: readonly [Decimal, Decimal] | undefined): { run: Payment[]; count: number; period: number; learned: number; cv: number; mean: number } | undefined {
  // The band is decided exactly; the cv and mean (statistics for the score and the text) in floating point.
  const inBand = (p: Payment): boolean => !band || (p.usd.compare(band[0]) >= 0 && p.usd.compare(band[1]) <= 0);
  for (const { every, tolerance } of spec.periods) {
    // Walked from the latest back and collected newest first, then put in time order once.
    const run: Payment[] = [];
    for (let i = payments.length - 1; i >= 0; i--) {
      const p = payments[i]!;
      if (!inBand(p)) break;
      const next = run[run.length - 1];
      if (next) {
        const gap = next.time - p.time;
        const fits = Math.abs(gap - every) <= tolerance || Math.abs(gap - 2 * every) <= tolerance * 2;
        if (!fits) break;
      }
      run.push(p);
    }
    if (run.length >= spec.minCount) {
      run.reverse();
      const usd = run.map((p) => p.usd.toNumber());
      const cv = coefficientOfVariation(usd);
      if (cv <= spec.maxCv) return { run, count: run.length, ...runPeriod(run.map((p) => p.time), every, tolerance), cv, mean: usd.reduce((s, v) => s + v, 0) / usd.length };
    }
  }
  return undefined;
}
