/**
 * A second factor learned after a judgement: a withdrawal that makes its destination cluster a
 * consolidation (the count of accounts paying it within a consolidation factor's window reaches
 * what a rule's `fan-in` or `flagged-payers` asks) judges again, as of itself, the transfers
 * judged before it that read that factor: other accounts' withdrawals to the cluster (T12: a
 * facilitator hub that paid the address before the workers did) and the withdrawals after other
 * accounts' deposits from it (T8: an aggregator paid by the address before it was one).
 *
 * A merge crosses too (judgeOnMerge): workers' own addresses that each sweep into one address
 * join its cluster by the forwarding heuristic, and no withdrawal to the cluster itself ever
 * brings the count up (T4 (B): an aggregator paid by that address weeks before the sweeps, T8).
 * A merge that brings the merged cluster accounts neither side had, with the count at the
 * threshold or just past it, judges again as of itself the withdrawals after other accounts'
 * deposits from the cluster (the merge's own re-examination already judges the cluster's
 * transfers themselves; the aggregator rule runs on withdrawals only).
 *
 * Bounded: the cluster's touches are read newest first, at most TOUCHES_READ of them, and only a
 * withdrawal that brings a new account (or a merge that brings one) with the count at the
 * threshold or just past it (CROSSING_SPAN counts) re-examines anything, at most REEXAMINED
 * transfers, each once per crossing, reading at most WINDOW_READ_LIMIT items of an account's
 * history after each deposit from the cluster. A hot service's withdrawal or merge finds its
 * CROSSING_SPAN + threshold distinct accounts in a few touches and stops; a merge whose smaller
 * side has more than 16 members is not read (MergeImpact.fewerMembers).
 */
import type { Alert } from '../contract/schemas.js';
import type { TransferEvent } from '../decode/events.js';
import type { EntityGraph, GraphChange, Touch } from '../graph/entity-graph.js';
import type { RuleEngine } from '../engine/engine.js';
import type { RuleState } from '../engine/state.js';
import type { PipelineStats } from './pipeline.js';
import { upperBound } from '../state/sorted-by-time.js';
import { WINDOW_READ_LIMIT } from '../engine/read-limits.js';

/** Touches of the destination cluster read per withdrawal, newest first. */
const TOUCHES_READ = 64;
/** Counts from the threshold on at which a new account still re-examines (a hub's payer-risk may need one more payer). */
const CROSSING_SPAN = 3;
/** Transfers re-examined per crossing. */
const REEXAMINED = 16;
/** Withdrawals judged again after each deposit from the cluster. */
const WITHDRAWALS_PER_DEPOSIT = 4;

export class FactorCrossings {
  constructor(
    private readonly graph: EntityGraph,
    private readonly state: RuleState,
    private readonly engine: RuleEngine,
    private readonly stats: PipelineStats,
  ) {}

  /** Judges again what the withdrawal's crossing makes alertable (nothing for a deposit or no crossing). */
  judgeOnCrossing(event: TransferEvent, counterparties: readonly number[], alerts: Alert[]): void {
    if (event.msg.kind !== 'withdrawal') return;
    const { fewest, window } = this.engine.consolidationFactor;
    if (fewest === 0) return;
    for (const id of counterparties) {
      if (this.graph.isOwn(id)) continue;
      const earlier = this.crossing(this.graph.touches(id), event, fewest, window);
      if (earlier === undefined || earlier.length === 0) continue;
      const change: GraphChange = { kind: 'flow', cluster: this.graph.clusterName(id), time: event.time, cause: { flow: event.msg.txHash ?? event.eventId, from: event.from[0] ?? event.to, to: event.to }, eventId: event.eventId };
      this.judgeAgain(earlier, event.time, change, alerts);
    }
  }

  /**
   * Judges again what a merge's crossing makes alertable: `member` is an address of the merged
   * cluster. Nothing when the merge brought no account new to either side, or the count is not
   * at the threshold or within CROSSING_SPAN past it.
   */
  judgeOnMerge(change: GraphChange, member: number, alerts: Alert[]): void {
    const side = change.kind === 'merge' ? change.impact?.fewerMembers : undefined;
    if (side === undefined || this.graph.isOwn(member)) return;
    const { fewest, window } = this.engine.consolidationFactor;
    if (fewest === 0) return;
    const earlier = mergeCrossing(this.graph.touches(member), new Set(side), change.time, fewest, window);
    if (earlier === undefined) return;
    this.judgeAgain(earlier.filter((t) => t.kind === 'deposit'), change.time, change, alerts);
  }

