/**
 * Events judged again because evidence dated before them arrived after them: an account's later
 * events when an earlier one is read late, other accounts' transfers with a cluster that gained
 * a touch dated before them, and a transfer read after a merge or a label dated after it. Each
 * is judged as event order would have judged it, a few at most per message.
 */
import type { Alert } from '../contract/schemas.js';
import type { TransferEvent } from '../decode/events.js';
import type { EntityGraph, GraphChange, MergeCause, StoredCause } from '../graph/entity-graph.js';
import { shownRef } from '../graph/tx-ref.js';
import { findExposure } from '../graph/exposure.js';
import { touchesAfter, touchesUpTo } from '../graph/touches.js';
import type { LabelRecord } from '../graph/labels.js';
import { tryAddressKey } from '../chain/address.js';
import type { RuleEngine } from '../engine/engine.js';
import { laterFundedDeposits } from '../engine/common-funder.js';
import type { HistoryItem, RuleState } from '../engine/state.js';
import type { PipelineStats } from './pipeline.js';
import { HeldRejudgements, type HeldKey } from './held-rejudgements.js';

/** Labels dated after a transfer that it is judged again under (see judgeAsOfLaterLabels). */
const LATER_LABELS_JUDGED = 4;
/** Events of other accounts, clusters or senders judged again after an event read late (each use below). */
const LATER_ITEMS_JUDGED = 8;
/**
 * Events of an account judged again when one of its own dated before them arrives after them
 * (see judgeLaterAgain). Larger than
 * LATER_ITEMS_JUDGED: the account's own history is where a late inflow decides most (review 53
 * F3: a salary read last, and the piece that takes 80% of it with a top-up is the account's
 * ninth item after it; eight left it unjudged and its alert named the top-up instead).
 */
const LATER_OWN_ITEMS_JUDGED = 32;
/** Sending addresses of an account's deposits a withdrawal read late traces to their funders (judgeLaterFundedAgain). */
const FUNDED_SENDERS = 4;
/** Withdrawals judged again after a deposit whose payer gained a touch read late (judgeWithdrawalsAfter). */
const LATER_WITHDRAWALS_JUDGED = 4;

export class LateJudgement {
  constructor(
    private readonly graph: EntityGraph,
    private readonly state: RuleState,
    private readonly engine: RuleEngine,
    private readonly stats: PipelineStats,
    private readonly lateHops: number,
    /** Transfers judged again behind a late event, their verdict waiting for the stragglers after it (a hold of 0: judged at once). */
    readonly held: HeldRejudgements = new HeldRejudgements(0),
  ) {}

