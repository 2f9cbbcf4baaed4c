/**
 * Wires decode → enrich → rules for one message at a time and returns what the sinks must write.
 * It owns the late-evidence loop: a graph change (a merge, a label, a new flow edge) re-examines
 * the earlier transfers that touched the affected clusters within `maxHops` upstream.
 */
import type { Alert } from '../contract/schemas.js';
import { decodeMessage, DEFAULT_DECODE_OPTIONS, type DecodeOptions, type DecodeResult } from '../decode/decode.js';
import type { ChainEvent, DeadLetter, DecodedEvent, Origin, TransferEvent } from '../decode/events.js';
import { GraphWriter, DEFAULT_CLUSTERING, type ClusteringOptions } from '../graph/clustering.js';
import { EntityGraph, DEFAULT_GRAPH_OPTIONS, type GraphChange, type GraphOptions, type MergeCause } from '../graph/entity-graph.js';
import { findExposure } from '../graph/exposure.js';
import { touchesAfter, touchesUpTo } from '../graph/touches.js';
import type { LabelRecord } from '../graph/labels.js';
import { tryAddressKey } from '../chain/address.js';
import { rememberCounterpartyIds } from '../engine/counterparty-ids.js';
import { exposureLabelsOf, exposureReach, fanInVerdictLimit, historyRetention, linkRetention, readsLoginHistory, RuleEngine, touchRetention } from '../engine/engine.js';
import type { LoadedRule } from '../engine/loader.js';
import { RuleState, type HistoryItem, type RuleStateOptions } from '../engine/state.js';
import { transferRetentionByKind } from '../engine/kind-retention.js';
import { retainedTransferFields } from '../engine/retained-fields.js';
import { IdWindow } from '../state/id-window.js';
import type { SdnLabel } from '../intel/ofac.js';
import { DEFAULT_PRICE_BOOK, PriceBook, type PriceBookOptions } from '../money/price-book.js';
import { valueChainTransfers, valueTransfer } from '../money/valuation.js';

export interface ProcessResult {
  alerts: Alert[];
  deadLetter?: DeadLetter;
  event?: DecodedEvent;
  duplicate?: boolean;
  changes?: GraphChange[];
}

/** A graph change and where to look for the transfers it may make alertable. */
interface Reexamination {
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
}

export interface PipelineOptions {
  rules: LoadedRule[];
  labels?: SdnLabel[];
  decode?: Partial<DecodeOptions>;
  /**
   * An exchange transfer or login dated more than this after the newest one accepted is
   * dead-lettered (TW_TIME_AHEAD): one typo'd year in a replay of history would otherwise move
   * every retention clock on and evict the state. 0 or Infinity: no bound. @defaultValue 90 days
   */
  maxLeapMs?: number;
  graph?: Partial<GraphOptions>;
  clustering?: Partial<ClusteringOptions>;
  /** How long (event time, ms) a seen eventId is remembered for dedupe. @defaultValue 400 days */
  dedupeWindow?: number;
  /** Most eventIds the dedupe holds (about 11–23 bytes each); past it the window shortens. @defaultValue 32 M */
  dedupeMaxIds?: number;
  /** Rule-state bounds; retention defaults to the longest look-back of the rules. */
  state?: Partial<RuleStateOptions>;
  /** Most re-examinations one graph change may cause. @defaultValue 4096 */
  maxReexaminations?: number;
  /** How far upstream of a graph change to look for transfers to re-examine. @defaultValue 3 */
  lateEvidenceHops?: number;
  /** Market price bounds and staleness (src/money/price-book.ts). */
  prices?: Partial<PriceBookOptions>;
}

export interface PipelineStats {
  read: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  ignored: number;
  merges: number;
  heldMerges: number;
  reevaluations: number;
  /** Graph changes whose re-examinations hit `maxReexaminations`. */
  reexaminationsCapped: number;
  /** Events judged again because an event of their account dated before them arrived after them. */
  laterRejudged: number;
  internalErrors: number;
}