  /**
   * Other accounts' touches of the cluster within `window` up to the withdrawal, newest first,
   * when the withdrawal brings the count of accounts withdrawing to it to `fewest` or up to
   * CROSSING_SPAN past it; undefined otherwise, or when TOUCHES_READ touches do not tell.
   */
  private crossing(touches: readonly Touch[], event: TransferEvent, fewest: number, window: number): Touch[] | undefined {
    const me = event.msg.accountId;
    const from = event.time - window;
    const others = new Set<string>();
    const seen: Touch[] = [];
    let read = 0;
    for (let i = upperBound(touches, event.time) - 1; i >= 0; i--) {
      const t = touches[i]!;
      if (t.eventId === event.eventId) continue;
      if (t.time < from) break;
      if (++read > TOUCHES_READ) return undefined;
      if (t.accountId === me) {
        if (t.kind === 'withdrawal') return undefined; // not a new payer: the count did not change
        continue;
      }
      seen.push(t);
      if (t.kind !== 'withdrawal') continue;
      others.add(t.accountId);
      if (others.size + 1 >= fewest + CROSSING_SPAN) return undefined; // well past the threshold before
    }
    return others.size + 1 >= fewest ? seen : undefined;
  }

  /** Each earlier withdrawal to the cluster, and the withdrawals after each deposit from it, judged as of the crossing at `time`, at most REEXAMINED. */
  private judgeAgain(earlier: readonly Touch[], time: number, change: GraphChange, alerts: Alert[]): void {
    const payerWindow = this.engine.payerJudgementWindow;
    const ids = new Set<string>();
    const items: TransferEvent[] = [];
    const take = (item: TransferEvent): void => {
      if (ids.size >= REEXAMINED || ids.has(item.eventId)) return;
      ids.add(item.eventId);
      items.push(item);
    };
    for (const t of earlier) {
      if (ids.size >= REEXAMINED) break; // nothing more is taken
      const item = this.state.transfer(t.eventId);
      if (!item) continue;
      if (t.kind === 'withdrawal') take(item);
      else if (payerWindow > 0 && item.time >= time - payerWindow) {
        let n = 0;
        // The items following the deposit, at most WINDOW_READ_LIMIT: a hot account's month is not copied whole per deposit.
        for (const later of this.state.earliestBetween(item.msg.accountId, item.time, Math.min(time, item.time + payerWindow), WINDOW_READ_LIMIT)) {
          if (n >= WITHDRAWALS_PER_DEPOSIT) break;
          if (later.type === 'transfer' && later.msg.kind === 'withdrawal') { take(later); n++; }
        }
      }
    }
    // In event order (time, then id), as the transfers were first judged.
    items.sort((a, b) => a.time - b.time || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    for (const item of items) {
      this.stats.laterRejudged++;
      for (const alert of this.engine.evaluate({ item, change, strongerOnly: true })) alerts.push(alert);
    }
  }
}

/**
 * The merged cluster's touches within `window` up to the merge at `time`, newest first, when the
 * count of accounts withdrawing to it is `fewest` or up to CROSSING_SPAN past it and larger than
 * either side's own count (`side`: the members of one side); undefined otherwise, or when
 * TOUCHES_READ touches do not tell.
 */
export function mergeCrossing(touches: readonly Touch[], side: ReadonlySet<number>, time: number, fewest: number, window: number): Touch[] | undefined {
  const from = time - window;
  /** Each withdrawing account's sides: 1 the given side, 2 the other. */
  const sides = new Map<string, number>();
  const seen: Touch[] = [];
  let read = 0;
  for (let i = upperBound(touches, time) - 1; i >= 0; i--) {
    const t = touches[i]!;
    if (t.time < from) break;
    if (++read > TOUCHES_READ) return undefined;
    seen.push(t);
    if (t.kind !== 'withdrawal') continue;
    sides.set(t.accountId, (sides.get(t.accountId) ?? 0) | (side.has(t.address) ? 1 : 2));
    if (sides.size >= fewest + CROSSING_SPAN) return undefined; // well past the threshold before
  }
  if (sides.size < fewest) return undefined;
  let one = 0;
  let other = 0;
  for (const bits of sides.values()) {
    if (bits & 1) one++;
    if (bits & 2) other++;
  }
  return Math.max(one, other) < sides.size ? seen : undefined;
}
