/**
 * Wires decode → enrich → rules for one message at a time and returns what the sinks must write.
 * Late evidence is handed on: a graph change re-examines the earlier transfers it can affect
 * (reexamination.ts), and an event read after later ones has those judged again
 * (late-judgement.ts).
 */
import { topicFor, type Alert, type SchemaName, type TransferMessage } from '../contract/schemas.js';
import { TopicSchemaCheck } from '../contract/topic-schemas.js';
import { decodeMessage, DEFAULT_DECODE_OPTIONS, type DecodeOptions, type DecodeResult } from '../decode/decode.js';
import type { ChainEvent, DeadLetter, DecodedEvent, Origin, TransferEvent } from '../decode/events.js';
import type { SuspectField } from '../decode/suspect-fields.js';
import { GraphWriter, DEFAULT_CLUSTERING, type ClusteringOptions } from '../graph/clustering.js';
import { EntityGraph, DEFAULT_GRAPH_OPTIONS, type GraphChange, type GraphOptions } from '../graph/entity-graph.js';
import { counterpartyIds, rememberCounterpartyIds } from '../engine/counterparty-ids.js';
import { exposureLabelsOf, exposureReach, fanInVerdictLimit, historyRetention, linkRetention, loginSignsRetention, readsLoginHistory, readsSubnetLinks, RuleEngine, subnetLinkRetention, touchRetention } from '../engine/engine.js';
import type { LoadedRule } from '../engine/loader.js';
import { isSentWithoutSender, RuleState, type RuleStateOptions } from '../engine/state.js';
import { transferRetentionByKind } from '../engine/kind-retention.js';
import { retainedTransferFields } from '../engine/retained-fields.js';
import { UntracedLabels } from '../engine/untraced-labels.js';
import { IdWindow } from '../state/id-window.js';
import type { SdnLabel } from '../intel/ofac.js';
import { DEFAULT_PRICE_BOOK, PriceBook, type PriceBookOptions } from '../money/price-book.js';
import { valueChainTransfers, valueTransfer } from '../money/valuation.js';
import { LateJudgement } from './late-judgement.js';
import { HeldRejudgements } from './held-rejudgements.js';
import { labelWork, Reexaminer, type Reexamination } from './reexamination.js';
import { FactorCrossings } from './factor-crossings.js';
import { KycRejudgement } from './kyc-rejudgement.js';
import { SenderlessDeposits } from './senderless-deposits.js';