/**
 * The time an event moves the graph's retention clock to. The graph keeps what decisions on the
 * exchange's transfers need, so its clock is theirs: an exchange transfer or login moves it to
 * its own time. Chain data, labels and prices move it only to their time less `lead` (the
 * address memory): chain data read months ahead of the exchange's (a backfill, an exchange feed
 * that lagged) then expires nothing the exchange's transfers of those months still read, and a
 * stream of chain data alone is still bounded. With the clock at the newest event of any kind, a
 * chain history read first lost half the consolidation and a third of the payroll findings of a
 * simulated six-month stream (session 32 QA), as the flows its transfers needed had passed the
 * retention of a clock already at the chain data's end.
 */
function graphClockOf(event: DecodedEvent, lead: number): number {
  return event.type === 'transfer' || event.type === 'login' ? event.time : event.time - lead;
}

/** Event-time leap past which an event is dead-lettered (PipelineOptions.maxLeapMs). */
export const DEFAULT_MAX_LEAP_MS = 90 * 86_400_000;

/** Held merges kept for inspection (the count in stats is exact). */
const HELD_MERGES_KEPT = 1000;

export class Pipeline {
  readonly graph: EntityGraph;
  readonly state: RuleState;
  readonly engine: RuleEngine;
  /** market.price.v1 prices by asset, for valuing transfers as of their time. */
  readonly prices: PriceBook;
  private readonly writer: GraphWriter;
  private readonly decodeOptions: DecodeOptions;
  /** eventIds seen within the dedupe window (event time). */
  private readonly seen: IdWindow;
  private readonly lateHops: number;
  private readonly maxLeapMs: number;
  /**
   * The newest event time of the exchange's transfers and logins accepted so far: what
   * `maxLeapMs` bounds. Checkpointed with the pipeline's counters.
   */
  activityClock = Number.NEGATIVE_INFINITY;
  private readonly maxReexaminations: number;
  readonly stats: PipelineStats = { read: 0, accepted: 0, rejected: 0, duplicates: 0, ignored: 0, merges: 0, heldMerges: 0, reevaluations: 0, reexaminationsCapped: 0, laterRejudged: 0, internalErrors: 0 };
  readonly heldMerges: GraphChange[] = [];

  constructor(options: PipelineOptions) {
    const touches = touchRetention(options.rules, DEFAULT_GRAPH_OPTIONS.touchRetention);
    this.graph = new EntityGraph({ ...DEFAULT_GRAPH_OPTIONS, touchRetention: touches, edgeRetention: touches + exposureReach(options.rules), verdictLimit: fanInVerdictLimit(options.rules, DEFAULT_GRAPH_OPTIONS.saturation), tracedLabels: exposureLabelsOf(options.rules.map((r) => r.spec)), ...options.graph });
    const retention = historyRetention(options.rules);
    const kindRetention = transferRetentionByKind(options.rules, retention, this.graph.options.touchRetention);
    this.state = new RuleState({ retention, kindRetention, linkRetention: linkRetention(options.rules), keepLogins: readsLoginHistory(options.rules), transferFields: retainedTransferFields(options.rules), ...options.state });
    this.writer = new GraphWriter(this.graph, { ...DEFAULT_CLUSTERING, ...options.clustering });
    this.engine = new RuleEngine(options.rules, this.graph, this.state);
    this.prices = new PriceBook({ ...DEFAULT_PRICE_BOOK, ...options.prices });
    this.decodeOptions = { ...DEFAULT_DECODE_OPTIONS, ...options.decode };
    this.maxLeapMs = options.maxLeapMs === undefined ? DEFAULT_MAX_LEAP_MS : options.maxLeapMs > 0 ? options.maxLeapMs : Number.POSITIVE_INFINITY;
    this.lateHops = options.lateEvidenceHops ?? 3;
    this.maxReexaminations = options.maxReexaminations ?? 4096;
    this.seen = new IdWindow(options.dedupeWindow ?? 400 * 86_400_000, options.dedupeMaxIds !== undefined ? { maxIds: options.dedupeMaxIds } : {});
    for (const { key, record, caseInsensitive } of options.labels ?? []) {
      if (caseInsensitive) this.graph.watchIgnoringCase(key, record);
      else this.graph.addLabel(this.graph.id(key), record, false, `label:${key}:${record.label}:${record.source}`);
    }
  }

