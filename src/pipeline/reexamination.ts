/**
 * The late-evidence loop: a graph change (a merge, a label, a new flow edge, a funding that
 * explains deposits already read) re-examines the earlier transfers it can change the verdict
 * of, up to the late-evidence hops up- or downstream of it, each transfer once per message and a
 * bounded number per change.
 */
import type { Alert } from '../contract/schemas.js';
import type { ChainEvent, TransferEvent } from '../decode/events.js';
import type { ChainOutcome } from '../graph/clustering.js';
import type { EntityGraph, GraphChange } from '../graph/entity-graph.js';
import { storeRef } from '../graph/tx-ref.js';
import { findExposure, type ExposureQuery } from '../graph/exposure.js';
import type { RuleEngine } from '../engine/engine.js';
import type { RuleState } from '../engine/state.js';
import type { PipelineStats } from './pipeline.js';

/** A graph change and where to look for the transfers it may make alertable. */
export interface Reexamination {
  change: GraphChange;
  start: number;
  direction: 'upstream' | 'downstream';
  /** Only the deposits made from `start` itself (a funding transfer into it), not a walk. */
  depositsOnly?: boolean;
  /** With depositsOnly: the funder, whose other funded addresses' deposits are re-examined too. */
  funder?: number;
  /**
   * Upstream of a new edge into a labelled cluster: transfers touching `start` itself at or
   * before this time already had the path to it through an earlier edge between the same two
   * addresses (see reachedBefore), and are not re-examined.
   */
  reachedBefore?: number;
  /** Leaves out the transfers of `start`'s own cluster: the change cannot alter them (see insideLabelledCluster). */
  pastStart?: boolean;
}

/** Touches of an address's cluster read when a funding transfer reaches it (a fresh address has a few). */
const FUNDED_TOUCHES_SCANNED = 16;
/** Other funded addresses whose deposits a late funding transfer re-examines. */
const FUNDED_NEIGHBOURS = 16;
/** Withdrawals re-examined after each funded deposit. */
const WITHDRAWALS_PER_FUNDED_DEPOSIT = 4;

export class Reexaminer {
  constructor(
    private readonly graph: EntityGraph,
    private readonly state: RuleState,
    private readonly engine: RuleEngine,
    private readonly stats: PipelineStats,
    private readonly lateHops: number,
    private readonly maxReexaminations: number,
    /** Judges a transfer again as of labels already read that are dated after a change (see reexamine). */
    private readonly asOfLaterLabels?: (item: TransferEvent, after: number, alerts: Alert[]) => void,
  ) {}

  /**
   * What a chain event's graph changes (`applied`: merges and derived labels, held merges left
   * out) and its new flow edge give to re-examine.
   */
  workOfChain(event: ChainEvent, outcome: ChainOutcome, applied: readonly GraphChange[]): Reexamination[] {
    const work: Reexamination[] = [];
    if (applied.length > 0) {
      // Only a chain event that changed the graph has an origin to look upstream from.
      const origin = outcome.originId ?? this.graph.id((event.bitcoin?.inputs[0]?.address ?? event.transfers[0]?.from)!);
      for (const change of applied) {
        // A label a chain event derives (a CoinJoin's participants) starts from the labelled address.
        if (change.kind === 'label' && 'label' in change.cause) work.push(...labelWork(change, this.graph.id(change.cause.address)));
        // A merge by a forward seen before this inflow starts from the forwarding address, as the forward's own would.
        else work.push({ change, start: outcome.forwarders?.get(change) ?? origin, direction: 'upstream' });
      }
    }
    // A new flow edge can complete a downstream path from an earlier withdrawal, but only if its
    // receiver already leads to a labelled cluster: check that (one bounded search) before paying
    // for re-examining every transfer upstream of the edge. The mirror case: the edge's sender is
    // fed by a labelled cluster, so transfers downstream of it (deposits from its receiver) may
    // now have upstream exposure.
    const ids = outcome.transferIds;
    if (ids && this.engine.hasGraphRules) this.reexamineFlows(event, ids, work);
    if (ids) this.reexamineFunded(event, ids, work);
    return work;
  }

