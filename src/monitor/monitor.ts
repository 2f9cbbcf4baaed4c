/**
 * `tidewatch monitor`: the long-running service. This file wires its three parts together and
 * runs them on one serial work queue:
 *
 * - ordering (ordering.ts): each instance reads every partition of every input topic from the
 *   start (a private reader group) and applies messages in event-time order, each partition as a
 *   prefix in offset order, behind the reorder buffer's watermarks; with MONITOR_LATENESS_MS, a
 *   lateness stage (lateness-stage.ts) then puts each partition's own disorder in event order.
 * - slots (slots.ts, ownership.ts): the consumer group assigns the ownership topic's partitions;
 *   each is a slot whose outputs this instance publishes. A gained slot is fenced (an empty
 *   transaction on its transactional id) before its cursor is read.
 * - commit (commit.ts): per owned slot, one Kafka transaction publishes its outputs and moves its
 *   cursor, after its cases are written to the case store (idempotent by alertId). Commits run
 *   beside the next steps, one in flight per slot (flushSlots).
 *
 * Each step: apply the released messages; per owned slot with something to publish, commit. A
 * crash before a commit leaves the cursor where it was: on restart the messages are applied
 * again, give the same alert ids, the case writes are no-ops, and read_committed consumers of the
 * alert topic see each alert once.
 *
 * State: at start the monitor restores the newest usable checkpoint (checkpoints.ts) and reads
 * each input partition from the offset it covers; with none, it rebuilds from the earliest
 * offsets and logs how far back that reaches. While running, checkpointing.ts writes whole
 * checkpoints and journal segments, each right after every owned slot committed up to the applied position.
 *
 * The monitor constructs none of its stores: the composition root (src/cli) passes the Kafka
 * client, the case store, the checkpoint store and a pipeline factory. A failure it cannot recover from in memory
 * settles `fatal`; what happens then (exit, restart) is the caller's decision.
 */
import type { Logger } from 'pino';
import type { CaseStore } from '../cases/case-model.js';
import type { TimelineRecorder } from '../timeline/timeline-recorder.js';
import { ConfigError, latenessCutEveryMs, type Config } from '../config/config.js';
import type { LoadedRule } from '../engine/loader.js';
import type { RuleAuditSink } from '../engine/rule-audit.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import { ensureTopics, retryStartup, waitForTopics, type KafkaClient } from '../kafka/client.js';
import { isUndecodableBatch } from '../kafka/compression.js';
import { watchForTlsListener } from '../kafka/tls-probe.js';
import { allTopics, deadLetterTopicLimits, inputRetentionWarnings, topicSettings } from '../kafka/topics.js';
import { isUnknownTopic, missingOwnershipTopic } from '../kafka/topic-choice.js';
import { TopicSchemaCheck } from '../contract/topic-schemas.js';
import type { Metrics, Phase } from '../observability/metrics.js';
import type { Pipeline, ProcessResult } from '../pipeline/pipeline.js';
import { outcomeOf } from './applied-outcome.js';
import { committedCursor, readPartitionCount, topicOffsets, type PositionsWait } from './broker-positions.js';
import { NoWholeAnswer } from '../kafka/complete-answers.js';
import { groupCommit, publishedByEverySlot } from './group-offsets.js';
import { commitErrorKind, GroupCommitRounds } from './group-commit-rounds.js';
import { LateInputWatch } from './late-input.js';
import { SuspectFieldTally } from '../pipeline/suspect-field-tally.js';
import { FirstFeedWindow, type AssignedPartition } from './first-feed.js';
import type { StartFold } from './checkpoints.js';
import { Checkpointing } from './checkpointing.js';
import { RuleWatch } from './rule-watch.js';
import { ReadBalance } from './read-balance.js';
import { commitSlot, dueSlots, MAX_PENDING_OUTPUTS, planCommit, splitPending, type CommitPlan } from './commit.js';
import { HistoryHorizon } from './horizon.js';
import { FailingLooks, lookAtHighs, unreadAfter, type HighsLook } from './input-highs.js';
import { decodeBytes } from '../decode/encoding.js';
import { inInstantOrder, Ordering, type Fetched, type ReadHole, type FetchedBatch, type Step } from './ordering.js';
import type { Entry } from './event-time-buffer.js';
import { LatenessStage } from './lateness-stage.js';
import { toNextCut } from './lateness-step.js';
import { partitionKey, slotOfAccount, slotTransactionalId, type Cut, type Output } from './ownership.js';
import { SlotTable, type OwnedSlot } from './slots.js';
import { loadStartingState } from './starting-state.js';

type Producer = ReturnType<KafkaClient['producer']>;
type Consumer = ReturnType<KafkaClient['consumer']>;

export interface MonitorOptions {
  config: Config;
  /** Built by the composition root; the monitor creates its consumers, producers and admin from it. */
  kafka: KafkaClient;
  /** Where cases of owned slots are written before their alerts are published. */
  cases: CaseStore;
  /** Keeps the exchange events of accounts with a case (written before each publish, as cases are). */
  timeline?: TimelineRecorder;
  /** The case store's connection state, for /healthz. */
  caseStoreStatus?: () => string;
  /**
   * A fresh pipeline over the rules in force: at start, and for each re-read. `forRestore` asks
   * for one without the built-in labels, to restore a checkpoint into (it carries the labels in force).
   */
  createPipeline: (rules: LoadedRule[], forRestore?: boolean) => Pipeline;
  /** Where checkpoints are written and restored from; none: every start rebuilds from the earliest offsets. */
  checkpoints?: CheckpointStore;
  /** The group's other instances' checkpoint stores (read-only), tried at start when none of `checkpoints` is usable. */
  peerCheckpoints?: () => Promise<CheckpointStore[]>;
  /**
   * Folds the journal chain into a whole checkpoint away from this thread (CHECKPOINT_FOLD=worker):
   * whole checkpoints on the schedule are then folded and processing does not wait for them. None:
   * they are written from the live state, and processing waits.
   */
  foldCheckpoint?: StartFold;
  rules: LoadedRule[];
  rulesDir?: string;
  logger: Logger;
  metrics?: Metrics;
  instanceId: string;
  /** Where each rule set put in force, and each change refused, is recorded (the composition root's store). */
  ruleAudit?: RuleAuditSink;
  inputTopics: string[];
  alertTopic: string;
  /** The topic whose partitions are the publishing slots. @defaultValue the first input topic */
  ownershipTopic?: string;
  /** How often buffered messages are reconsidered when no batch arrives (ms). @defaultValue 200 */
  tickMs?: number;
  /**
   * How long (wall clock, ms) a fetched message may wait for quiet or empty partitions to pass its
   * event time. Within it, topics that lag each other still give exactly a file replay's alerts;
   * beyond it, late evidence re-examines. Partitions known to hold unread data always hold.
   * @defaultValue config MONITOR_HOLD_MS
   */
  holdMs?: number;
  /** How often a slot with nothing to publish still moves its cursor (ms). @defaultValue 1000 */
  cursorIntervalMs?: number;
  /** Most messages one step applies before it publishes and yields to the event loop. @defaultValue 2000 */
  maxStep?: number;
  /** Outputs kept per unowned slot before a later hand-over needs a full re-read. @defaultValue config MONITOR_UNOWNED_LOG_CAP (100 000) */
  unownedLogCap?: number;
}

/** Wall time one step of applying may hold the event loop (/healthz, heartbeats, fetches wait behind it). */
const STEP_TARGET_MS = 50;
/** The tick refreshes the input's high watermarks each second; past this without one, the watch does (see watchHighs). */
const HIGHS_STALE_MS = 2000;
/** How often the owner of slot 0 commits to the group what every slot has published (group-offsets.ts). */
const GROUP_OFFSETS_EVERY_MS = 5000;
const MIN_STEP = 32;

/**
 * The next step's size: doubled while steps take well under the target, halved when one takes
 * over twice it (cold code at start, a heavy stretch of input), within [MIN_STEP, maxStep]. A
 * step of 2,000 messages on a JIT-cold start held /healthz for about a second (session 33 QA).
 * Which messages a step holds changes nothing they decide: the buffer's order is the same.
 */