  /** Entries held per bounded structure, for metrics and the soak benchmark. */
  stateSizes(): Record<string, number> {
    return {
      dedupe_ids: this.seen.size,
      dedupe_window_days: Math.round(this.seen.effectiveWindow / 86_400_000),
      novelty_ids: this.engine.noveltySize,
      emitted_alert_ids: this.engine.emittedSize,
      ...Object.fromEntries(Object.entries(this.state.sizes).map(([k, v]) => [`rule_state_${k}`, v])),
      ...Object.fromEntries(Object.entries(this.graph.sizes).map(([k, v]) => [`graph_${k}`, v])),
      price_assets: this.prices.assets,
      prices: this.prices.size,
    };
  }

  /** Swaps in a new, already validated rule set (hot reload), with the state bounds it needs. */
  replaceRules(rules: LoadedRule[]): void {
    this.engine.replaceRules(rules);
    const touches = touchRetention(rules, DEFAULT_GRAPH_OPTIONS.touchRetention);
    const retention = historyRetention(rules);
    this.state.reconfigure({ retention, kindRetention: transferRetentionByKind(rules, retention, touches), linkRetention: linkRetention(rules), keepLogins: readsLoginHistory(rules), transferFields: retainedTransferFields(rules) });
    this.graph.reconfigure({ touchRetention: touches, edgeRetention: touches + exposureReach(rules), verdictLimit: fanInVerdictLimit(rules, this.graph.options.saturation), tracedLabels: exposureLabelsOf(rules.map((r) => r.spec)) });
  }

  process(raw: string, origin: Origin): ProcessResult {
    return this.processDecoded(this.decode(raw), raw, origin);
  }

  /**
   * Decodes without applying (the monitor orders messages by event time before applying them).
   * `now` replaces the clock for the one decision that reads it (an event time too far ahead):
   * a journal applied again decides as it did the first time.
   */
  decode(raw: string, now?: number): DecodeResult {
    return decodeMessage(raw, now === undefined ? this.decodeOptions : { ...this.decodeOptions, now: () => now });
  }

  processDecoded(decoded: DecodeResult, raw: string, origin: Origin): ProcessResult {
    this.stats.read++;
    if (!decoded.ok) {
      this.stats.rejected++;
      return { alerts: [], deadLetter: { ...decoded.reject, origin, raw } };
    }
    const event = decoded.event;
    const leapRefusal = this.leapRefusal(event, raw, origin);
    if (leapRefusal) return leapRefusal;
    this.stats.accepted++;
    if (this.seen.has(event.eventId)) {
      this.stats.duplicates++;
      return { alerts: [], event, duplicate: true };
    }
    this.seen.add(event.eventId, event.time);
    try {
      this.graph.tick(graphClockOf(event, this.graph.options.addressMemory));
      // The outcome object gains the event in place: a copy per message was garbage (same key order).
      const result: ProcessResult = this.apply(event);
      result.event = event;
      return result;
    } catch (err) {
      // A valid message that trips a defect is dead-lettered with the cause, never allowed to stop the stream.
      this.stats.internalErrors++;
      return { alerts: [], event, deadLetter: { code: 'TW_INTERNAL', reason: `internal error while applying ${event.eventId}: ${err instanceof Error ? err.message : String(err)}`, origin, raw } };
    }
  }

  /**
   * A dead letter for an exchange transfer or login dated further after the newest such event
   * accepted than `maxLeapMs`; otherwise the event moves that clock on.
   */
  private leapRefusal(event: DecodedEvent, raw: string, origin: Origin): ProcessResult | undefined {
    // Only the exchange's own feed, which runs continuously, is bounded. Intelligence and prices
    // carry their own observation times (an SDN listing years before the transfers it screens),
    // and chain data may be a backfill of transactions years apart.
    if (event.type !== 'transfer' && event.type !== 'login') return undefined;
    const clock = this.activityClock;
    if (clock === Number.NEGATIVE_INFINITY || !(event.time - clock > this.maxLeapMs)) {
      if (event.time > clock) this.activityClock = event.time;
      return undefined;
    }
    this.stats.rejected++;
    const days = Math.round(this.maxLeapMs / 86_400_000);
    const message = `${new Date(event.time).toISOString()} is more than ${days} days after the newest exchange event so far, ${new Date(clock).toISOString()} (EVENT_TIME_MAX_LEAP_DAYS; 0 turns the check off for a stream with longer gaps)`;
    return { alerts: [], deadLetter: { code: 'TW_TIME_AHEAD', reason: `${event.eventId}: ${message}`, issues: [{ path: 'time', message }], origin, raw } };
  }