  /**
   * Every new flow edge of the event (a Bitcoin transaction has one per output: session 44 chain
   * QA found a withdrawal whose receiver then paid a listed address in output 1 never judged
   * again, where output 0 was) whose sender is fed by a labelled cluster or whose receiver leads
   * to one. Each sender and receiver is searched once, however many outputs name it.
   */
  private reexamineFlows(event: ChainEvent, ids: readonly number[], work: Reexamination[]): void {
    // Most chain events carry one transfer: their searches need no memory of addresses already searched.
    const several = event.transfers.length > 1;
    const fedOf = several ? new Map<number, boolean>() : undefined;
    const leadsOf = several ? new Map<number, boolean>() : undefined;
    for (let i = 0; i < event.transfers.length; i++) {
      const t = event.transfers[i]!;
      if (t.amount.isZero()) continue; // no edge (clustering.ts)
      const fromId = ids[2 * i]!;
      const toId = ids[2 * i + 1]!;
      let leads = leadsOf?.get(toId);
      if (leads === undefined) {
        leads = this.leadsToLabel(toId, event.time);
        leadsOf?.set(toId, leads);
      }
      let fed = fedOf?.get(fromId);
      if (fed === undefined) {
        fed = this.fedByLabel(fromId, event.time);
        fedOf?.set(fromId, fed);
      }
      if (!leads && !fed) continue;
      const change: GraphChange = { kind: 'flow', cluster: this.graph.clusterName(toId), time: event.time, cause: { flow: event.txHash, from: t.from, to: t.to }, eventId: event.eventId };
      if (leads) work.push({ change, start: fromId, direction: 'upstream', reachedBefore: this.reachedBefore(fromId, toId, event.time, event.txHash), pastStart: this.insideLabelledCluster(fromId, toId, event.time) });
      if (fed) work.push({ change, start: toId, direction: 'downstream' });
    }
  }

  /**
   * A funding transfer (what a rule's common-funder signal counts: gas or a dispersal) that
   * arrives after the deposits it explains re-examines those deposits: the newest deposits made
   * from its receiver, a few at most (see fundedDeposits). `ids` holds each transfer's sender and
   * receiver ids, as the writer interned them (ChainOutcome.transferIds).
   */
  private reexamineFunded(event: ChainEvent, ids: readonly number[], work: Reexamination[]): void {
    for (let i = 0; i < event.transfers.length; i++) {
      const t = event.transfers[i]!;
      if (!this.engine.isFundingTransfer(t.asset, t.usd)) continue;
      const toId = ids[2 * i + 1]!;
      if (!this.explainsDeposits(toId, event.time)) continue;
      const change: GraphChange = { kind: 'flow', cluster: this.graph.clusterName(toId), time: event.time, cause: { flow: event.txHash, from: t.from, to: t.to }, eventId: event.eventId };
      work.push({ change, start: toId, direction: 'downstream', depositsOnly: true, funder: ids[2 * i]! });
    }
  }

  /**
   * Re-runs graph-dependent rules on the transfers a change can affect, each transfer once per
   * message and at most `maxReexaminations` per change. A merge names its own (MergeImpact); the
   * walk up- or downstream of it is taken only when the merged cluster carries a label or leads
   * to one, since without that no exposure path through it can have changed.
   */
  reexamine(work: Reexamination[], judged?: string): Alert[] {
    if (!this.engine.hasGraphRules || work.length === 0) return [];
    const alerts: Alert[] = [];
    // `judged`: a transfer this very message judged fresh, with the change in place.
    const done = new Set<string>(judged === undefined ? undefined : [judged]);
    const scopes = work.map(({ change, start, direction, depositsOnly, funder, reachedBefore, pastStart }) => (depositsOnly ? { eventIds: this.fundedTransfers(start, funder, change.time), membershipOnly: false } : this.affected(change, start, direction, this.maxReexaminations, reachedBefore, pastStart)));
    // Narrowed only when every change of the message is a merge that changes membership alone: a
    // transfer is re-examined once per message, under the first change that reaches it.
    const membershipOnly = scopes.every((s) => s.membershipOnly);
    work.forEach(({ change }, w) => {
      let budget = this.maxReexaminations;
      for (const eventId of scopes[w]!.eventIds) {
        if (done.has(eventId)) continue;
        if (budget-- <= 0) { this.stats.reexaminationsCapped++; break; }
        done.add(eventId);
        const item = this.state.transfer(eventId);
        if (!item) continue; // evidence can arrive after a transfer whatever their event times
        this.stats.reevaluations++;
        alerts.push(...this.engine.evaluate(membershipOnly ? { item, change, membershipOnly } : { item, change }));
        // A merge read after a label dated later than it (chain data that lagged the intel): in
        // event order the label came after the merge and judged the transfer as of its own time,
        // which the merge's time cannot (session 42 chain QA: deposit, label, then the co-spend
        // gave no sanctions alert; in event order, high).
        if (change.kind === 'merge' && !membershipOnly) this.asOfLaterLabels?.(item, change.time, alerts);
      }
    });
    return alerts;
  }