export function nextStepSize(size: number, applied: number, elapsedMs: number, maxStep: number): number {
  if (elapsedMs > 2 * STEP_TARGET_MS) return Math.max(MIN_STEP, Math.floor(size / 2));
  if (applied >= size && elapsedMs < STEP_TARGET_MS / 2) return Math.min(maxStep, size * 2);
  return size;
}

export class Monitor {
  private readonly kafka: KafkaClient;
  private readonly admin: ReturnType<KafkaClient['admin']>;
  private pipeline: Pipeline;
  /** The rules in force: those at start, or the last valid reload (a re-read keeps them). */
  private rules: LoadedRule[];
  private readonly ordering: Ordering;
  /** MONITOR_LATENESS_MS > 0: released messages wait here for their past within a partition (lateness-stage.ts). */
  private readonly lateness: LatenessStage<Entry<Fetched>> | undefined;
  private slots = new SlotTable<Producer>(0, 0);
  /** Each owned slot's commit in flight, if any (see flushSlots). */
  private readonly inflight = new Map<OwnedSlot<Producer>, Promise<void>>();
  /** The group's latest assignment, updated the moment it arrives (outside the work queue). */
  private assigned = new Set<number>();
  private member: Consumer | undefined;
  private reader: Consumer | undefined;
  private readerGeneration = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Which input partitions the reader fetches (read-balance.ts). */
  private readonly readBalance: ReadBalance;
  /** The current reader once it has handed over a batch (so it is running and can pause partitions). */
  private liveReader: Consumer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private highsTimer: NodeJS.Timeout | undefined;
  private groupOffsetsTimer: NodeJS.Timeout | undefined;
  private readonly groupCommits = new GroupCommitRounds();
  /** The rules in force: their gauge, audit and hot reload (rule-watch.ts). */
  private readonly ruleWatch: RuleWatch;
  private stopping = false;
  /** Settles when stop() is called: a start-up step still waiting on the brokers is given up. */
  private askStop!: () => void;
  private readonly stopAsked = new Promise<void>((resolve) => (this.askStop = resolve));
  /** The start under way or done (a stop waits for it to reach a step's end). */
  private startup: Promise<void> = Promise.resolve();
  /** The start reached its end: the reader runs, and a stop commits and checkpoints what was applied. */
  private running = false;
  private tickQueued = false;
  private lastPrune = 0;
  /** Exchange events applied more than a day behind the newest one: counted, and warned about once a minute per topic. */
  private readonly lateInput = new LateInputWatch(86_400_000, 60_000);
  /** Suspect fields of applied messages (src/decode/suspect-fields.ts), for their metric's bounded series and a warning once per series. */
  private readonly suspectFields = new SuspectFieldTally();
  /** A brand-new deployment's topics fed one after another: messages wait for the topics still to come (first-feed.ts). */
  private readonly firstFeed: FirstFeedWindow;
  private lastHighs = 0;
  /** Input topics whose high-watermark looks fail now (input-highs.ts): warned once per run. */
  private readonly failingLooks = new FailingLooks();
  /** Input partitions the broker has and the reader was not yet given (partitions added to a topic), with their record counts. */
  private unread = new Map<string, bigint>();
  private phase: Phase = 'starting';
  /** Where the reader starts each partition: the restored checkpoint's cut (absent: the earliest offset). */
  private startCut: Cut = new Map();
  /** How far the slot cursors had applied each partition when this state was loaded: applied first again (replay barrier). */
  private appliedBefore: Cut = new Map();
  private restoredFrom: string | undefined;
  /** Messages the restored state had read (0 for an opening checkpoint of a rebuild, or none restored). */
  private restoredRead = 0;
  private readerAssigned = false;
  private startedAt = Date.now();
  private readonly horizon = new HistoryHorizon();
  /** Each dead-letter topic's `max.message.bytes`, read at start: dead letters are cut to fit (an unknown one to the broker's default). */
  private deadLetterLimits = new Map<string, number>();
  /** Whole checkpoints, journal segments and folds (checkpointing.ts). */
  private readonly checkpointing: Checkpointing;
  private failure: Error | undefined;
  private reportFatal: (err: Error) => void = () => undefined;
  /**
   * Settles (with the cause) when the monitor has failed for good: a step failed after applying
   * messages, or a Kafka consumer crashed without restarting. The monitor then does no more work
   * and commits nothing; its caller should end the process so that a restart re-reads from the
   * slot cursors (crash-only). It never rejects, so an embedder that ignores it is not crashed.
   */
  readonly fatal: Promise<Error> = new Promise((resolve) => { this.reportFatal = resolve; });
  /** `bufferedPeak`: the most messages the reorder buffer has held at once (read-balance.ts bounds it); `readPauses`: input partitions it paused for that. */
  readonly stats = { applied: 0, alerts: 0, published: 0, commits: 0, resets: 0, slots: 0, bufferedPeak: 0, readPauses: 0 };

  constructor(private readonly options: MonitorOptions) {
    this.ordering = new Ordering(options.config.TOPIC_SCHEMA_CHECK === 'on' ? new TopicSchemaCheck() : undefined, options.config.DEDUPE_WINDOW_DAYS * 86_400_000, options.config.DEDUPE_MAX_IDS);
    this.kafka = options.kafka;
    this.admin = this.kafka.admin();
    this.rules = options.rules;
    this.pipeline = options.createPipeline(this.rules);
    this.readBalance = new ReadBalance(options.config.MONITOR_PARTITION_BUFFER, options.config.MONITOR_BUFFER_MAX);
    const latenessMs = options.config.MONITOR_LATENESS_MS;
    this.lateness = latenessMs > 0 ? new LatenessStage({ latenessMs, leapMs: options.config.EVENT_TIME_MAX_LEAP_DAYS * 86_400_000, cutEveryMs: latenessCutEveryMs(options.config) }) : undefined;
    this.firstFeed = new FirstFeedWindow({ capMs: options.config.MONITOR_FIRST_FEED_HOLD_MS, quietMs: options.config.MONITOR_FIRST_FEED_QUIET_MS, settleMs: options.holdMs ?? options.config.MONITOR_HOLD_MS });
    // Each checkpoint reads the state as it is then, and is written once every owned slot committed up to it.
    const source = { pipeline: () => this.pipeline, rules: () => this.rules, appliedCut: () => this.appliedCut(), appliedCount: () => this.stats.applied, failed: () => this.failure !== undefined, commitAll: () => this.flushSlots(true), held: () => this.lateness?.size ?? 0 };
    this.checkpointing = new Checkpointing({ store: options.checkpoints, foldCheckpoint: options.foldCheckpoint, config: options.config, group: this.groupId, logger: options.logger, metrics: options.metrics, source });
    const { rulesDir, ruleAudit, instanceId, logger, metrics } = options;
    this.ruleWatch = new RuleWatch({
      rulesDir, ruleAudit, instanceId, logger, metrics, current: () => this.rules,
      apply: (rules) => {
        this.rules = rules;
        this.pipeline.replaceRules(rules);
        this.checkpointing.rulesReplaced();
      },
    });
  }

  private get groupId(): string {
    return this.options.config.KAFKA_GROUP_ID;
  }

  /**
   * How long a read of broker positions waits for kafkajs' answer to be whole, each gap logged
   * (broker-positions.ts): a read after start-up (a reader assignment) up to
   * KAFKA_STARTUP_TIMEOUT_MS of its own.
   */
  private get positionsWait(): PositionsWait {
    const logger = this.options.logger;
    return { timeoutMs: this.options.config.KAFKA_STARTUP_TIMEOUT_MS, onRetry: (what, attempt, waitMs, gap) => logger.warn({ waitingFor: what, attempt, waitMs, gap }, 'waiting for a whole answer from the brokers (KAFKA_STARTUP_TIMEOUT_MS bounds the wait)') };
  }