export interface ProcessResult {
  alerts: Alert[];
  deadLetter?: DeadLetter;
  event?: DecodedEvent;
  /**
   * A transfer's message as decoded, when the rule state keeps a slimmed copy on `event` (no
   * txHash or occurredAt: retained-fields.ts): the account timeline records the whole message of
   * the event in hand (session 41 QA: a SAR draft's rows had no transaction hash, the alert's own
   * deposit's included).
   */
  message?: TransferMessage;
  duplicate?: boolean;
  changes?: GraphChange[];
  /**
   * An applied message's unknown fields that look like a misspelt optional field it lacks
   * (src/decode/suspect-fields.ts), with the topic it came from (its contract topic when read from
   * a file): applied as sent, and told to the operator by the caller.
   */
  suspects?: { topic: string; fields: readonly SuspectField[] };
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
  /**
   * Refuse (TW_TOPIC) a schema read from a topic named after a contract topic that carries another
   * (src/contract/topic-schemas.ts); false for an operator whose producers already mix schemas on
   * such a topic (TOPIC_SCHEMA_CHECK=off): Kafka cannot rename a topic. @defaultValue true
   */
  topicSchemaCheck?: boolean;
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
  /** Told the first time an operator label name that no rule traces arrives (the monitor logs it). */
  onUntracedLabel?: (label: string) => void;
  /** Market price bounds and staleness (src/money/price-book.ts). */
  prices?: Partial<PriceBookOptions>;
  /**
   * Event time a transfer judged again behind a late event of its account waits past its own
   * time before its verdict is taken, so the other late events before it are in its past
   * (held-rejudgements.ts); 0: judged at once. A caller that holds must take what is still held
   * when its input ends (`releaseHeld`): the `replay` and `monitor` commands hold an hour
   * (REJUDGEMENT_HOLD_MINUTES). @defaultValue 0
   */
  rejudgementHoldMs?: number;
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
  /** Deposits sent with no sender that learned it from a chain record read after them. */
  lateSenders: number;
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

/** Exchange events near the activity clock before a leap past it is refused rather than followed (Pipeline.clockSupport). */
export const CLOCK_SUPPORT = 16;

/** Held merges kept for inspection (the count in stats is exact). */
const HELD_MERGES_KEPT = 1000;

/**
 * The rule state's bounds a rule set needs, at start and on a hot reload alike: each structure
 * keeps what the rules read, plus `lateReach` (the touch retention) where a trigger judged late
 * reads back from its own time.
 */
function stateBounds(rules: readonly LoadedRule[], lateReach: number): Partial<RuleStateOptions> {
  const retention = historyRetention(rules);
  const links = linkRetention(rules, lateReach);
  return {
    retention,
    kindRetention: transferRetentionByKind(rules, retention, lateReach),
    linkRetention: links.device,
    ipLinkRetention: links.ip,
    keepLogins: readsLoginHistory(rules),
    loginSignsRetention: loginSignsRetention(rules, lateReach),
    subnetLinks: readsSubnetLinks(rules),
    subnetRetention: subnetLinkRetention(rules, lateReach),
    transferFields: retainedTransferFields(rules),
  };
}

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
  private readonly maxLeapMs: number;
  /**
   * The newest event time of the exchange's transfers and logins accepted so far: what
   * `maxLeapMs` bounds. Checkpointed with the pipeline's counters.
   */
  activityClock = Number.NEGATIVE_INFINITY;
  /**
   * Exchange events accepted within `maxLeapMs` below `activityClock` since it last leapt, up to
   * CLOCK_SUPPORT: a clock fewer events support (the stream's first events, one of them stale)
   * gives way to a leap instead of refusing it. Checkpointed with the clock.
   */
  clockSupport = 0;
  /**
   * Leaps refused in a row since the last exchange event accepted: at CLOCK_SUPPORT the stream
   * has moved on for good (it resumes after a gap longer than `maxLeapMs`), and the clock follows
   * instead of refusing the rest. Checkpointed with the clock.
   */
  refusedLeaps = 0;
  private readonly late: LateJudgement;
  /** Which schema each input topic carries, by its name (src/contract/topic-schemas.ts). */
  private readonly topicSchemas: TopicSchemaCheck | undefined;
  private readonly reexaminer: Reexaminer;
  private readonly crossings: FactorCrossings;
  private readonly kyc: KycRejudgement;
  /** Retained deposits with no sender whose chain record has not been read, by transaction (senderless-deposits.ts). */
  private readonly senderless: SenderlessDeposits;
  readonly stats: PipelineStats = { read: 0, accepted: 0, rejected: 0, duplicates: 0, ignored: 0, merges: 0, heldMerges: 0, reevaluations: 0, reexaminationsCapped: 0, laterRejudged: 0, lateSenders: 0, internalErrors: 0 };
  readonly heldMerges: GraphChange[] = [];
  /** Operator label names no rule traces, as they arrive (untraced-labels.ts). */
  untracedLabels: UntracedLabels;
  private readonly onUntracedLabel: ((label: string) => void) | undefined;

