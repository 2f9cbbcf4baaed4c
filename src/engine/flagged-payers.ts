/**
 * `flagged-payers`: how many of the payer clusters that sent the account selected deposits within
 * a window are already suspect on their own (typologies.md T8, an aggregator that gathers many
 * workers' pay). A payer cluster is flagged when
 *
 * - **consolidation**: several other exchange accounts withdrew to it within its own look-back
 *   (90 days by default: the address stays one after the workers' pay stops), and it
 *   carries none of the excluded labels and is not the exchange's own (T4: workers' pay swept
 *   into a shared address that then pays the aggregator); or
 * - **exposure**: it lies within `maxHops` upstream of a cluster carrying one of `labels` (T2:
 *   what funded it reaches a DPRK-linked or sanctioned address), the walk starting from the
 *   payer's newest deposit here.
 *
 * Payers are the clusters of each deposit's first sending address, as `distinct-payers` counts
 * them. The window's newest WINDOW_READ_LIMIT items are read, and at most MAX_PAYERS_JUDGED payer
 * clusters (the newest) are judged, so a hot account costs a bounded amount per trigger.
 */
import type { TransferEvent } from '../decode/events.js';
import type { EntityGraph } from '../graph/entity-graph.js';
import { findExposure, type ExposureQuery } from '../graph/exposure.js';
import { recentAccounts } from '../graph/touches.js';
import { compileAll } from './conditions.js';
import type { SignalSpec } from './rule-schema.js';
import { clusterExcluded } from './label-exclusion.js';
import { itemContext, type Signal } from './signals.js';
import { NO_RESULT } from './no-result.js';
import type { HistoryItem, RuleState } from './state.js';
import type { Touch } from '../graph/entity-graph.js';
import { WINDOW_READ_LIMIT } from './read-limits.js';

type FlaggedPayersSpec = Extract<SignalSpec, { op: 'flagged-payers' }>;

const DAY = 86_400_000;
/** Payer clusters judged per trigger, newest first: each may cost a touch walk and an exposure walk. */
export const MAX_PAYERS_JUDGED = 64;
/** Nodes one payer's exposure walk may expand (an exposure signal's default is 5,000 for one walk). */
const EXPOSURE_BUDGET = 1000;

/** One payer cluster of the window: its first sending address and newest deposit. */
interface Payer {
  cluster: string;
  address: number;
  newest: number;
  eventIds: string[];
}

/** Why a payer is flagged, as the alert shows it: one or both reasons. */
export interface PayerFlag {
  cluster: string;
  /** Consolidation: the other accounts that withdrew to the cluster, sorted, and the median USD each sent it. */
  consolidation?: { accountIds: string[]; medianUsd: number };
  /** Exposure: the label reached, its hops and path. */
  exposure?: { label: string; hops: number; path: unknown[] };
}

export const FLAGGED_PAYERS_FACTS = ['flagged', 'flaggedClusters', 'flags', 'consolidations', 'exposed', 'payers', 'within'] as const;

export function flaggedPayers(spec: FlaggedPayersSpec): Signal {
  const where = compileAll(spec.where);
  const exposure: ExposureQuery | undefined = spec.exposure && {
    direction: 'upstream', labels: spec.exposure.labels, maxHops: spec.exposure.maxHops, hopWithin: spec.exposure.hopWithin,
    stopAt: spec.exposure.stopAt, from: 0, asOf: 0, budget: EXPOSURE_BUDGET, minHopUsd: spec.exposure.minTracedUsd,
  };
  return ({ trigger, graph, state, asOf }) => {
    if (trigger.type !== 'transfer') return NO_RESULT;
    const from = trigger.time - spec.within;
    const items = state.recentBetween(trigger.msg.accountId, from, trigger.time, WINDOW_READ_LIMIT);
    const payers = payersOf(graph, items, (e): e is TransferEvent => e.type === 'transfer' && e.msg.kind === 'deposit' && e.from.length > 0 && where(itemContext(e)));
    const judged = payers.slice(0, MAX_PAYERS_JUDGED).sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
    const flags: PayerFlag[] = [];
    const eventIds: string[] = [];
    for (const payer of judged) {
      const consolidation = consolidationOf(spec, graph, state, payer, trigger.msg.accountId, trigger.time, asOf);
      const exposed = exposure ? exposureOf(exposure, graph, payer, asOf) : undefined;
      if (!consolidation && !exposed) continue;
      flags.push({ cluster: payer.cluster, ...(consolidation ? { consolidation: { accountIds: consolidation.accountIds, medianUsd: consolidation.medianUsd } } : {}), ...(exposed ? { exposure: exposed } : {}) });
      for (let i = payer.eventIds.length - 1; i >= 0; i--) eventIds.push(payer.eventIds[i]!); // oldest first
      // A consolidation's evidence: each other account's newest withdrawal to it (a flag that a
      // late withdrawal completes gives another evidence set, so the higher verdict is news).
      if (consolidation) eventIds.push(...consolidation.evidence);
    }
    const n = flags.length;
    const t = spec.pass;
    const ok = n > 0 && (t.gte === undefined || n >= t.gte) && (t.gt === undefined || n > t.gt) && (t.lte === undefined || n <= t.lte) && (t.lt === undefined || n < t.lt);
    return { ok, value: n, eventIds: ok ? eventIds : [], facts: {
      flagged: n, flaggedClusters: flags.map((f) => f.cluster), flags,
      consolidations: flags.filter((f) => f.consolidation).length, exposed: flags.filter((f) => f.exposure).length,
      payers: payers.length, within: `${spec.within / DAY}d`,
    } };
  };
}