  private apply(event: DecodedEvent): { alerts: Alert[]; changes?: GraphChange[] } {
    switch (event.type) {
      case 'ignored':
        this.stats.ignored++;
        return { alerts: [] };
      case 'login': {
        this.state.add(event);
        const alerts = this.engine.evaluate({ item: event });
        this.judgeLaterAgain(event, alerts);
        return { alerts };
      }
      case 'price':
        this.prices.add(event.asset, { time: event.time, source: event.source, price: event.price, observedAt: event.observedAt });
        return { alerts: [] };
      case 'transfer':
        return this.applyTransfer(event);
      case 'label': {
        const changes = this.writer.applyLabel(event);
        return { alerts: this.reexamine(changes.flatMap((change) => labelWork(change, this.graph.id(event.key)))), changes };
      }
      case 'chain':
        return this.applyChain(event);
    }
  }

  /**
   * An exchange transfer: judged as it arrives. A withdrawal whose receiver already forwarded the
   * funds (the forward came first) merges as the forward would have, and the transfers that
   * merge can change are re-examined as after any merge; the withdrawal itself is judged fresh,
   * with the merge in place.
   */
  private applyTransfer(event: TransferEvent): { alerts: Alert[]; changes?: GraphChange[] } {
    valueTransfer(this.prices, event);
    const outcome = this.writer.applyTransfer(event);
    rememberCounterpartyIds(this.graph, event, outcome.counterpartyIds);
    this.state.add(event);
    const alerts = this.engine.evaluate({ item: event });
    this.judgeLaterAgain(event, alerts);
    if (this.engine.hasGraphRules) {
      this.judgeLaterTouchesAgain(event, outcome.counterpartyIds, alerts);
      this.judgeAsOfLaterMerges(event, outcome.counterpartyIds, alerts);
      this.judgeAsOfLaterLabels(event, outcome.counterpartyIds, alerts);
    }
    if (outcome.changes.length === 0) return { alerts };
    const forwarder = outcome.counterpartyIds[0]!;
    const work = this.countChanges(outcome.changes).map((change): Reexamination => ({ change, start: forwarder, direction: 'upstream' }));
    for (const alert of this.reexamine(work, event.eventId)) alerts.push(alert);
    return { alerts, changes: [...outcome.changes] };
  }

  /**
   * A risk label on the transfer's counterparty that is already known but dated after the
   * transfer (chain or intel data read ahead of the exchange's: a CoinJoin or an issuer's freeze
   * days later). In event order it would arrive after the transfer and re-examine it as of the
   * label's time; read first, the transfer was judged as of its own time, without it, and nothing
   * judged it again (recall lost once chain data led by days). The transfer is judged again as of
   * each such label's time, as that re-examination would; at most LATER_LABELS_JUDGED of them.
   */
  private judgeAsOfLaterLabels(event: TransferEvent, counterparties: readonly number[], alerts: Alert[]): void {
    const risky = this.engine.exposureLabels;
    let judged = 0;
    for (const id of counterparties) {
      for (const { address, record } of this.graph.clusterLabels(id, Number.MAX_SAFE_INTEGER)) {
        if (record.from <= event.time || !risky.includes(record.label) || judged++ >= LATER_LABELS_JUDGED) continue;
        this.judgeAsOfLabel(event, this.graph.clusterName(id), address, record, alerts);
      }
    }
    if (judged > 0 || risky.length === 0) return;
    // A hop or more away: the label of an address the counterparty paid, or was paid by, read
    // before this transfer and dated after it (QA: the sample shuffled within blocks of 200
    // lines lost three highs, an `otc-desk` label two hops on read before the withdrawal). One
    // walk, as the late-evidence gates walk, with every label read so far in force.
    const direction = event.msg.kind === 'withdrawal' ? 'downstream' : 'upstream';
    const hit = findExposure(this.graph, counterparties, { direction, labels: risky, maxHops: this.lateHops, hopWithin: 30 * 86_400_000, stopAt: ['exchange'], from: event.time, asOf: Number.MAX_SAFE_INTEGER, budget: 200 });
    if (hit === undefined || hit.hops === 0 || hit.labelledSince <= event.time) return;
    const labelledKey = tryAddressKey(event.msg.chain, hit.labelledAddress);
    const key = labelledKey === undefined ? undefined : this.graph.index.lookup(labelledKey);
    if (key === undefined) return;
    const record = this.graph.clusterLabels(key, Number.MAX_SAFE_INTEGER).find((l) => l.record.label === hit.label && l.record.source === hit.source && l.record.from === hit.labelledSince);
    if (record) this.judgeAsOfLabel(event, this.graph.clusterName(key), record.address, record.record, alerts);
  }