  constructor(options: PipelineOptions) {
    const touches = touchRetention(options.rules, DEFAULT_GRAPH_OPTIONS.touchRetention);
    this.graph = new EntityGraph({ ...DEFAULT_GRAPH_OPTIONS, touchRetention: touches, edgeRetention: touches + exposureReach(options.rules), verdictLimit: fanInVerdictLimit(options.rules, DEFAULT_GRAPH_OPTIONS.saturation), tracedLabels: exposureLabelsOf(options.rules.map((r) => r.spec)), ...options.graph });
    this.state = new RuleState({ ...stateBounds(options.rules, this.graph.options.touchRetention), ...options.state });
    this.writer = new GraphWriter(this.graph, { ...DEFAULT_CLUSTERING, ...options.clustering });
    this.engine = new RuleEngine(options.rules, this.graph, this.state);
    this.untracedLabels = new UntracedLabels(this.graph.options.tracedLabels);
    this.onUntracedLabel = options.onUntracedLabel;
    this.prices = new PriceBook({ ...DEFAULT_PRICE_BOOK, ...options.prices });
    this.decodeOptions = { ...DEFAULT_DECODE_OPTIONS, ...options.decode };
    this.topicSchemas = options.topicSchemaCheck === false ? undefined : new TopicSchemaCheck();
    this.maxLeapMs = options.maxLeapMs === undefined ? DEFAULT_MAX_LEAP_MS : options.maxLeapMs > 0 ? options.maxLeapMs : Number.POSITIVE_INFINITY;
    const lateHops = options.lateEvidenceHops ?? 3;
    this.late = new LateJudgement(this.graph, this.state, this.engine, this.stats, lateHops, new HeldRejudgements(options.rejudgementHoldMs ?? 0));
    this.reexaminer = new Reexaminer(this.graph, this.state, this.engine, this.stats, lateHops, options.maxReexaminations ?? 4096, (item, after, alerts) => this.late.judgeAsOfLaterLabels(item, counterpartyIds(this.graph, item), alerts, after));
    this.crossings = new FactorCrossings(this.graph, this.state, this.engine, this.stats);
    this.kyc = new KycRejudgement(this.state, this.engine, this.stats);
    this.senderless = new SenderlessDeposits(this.state.kindRetention('deposit'));
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
      kyc_pending_logins: this.kyc.size,
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
    this.state.reconfigure(stateBounds(rules, touches));
    this.graph.reconfigure({ touchRetention: touches, edgeRetention: touches + exposureReach(rules), verdictLimit: fanInVerdictLimit(rules, this.graph.options.saturation), tracedLabels: exposureLabelsOf(rules.map((r) => r.spec)) });
    this.untracedLabels = new UntracedLabels(this.graph.options.tracedLabels);
    this.senderless.setRetention(this.state.kindRetention('deposit'));
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

  /**
   * `decode` with the clock read as `now`, for many messages: the options are built once, not
   * once a message (the monitor decodes each fetched batch with one clock reading).
   */
  decoderAt(now: number): (raw: string) => DecodeResult {
    const options: DecodeOptions = { ...this.decodeOptions, now: () => now };
    return (raw) => decodeMessage(raw, options);
  }

  /**
   * A retained exchange event read back from a checkpoint, which this state accepted once: the
   * session IP's form is not asked again, so a checkpoint written under `SESSION_IP_FORMAT=any`,
   * or by a release before the check (session 46), restores under `address` (the review found
   * one pseudonymous IP refused the whole checkpoint, and every older one, on an upgrade). Nor
   * are its identifiers judged for control characters (a check of session 47), nor its time against
   * the genesis block (session 63).
   */
  decodeStored(raw: string): DecodeResult {
    return decodeMessage(raw, { ...this.decodeOptions, ipFormat: 'any', refuseControlCharacters: false, refuseBeforeGenesis: false });
  }

  processDecoded(decoded: DecodeResult, raw: string, origin: Origin): ProcessResult {
    this.stats.read++;
    if (!decoded.ok) {
      this.stats.rejected++;
      return { alerts: [], deadLetter: { ...decoded.reject, origin, raw } };
    }
    // A schema read from a topic named for another (a login on the deposits topic) goes no further.
    const misplaced = origin.topic === undefined ? undefined : this.topicSchemas?.refusal(origin.topic, decoded.schema);
    if (misplaced !== undefined) {
      this.stats.rejected++;
      return { alerts: [], deadLetter: { code: 'TW_TOPIC', reason: misplaced.reason, issues: [{ path: 'schema', message: misplaced.message }], origin, raw } };
    }
    const event = decoded.event;
    const leapRefusal = this.leapRefusal(event, raw, origin);
    if (leapRefusal) return leapRefusal;
    this.stats.accepted++;
    if (this.seen.addIfNew(event.eventId, event.time)) {
      this.stats.duplicates++;
      // A dropped copy is not applied: its suspect fields were counted with the message it copies.
      return { alerts: [], event, duplicate: true };
    }
    const suspects = decoded.suspects === undefined ? undefined : { topic: origin.topic ?? suspectTopic(decoded.schema, event), fields: decoded.suspects };
    try {
      this.graph.tick(graphClockOf(event, this.graph.options.addressMemory));
      // The outcome object gains the event in place: a copy per message was garbage (same key order).
      const message = event.type === 'transfer' ? event.msg : undefined;
      const result: ProcessResult = this.apply(event);
      this.late.judgeHeldDue(this.state.newestTime, result.alerts);
      result.event = event;
      if (message !== undefined && event.type === 'transfer' && event.msg !== message) result.message = message;
      if (suspects !== undefined) result.suspects = suspects;
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
    const leaps = clock !== Number.NEGATIVE_INFINITY && event.time - clock > this.maxLeapMs;
    if (!leaps || this.clockSupport < CLOCK_SUPPORT || this.refusedLeaps >= CLOCK_SUPPORT) {
      // A leap over a clock few events support moves it (session 45 QA: one withdrawal dated
      // 100 days before the rest of a stream had every later line refused), as does one that
      // follows CLOCK_SUPPORT refused in a row (the stream goes on after a long gap).
      this.refusedLeaps = 0;
      if (leaps || clock === Number.NEGATIVE_INFINITY) this.clockSupport = 1;
      else if (event.time >= clock - this.maxLeapMs && this.clockSupport < CLOCK_SUPPORT) this.clockSupport++;
      if (event.time > clock) this.activityClock = event.time;
      return undefined;
    }
    this.stats.rejected++;
    this.refusedLeaps++;
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
        this.late.judgeLaterAgain(event, alerts);
        this.kyc.noteLogin(event);
        return { alerts };
      }
      case 'price':
        this.prices.add(event.asset, { time: event.time, source: event.source, price: event.price, observedAt: event.observedAt });
        return { alerts: [] };
      case 'transfer':
        return this.applyTransfer(event);
      case 'label': {
        if (this.untracedLabels.note(event.msg.label)) this.onUntracedLabel?.(event.msg.label);
        const changes = this.writer.applyLabel(event);
        return { alerts: this.reexaminer.reexamine(changes.flatMap((change) => labelWork(change, this.graph.id(event.key)))), changes };
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
    this.noteSenderless(event);
    // Read at or behind the newest event so far: later events of others may have missed it.
    const behind = event.time <= this.state.newestTime;
    this.state.add(event);
    // Read behind later events: judged with its account's history as event order had it at its time.
    const judge = (): Alert[] => this.engine.evaluate({ item: event });
    const alerts = behind ? this.state.withHistoryAsOf(event, judge) : judge();
    // A request read after its completion: judged first, as in event order, then settled, and
    // the account's later events judged again with the pairing event order gives.
    this.state.settleLateRequest(event);
    this.late.judgeLaterAgain(event, alerts);
    this.kyc.judgeOnKyc(event, alerts);
    if (this.engine.hasGraphRules) {
      if (behind) this.late.judgeLaterFundedAgain(event, outcome.counterpartyIds, alerts);
      this.late.judgeLaterTouchesAgain(event, outcome.counterpartyIds, alerts);
      this.late.judgeAsOfLaterMerges(event, outcome.counterpartyIds, alerts);
      this.late.judgeAsOfLaterLabels(event, outcome.counterpartyIds, alerts);
      this.crossings.judgeOnCrossing(event, outcome.counterpartyIds, alerts);
    }
    if (outcome.changes.length === 0) return { alerts };
    const forwarder = outcome.counterpartyIds[0]!;
    const work = this.countChanges(outcome.changes).map((change): Reexamination => ({ change, start: forwarder, direction: 'upstream' }));
    for (const alert of this.reexaminer.reexamine(work, event.eventId)) alerts.push(alert);
    if (this.engine.hasGraphRules) for (const { change, start } of work) this.crossings.judgeOnMerge(change, start, alerts);
    return { alerts, changes: [...outcome.changes] };
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
    const work = this.reexaminer.workOfChain(event, outcome, this.countChanges(outcome.changes));
    const alerts = this.reexaminer.reexamine(work);
    if (this.engine.hasGraphRules) for (const { change, start } of work) this.crossings.judgeOnMerge(change, start, alerts);
    this.learnLateSenders(event, alerts);
    return { alerts, changes: outcome.changes };
  }

  /**
   * A deposit the exchange sent with no sender (the contract allows it when unknown) whose chain
   * record the graph does not hold yet (applyTransfer found no sender by its txHash): noted by
   * transaction, so the record's arrival can name its sender (learnLateSenders). The index's
   * clock is the exchange's newest event time, as the deposits' retention is.
   */
  private noteSenderless(event: TransferEvent): void {
    const m = event.msg;
    if (m.kind === 'deposit' && event.from.length === 0 && m.txHash !== undefined) this.senderless.note(m.txHash, event.eventId, event.time);
    if (this.senderless.size > 0) this.senderless.advance(Math.max(event.time, this.state.newestTime));
  }

  /**
   * The deposits waiting on this chain record's transaction (noteSenderless) whose address it
   * pays learn their sender, as they would have had the record come first (GraphWriter
   * lateSender/applyLateSender, RuleState.learnSender), and are judged again through the late
   * paths (LateJudgement.judgeWithSenderLearned). A record of the transaction that pays another
   * address (another log of it) leaves them waiting. One map read when nothing waits on it.
   */
  private learnLateSenders(event: ChainEvent, alerts: Alert[]): void {
    const waiting = this.senderless.waitingOn(event.txHash);
    if (waiting === undefined) return;
    for (const { eventId, txHash } of [...waiting.deposits]) {
      const deposit = this.state.transfer(eventId);
      if (deposit === undefined || deposit.from.length > 0) {
        this.senderless.settle(txHash, eventId); // the state let it go, or it has a sender now
        continue;
      }
      const sender = this.writer.lateSender(deposit, txHash);
      if (sender === undefined) continue;
      this.senderless.settle(txHash, eventId);
      this.state.learnSender(deposit, this.graph.key(sender));
      this.writer.applyLateSender(deposit, sender, txHash);
      // The memo of the last trigger's counterparties may still hold the deposit's, none.
      rememberCounterpartyIds(this.graph, deposit, [sender]);
      this.stats.lateSenders++;
      this.late.judgeWithSenderLearned(deposit, [sender], alerts);
    }
  }

  /**
   * The verdicts still held (transfers judged again behind a late event, waiting for the stream
   * to read an hour past them), taken now: the end of a replay's input. A replay that leaves a
   * checkpoint to go on from does not call it (the checkpoint carries them).
   */
  releaseHeld(): Alert[] {
    const alerts: Alert[] = [];
    this.late.judgeAllHeld(alerts);
    return alerts;
  }

  /**
   * After a restore: each retained deposit sent with no sender (its message keeps its txHash:
   * RuleState `isSentWithoutSender`) takes its sender again from the chain data the restored
   * graph holds, as it had it before (the graph's touch and edge were restored with the graph),
   * or waits again for its chain record (noteSenderless). A checkpoint written before session 60
   * kept no txHash: its deposits stay senderless.
   */
  restoreSenders(): void {
    for (const [eventId, deposit] of this.state.checkpointParts().byEventId.deposit.entriesInOrder()) {
      const txHash = deposit.msg.txHash;
      if (txHash === undefined || deposit.from.length > 0 || !isSentWithoutSender(deposit.msg)) continue;
      const sender = this.writer.lateSender(deposit, txHash);
      if (sender !== undefined) this.state.learnSender(deposit, this.graph.key(sender));
      else this.senderless.note(txHash, eventId, deposit.time);
    }
    this.senderless.advance(this.state.newestTime);
  }

  /** The logins that wait for their account's first KYC record, for a checkpoint (a restore fills them in place). */
  checkpointKyc(): KycRejudgement {
    return this.kyc;
  }

  /** Transfers whose verdict is held, for a checkpoint (a restore fills it in place). */
  checkpointHeld(): HeldRejudgements {
    return this.late.held;
  }

  /** The eventId dedupe memory, for a checkpoint (a restore fills it in place). */
  checkpointDedupe(): IdWindow {
    return this.seen;
  }
}

/** The contract topic of a message read from a file (no topic of its own): a transfer's by its kind. */
function suspectTopic(schema: SchemaName, event: DecodedEvent): string {
  return topicFor({ schema, ...(event.type === 'transfer' ? { kind: event.msg.kind } : {}) }) ?? schema;
}