  /**
   * One wait shared by the reads of one start (partition count, offset ranges, every slot cursor),
   * or of one start over (reread): all of them end by `deadline` (a start's: KAFKA_STARTUP_TIMEOUT_MS
   * after it began; a start over's: that long from now), not each one in turn.
   */
  private sharedPositionsWait(deadline = Date.now() + this.options.config.KAFKA_STARTUP_TIMEOUT_MS): PositionsWait {
    return { ...this.positionsWait, deadline };
  }

  /**
   * Runs one step of the start under its one deadline. An error other than a configuration refusal
   * names the step, and, when the deadline has passed and `ranOut` says the error is the wait's
   * end, that KAFKA_STARTUP_TIMEOUT_MS, the limit of the whole start, ran out there.
   */
  private async startupStep<T>(step: string, deadline: number, run: () => Promise<T>, ranOut: (err: unknown) => boolean = () => true): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      const limit = this.options.config.KAFKA_STARTUP_TIMEOUT_MS;
      if (Date.now() >= deadline && ranOut(err)) throw new Error(`start-up ran out of KAFKA_STARTUP_TIMEOUT_MS (${limit} ms, one limit for the whole start-up) while ${step}: ${message}`, { cause: err });
      throw new Error(`start-up failed while ${step}: ${message}`, { cause: err });
    }
  }

  private get ownershipTopic(): string {
    return this.options.ownershipTopic ?? this.options.inputTopics[0]!;
  }

  /**
   * Resolves once the monitor reads and holds its group membership; rejects if it could not get
   * there. A stop asked for meanwhile ends it early, between two of its steps, and resolves it.
   */
  start(): Promise<void> {
    this.startup = this.startSteps();
    return this.startup;
  }

  private async startSteps(): Promise<void> {
    const { config, inputTopics, logger } = this.options;
    this.startedAt = Date.now();
    this.serveHealth();
    // One deadline for every step that waits on the brokers (topic creation, topic leaders, the
    // position reads): each had KAFKA_STARTUP_TIMEOUT_MS of its own, so a start could take about
    // three times it. Restoring a checkpoint and joining the group come after and are not bounded by it.
    const deadline = Date.now() + config.KAFKA_STARTUP_TIMEOUT_MS;
    await this.prepareTopics(deadline);
    if (this.stopping) return;
    const startupWait = this.sharedPositionsWait(deadline);
    const partitions = await this.startupStep('reading the ownership topic\'s partitions', deadline, () => this.partitionCount(this.ownershipTopic, startupWait), (err) => err instanceof NoWholeAnswer);
    this.slots = new SlotTable(partitions, this.options.unownedLogCap ?? config.MONITOR_UNOWNED_LOG_CAP);
    await this.startupStep('reading the input offsets and the slot cursors (then restoring the state)', deadline, () => this.loadState(startupWait), (err) => err instanceof NoWholeAnswer);
    if (this.stopping) return;
    await this.joinGroup();
    if (this.stopping) return;
    await this.enqueue(() => this.startReader());
    if (this.failure) throw this.failure;
    this.running = true;
    this.ruleWatch.start();
    this.startTicking();
    this.watchHighs();
    this.commitGroupOffsets();
    logger.info({ groupId: this.groupId, topics: inputTopics.length, slots: this.slots.count, ownershipTopic: this.ownershipTopic }, 'monitor started');
  }

  /**
   * Creates the missing topics with the retention the design needs (kafka/topics.ts), then waits,
   * with backoff and bounded by KAFKA_STARTUP_TIMEOUT_MS, until every partition has a leader that
   * answers: a broker that has just created a topic briefly answers "not the leader".
   */
  private async prepareTopics(deadline: number): Promise<void> {
    const { config, inputTopics, alertTopic, logger } = this.options;
    const topics = { inputs: inputTopics, alerts: alertTopic };
    const waitOptions = { timeoutMs: config.KAFKA_STARTUP_TIMEOUT_MS, deadline, stopped: () => this.stopping, abandon: this.stopAsked, tlsGiven: { ca: Boolean(config.KAFKA_SSL_CA_FILE), cert: Boolean(config.KAFKA_SSL_CERT_FILE) }, onRetry: (attempt: number, waitMs: number, reason: string) => logger.warn({ attempt, waitMs, reason, ...connectionHint(config, reason) }, 'waiting for topic leaders before starting') };
    // The client retries an unreachable broker itself for most of a minute before a step fails:
    // said at once and every 10 s, so a wrong KAFKA_BROKERS is not half a minute of silence (QA).
    logger.info({ brokers: config.KAFKA_BROKERS }, 'connecting to the brokers');
    const started = Date.now();
    const connecting = setInterval(() => logger.warn({ brokers: config.KAFKA_BROKERS, waitedSeconds: Math.round((Date.now() - started) / 1000) }, 'still connecting to the brokers (KAFKA_BROKERS)'), 10_000);
    connecting.unref();
    // Without KAFKA_SSL, a TLS listener answers nothing kafkajs understands and it retries: a step
    // still under way after a second has the brokers probed for TLS, to stop at once naming KAFKA_SSL.
    const tlsListener = config.KAFKA_SSL ? undefined : watchForTlsListener(config.KAFKA_BROKERS.split(','), 1000, 5000, (message) => logger.warn(message));
    try {
      await this.startupStep(`creating the topics (the brokers at KAFKA_BROKERS=${config.KAFKA_BROKERS} did not answer)`, deadline, () => retryStartup(() => ensureTopics(this.kafka, allTopics(topics), config.KAFKA_TOPIC_PARTITIONS, config.KAFKA_TOPIC_REPLICATION, topicSettings(config, topics)), { ...waitOptions, ...(tlsListener ? { refusal: tlsListener.refusal } : {}) }));
    } finally {
      clearInterval(connecting);
      tlsListener?.cancel();
    }
    if (this.stopping) return;
    await this.admin.connect();
    await this.startupStep('waiting for every topic partition to have a leader that answers', deadline, () => waitForTopics(this.admin, allTopics(topics), waitOptions));
    const warnings = await inputRetentionWarnings(this.admin, config, inputTopics).catch((err: Error) => [`the input topics' retention could not be read: ${err.message}`]);
    for (const w of warnings) logger.warn(w);
    this.deadLetterLimits = await deadLetterTopicLimits(this.admin, inputTopics).catch((err: Error) => {
      logger.warn({ err: err.message }, "the dead-letter topics' max.message.bytes could not be read: dead letters are cut to fit the broker's default");
      return new Map<string, number>();
    });
  }

  /**
   * The state to start from: the newest usable checkpoint (the reader then starts each partition
   * at the offset it covers), or a fresh pipeline that rebuilds from the earliest offsets, with
   * how far back that reaches logged.
   */
  private async loadState(positionsWait: PositionsWait): Promise<void> {
    const { logger, inputTopics, metrics } = this.options;
    this.horizon.clear();
    await this.checkpointing.cancelFold(); // a state loaded anew starts its own chain
    if (this.options.checkpoints) this.setPhase('restoring');
    const state = await loadStartingState({
      admin: this.admin, group: this.groupId, slotCount: this.slots.count, inputTopics, rules: this.rules, logger, positionsWait,
      createPipeline: (forRestore) => this.options.createPipeline(this.rules, forRestore),
      ...(this.options.checkpoints ? { store: this.options.checkpoints } : {}),
      ...(this.options.peerCheckpoints ? { peers: this.options.peerCheckpoints } : {}),
      ...(metrics ? { metrics } : {}),
    });
    this.pipeline = state.pipeline;
    this.startCut = state.cut;
    this.appliedBefore = state.appliedBefore;
    this.restoredFrom = state.restoredFrom;
    this.restoredRead = state.restoredFrom === undefined ? 0 : state.pipeline.stats.read;
    for (const [pk, low] of state.rebuilt) this.horizon.expect(pk, low);
    this.slots.resetForReread(this.startCut);
    // Our own chain goes on; a rebuilt state opens one at once (a whole checkpoint at the earliest offsets).
    await this.checkpointing.stateLoaded(state);
    this.setPhase('catching-up');
  }

  private setPhase(phase: Phase): void {
    this.phase = phase;
    this.options.metrics?.setPhase(phase);
  }

  /**
   * Membership only: the group hands out the ownership topic's partitions as slots. The consumer
   * stays paused (it heartbeats while paused); the reader does the reading.
   */
  private async joinGroup(): Promise<void> {
    const { config, logger } = this.options;
    const topic = this.ownershipTopic;
    // Paused for good, the member's loop sleeps `maxWaitTimeInMs` between looks, and leaving the
    // group waits for that sleep: at kafkajs's 5 s default a stop waited about 4 s here.
    const member = this.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false, sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS, heartbeatInterval: Math.min(3000, Math.floor(config.KAFKA_SESSION_TIMEOUT_MS / 3)), maxWaitTimeInMs: config.KAFKA_FETCH_MAX_WAIT_MS });
    this.member = member;
    member.on(member.events.GROUP_JOIN, (e) => {
      const slots = (e.payload.memberAssignment as Record<string, number[]>)[topic] ?? [];
      this.assigned = new Set(slots);
      logger.info({ slots }, 'slots assigned');
      // A start cut short by a stop takes no slot: fencing one would end another owner's open transaction for nothing.
      void this.enqueue(() => (this.stopping && !this.running ? undefined : this.reassign()));
    });
    this.failOnFatalCrash(member, 'membership consumer');
    await member.connect();
    await member.subscribe({ topics: [topic] });
    await member.run({ autoCommit: false, eachBatch: async () => { member.pause([{ topic }]); } });
    member.pause([{ topic }]);
  }

  /** At most one tick waits in the queue: ticks must never pile up in front of incoming batches. */
  private startTicking(): void {
    this.timer = setInterval(() => {
      if (this.tickQueued) return;
      this.tickQueued = true;
      void this.enqueue(async () => {
        this.tickQueued = false;
        await this.tick();
      });
    }, this.options.tickMs ?? 200);
  }

  private serveHealth(): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    metrics.health = () => ({
      phase: this.phase,
      ...this.stats,
      slots: this.slots.ownedNumbers(),
      slotLag: this.slotLags(),
      buffered: this.ordering.size,
      pausedPartitions: this.readBalance.pausedPartitions,
      firstFeed: this.firstFeed.status(Date.now()),
      ...(this.options.caseStoreStatus ? { redis: this.options.caseStoreStatus() } : {}),
    });
    // The pipeline is replaced on a re-read: read it at each scrape, never hold the old one.
    metrics.stateSizes = () => this.pipeline.stateSizes();
    metrics.readiness = () => this.readiness();
    metrics.slotLags = () => this.slotLags();
    metrics.partitionLags = () => this.ordering.partitionLags();
    metrics.healthy = true;
    metrics.setPhase(this.phase);
  }

  /**
   * Ready: the state is restored or rebuilt, the reader holds every input partition, and the
   * applied position is within MONITOR_READY_MAX_LAG messages of the ends the monitor last saw
   * (refreshed at least every second).
   */
  private readiness(): { ready: boolean } & Record<string, unknown> {
    const behind = this.behind();
    const maxLag = this.options.config.MONITOR_READY_MAX_LAG;
    // Alerts reach the alert topic only after their cases are written: without the case store
    // nothing is published, so the monitor is not ready however far it has read.
    const caseStore = this.options.caseStoreStatus?.();
    const ready = !this.stopping && this.phase !== 'restoring' && this.phase !== 'starting' && behind !== null && behind <= maxLag && (caseStore === undefined || caseStore === 'ready');
    return { ready, phase: this.phase, behind, maxLag, restoredFrom: this.restoredFrom ?? null, ...(this.firstFeed.holding ? { firstFeed: 'holding' } : {}), ...(caseStore !== undefined ? { redis: caseStore } : {}) };
  }

  /**
   * Input messages on the broker not yet applied: past the applied position, plus the records of
   * partitions the reader has not been given yet; null until the reader holds its partitions.
   * One figure for /readyz, the phase and `tidewatch_input_behind_messages` (they disagreed for
   * a moment, session 33 QA: the gauge left out the partitions not yet given).
   */
  private behind(): number | null {
    if (!this.readerAssigned) return null;
    let owed = 0n;
    for (const n of this.unread.values()) owed += n;
    return Number(this.ordering.behind(this.appliedCut()) + owed);
  }

  /** Each owned slot's cursor lag: input messages on the broker past its committed cursor. */
  private slotLags(): Record<string, number> {
    return Object.fromEntries(this.slots.ownedSlots().map((o) => [String(o.slot), Number(this.ordering.behind(o.cursor))]));
  }

  /** Whether the start has settled (restored or rebuilt its state), and the checkpoint it restored. */
  startedFrom(): { settled: boolean; restoredFrom: string | undefined; restoredRead: number } {
    return { settled: this.phase !== 'starting' && this.phase !== 'restoring', restoredFrom: this.restoredFrom, restoredRead: this.restoredRead };
  }

  /** What a stop under way may be waiting for (logged while it takes long). */
  stopState(): Record<string, unknown> {
    return { phase: this.phase, ...(this.options.caseStoreStatus ? { redis: this.options.caseStoreStatus() } : {}) };
  }

  /** Notes the first time the monitor is caught up after a start: the restart-to-caught-up time. */
  private noteCaughtUp(): void {
    const behind = this.behind();
    if (this.phase !== 'catching-up' || behind === null || behind > this.options.config.MONITOR_READY_MAX_LAG) return;
    this.setPhase('ready');
    this.options.logger.info({ seconds: Math.round((Date.now() - this.startedAt) / 100) / 10, applied: this.stats.applied, behind, restoredFrom: this.restoredFrom ?? null, maxLag: this.options.config.MONITOR_READY_MAX_LAG }, behind === 0 ? 'caught up' : 'caught up to within MONITOR_READY_MAX_LAG (ready)');
  }

  /**
   * kafkajs restarts a consumer after a retriable crash (logged); any other crash is fatal, and so
   * is a batch that cannot be decompressed, which every restart would fetch and fail on again.
   */
  private failOnFatalCrash(consumer: Consumer, role: string): void {
    consumer.on(consumer.events.CRASH, (e) => {
      if (this.stopping) return;
      if (isUndecodableBatch(e.payload.error)) return this.fail(e.payload.error, `kafka ${role} fetched an input batch it cannot decode`);
      if (e.payload.restart) return this.options.logger.warn({ err: e.payload.error.message }, `kafka ${role} crashed; kafkajs restarts it`);
      this.fail(e.payload.error, `kafka ${role} crashed and will not restart`);
    });
  }

  /** Stops all further work (nothing more is applied or committed) and reports the cause once. */
  private fail(err: Error, what: string): void {
    if (this.failure) return;
    this.failure = err;
    this.stopping = true;
    clearInterval(this.timer);
    clearInterval(this.highsTimer);
    clearInterval(this.groupOffsetsTimer);
    this.setPhase('failed');
    if (this.options.metrics) this.options.metrics.healthy = false;
    this.options.logger.fatal({ err: err.message }, `${what}; a restart re-reads from the slot cursors`);
    this.reportFatal(err);
  }

  private async partitionCount(topic: string, wait: PositionsWait): Promise<number> {
    // The leaders were awaited in prepareTopics, but the client's metadata may still lack the topic: read until whole.
    try {
      return await readPartitionCount(this.admin, topic, wait);
    } catch (err) {
      // Only an ownership topic outside the ones prepareTopics created can be missing.
      if (isUnknownTopic(err)) throw new ConfigError(`invalid configuration: ${missingOwnershipTopic(topic, this.options.inputTopics)}`);
      throw err;
    }
  }

  /**
   * Serialises all work: batches, ticks, hand-overs and the final flush never interleave. A step
   * that fails after applying messages cannot be retried safely in memory (the pipeline has seen
   * their eventIds), so it is fatal and nothing runs after it: crash-only, which is the path the
   * SIGKILL tests exercise.
   */
  private enqueue(task: () => Promise<void> | void): Promise<void> {
    this.queue = this.queue
      .then(() => (this.failure ? undefined : task()))
      .catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err)), 'monitor step failed'));
    return this.queue;
  }

  // ---- reading ---------------------------------------------------------------------------------

  /**
   * A private group of one member reads every input partition: from the restored checkpoint's
   * offset, or from the earliest one. Each assignment seeks every partition to where this
   * instance stands, so a reader rejoin never re-reads from the earliest offset.
   */
  private async startReader(): Promise<void> {
    const generation = ++this.readerGeneration;
    // A fetch long-polls the brokers for at most KAFKA_FETCH_MAX_WAIT_MS when no partition has
    // anything new (data returns at once), and a stop waits for the fetch in flight.
    // Metadata every 30 s (kafkajs' default is 5 min): a partition added to an input topic is read that much sooner.
    const reader = this.kafka.consumer({ groupId: `${this.groupId}.reader.${this.options.instanceId}.${Date.now()}.${generation}`, allowAutoTopicCreation: false, readUncommitted: false, sessionTimeout: 30_000, maxWaitTimeInMs: this.options.config.KAFKA_FETCH_MAX_WAIT_MS, maxBytesPerPartition: this.options.config.KAFKA_FETCH_PARTITION_BYTES, maxBytes: this.options.config.KAFKA_FETCH_MAX_BYTES, metadataMaxAge: 30_000 });
    this.reader = reader;
    // The reader before it took its pauses with it.
    this.liveReader = undefined;
    this.readBalance.reset();
    const current = (): boolean => generation === this.readerGeneration;
    reader.on(reader.events.GROUP_JOIN, (e) => {
      if (!current()) return;
      const assignment = e.payload.memberAssignment as Record<string, number[]>;
      // A rejoin starts with every partition fetched; the next release pauses again what is far ahead.
      try { this.readBalance.reset(this.liveReader === reader ? reader : undefined); } catch { this.readBalance.reset(); }
      this.seekReader(reader, assignment);
      void this.enqueue(() => (current() ? this.onReaderAssignment(assignment) : undefined));
    });
    // A batch of transaction markers or aborted records only reaches no handler; its end does.
    reader.on(reader.events.END_BATCH_PROCESS, ({ payload }) => {
      if (!current() || payload.batchSize > 0) return;
      const { topic, partition, lastOffset } = payload;
      void this.enqueue(async () => {
        if (!current() || this.ordering.position(partitionKey(topic, partition)) === undefined) return;
        this.ordering.advance(topic, partition, BigInt(lastOffset) + 1n);
        await this.release();
      });
    });
    this.failOnFatalCrash(reader, 'reader');
    await reader.connect();
    await reader.subscribe({ topics: this.options.inputTopics, fromBeginning: true });
    await reader.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        if (current()) this.liveReader = reader; // running: it can pause partitions
        await this.enqueue(() => (current() ? this.accept(batch) : undefined));
        await heartbeat();
      },
    });
  }

  private seekReader(reader: Consumer, assignment: Record<string, number[]>): void {
    for (const [topic, parts] of Object.entries(assignment)) {
      for (const partition of parts) {
        const pk = partitionKey(topic, partition);
        const at = this.ordering.position(pk) ?? this.startCut.get(pk);
        if (at !== undefined) reader.seek({ topic, partition, offset: at.toString() });
      }
    }
  }

  private async onReaderAssignment(assignment: Record<string, number[]>): Promise<void> {
    const given: AssignedPartition[] = [];
    for (const [topic, parts] of Object.entries(assignment)) {
      const offsets = await topicOffsets(this.admin, topic, parts, this.positionsWait);
      for (const p of parts) {
        const o = offsets.find((x) => x.partition === p);
        const low = BigInt(o?.low ?? '0');
        const pk = partitionKey(topic, p);
        const from = this.startCut.get(pk);
        // Checked against the broker at restore; retention running in between would leave a hole.
        if (from !== undefined && from < low) throw new Error(`records of ${pk} from offset ${from}, past the restored checkpoint, were deleted before they were read (earliest is ${low}); a restart uses an older checkpoint or rebuilds`);
        this.ordering.register(topic, p, from ?? low, BigInt(o?.high ?? '0'), this.appliedBefore.get(pk));
        given.push({ topic, partition: p, high: BigInt(o?.high ?? '0') });
      }
    }
    this.armFirstFeed(given);
    this.readerAssigned = true;
    this.noteCaughtUp();
  }

  private async accept(batch: FetchedBatch): Promise<void> {
    this.reportHorizon(batch);
    const now = Date.now();
    this.firstFeed.sawHigh(batch.topic, batch.partition, BigInt(batch.highWatermark), now);
    const holes: ReadHole[] = [];
    const added = this.ordering.accept(batch, this.pipeline.decoderAt(now), now, holes);
    if (added > 0) this.lateness?.fetched(now);
    if (this.ordering.size > this.stats.bufferedPeak) this.stats.bufferedPeak = this.ordering.size;
    for (const h of holes) {
      this.options.metrics?.recordsLost.inc({ topic: h.topic }, Number(h.to - h.from));
      this.options.logger.error({ topic: h.topic, partition: h.partition, fromOffset: h.from.toString(), toOffset: h.to.toString(), records: Number(h.to - h.from) }, 'input records were deleted before they were read (retention or deleteRecords while the monitor lagged): they are lost to the state and their alerts are not raised; replay them from an archive, or raise the input retention');
    }
    this.options.metrics?.consumed.inc({ topic: batch.topic }, added);
    await this.release();
  }

  /** The first batch of a partition rebuilt from its earliest offset says how far back the state reaches. */
  private reportHorizon(batch: FetchedBatch): void {
    const pk = partitionKey(batch.topic, batch.partition);
    const first = batch.messages[0];
    if (first === undefined || !this.horizon.awaits(pk)) return;
    // Decoded once more, once per partition: its event time is what the rules' windows read.
    const decoded = first.value ? decodeBytes(first.value, (raw) => this.pipeline.decode(raw)).decoded : undefined;
    const seen = this.horizon.observe(batch.topic, batch.partition, pk, first, decoded?.ok ? decoded.event.time : undefined);
    if (!seen) return;
    this.options.metrics?.earliestRecordTime.set({ topic: seen.topic, partition: String(seen.partition) }, Number(first.timestamp) / 1000);
    this.options.logger.warn(seen, seen.historyDeleted ? 'rebuilding from partial history: records before this one were deleted' : 'rebuilding from the first record of the partition');
  }

  private async tick(): Promise<void> {
    if (this.stopping) return;
    // Batches bring high watermarks only for the partitions they come from: refresh them all at
    // least every second (readiness, the lag figures), and in between, while messages wait, those
    // of topics with a partition that looks caught up, so a partition with unread data never
    // looks caught up. The others owe data under any fresher watermark: reading them each tick
    // cost a metadata and two offset requests a topic (kafkajs' admin keeps no metadata).
    if (Date.now() - this.lastHighs >= 1000) await this.refreshHighs();
    else if (this.ordering.size > 0) await this.refreshHighsOf(this.ordering.topicsAtHigh());
    this.closeFirstFeedIfDue(Date.now());
    this.options.metrics?.firstFeedHolding.set(this.firstFeed.holding ? 1 : 0);
    if (this.ordering.size > 0 || (this.lateness?.size ?? 0) > 0) await this.release();
    await this.flushSlots(false);
    await this.checkpointing.checkpointIfDue();
    this.noteCaughtUp();
    if (Date.now() - this.lastPrune > 30_000) await this.pruneUnowned();
    for (const w of this.lateInput.due(Date.now())) this.options.logger.warn(w, 'exchange events of this topic arrive more than a day behind the newest exchange event (a lagging topic or producer): what they read of other accounts\' state may have expired, so alerts that depend on them are weaker; see tidewatch_late_exchange_events_total');
  }

  /** The refresh of the input's high watermarks under way, if one is (shared by the tick and the watch). */
  private highsRefresh: Promise<void> | undefined;

  /** Reads every input partition's high watermark (one refresh at a time: a second caller waits for it). */
  private refreshHighs(): Promise<void> {
    this.highsRefresh ??= this.readHighs().finally(() => { this.highsRefresh = undefined; });
    return this.highsRefresh;
  }

  /** Reads the high watermarks of these topics' partitions only (waits instead for a refresh under way). */
  private refreshHighsOf(topics: Set<string>): Promise<void> {
    if (this.highsRefresh) return this.highsRefresh;
    if (topics.size === 0) return Promise.resolve();
    this.highsRefresh = this.readHighsOf(topics).finally(() => { this.highsRefresh = undefined; });
    return this.highsRefresh;
  }

  private async readHighsOf(topics: Set<string>): Promise<void> {
    const look = await lookAtHighs(this.admin, topics, this.knownPartitions());
    for (const p of look.read) {
      this.ordering.setHigh(p.topic, p.partition, p.high);
      this.firstFeed.sawHigh(p.topic, p.partition, p.high, Date.now());
    }
    this.tellFailedLooks(look);
  }

  private async readHighs(): Promise<void> {
    this.lastHighs = Date.now();
    const look = await lookAtHighs(this.admin, this.options.inputTopics, this.knownPartitions());
    // A partition added to an input topic reaches the reader only at its next metadata refresh:
    // until then its records count as owed, so the monitor is not ready (it said ready with
    // nothing behind, QA). A topic whose look failed keeps what the last good look owed.
    const notGiven = (pk: string): boolean => this.readerAssigned && this.ordering.position(pk) === undefined;
    const unread = unreadAfter(this.unread, look, notGiven);
    for (const p of look.read) {
      this.firstFeed.sawHigh(p.topic, p.partition, p.high, Date.now());
      if (!unread.has(partitionKey(p.topic, p.partition))) this.ordering.setHigh(p.topic, p.partition, p.high);
    }
    for (const pk of unread.keys()) if (!this.unread.has(pk)) this.options.logger.warn({ partition: pk }, 'an input partition the reader has not been given yet (added to the topic?): it is read once the reader refreshes its metadata');
    this.unread = unread;
    this.tellFailedLooks(look);
  }

  /** The partitions of each input topic the monitor knows exist (the reader's, and those not given it yet): a look must answer each. */
  private knownPartitions(): (topic: string) => number[] {
    const known = new Map<string, number[]>();
    const add = (topic: string, partition: number): void => { known.set(topic, [...(known.get(topic) ?? []), partition]); };
    for (const p of this.ordering.partitionLags()) add(p.topic, p.partition);
    for (const pk of this.unread.keys()) add(pk.slice(0, pk.lastIndexOf('/')), Number(pk.slice(pk.lastIndexOf('/') + 1)));
    return (topic) => known.get(topic) ?? [];
  }

  /** Counts each topic whose look failed, warns once per run of failures, and tells when its looks answer again. */
  private tellFailedLooks(look: HighsLook): void {
    const { logger, metrics } = this.options;
    for (const f of look.failed) metrics?.highWatermarkReadFailures.inc({ topic: f.topic });
    const { first, recovered } = this.failingLooks.note(look);
    for (const f of first) logger.warn({ topic: f.topic, reason: f.reason }, 'could not read the input topic\'s high watermarks: /readyz\'s behind and the lag figures keep the last good read until a look answers (tried again each second; counted in tidewatch_high_watermark_read_failures_total)');
    for (const f of look.failed) if (!first.includes(f)) logger.debug({ topic: f.topic, reason: f.reason }, 'the input topic\'s high watermarks still cannot be read');
    for (const topic of recovered) logger.info({ topic }, 'the input topic\'s high watermarks are read again');
  }

  /**
   * Refreshes the high watermarks outside the work queue when the tick has not for HIGHS_STALE_MS:
   * work that waits on Redis or Kafka (a publish during an outage) holds the queue, and with it the
   * tick, so `/readyz`'s `behind` and the lag gauges froze at what had been fetched while the input
   * grew (session 41 QA: 9,800 shown for more than 25 s with 16,800 outstanding). A fresher high
   * only makes the reorder buffer hold more back, never release out of order.
   */
  private watchHighs(): void {
    this.highsTimer = setInterval(() => {
      if (this.stopping || !this.readerAssigned || Date.now() - this.lastHighs < HIGHS_STALE_MS) return;
      void this.refreshHighs().catch((err: Error) => this.options.logger.warn({ err: err.message }, 'could not read the input\'s high watermarks (the lag figures wait for the next try)'));
    }, HIGHS_STALE_MS);
    this.highsTimer.unref();
  }

  /**
   * The owner of slot 0 commits to the group (KAFKA_GROUP_ID) what every slot has published, so
   * `kafka-consumer-groups --describe --group <group>` shows offsets and lag (group-offsets.ts).
   * One round at a time, never backwards, a refusal told once per kind (group-commit-rounds.ts).
   */
  private commitGroupOffsets(): void {
    this.groupOffsetsTimer = setInterval(() => {
      if (this.stopping || !this.running || !this.slots.ownedNumbers().includes(0)) return;
      if (!this.groupCommits.begin()) {
        this.options.logger.debug('the previous group offsets commit is still under way (round skipped)');
        return;
      }
      void this.commitGroupRound().finally(() => this.groupCommits.end());
    }, GROUP_OFFSETS_EVERY_MS);
    this.groupOffsetsTimer.unref();
  }

  private async commitGroupRound(): Promise<void> {
    const { logger } = this.options;
    try {
      const cursors = await Promise.all(Array.from({ length: this.slots.count }, (_, s) => this.readCursor(s)));
      const cut = this.groupCommits.committable(publishedByEverySlot(cursors));
      if (cut.size === 0 || this.stopping || !this.member) return;
      await this.member.commitOffsets(groupCommit(cut));
      if (this.groupCommits.committedNow(cut)) logger.info({ groupId: this.groupId }, 'the group\'s offsets are committed again');
    } catch (err) {
      const kind = commitErrorKind(err);
      const message = (err as Error).message;
      if (this.groupCommits.failed(kind) === 'warn') logger.warn({ groupId: this.groupId, kind, err: message }, 'the broker refused the group\'s offsets: kafka-consumer-groups shows stale offsets and lag until a commit succeeds (told once per kind; retried every round)');
      else logger.debug({ kind, err: message }, 'could not commit the group\'s offsets (next round)');
    }
  }

  // ---- applying and publishing -----------------------------------------------------------------

  /** Applies every step the reorder buffer lets go now, then rebalances the reader's fetches (read-balance.ts). */
  private async release(): Promise<void> {
    await this.releaseSteps();
    this.balanceReads();
  }

  private get holdMs(): number {
    return this.options.holdMs ?? this.options.config.MONITOR_HOLD_MS;
  }

  private async releaseSteps(): Promise<void> {
    await this.releaseOrdered();
    // A quiet input (nothing fetched for the hold): what the lateness stage holds is all due.
    if (!this.stopping && this.ordering.size === 0 && this.lateness?.quiet(Date.now(), this.holdMs)) {
      await this.releaseHeld();
      await this.checkpointing.checkpointIfDue();
    }
  }

  /** Applies everything the lateness stage holds, in event order (a quiet input: the only release the wall clock decides). */
  private async releaseHeld(): Promise<void> {
    const held = this.lateness?.releaseAll() ?? [];
    if (held.length === 0) return;
    this.options.logger.debug({ messages: held.length }, 'the input is quiet: the lateness stage applies every message it held');
    await this.applyStep(inInstantOrder(held));
  }

  /**
   * Applies a step the reorder buffer released: as it is, or through the lateness stage (only what
   * is due there then), a piece at a time, with a checkpoint when one is due at each of the stage's
   * cut points, where it is empty (lateness-stage.ts: a stream never quiet is checkpointed too).
   */
  private async applyStaged(step: Step): Promise<void> {
    const stage = this.lateness;
    if (!stage) return this.applyStep(step);
    for (let from = 0; ; ) {
      // Taken from the reorder buffer: the applied cut waits at the stage's low water (appliedCut).
      const piece = toNextCut(stage, this.ordering, step, from);
      await this.applyStep(piece.released);
      from = piece.next;
      if (piece.cut) await this.checkpointing.checkpointIfDue();
      if (from >= step.length) return;
    }
  }

  /** The applied prefix of every partition, what slot cursors and checkpoints record: behind the messages the lateness stage holds. */
  private appliedCut(): Cut {
    const cut = this.ordering.appliedCut();
    return this.lateness ? this.lateness.appliedCut(cut) : cut;
  }

  private async releaseOrdered(): Promise<void> {
    const maxStep = this.options.maxStep ?? 2000;
    const baseHoldMs = this.holdMs;
    for (let steps = 0; this.ordering.size > 0; steps++) {
      if (steps > 0) await new Promise((r) => setImmediate(r)); // let heartbeats and fetches run between steps
      // A stop (or a fatal failure) ends the release after the step in hand: a stop asked during a
      // catch-up applied the whole reorder buffer first (session 51 QA: 10,572 messages, 6.8 s).
      if (this.stopping) return;
      const size = Math.min(this.stepSize, maxStep);
      const now = Date.now();
      const step = this.ordering.next(size, now, this.holdAt(now, baseHoldMs));
      if (step.length === 0) return;
      const started = performance.now();
      await this.applyStaged(step);
      this.stepSize = nextStepSize(size, step.length, performance.now() - started, maxStep);
      await this.checkpointing.checkpointIfDue();
      if (step.length < size) return;
    }
  }

  /** The hold for a step at `now`: unbounded while the first-feed window holds (closing it, and saying why, once an end is reached). */
  private holdAt(now: number, holdMs: number): number {
    this.closeFirstFeedIfDue(now);
    return this.firstFeed.holdMs(holdMs);
  }

  /** Arms the first-feed window at the reader's first assignment when every input partition is empty (first-feed.ts). */
  private armFirstFeed(given: AssignedPartition[]): void {
    const { config, inputTopics, logger } = this.options;
    if (!this.firstFeed.assigned(inputTopics, given)) return;
    logger.info({ partitions: given.length, quietMs: config.MONITOR_FIRST_FEED_QUIET_MS, capMs: config.MONITOR_FIRST_FEED_HOLD_MS }, 'every input partition is empty: the first feed is held in event order until every input topic has had a record, the input has been quiet for MONITOR_FIRST_FEED_QUIET_MS, or MONITOR_FIRST_FEED_HOLD_MS after its first record');
  }

  private closeFirstFeedIfDue(now: number): void {
    const endedBy = this.firstFeed.check(now);
    if (endedBy === undefined) return;
    this.options.metrics?.firstFeedHolding.set(0);
    this.options.logger.info({ endedBy, ...this.firstFeed.status(now), buffered: this.ordering.size }, 'first feed window closed: messages wait at most MONITOR_HOLD_MS from now on');
  }

  /** Pauses input partitions whose messages fill the reorder buffer and resumes drained ones (read-balance.ts); a failure is logged, never fatal. */
  private balanceReads(): void {
    const reader = this.liveReader;
    if (!reader || this.stopping) return;
    try {
      this.readBalance.balance(this.ordering, reader);
      this.stats.readPauses = this.readBalance.pausesMade;
      this.options.metrics?.buffered.set(this.ordering.size);
      this.options.metrics?.pausedPartitions.set(this.readBalance.pausedCount);
    } catch (err) {
      this.options.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not pause or resume input partitions; the reader fetches them all');
    }
  }

  /** Messages the next step may apply (nextStepSize); small at first, while the code is cold. */
  private stepSize = MIN_STEP * 4;

  private readonly history = (accountId: string) => this.pipeline.state.history(accountId);
  private readonly ownsAccount = (accountId: string): boolean => this.slots.get(slotOfAccount(accountId, this.slots.count)) !== undefined;

  private async applyStep(step: Step): Promise<void> {
    const timer = this.options.metrics?.batchSeconds.startTimer();
    let alerts = 0;
    const journal = this.checkpointing.journalForStep();
    for (const b of step) {
      const offset = b.offset.toString();
      const fetched = b.value;
      const { decoded, record } = fetched;
      const raw = fetched.raw;
      // Built without spreading an absent record or an empty object (that copy was about a third of
      // applyStep's own time in a perf profile of bench:kafka's stream).
      const out = this.pipeline.processDecoded(decoded, raw, record ? { topic: b.topic, partition: b.partition, offset, ...record } : { topic: b.topic, partition: b.partition, offset });
      journal?.append(b.topic, b.partition, offset, fetched.decodedAt, fetched.bytes);
      this.options.timeline?.observe(out, this.history, this.ownsAccount);
      const event = out.event;
      if (event && !out.duplicate && (event.type === 'transfer' || event.type === 'login') && this.lateInput.observe(b.topic, event.time, this.pipeline.activityClock)) this.options.metrics?.lateExchangeEvents.inc({ topic: b.topic });
      for (const alert of out.alerts) this.slots.route(slotOfAccount(alert.subject.accountId, this.slots.count), { pk: b.pk, offset: b.offset, alert });
      if (out.deadLetter) this.slots.route(b.partition % this.slots.count, { pk: b.pk, offset: b.offset, dead: out.deadLetter });
      this.ordering.applied(b);
      alerts += out.alerts.length;
      if (out.deadLetter) this.options.metrics?.rejected.inc({ topic: b.topic, code: out.deadLetter.code });
      this.options.metrics?.applied.inc({ topic: b.topic, outcome: outcomeOf(out) });
      if (out.suspects) this.tellSuspectFields(out);
    }
    this.stats.applied += step.length;
    this.stats.alerts += alerts;
    this.checkpointing.applied(step.length);
    await this.flushSlots(false);
    timer?.();
  }

  /**
   * Counts an applied message's suspect fields, and warns the first time each series is seen:
   * field names and the account id only, never a value (personal data).
   */
  private tellSuspectFields(out: ProcessResult): void {
    const event = out.event;
    const accountId = event?.type === 'transfer' || event?.type === 'login' ? event.msg.accountId : undefined;
    for (const field of out.suspects!.fields) {
      const { series, first } = this.suspectFields.note(out.suspects!.topic, field);
      this.options.metrics?.suspectFields.inc({ ...series });
      if (first) this.options.logger.warn({ ...series, ...(accountId === undefined ? {} : { accountId }) }, `an applied message holds the unknown field ${series.field}: did you mean ${series.nearest}? Unknown fields are allowed, so it was applied without ${series.nearest}, and the signals that read it went without (told once per field; counted in tidewatch_suspect_fields_total)`);
    }
  }

  /**
   * Publishes every owned slot with outputs; moves idle cursors at most once per interval (or
   * always, when forced). A commit runs beside the next steps (one in flight per slot, since a
   * transactional producer runs one transaction at a time): its plan is the applied cut and the
   * outputs pending when it starts, so what it publishes is exactly what a commit at that point
   * in the queue would publish. A forced flush waits for every commit, its own included. A slot
   * whose commit is still in flight while MAX_PENDING_OUTPUTS more wait is waited for: a slow
   * broker or case store holds the reader back instead of letting outputs pile up.
   */
  private async flushSlots(force: boolean): Promise<void> {
    // After a fatal failure nothing more is committed: a step still running when a commit failed
    // would otherwise start the failed slot's next commit, its cursor past the outputs the failed
    // commit had taken (lost on the restart, which re-reads from that cursor).
    if (this.failure) return;
    if (force) await this.settleCommits();
    const full = this.slots.ownedSlots().filter((o) => this.inflight.has(o) && o.pending.length >= MAX_PENDING_OUTPUTS);
    if (full.length > 0) await Promise.all(full.map((o) => this.inflight.get(o)));
    const applied = this.appliedCut();
    const idle = this.slots.ownedSlots().filter((o) => !this.inflight.has(o));
    const due = dueSlots(idle, applied, Date.now(), this.options.cursorIntervalMs ?? 1000, force, this.options.config.MONITOR_PUBLISH_INTERVAL_MS, this.lateness !== undefined);
    if (due.length === 0) {
      if (force) await this.options.timeline?.flush();
      return;
    }
    // The timeline's gathered events are taken now (flush swaps them out at once) and written
    // before any of these commits writes a case.
    const timelineWritten = this.options.timeline?.flush() ?? Promise.resolve();
    for (const o of due) this.startCommit(o, applied, timelineWritten);
    if (force) await this.settleCommits();
  }

  /** Waits until no commit is in flight (hand-overs, checkpoints, re-reads and stops need every slot at rest). */
  private async settleCommits(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all(this.inflight.values());
  }

  private startCommit(o: OwnedSlot<Producer>, applied: Cut, timelineWritten: Promise<void>): void {
    if (this.failure) return;
    const plan = planCommit(o, applied, this.lateness !== undefined);
    const { taken, kept } = splitPending(o.pending, plan, this.lateness !== undefined);
    o.pending = kept;
    const commit = timelineWritten
      .then(() => this.publish(o, plan, taken))
      .catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err)), 'publishing a slot failed'))
      .finally(() => this.inflight.delete(o));
    this.inflight.set(o, commit);
  }

  private async publish(o: OwnedSlot<Producer>, plan: CommitPlan, taken: Output[]): Promise<void> {
    const outcome = await commitSlot(o.producer, o.slot, plan, {
      groupId: this.groupId,
      alertTopic: this.options.alertTopic,
      topicMaxBytes: (topic) => this.deadLetterLimits.get(topic),
      cases: this.options.cases,
      stillAssigned: (slot) => this.assigned.has(slot),
      halted: () => this.failure !== undefined,
      onRetry: (slot, attempt, err) => this.options.logger.warn({ slot, attempt, err: err.message }, 'publish failed; retrying the same transaction'),
    });
    if (outcome !== 'committed') {
      // The group moved the slot while this commit ran; its new owner fenced our producer and
      // publishes from the cursor we last committed. Our outputs, those of this plan first, stay
      // as its unowned log. A slot still ours whose producer can publish no more is taken again
      // from that log, as a gained slot: fenced anew, from the cursor read after the fence.
      o.pending = [...taken, ...o.pending];
      this.dropSlot(o);
      if (outcome === 'retake') {
        this.options.logger.warn({ slot: o.slot }, 'the slot\'s producer can publish no more (fenced, or its commit failed half way): taking the slot again');
        void this.enqueue(() => (this.stopping ? undefined : this.reassign()));
      }
      return;
    }
    o.cursor = plan.cursor;
    o.committedAt = Date.now();
    this.stats.commits++;
    this.stats.published += plan.alerts.length;
    for (const a of plan.alerts) this.options.metrics?.alerts.inc({ typology: a.typology, severity: a.severity });
  }

  // ---- slots -----------------------------------------------------------------------------------

  /** Applies the latest assignment: drops lost slots, takes gained ones (fence, read cursor, catch up). */
  private async reassign(): Promise<void> {
    await this.settleCommits();
    for (const o of this.slots.lost(this.assigned)) this.dropSlot(o);
    let reread = false;
    for (const slot of this.slots.gained(this.assigned)) {
      const producer = await this.fence(slot);
      const taken = this.slots.take(slot, producer, await this.readCursor(slot));
      if ('reread' in taken) reread = true;
      this.options.logger.info({ slot, fromLog: 'fromLog' in taken ? taken.fromLog : null }, 'slot taken');
    }
    this.slotsChanged();
    if (reread) await this.reread();
    else await this.flushSlots(true);
  }

  /**
   * The slot's transactional producer, with the previous owner fenced. kafkajs sends
   * InitProducerId at a producer's first transaction, not at connect: an empty transaction begun
   * and aborted now fences the previous owner and ends its open transaction, before the cursor is read.
   */
  private async fence(slot: number): Promise<Producer> {
    const producer = this.kafka.producer({ transactionalId: slotTransactionalId(this.groupId, slot), idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    await (await producer.transaction()).abort();
    return producer;
  }

  private dropSlot(o: OwnedSlot<Producer>): void {
    if (this.slots.get(o.slot) !== o) return;
    this.slots.drop(o);
    void o.producer.disconnect().catch(() => undefined);
    this.slotsChanged();
    this.options.logger.info({ slot: o.slot }, 'slot released');
  }

  private slotsChanged(): void {
    this.stats.slots = this.slots.ownedNumbers().length;
    this.options.metrics?.slots.set(this.stats.slots);
  }

  private readCursor(slot: number): Promise<Cut> {
    return committedCursor(this.admin, this.groupId, slot, this.options.inputTopics, this.positionsWait);
  }

  /** Drops unowned outputs their owner has published (its cursor passed them). */
  private async pruneUnowned(): Promise<void> {
    this.lastPrune = Date.now();
    for (const { slot, log } of this.slots.prunable()) log.prune(await this.readCursor(slot));
  }

  /**
   * A gained slot whose outputs since its cursor this instance cannot produce from memory: start
   * over, from a checkpoint that every cursor covers or from the earliest offsets, as at start.
   * Owned cursors stay; everything at or before them is applied again without being published.
   */
  private async reread(): Promise<void> {
    await this.settleCommits();
    this.stats.resets++;
    this.options.metrics?.rereads.inc();
    this.options.logger.warn({ slots: this.slots.ownedNumbers() }, 'a gained slot needs outputs this instance did not keep; starting over from a checkpoint every slot cursor covers, or from the earliest offsets');
    const old = this.reader;
    this.readerGeneration++;
    this.readerAssigned = false;
    void old?.disconnect().catch(() => undefined);
    this.ordering.clear();
    this.lateness?.clear();
    await this.loadState(this.sharedPositionsWait());
    await this.startReader();
  }

  /**
   * SIGTERM: finish the step in hand, commit every owned slot's cursor, and leave the group. After
   * a fatal failure nothing is committed; the connections are closed all the same. The clients
   * the monitor was given (Kafka, the case store) stay open: their owner closes them.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.askStop();
    // A start under way ends at its next step (a state half loaded is never checkpointed).
    await this.startup.catch(() => undefined);
    this.readerGeneration++; // batches still in flight are dropped: they come again after a restart
    clearInterval(this.timer);
    clearInterval(this.highsTimer);
    clearInterval(this.groupOffsetsTimer);
    this.ruleWatch.stop();
    this.setPhase('stopping');
    await this.queue;
    if (this.running) {
      await this.enqueue(() => this.flushSlots(true));
      await this.checkpointing.cancelFold();
      await this.enqueue(() => this.checkpointing.checkpointIfDue(true));
    } else await this.checkpointing.cancelFold();
    // The two consumers leave side by side: each waits for its fetch or sleep in flight.
    await Promise.all([this.reader?.disconnect().catch(() => undefined), this.member?.disconnect().catch(() => undefined)]);
    await Promise.all(this.slots.ownedSlots().map((o) => o.producer.disconnect().catch(() => undefined)));
    await this.admin.disconnect().catch(() => undefined);
    if (this.options.metrics) this.options.metrics.healthy = false;
  }
}

/**
 * A hint for a broker that closes the connection without an answer. While no SASL is configured:
 * what a SASL-only listener does to a client that does not authenticate (security QA: the wait
 * named no variable). With SASL but no TLS: what a SASL_SSL listener does to a client that speaks
 * to it in the clear (black-box against a SCRAM broker, session 63). Empty for other reasons, or
 * when both are set.
 */
export function connectionHint(config: Pick<Config, 'KAFKA_SASL_MECHANISM' | 'KAFKA_SSL'>, reason: string): { hint?: string } {
  if (!/closed connection/i.test(reason)) return {};
  if (!config.KAFKA_SASL_MECHANISM) return { hint: `the broker closed the connection: if its listener requires authentication, set KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD${config.KAFKA_SSL ? '' : ' (and KAFKA_SSL for a TLS listener)'}` };
  if (!config.KAFKA_SSL) return { hint: 'the broker closed the connection: if its listener is SASL_SSL (SASL over TLS), set KAFKA_SSL=true, and KAFKA_SSL_CA_FILE when a private CA signed the brokers\' certificates' };
  return {};
}