/** The window's payer clusters, newest deposit first, each with its deposits' event ids. */
function payersOf(graph: EntityGraph, items: readonly HistoryItem[], selected: (e: HistoryItem) => e is TransferEvent): Payer[] {
  const byCluster = new Map<string, Payer>();
  for (let i = items.length - 1; i >= 0; i--) {
    const e = items[i]!;
    if (!selected(e)) continue;
    const address = graph.id(e.from[0]!);
    const cluster = graph.clusterName(address);
    const known = byCluster.get(cluster);
    if (known) known.eventIds.push(e.eventId);
    else byCluster.set(cluster, { cluster, address, newest: e.time, eventIds: [e.eventId] });
  }
  return [...byCluster.values()];
}

/** The payer as a consolidation address: other accounts that withdrew to its cluster within the look-back, within bounds. */
function consolidationOf(spec: FlaggedPayersSpec, graph: EntityGraph, state: RuleState, payer: Payer, accountId: string, to: number, asOf: number): (NonNullable<PayerFlag['consolidation']> & { evidence: string[] }) | undefined {
  const c = spec.consolidation;
  if (!c || graph.isOwn(payer.address)) return undefined;
  if (clusterExcluded(graph, payer.address, asOf, c.excludeLabels)) return undefined;
  // One account more than the bound shows the cluster is a service used by many; the trigger's own account may be among them.
  const limit = c.maxAccounts + 2;
  // Read to the later of the trigger and `asOf`: judged again as of a later change (a merge or
  // withdrawal that made the payer a consolidation, FactorCrossings), the accounts that paid it
  // up to the change count, as a fan-in's do; from the trigger's look-back, as a fan-in's.
  const walk = recentAccounts(graph.touches(payer.address), Math.max(to, asOf), to - c.within, limit, WITHDRAWALS);
  walk.accounts.delete(accountId);
  const n = walk.accounts.size;
  if (walk.saturated || n < c.minAccounts || n > c.maxAccounts) return undefined;
  const medianUsd = medianSentUsd(state, walk.touches, walk.accounts);
  if (medianUsd < c.minMedianUsd) return undefined;
  return { accountIds: [...walk.accounts].sort(), medianUsd: Math.round(medianUsd * 100) / 100, evidence: newestPerAccount(walk.touches, walk.accounts) };
}

const WITHDRAWALS: readonly string[] = ['withdrawal'];

/** Each of `accounts`' newest touch among `touches` (oldest first, as touches are kept). */
function newestPerAccount(touches: readonly Touch[], accounts: ReadonlySet<string>): string[] {
  const newest = new Map<string, string>();
  for (const t of touches) if (accounts.has(t.accountId)) newest.set(t.accountId, t.eventId);
  return [...newest.values()];
}

/**
 * The median over `accounts` of the USD each sent in `touches` (transfers no longer kept, or
 * without a USD value, count 0): workers' pay swept into a consolidation address is salary-sized,
 * a payment processor's customers send small sums.
 */
function medianSentUsd(state: RuleState, touches: readonly Touch[], accounts: ReadonlySet<string>): number {
  const sent = new Map<string, number>();
  for (const t of touches) {
    if (!accounts.has(t.accountId)) continue;
    const usd = state.transfer(t.eventId)?.usd;
    sent.set(t.accountId, (sent.get(t.accountId) ?? 0) + (usd ? usd.toNumber() : 0));
  }
  for (const a of accounts) if (!sent.has(a)) sent.set(a, 0);
  const values = [...sent.values()].sort((x, y) => x - y);
  if (values.length === 0) return 0;
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/** The payer's cluster within reach, upstream of its newest deposit, of a cluster carrying a listed label. */
function exposureOf(query: ExposureQuery, graph: EntityGraph, payer: Payer, asOf: number): PayerFlag['exposure'] {
  query.from = payer.newest;
  query.asOf = asOf;
  const hit = findExposure(graph, [payer.address], query);
  if (!hit) return undefined;
  return { label: hit.label, hops: hit.hops, path: hit.path };
}