  /** Judges the transfer again as of the label's time, as the label's arrival after it would have. */
  private judgeAsOfLabel(event: TransferEvent, cluster: string, address: string, record: LabelRecord, alerts: Alert[]): void {
    const change: GraphChange = {
      kind: 'label', cluster, time: record.from,
      cause: { label: record.label, address, source: record.source, removed: false },
      eventId: `label:${address}:${record.label}:${record.source}:${new Date(record.from).toISOString()}`,
    };
    for (const alert of this.engine.evaluate({ item: event, change })) alerts.push(alert);
  }

  /**
   * An event that arrived after events of its account dated later or at its own time (beyond the monitor's hold, or
   * out of order in a file) is in their past now, as it was when event order judged them: a
   * deposit read after the withdrawal that forwards it, the third near-threshold transfer of a
   * week read last. The nearest LATER_ITEMS_JUDGED of them are judged again; an alert they gave
   * before is not given twice (the novelty memory), and one that event order gives is. Events in
   * order never pay for this, unless an account has two at one instant.
   */
  private judgeLaterAgain(event: HistoryItem, alerts: Alert[]): void {
    if (this.state.insertedBehind) {
      for (const item of this.state.itemsFrom(event.msg.accountId, event, LATER_ITEMS_JUDGED)) {
        this.stats.laterRejudged++;
        for (const alert of this.engine.evaluate({ item })) alerts.push(alert);
      }
    }
    // Other accounts on the same device or IP, seen after this event's time: their linkage was
    // counted without it (QA: five logins on one device within 4 s, read shuffled, gave three
    // alerts and no high; in order, five and a high).
    for (const item of this.state.linkedLater(event, LATER_ITEMS_JUDGED)) {
      this.stats.laterRejudged++;
      for (const alert of this.engine.evaluate({ item })) alerts.push(alert);
    }
  }

  /**
   * Other accounts' transfers with the same external cluster, dated after this one: a fan-in
   * counted its payers without it (QA: five withdrawals to one hub within 5 s, read in reverse,
   * gave no alert at all; in order, all five accounts). The nearest LATER_ITEMS_JUDGED per
   * cluster are judged again, as judgeLaterAgain does for an account's own and a device's events.
   */
  private judgeLaterTouchesAgain(event: TransferEvent, counterparties: readonly number[], alerts: Alert[]): void {
    const m = event.msg;
    for (const id of counterparties) {
      const later = touchesAfter(this.graph.touches(id), event.time, m.eventId, m.accountId, LATER_ITEMS_JUDGED);
      if (later.length === 0) continue;
      for (const item of this.state.itemsAt(later)) {
        this.stats.laterRejudged++;
        for (const alert of this.engine.evaluate({ item })) alerts.push(alert);
        if (item.type === 'transfer' && item.msg.kind === 'deposit') this.judgeWithdrawalsAfter(item, alerts);
      }
    }
  }

  /**
   * A deposit judged again because its payer's cluster gained a touch dated before it (another
   * account's withdrawal to it, read late): a rule that judges payers on the account's
   * withdrawals (`flagged-payers`, T8: the payer is a consolidation address) reads the deposit
   * from them, so the account's first LATER_WITHDRAWALS_JUDGED withdrawals within that window
   * after the deposit are judged again too (QA: the workers' withdrawals read after the
   * aggregator's events lost the T8 alert).
   */
  private judgeWithdrawalsAfter(deposit: TransferEvent, alerts: Alert[]): void {
    const window = this.engine.payerJudgementWindow;
    if (window === 0) return;
    let taken = 0;
    for (const item of this.state.historyBetween(deposit.msg.accountId, deposit.time, deposit.time + window)) {
      if (taken >= LATER_WITHDRAWALS_JUDGED) break;
      if (item.type !== 'transfer' || item.msg.kind !== 'withdrawal') continue;
      taken++;
      this.stats.laterRejudged++;
      for (const alert of this.engine.evaluate({ item })) alerts.push(alert);
    }
  }

