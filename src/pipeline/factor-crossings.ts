/**
 * A second factor learned after a judgement: a withdrawal that makes its destination cluster a
 * consolidation (the count of accounts paying it within a consolidation factor's window reaches
 * what a rule's `fan-in` or `flagged-payers` asks) judges again, as of itself, the transfers
 * judged before it that read that factor: other accounts' withdrawals to the cluster (T12: a
 * facilitator hub that paid the address before the workers did) and the withdrawals after other
 * accounts' deposits from it (T8: an aggregator paid by the address before it was one).
 *
 * Bounded: the cluster's touches are read newest first, at most TOUCHES_READ of them, and only a
 * withdrawal that brings a new account with the count at the threshold or just past it
 * (CROSSING_SPAN counts) re-examines anything, at most REEXAMINED transfers. A hot service's
 * withdrawal finds its CROSSING_SPAN + threshold distinct accounts in a few touches and stops.
 */
import type { Alert } from '../contract/schemas.js';
import type { TransferEvent } from '../decode/events.js';
import type { EntityGraph, GraphChange, Touch } from '../graph/entity-graph.js';
import type { RuleEngine } from '../engine/engine.js';
import type { RuleState } from '../engine/state.js';
import type { PipelineStats } from './pipeline.js';

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
      this.judgeAgain(earlier, event, change, alerts);
    }
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
    for (let i = touches.length - 1; i >= 0; i--) {
      const t = touches[i]!;
      if (t.time > event.time || t.eventId === event.eventId) continue;
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

  /** Each earlier withdrawal to the cluster, and the withdrawals after each deposit from it, judged as of the crossing, at most REEXAMINED. */
  private judgeAgain(earlier: readonly Touch[], event: TransferEvent, change: GraphChange, alerts: Alert[]): void {
    const payerWindow = this.engine.payerJudgementWindow;
    const ids = new Set<string>();
    const items: TransferEvent[] = [];
    const take = (item: TransferEvent): void => {
      if (ids.size >= REEXAMINED || ids.has(item.eventId)) return;
      ids.add(item.eventId);
      items.push(item);
    };
    for (const t of earlier) {
      const item = this.state.transfer(t.eventId);
      if (!item) continue;
      if (t.kind === 'withdrawal') take(item);
      else if (payerWindow > 0 && item.time >= event.time - payerWindow) {
        let n = 0;
        for (const later of this.state.historyBetween(item.msg.accountId, item.time, Math.min(event.time, item.time + payerWindow))) {
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