  /**
   * Event ids of the transfers a change can affect (see reexamine), and whether the change alters
   * cluster membership only: a merge of two unlabelled clusters that leads to no label.
   */
  private affected(change: GraphChange, start: number, direction: 'upstream' | 'downstream', budget: number, reachedBefore?: number, pastStart?: boolean): { eventIds: Iterable<string>; membershipOnly: boolean } {
    if (change.kind === 'flow') return { eventIds: this.touched(start, direction, budget, change.time, reachedBefore, pastStart), membershipOnly: false };
    if (change.kind !== 'merge' || !change.impact) return { eventIds: this.touched(start, direction, budget), membershipOnly: false };
    const own = change.impact.eventIds;
    const risky = this.engine.exposureLabels;
    const labelled = this.graph.clusterLabels(start, change.time).some((l) => risky.includes(l.record.label));
    if (!labelled && !this.leadsToLabel(start, change.time)) return { eventIds: own, membershipOnly: !change.impact.labelled };
    // The merged cluster's own transfers are `own` when the merge brought its larger side nothing
    // (MergeImpact.coversCluster): the walk then starts past them.
    return { eventIds: concat(own, this.touched(start, direction, budget, undefined, undefined, change.impact.coversCluster)), membershipOnly: false };
  }

  /**
   * Whether a funding of `address` at `fundedAt` can explain a deposit already seen: one made from
   * the address at or after the funding and within the funding window, by an address fresh enough
   * at its funding for a common-funder signal to count it. A funding that precedes every deposit
   * it could explain (chain data in time) changes no verdict taken so far: the deposits after it
   * see it when they arrive.
   */
  private explainsDeposits(address: number, fundedAt: number): boolean {
    const fresh = this.engine.fundingFreshness();
    const first = this.graph.firstSeenAt(address);
    if (fresh !== undefined && first !== undefined && first < fundedAt - fresh) return false;
    return fundedDeposits(this.graph, address, fundedAt, fundedAt + this.engine.fundingWindow()).length > 0;
  }

  /**
   * The deposits a funding explains (made from the funded address within the funding window after
   * it) and the newest deposits of the other addresses its funder funded, each with the account's
   * withdrawals within the funding window after it (a few per deposit): a rule judges again when
   * the account moves the funds on, and with the funding late that judgement must be taken again.
   */
  private fundedTransfers(address: number, funder: number | undefined, fundedAt: number): string[] {
    const explained = fundedDeposits(this.graph, address, fundedAt, fundedAt + this.engine.fundingWindow());
    const deposits = [...explained, ...(funder === undefined ? [] : this.otherFunded(funder, address)).flatMap((a) => fundedDeposits(this.graph, a))];
    const ahead = this.engine.fundingWindow();
    const out: { id: string; time: number }[] = [];
    for (const id of deposits) {
      const d = this.state.transfer(id);
      if (!d) continue;
      out.push({ id, time: d.time });
      let taken = 0;
      for (const item of this.state.historyBetween(d.msg.accountId, d.time, d.time + ahead)) {
        if (taken >= WITHDRAWALS_PER_FUNDED_DEPOSIT) break;
        if (item.type === 'transfer' && item.msg.kind === 'withdrawal') { out.push({ id: item.eventId, time: item.time }); taken++; }
      }
    }
    return out.sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((x) => x.id);
  }