  /**
   * A merge into the counterparty's cluster dated after this transfer but applied before it
   * arrived: in event order the merge came after it, and its re-examination judged the cluster's
   * earlier transfers with this one counted (QA: the sample shuffled within blocks of 200 lines
   * lost three fan-in highs, a hub's sweep read before a payer's withdrawal dated before it).
   * The nearest LATER_ITEMS_JUDGED transfers of other accounts with the cluster, up to the
   * newest such merge, are judged again as of it. Events in order find no such merge.
   */
  private judgeAsOfLaterMerges(event: TransferEvent, counterparties: readonly number[], alerts: Alert[]): void {
    for (const id of counterparties) {
      let latest: MergeCause | undefined;
      for (const c of this.graph.mergeCauses(id)) if (c.time > event.time && (latest === undefined || c.time > latest.time)) latest = c;
      if (latest === undefined) continue;
      const change: GraphChange = { kind: 'merge', cluster: this.graph.clusterName(id), time: latest.time, cause: latest, eventId: `merge:${latest.heuristic}:${latest.ref}` };
      for (const item of this.state.itemsAt(touchesUpTo(this.graph.touches(id), latest.time, event.msg.accountId, LATER_ITEMS_JUDGED))) {
        this.stats.laterRejudged++;
        for (const alert of this.engine.evaluate({ item, change })) alerts.push(alert);
      }
    }
  }

  /** Counts merges and held merges (keeping the newest held ones for inspection); returns the changes applied. */
  private countChanges(changes: readonly GraphChange[]): GraphChange[] {
    for (const c of changes) {
      if (c.kind === 'merge') this.stats.merges++;
      if (c.kind === 'held-merge') {
        this.stats.heldMerges++;
        this.heldMerges.push(c);
        if (this.heldMerges.length > HELD_MERGES_KEPT) this.heldMerges.shift();
      }
    }
    return changes.filter((c) => c.kind !== 'held-merge');
  }

