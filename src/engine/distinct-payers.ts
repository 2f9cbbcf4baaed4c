/**
 * `distinct-payers`: how many distinct payer clusters sent the account selected deposits within a
 * window (a facilitator hub is one account paid by many employers or platforms, typologies.md
 * T12). Payers are counted by cluster of their first sending address, so one employer's
 * addresses, in any letter case, count once. The window's newest WINDOW_READ_LIMIT items are
 * read (read-limits.ts): a hot account's count is of those. `sinceDays` is how long ago the
 * earliest of the deposits counted arrived.
 *
 * Most triggers find fewer payers than `pass` needs: those are counted by cluster root over the
 * window's items in place, with no list built and a name worked out per payer cluster, not per
 * deposit. A count that passes is read again as the evidence needs it (ids grouped by name).
 */
import type { TransferEvent } from '../decode/events.js';
import { compileAll } from './conditions.js';
import type { SignalSpec } from './rule-schema.js';
import { fewestPassing, itemContext, type Env, type Signal, type SignalResult } from './signals.js';
import type { HistoryItem } from './state.js';
import { lowerBound, upperBound } from '../state/sorted-by-time.js';
import { WINDOW_READ_LIMIT } from './read-limits.js';
import { sharedFailure } from './no-result.js';

type DistinctPayersSpec = Extract<SignalSpec, { op: 'distinct-payers' }>;

const DAY = 86_400_000;

export function distinctPayers(spec: DistinctPayersSpec): Signal {
  const where = compileAll(spec.where);
  const selected = (e: HistoryItem): e is TransferEvent => e.type === 'transfer' && e.msg.kind === 'deposit' && e.from.length > 0 && where(itemContext(e));
  const within = withinText(spec.within);
  // No selected deposit in the window (most triggers): one shared result states it.
  const noPayers = sharedFailure(0, { payers: 0, payerClusters: Object.freeze([]), deposits: 0, within });
  const fewest = Math.max(1, fewestPassing(spec.pass)); // no payer never passes
  const signal: Signal = (env) => {
    const { trigger, graph, state } = env;
    const list = state.history(trigger.msg.accountId);
    const until = windowEnd(spec, env);
    // The window's newest WINDOW_READ_LIMIT items, as recentBetween selects them.
    const end = upperBound(list, until);
    const start = Math.max(lowerBound(list, until - spec.within), end - WINDOW_READ_LIMIT);
    const roots: number[] = [];
    let deposits = 0;
    let earliest = Number.POSITIVE_INFINITY;
    // A payer's deposits usually come in a row: its address is looked up once for them.
    let payer: string | undefined;
    let root = -1;
    for (let i = start; i < end; i++) {
      const e = list[i]!;
      if (!selected(e)) continue;
      deposits++;
      if (e.time < earliest) earliest = e.time;
      if (e.from[0] !== payer) {
        payer = e.from[0]!;
        root = graph.root(graph.id(payer));
      }
      if (!roots.includes(root)) roots.push(root);
    }
    const n = roots.length;
    // No payer means no deposit selected (each one names a payer cluster).
    if (n === 0) return noPayers;
    if (passes(spec.pass, n)) return scan(spec, selected, env, within, until);
    // A failing count names its few payer clusters (most have one).
    const payerClusters = n === 1 ? [graph.clusterName(roots[0]!)] : roots.map((r) => graph.clusterName(r)).sort();
    const facts: Record<string, unknown> = { payers: n, payerClusters, deposits, within };
    if (deposits > 0) facts.sinceDays = (trigger.time - earliest) / DAY;
    return { ok: false, value: n, eventIds: [], facts };
  };
  // Each item read names one payer at most: a window of fewer items than `pass` needs payers
  // fails unread (two binary searches, where the count reads each item and its payer's cluster).
  signal.mayHold = (env) => {
    const list = env.state.history(env.trigger.msg.accountId);
    const until = windowEnd(spec, env);
    const end = upperBound(list, until);
    return end - Math.max(lowerBound(list, until - spec.within), end - WINDOW_READ_LIMIT) >= fewest;
  };
  return signal;
}

/**
 * Where the window ends: at the trigger, or, judged as of a later deposit (`Env.payersUntil`,
 * later-payers.ts), at that deposit when `laterWithin` reaches it. The window is `within` long
 * either way, so the payers counted are still within `within` of each other.
 */
function windowEnd(spec: DistinctPayersSpec, { trigger, payersUntil }: Env): number {
  if (spec.laterWithin === undefined || payersUntil === undefined || payersUntil <= trigger.time) return trigger.time;
  return Math.min(payersUntil, trigger.time + spec.laterWithin);
}

/** Whether `n` payers pass (a signal holds only with one payer or more). */
function passes(t: DistinctPayersSpec['pass'], n: number): boolean {
  return n > 0 && (t.gte === undefined || n >= t.gte) && (t.gt === undefined || n > t.gt) && (t.lte === undefined || n <= t.lte) && (t.lt === undefined || n < t.lt);
}

/** Reads the window's deposits and counts their payers' clusters. */
function scan(spec: DistinctPayersSpec, selected: (e: HistoryItem) => e is TransferEvent, { trigger, graph, state }: Env, within: string, until: number): SignalResult {
  const items = state.recentBetween(trigger.msg.accountId, until - spec.within, until, WINDOW_READ_LIMIT).filter(selected);
  const byPayer = new Map<string, string[]>();
  let address: string | undefined;
  let payer = '';
  for (const e of items) {
    if (e.from[0] !== address) {
      address = e.from[0]!;
      payer = graph.clusterName(graph.id(address));
    }
    const ids = byPayer.get(payer);
    if (ids) ids.push(e.eventId); else byPayer.set(payer, [e.eventId]);
  }
  const payers = [...byPayer.keys()].sort();
  const n = payers.length;
  const ok = passes(spec.pass, n);
  const facts: Record<string, unknown> = { payers: n, payerClusters: payers, deposits: items.length, within };
  // Days since the earliest deposit counted (unrounded: compared with other day counts, as a
  // destination's `firstPaidDaysBefore`, to tell one dealt with before the payments began).
  if (items.length > 0) facts.sinceDays = (trigger.time - Math.min(...items.map((e) => e.time))) / DAY;
  // Judged as of a later deposit: the deposits counted that came after the trigger, by id.
  if (until > trigger.time) facts.laterDeposits = items.filter((e) => e.time > trigger.time).map((e) => e.eventId);
  return { ok, value: n, eventIds: ok ? payers.flatMap((p) => byPayer.get(p)!) : [], facts };
}

const withinText = (within: number): string => `${within / DAY}d`;