  /**
   * A risk label on the transfer's counterparty that is already known but dated after the
   * transfer (chain or intel data read ahead of the exchange's: a CoinJoin or an issuer's freeze
   * days later). In event order it would arrive after the transfer and re-examine it as of the
   * label's time; read first, the transfer was judged as of its own time, without it, and nothing
   * judged it again (recall lost once chain data led by days). The transfer is judged again as of
   * each such label's time, as that re-examination would; at most LATER_LABELS_JUDGED of them.
   */
  judgeAsOfLaterLabels(event: TransferEvent, counterparties: readonly number[], alerts: Alert[], after = event.time): void {
    const risky = this.engine.exposureLabels;
    const since = Math.max(after, event.time);
    let judged = 0;
    for (const id of counterparties) {
      for (const { address, record } of this.graph.clusterLabels(id, Number.MAX_SAFE_INTEGER)) {
        if (record.from <= since || !risky.includes(record.label) || judged++ >= LATER_LABELS_JUDGED) continue;
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
    if (hit === undefined || hit.hops === 0 || hit.labelledSince <= since) return;
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
   * week read last. The nearest LATER_OWN_ITEMS_JUDGED of them are judged again; an alert they
   * gave before is not given twice (the novelty memory), and one that event order gives is.
   * Events in order never pay for this, unless an account has two at one instant (then at most
   * LATER_ITEMS_JUDGED of that instant's items are judged again). The count is
   * the bound, not the rules' windows: with the shipped rules both transfer kinds are read back
   * 203 days (kind-retention.ts), as long as the history keeps them, so a later item the history
   * still holds is within reach of the event whenever the event itself is kept.
   */
  judgeLaterAgain(event: HistoryItem, alerts: Alert[]): void {
    if (this.state.insertedBehind) this.judgeOwnLaterAgain(event, alerts);
    // Other accounts on the same device or IP, seen after this event's time: their linkage was
    // counted without it (QA: five logins on one device within 4 s, read shuffled, gave three
    // alerts and no high; in order, five and a high).
    for (const item of this.state.linkedLater(event, LATER_ITEMS_JUDGED)) {
      this.stats.laterRejudged++;
      for (const alert of this.engine.evaluate({ item })) alerts.push(alert);
    }
    this.judgeAsLaterLinked(event, alerts);
  }

  /** The account's items after `event`, judged again as event order judged them with `event` in their past (judgeLaterAgain). */
  private judgeOwnLaterAgain(event: HistoryItem, alerts: Alert[]): void {
    for (const { item, completion } of laterInEventOrder(this.ownLaterItems(event), event)) {
      this.stats.laterRejudged++;
      const again = isJudgedAgainAsNews(item, event, completion);
      if (again && this.held.holdMs > 0) {
        // Judged when the stream has read past it: another of its earlier events may still come.
        this.holdOrJudge(item, alerts);
        continue;
      }
      for (const alert of this.state.withHistoryAsOf(item, () => this.engine.evaluate(again ? { item, again } : { item }))) alerts.push(alert);
      // A request judged as before its completion: the completion is then not news to a rule that alerted on it.
      if (completion) this.engine.carryNoveltyOfRequestSettled(completion);
    }
  }

  /** Holds a transfer's verdict until the stream has read the hold past it; the earliest held, when the bound pushes it out, is judged now. */
  private holdOrJudge(item: HistoryItem, alerts: Alert[]): void {
    const pushedOut = this.held.hold({ accountId: item.msg.accountId, eventId: item.eventId, time: item.time });
    if (pushedOut) this.judgeHeld([pushedOut], alerts);
  }

  /**
   * A retained deposit that learned its sender from a chain record read after it
   * (pipeline.ts `learnLateSenders`; its counterparty is `counterparties`): judged again as
   * the deposit it would have been had the record come first, through the paths a deposit read
   * late takes. Itself: with every rule, as a transfer judged again behind a late event of its
   * account is (held for the hour when the caller holds, so it may alert once more per rule:
   * RuleEngine.isNewAgain); the account's later events, which event order judged with its sender
   * known (a payer's cadence); and, with graph rules, the other accounts' transfers with the
   * sender's cluster after it, the deposits of addresses its sender's funder funded, and itself as
   * of merges and labels of that cluster read before and dated after it. Each path is bounded as
   * it is for a late event.
   */
  judgeWithSenderLearned(deposit: TransferEvent, counterparties: readonly number[], alerts: Alert[]): void {
    this.stats.laterRejudged++;
    if (this.held.holdMs > 0) this.holdOrJudge(deposit, alerts);
    else for (const alert of this.state.withHistoryAsOf(deposit, () => this.engine.evaluate({ item: deposit, again: true }))) alerts.push(alert);
    this.judgeOwnLaterAgain(deposit, alerts);
    if (!this.engine.hasGraphRules) return;
    this.judgeLaterFundedAgain(deposit, counterparties, alerts);
    this.judgeLaterTouchesAgain(deposit, counterparties, alerts);
    this.judgeAsOfLaterMerges(deposit, counterparties, alerts);
    this.judgeAsOfLaterLabels(deposit, counterparties, alerts);
  }

  /** Judges the held transfers the event-time clock has passed by more than the hold. */
  judgeHeldDue(clock: number, alerts: Alert[]): void {
    if (this.held.size > 0) this.judgeHeld(this.held.takeDue(clock), alerts);
  }

  /** Judges every held transfer now (the end of the input). */
  judgeAllHeld(alerts: Alert[]): void {
    this.judgeHeld(this.held.takeAll(), alerts);
  }

  /**
   * A held transfer judged again, with every event of its past read by now, as event order judges
   * it: it may alert once more though its verdict names no new id (RuleEngine.isNewAgain), unless
   * a request read since made it a completion (its novelty is then carried from the request). One
   * the history no longer keeps is not judged.
   */
  private judgeHeld(keys: readonly HeldKey[], alerts: Alert[]): void {
    for (const item of this.state.itemsAt(keys)) {
      const again = item.type === 'transfer' && item.settles === undefined;
      for (const alert of this.state.withHistoryAsOf(item, () => this.engine.evaluate(again ? { item, again } : { item }))) alerts.push(alert);
    }
  }

  /**
   * The account's items at or after `event` to judge again: the nearest LATER_OWN_ITEMS_JUDGED,
   * and of the event's own instant (they come first) at most LATER_ITEMS_JUDGED, so an account
   * with many events per timestamp (a busy account on whole seconds), read in order, pays what it
   * paid before the later items' bound grew.
   */
  private ownLaterItems(event: HistoryItem): HistoryItem[] {
    let sameInstant = 0;
    return this.state.itemsFrom(event.msg.accountId, event, LATER_OWN_ITEMS_JUDGED).filter((item) => item.time !== event.time || ++sameInstant <= LATER_ITEMS_JUDGED);
  }

  /**
   * Other accounts seen on the event's device or IP after it whose events the state no longer
   * keeps (logins past the 10 minutes the recent logins hold) cannot be judged again: the event
   * itself is judged as they were, its linkage windows ending at the nearest and the furthest of
   * their times (each at most a linkage window after the event, so that it still counts). QA: a
   * three-account device farm whose first two logins arrived ten hours late gave no alert; in
   * event order the third login alerted all three.
   */
  private judgeAsLaterLinked(event: HistoryItem, alerts: Alert[]): void {
    const reach = this.engine.linkageReach;
    // No sighting is later than the newest event (an event in order finds none: no look-up).
    if (reach === 0 || event.time >= this.state.newestTime) return;
    const times = this.state.unkeptLaterSightings(event, LATER_ITEMS_JUDGED);
    if (times.length === 0) return;
    const cap = (t: number): number => Math.min(t, event.time + reach);
    const nearest = cap(Math.min(...times));
    const furthest = cap(Math.max(...times));
    for (const linkedAt of nearest === furthest ? [nearest] : [nearest, furthest]) {
      this.stats.laterRejudged++;
      for (const alert of this.engine.evaluate({ item: event, linkedAt })) alerts.push(alert);
    }
  }

  /**
   * Other accounts' transfers with the same external cluster, dated after this one: a fan-in
   * counted its payers without it (QA: five withdrawals to one hub within 5 s, read in reverse,
   * gave no alert at all; in order, all five accounts). The nearest LATER_ITEMS_JUDGED per
   * cluster are judged again, as judgeLaterAgain does for an account's own and a device's events.
   */
  judgeLaterTouchesAgain(event: TransferEvent, counterparties: readonly number[], alerts: Alert[]): void {
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
   * Other accounts' deposits from addresses one upstream funder of this transfer's senders
   * funded, dated after it: their common-funder verdict was taken without it (QA: one deposit of
   * a dispersal cell read a few hours late lost the whole cell, three accounts, as the cell's later
   * deposits had each counted two; a cell-mate's withdrawal read late, whose session made it
   * risky, lost it too). For a withdrawal, the senders are those of the account's deposits within
   * the funding window before it, whose verdict it takes again. The nearest LATER_ITEMS_JUDGED
   * deposits are judged again, and the withdrawals after each within the funding window. Called
   * only for a transfer read at or behind the newest event time.
   */
  judgeLaterFundedAgain(event: TransferEvent, counterparties: readonly number[], alerts: Alert[]): void {
    const specs = this.engine.fundingSpecs();
    if (specs.length === 0) return;
    const window = this.engine.fundingWindow();
    const deposit = event.msg.kind === 'deposit';
    const senders = deposit ? counterparties : this.sendersBefore(event, window);
    if (senders.length === 0) return;
    const anchor = { eventId: event.eventId, time: event.time, accountId: event.msg.accountId };
    const later = laterFundedDeposits(specs, this.graph, anchor, senders, LATER_ITEMS_JUDGED, deposit ? 1 : 2);
    for (const item of this.state.itemsAt(later)) {
      this.stats.laterRejudged++;
      for (const alert of this.engine.evaluate({ item })) alerts.push(alert);
      // A withdrawal takes the verdict again from the deposits within the funding window before
      // it, with the risk its own session shows (QA: the cell's third account was risky only from
      // its withdrawal on): those are judged again too.
      if (item.type === 'transfer') this.judgeWithdrawalsWithin(item, window, alerts);
    }
  }

  /** The sending addresses of the account's deposits within `window` before the withdrawal, at most FUNDED_SENDERS. */
  private sendersBefore(withdrawal: TransferEvent, window: number): number[] {
    const ids = new Set<number>();
    for (const item of this.state.historyBetween(withdrawal.msg.accountId, withdrawal.time - window, withdrawal.time)) {
      if (item.type !== 'transfer' || item.msg.kind !== 'deposit') continue;
      for (const key of item.from) if (ids.size < FUNDED_SENDERS) ids.add(this.graph.id(key));
    }
    return [...ids];
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
    this.judgeWithdrawalsWithin(deposit, this.engine.payerJudgementWindow, alerts);
  }

  /** The account's first LATER_WITHDRAWALS_JUDGED withdrawals within `window` after the deposit, judged again. */
  private judgeWithdrawalsWithin(deposit: TransferEvent, window: number, alerts: Alert[]): void {
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
  judgeAsOfLaterMerges(event: TransferEvent, counterparties: readonly number[], alerts: Alert[]): void {
    for (const id of counterparties) {
      let newest: StoredCause | undefined;
      for (const c of this.graph.mergeCauses(id)) if (c.time > event.time && (newest === undefined || c.time > newest.time)) newest = c;
      if (newest === undefined) continue;
      const latest: MergeCause = { heuristic: newest.heuristic, ref: shownRef(newest.ref), time: newest.time };
      const change: GraphChange = { kind: 'merge', cluster: this.graph.clusterName(id), time: latest.time, cause: latest, eventId: `merge:${latest.heuristic}:${latest.ref}` };
      for (const item of this.state.itemsAt(touchesUpTo(this.graph.touches(id), latest.time, event.msg.accountId, LATER_ITEMS_JUDGED))) {
        this.stats.laterRejudged++;
        for (const alert of this.engine.evaluate({ item, change })) alerts.push(alert);
      }
    }
  }
}

/**
 * The account's later events to judge again after `event` was read late, and the requests their
 * completions settled dated at or after it (event order judged each with `event` in its past,
 * before its completion came; QA: a deposit read after both stages of the withdrawal forwarding
 * it, which a request 3 hours after it makes medium, gave only the completion's low, 8 hours
 * after), in event order (by time, then event id), as event order judged them: an alert one of
 * them gives is the one event order gave first (session 53 review F4: c_mid, judged before the
 * request rA that event order alerted on, alerted in its place).
 */
function laterInEventOrder(items: readonly HistoryItem[], event: HistoryItem): { item: HistoryItem; completion?: TransferEvent }[] {
  const out: { item: HistoryItem; completion?: TransferEvent }[] = [];
  for (const item of items) {
    if (item.type === 'transfer' && item.settles && item.settles !== event && item.settles.time >= event.time) out.push({ item: item.settles, completion: item });
    out.push({ item });
  }
  return out.sort((a, b) => a.item.time - b.item.time || (a.item.eventId < b.item.eventId ? -1 : a.item.eventId > b.item.eventId ? 1 : 0));
}

/**
 * Whether a later item judged again after `event` may alert once more on a verdict that names no
 * new id (RuleEngine.isNewAgain): a transfer dated after the event, which is neither a request
 * judged before its completion nor a completion (their novelty is carried from one to the other),
 * nor at the event's own instant (an account read in order judges those again: its bytes stay).
 */
function isJudgedAgainAsNews(item: HistoryItem, event: HistoryItem, completion: TransferEvent | undefined): boolean {
  return item.type === 'transfer' && completion === undefined && item.settles === undefined && item.time > event.time;
}