  private applyChain(event: ChainEvent): { alerts: Alert[]; changes: GraphChange[] } {
    valueChainTransfers(this.prices, event);
    const outcome = this.writer.applyChain(event);
    const changes = outcome.changes;
    const applied = this.countChanges(changes);
    const work: Reexamination[] = [];
    if (applied.length > 0) {
      // Only a chain event that changed the graph has an origin to look upstream from.
      const origin = this.graph.id((event.bitcoin?.inputs[0]?.address ?? event.transfers[0]?.from)!);
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
    const t = event.transfers[0];
    const ids = outcome.transferIds;
    if (ids && t && this.engine.hasGraphRules) {
      const fromId = ids[0]!;
      const toId = ids[1]!;
      const leads = this.leadsToLabel(toId, event.time);
      const fed = this.fedByLabel(fromId, event.time);
      if (leads || fed) {
        const change: GraphChange = { kind: 'flow', cluster: this.graph.clusterName(toId), time: event.time, cause: { flow: event.txHash, from: t.from, to: t.to }, eventId: event.eventId };
        if (leads) work.push({ change, start: fromId, direction: 'upstream', reachedBefore: this.reachedBefore(fromId, toId, event.time, event.txHash) });
        if (fed) work.push({ change, start: toId, direction: 'downstream' });
      }
    }
    if (ids) this.reexamineFunded(event, ids, work);
    return { alerts: this.reexamine(work), changes };
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
  private reexamine(work: Reexamination[], judged?: string): Alert[] {
    if (!this.engine.hasGraphRules || work.length === 0) return [];
    const alerts: Alert[] = [];
    // `judged`: a transfer this very message judged fresh, with the change in place.
    const done = new Set<string>(judged === undefined ? undefined : [judged]);
    const scopes = work.map(({ change, start, direction, depositsOnly, funder, reachedBefore }) => (depositsOnly ? { eventIds: this.fundedTransfers(start, funder, change.time), membershipOnly: false } : this.affected(change, start, direction, this.maxReexaminations, reachedBefore)));
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
      }
    });
    return alerts;
  }

  /**
   * Event ids of the transfers a change can affect (see reexamine), and whether the change alters
   * cluster membership only: a merge of two unlabelled clusters that leads to no label.
   */
  private affected(change: GraphChange, start: number, direction: 'upstream' | 'downstream', budget: number, reachedBefore?: number): { eventIds: Iterable<string>; membershipOnly: boolean } {
    if (change.kind === 'flow') return { eventIds: this.touched(start, direction, budget, change.time, reachedBefore), membershipOnly: false };
    if (change.kind !== 'merge' || !change.impact) return { eventIds: this.touched(start, direction, budget), membershipOnly: false };
    const own = change.impact.eventIds;
    const risky = this.engine.exposureLabels;
    const labelled = this.graph.clusterLabels(start, change.time).some((l) => risky.includes(l.record.label));
    if (!labelled && !this.leadsToLabel(start, change.time)) return { eventIds: own, membershipOnly: !change.impact.labelled };
    return { eventIds: concat(own, this.touched(start, direction, budget)), membershipOnly: false };
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
    for (let i = edges.length - 1; i >= 0; i--) {
      const e = edges[i]!;
      if (e.to === to && e.time <= time && e.ref !== ref) return e.time;
    }
    return undefined;
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
    const query = { direction, labels, maxHops: Math.max(0, this.lateHops - 1), hopWithin: 30 * 86_400_000, stopAt: ['exchange'], from: time, asOf: time, budget: 200 };
    return findExposure(this.graph, [start], query) !== undefined || findExposure(this.graph, [start], { ...query, asOf: Number.MAX_SAFE_INTEGER }) !== undefined;
  }

  /**
   * Event ids of transfers touching `start`, or clusters up to the late-evidence hops up- or
   * downstream of it: of each cluster the newest that fit in `budget`, oldest first.
   *
   * With `flowAt`, the time of a new flow edge at `start`, only what that edge can lie on the path
   * of: a path's hops follow each other in time (exposure.ts), so downstream of the edge only
   * edges and transfers at or after it, upstream only those at or before it. On a stream in
   * event-time order a hot hub fed by a labelled cluster then re-examines none of the deposits
   * already judged downstream of it (each new feeding edge used to re-examine up to `budget` of
   * them); chain data that arrives late still re-examines the transfers after it.
   */
  private *touched(start: number, direction: 'upstream' | 'downstream', budget: number, flowAt?: number, reachedBefore?: number): Generator<string> {
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
        for (let i = from; i < to; i++) {
          const touch = touches[i]!;
          if (reachedBefore !== undefined && touch.address === start && touch.time <= reachedBefore) continue;
          yield touch.eventId;
        }
        if (hop === this.lateHops || this.graph.isOwn(node)) continue;
        for (const e of downstream ? this.graph.edgesOut(node) : this.graph.edgesIn(node)) {
          if (flowAt !== undefined && (downstream ? e.time < flowAt : e.time > flowAt)) continue;
          const peer = downstream ? e.to : e.from;
          if (seen.has(peer) || seen.size > 500) continue;
          seen.add(peer);
          next.push(peer);
        }
      }
      frontier = next;
    }
  }

  /** The eventId dedupe memory, for a checkpoint (a restore fills it in place). */
  checkpointDedupe(): IdWindow {
    return this.seen;
  }
}

/** Labels dated after a transfer that it is judged again under (see judgeAsOfLaterLabels). */
const LATER_LABELS_JUDGED = 4;
/** Events of an account judged again when one dated before them arrives after them (see judgeLaterAgain). */
const LATER_ITEMS_JUDGED = 8;
/** Touches of an address's cluster read when a funding transfer reaches it (a fresh address has a few). */
const FUNDED_TOUCHES_SCANNED = 16;
/** Other funded addresses whose deposits a late funding transfer re-examines. */
const FUNDED_NEIGHBOURS = 16;
/** Withdrawals judged again after a deposit whose payer gained a touch read late (judgeWithdrawalsAfter). */
const LATER_WITHDRAWALS_JUDGED = 4;
/** Withdrawals re-examined after each funded deposit. */
const WITHDRAWALS_PER_FUNDED_DEPOSIT = 4;

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
function labelWork(change: GraphChange, start: number): Reexamination[] {
  return [{ change, start, direction: 'upstream' }, { change, start, direction: 'downstream' }];
}

function* concat<T>(a: Iterable<T>, b: Iterable<T>): Generator<T> {
  yield* a;
  yield* b;
}