  /**
   * Up to FUNDED_NEIGHBOURS other addresses the funder funded that made deposits here, newest
   * funding first: the accounts they paid may now reach a common-funder threshold, and the verdict
   * is taken on their transfers too (their own risk shows when they move funds on). Reads at most
   * the funder's kept out-edges.
   */
  private otherFunded(funder: number, except: number): number[] {
    const out: number[] = [];
    const seen = new Set<number>([except]);
    const edges = this.graph.edgesOut(funder);
    for (let i = edges.length - 1; i >= 0 && out.length < FUNDED_NEIGHBOURS; i--) {
      const e = edges[i]!;
      if (seen.has(e.to) || !this.engine.isFundingTransfer(e.asset, e.usd)) continue;
      seen.add(e.to);
      if (fundedDeposits(this.graph, e.to).length > 0) out.push(e.to);
    }
    return out;
  }

  /**
   * When `to`'s cluster itself carries a risk label: the time of the newest earlier edge from
   * `from` to `to` (at or before `time`, not of transaction `ref`). A transfer that touched `from`
   * at or before it (a withdrawal to `from`) reached the label through that edge, whose time lies
   * closer to its own than the new edge's: any window a rule puts on that hop holds for the old
   * edge whenever it holds for the new one, so the transfer's verdict was taken with the path
   * (when that edge arrived, or when it was judged) and the new edge changes nothing for it. A
   * consolidation address that forwards to a sanctioned one every few minutes otherwise
   * re-examined every withdrawal to it at each forward. Undefined when there is no such edge, or
   * the label lies further downstream (a later hop's window is measured from the new edge).
   */
  private reachedBefore(from: number, to: number, time: number, ref: string): number | undefined {
    const risky = this.engine.exposureLabels;
    if (!this.graph.clusterLabels(to, time).some((l) => risky.includes(l.record.label))) return undefined;
    const edges = this.graph.edgesOut(from);
    const stored = storeRef(ref);
    for (let i = edges.length - 1; i >= 0; i--) {
      const e = edges[i]!;
      if (e.to === to && e.time <= time && e.ref !== stored && e.coSpend !== true) return e.time;
    }
    return undefined;
  }

  /**
   * Whether a new edge runs inside one cluster that carries a risk label in force at its time:
   * every transfer touching that cluster already meets the label at hop 0, so the edge changes
   * none of them (a labelled service sweeping a deposit address it absorbed into its hot wallet
   * re-examined the service's newest 4,096 transfers at every sweep); only the walk beyond the
   * cluster can gain a path.
   */
  private insideLabelledCluster(from: number, to: number, time: number): boolean {
    if (this.graph.root(from) !== this.graph.root(to)) return false;
    const risky = this.engine.exposureLabels;
    // Only a label that holds for every member: not one of a single address (a CoinJoin's
    // participant, or a member that joined as a forwarder: a withdrawal to another member reaches
    // it only over an edge such as this one; session 44 review), nor any in a custodial cluster,
    // where members' labels hold per member.
    const labels = this.graph.wholeClusterLabels(to, time);
    if (labels.some((l) => l.record.label === 'exchange')) return false;
    return labels.some((l) => risky.includes(l.record.label));
  }

  /** Whether funds from `to` reach a labelled cluster within the late-evidence hops (a downstream search). */
  private leadsToLabel(to: number, time: number): boolean {
    return this.labelWithin(to, time, 'downstream');
  }

  /** Whether funds reach `from` from a labelled cluster within the late-evidence hops (an upstream search). */
  private fedByLabel(from: number, time: number): boolean {
    return this.labelWithin(from, time, 'upstream');
  }

  /**
   * A label within the late-evidence hops, in force at the edge's time or at any later one: the
   * transfers re-examined come after the edge and are judged as of their own time, when a label
   * observed after the edge may hold (QA: a listed address's old outflow read after the deposit
   * two hops on, the label read first, gave no alert; in event order, medium).
   */
  private labelWithin(start: number, time: number, direction: 'upstream' | 'downstream'): boolean {
    const labels = this.engine.exposureLabels;
    if (labels.length === 0) return false;
    // One query and one start list serve every search (each chain event's edges ask two or four):
    // a walk keeps nothing of either.
    const query = this.labelQuery;
    query.direction = direction;
    query.labels = labels;
    query.maxHops = Math.max(0, this.lateHops - 1);
    query.from = time;
    query.asOf = time;
    const starts = this.oneStart;
    starts[0] = start;
    if (findExposure(this.graph, starts, query) !== undefined) return true;
    query.asOf = Number.MAX_SAFE_INTEGER;
    return findExposure(this.graph, starts, query) !== undefined;
  }

  private readonly labelQuery: ExposureQuery = { direction: 'upstream', labels: [], maxHops: 0, hopWithin: 30 * 86_400_000, stopAt: ['exchange'], from: 0, asOf: 0, budget: 200 };
  private readonly oneStart: number[] = [0];

  /**
   * Event ids of transfers touching `start`, or clusters up to the late-evidence hops up- or
   * downstream of it: of each cluster the newest that fit in `budget`, oldest first.
   *
   * With `flowAt`, the time of a new flow edge at `start`, only what that edge can lie on the path
   * of: a path's hops follow each other in time (exposure.ts), so downstream of the edge only
   * edges and transfers at or after it, upstream only those at or before it. On a stream in
   * event-time order a hot hub fed by a labelled cluster then re-examines none of the deposits
   * already judged downstream of it (each new feeding edge used to re-examine up to `budget` of
   * them); chain data that arrives late still re-examines the transfers after it. With
   * `pastStart`, `start`'s own cluster's transfers are left out (the caller has them).
   */
  private *touched(start: number, direction: 'upstream' | 'downstream', budget: number, flowAt?: number, reachedBefore?: number, pastStart = false): Generator<string> {
    const downstream = direction === 'downstream';
    const seen = new Set<number>([start]);
    let frontier = [start];
    for (let hop = 0; hop <= this.lateHops && frontier.length > 0; hop++) {
      const next: number[] = [];
      for (const node of frontier) {
        const touches = this.graph.touches(node);
        let from = Math.max(0, touches.length - budget);
        let to = touches.length;
        // Touches are in time order: the ones the edge cannot reach are at one end.
        if (flowAt !== undefined && downstream) { let i = to; while (i > from && touches[i - 1]!.time >= flowAt) i--; from = i; }
        if (flowAt !== undefined && !downstream) while (to > from && touches[to - 1]!.time > flowAt) to--;
        if (pastStart && hop === 0) from = to; // `start`'s cluster's transfers come from elsewhere
        for (let i = from; i < to; i++) {
          const touch = touches[i]!;
          if (reachedBefore !== undefined && touch.address === start && touch.time <= reachedBefore) continue;
          yield touch.eventId;
        }
        if (hop === this.lateHops || this.graph.isOwn(node)) continue;
        for (const e of downstream ? this.graph.edgesOut(node) : this.graph.edgesIn(node)) {
          if (flowAt !== undefined && (downstream ? e.time < flowAt : e.time > flowAt)) continue;
          // A co-spend link is no hop: downstream the payer's edges are the input's own (exposure.ts),
          // so the payer joins this hop's frontier; upstream it is no inflow.
          if (e.coSpend === true && !downstream) continue;
          const peer = downstream ? e.to : e.from;
          if (seen.has(peer) || seen.size > 500) continue;
          seen.add(peer);
          (e.coSpend === true ? frontier : next).push(peer);
        }
      }
      frontier = next;
    }
  }
}

/** Event ids of the newest deposits made from the address itself (within [from, to] when given), oldest first. */
function fundedDeposits(graph: EntityGraph, address: number, from = -Infinity, to = Infinity): string[] {
  const touches = graph.touches(address);
  const out: string[] = [];
  for (let i = touches.length - 1; i >= 0 && i >= touches.length - FUNDED_TOUCHES_SCANNED; i--) {
    const t = touches[i]!;
    if (t.time < from) break; // touches are sorted by time: the rest are older still
    if (t.kind === 'deposit' && t.address === address && t.time <= to) out.push(t.eventId);
  }
  return out.reverse();
}

/**
 * A new label re-examines the labelled cluster's transfers and those up to the late-evidence hops
 * upstream of it (withdrawals whose funds reach it) and downstream of it (deposits its funds
 * reach: stolen or blacklisted funds often become known after they were deposited).
 */
export function labelWork(change: GraphChange, start: number): Reexamination[] {
  return [{ change, start, direction: 'upstream' }, { change, start, direction: 'downstream' }];
}

function* concat<T>(a: Iterable<T>, b: Iterable<T>): Generator<T> {
  yield* a;
  yield* b;
}

