/**
 * `tidewatch monitor`: the long-running service. This file wires its three parts together and
 * runs them on one serial work queue:
 *
 * - ordering (ordering.ts): each instance reads every partition of every input topic from the
 *   start (a private reader group) and applies messages in event-time order, each partition as a
 *   prefix in offset order, behind the reorder buffer's watermarks.
 * - slots (slots.ts, ownership.ts): the consumer group assigns the ownership topic's partitions;
 *   each is a slot whose outputs this instance publishes. A gained slot is fenced (an empty
 *   transaction on its transactional id) before its cursor is read.
 * - commit (commit.ts): per owned slot, one Kafka transaction publishes its outputs and moves its
 *   cursor, after its cases are written to the case store (idempotent by alertId).
 *
 * Each step: apply the released messages; per owned slot with something to publish, commit. A
 * crash before a commit leaves the cursor where it was: on restart the messages are applied
 * again, give the same alert ids, the case writes are no-ops, and read_committed consumers of the
 * alert topic see each alert once.
 *
 * The monitor constructs none of its stores: the composition root (src/cli) passes the Kafka
 * client, the case store and a pipeline factory. A failure it cannot recover from in memory
 * settles `fatal`; what happens then (exit, restart) is the caller's decision.
 */
import type { Logger } from 'pino';
import type { CaseStore } from '../cases/case-model.js';
import type { Config } from '../config/config.js';
import type { LoadedRule } from '../engine/loader.js';
import { RuleReloader } from '../engine/rule-reloader.js';
import { ensureTopics, type KafkaClient } from '../kafka/client.js';
import type { Metrics } from '../observability/metrics.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { commitSlot, dueSlots, planCommit } from './commit.js';
import { Ordering, type FetchedBatch, type Step } from './ordering.js';
import { partitionKey, slotGroup, slotOfAccount, slotTransactionalId, type Cut } from './ownership.js';
import { SlotTable, type OwnedSlot } from './slots.js';

type Producer = ReturnType<KafkaClient['producer']>;
type Consumer = ReturnType<KafkaClient['consumer']>;

export interface MonitorOptions {
  config: Config;
  /** Built by the composition root; the monitor creates its consumers, producers and admin from it. */
  kafka: KafkaClient;
  /** Where cases of owned slots are written before their alerts are published. */
  cases: CaseStore;
  /** The case store's connection state, for /healthz. */
  caseStoreStatus?: () => string;
  /** A fresh pipeline over the rules in force: at start, and for each re-read from the first offset. */
  createPipeline: (rules: LoadedRule[]) => Pipeline;
  rules: LoadedRule[];
  rulesDir?: string;
  logger: Logger;
  metrics?: Metrics;
  instanceId: string;
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

export class Monitor {
  private readonly kafka: KafkaClient;
  private readonly admin: ReturnType<KafkaClient['admin']>;
  private pipeline: Pipeline;
  /** The rules in force: those at start, or the last valid reload (a re-read keeps them). */
  private rules: LoadedRule[];
  private readonly ordering = new Ordering();
  private slots = new SlotTable<Producer>(0, 0);
  /** The group's latest assignment, updated the moment it arrives (outside the work queue). */
  private assigned = new Set<number>();
  private member: Consumer | undefined;
  private reader: Consumer | undefined;
  private readerGeneration = 0;
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private reloader: RuleReloader | undefined;
  private stopping = false;
  private tickQueued = false;
  private lastPrune = 0;
  private failure: Error | undefined;
  private reportFatal: (err: Error) => void = () => undefined;
  /**
   * Settles (with the cause) when the monitor has failed for good: a step failed after applying
   * messages, or a Kafka consumer crashed without restarting. The monitor then does no more work
   * and commits nothing; its caller should end the process so that a restart re-reads from the
   * slot cursors (crash-only). It never rejects, so an embedder that ignores it is not crashed.
   */
  readonly fatal: Promise<Error> = new Promise((resolve) => { this.reportFatal = resolve; });
  readonly stats = { applied: 0, alerts: 0, published: 0, commits: 0, resets: 0, slots: 0 };

  constructor(private readonly options: MonitorOptions) {
    this.kafka = options.kafka;
    this.admin = this.kafka.admin();
    this.rules = options.rules;
    this.pipeline = options.createPipeline(this.rules);
  }

  private get groupId(): string {
    return this.options.config.KAFKA_GROUP_ID;
  }

  private get ownershipTopic(): string {
    return this.options.ownershipTopic ?? this.options.inputTopics[0]!;
  }

  /** Resolves once the monitor reads and holds its group membership; rejects if it could not get there. */
  async start(): Promise<void> {
    const { config, inputTopics, alertTopic, logger } = this.options;
    await ensureTopics(this.kafka, [...inputTopics, alertTopic, ...inputTopics.map((t) => `${t}.dlq`)], config.KAFKA_TOPIC_PARTITIONS, config.KAFKA_TOPIC_REPLICATION);
    await this.admin.connect();
    this.slots = new SlotTable(await this.partitionCount(this.ownershipTopic), this.options.unownedLogCap ?? config.MONITOR_UNOWNED_LOG_CAP);
    await this.joinGroup();
    await this.enqueue(() => this.startReader());
    if (this.failure) throw this.failure;
    this.watchRules();
    this.startTicking();
    this.serveHealth();
    logger.info({ groupId: this.groupId, topics: inputTopics.length, slots: this.slots.count, ownershipTopic: this.ownershipTopic }, 'monitor started');
  }

  /**
   * Membership only: the group hands out the ownership topic's partitions as slots. The consumer
   * stays paused (it heartbeats while paused); the reader does the reading.
   */
  private async joinGroup(): Promise<void> {
    const { config, logger } = this.options;
    const topic = this.ownershipTopic;
    const member = this.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false, sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS, heartbeatInterval: Math.min(3000, Math.floor(config.KAFKA_SESSION_TIMEOUT_MS / 3)) });
    this.member = member;
    member.on(member.events.GROUP_JOIN, (e) => {
      const slots = (e.payload.memberAssignment as Record<string, number[]>)[topic] ?? [];
      this.assigned = new Set(slots);
      logger.info({ slots }, 'slots assigned');
      void this.enqueue(() => this.reassign());
    });
    this.failOnFatalCrash(member, 'membership consumer');
    await member.connect();
    await member.subscribe({ topics: [topic] });
    await member.run({ autoCommit: false, eachBatch: async () => { member.pause([{ topic }]); } });
    member.pause([{ topic }]);
  }

  private watchRules(): void {
    if (!this.options.rulesDir) return;
    const { logger } = this.options;
    this.reloader = new RuleReloader(this.options.rulesDir, {
      applied: (rules) => { this.rules = rules; this.pipeline.replaceRules(rules); logger.info({ rules: rules.length }, 'rules reloaded'); },
      refused: (err) => logger.error({ err: err.message }, 'rule change refused; the rules in force stay'),
    });
    this.reloader.start();
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
      ...this.stats,
      slots: this.slots.ownedNumbers(),
      slotLag: Object.fromEntries(this.slots.ownedSlots().map((o) => [o.slot, Number(this.ordering.behind(o.cursor))])),
      buffered: this.ordering.size,
      ...(this.options.caseStoreStatus ? { redis: this.options.caseStoreStatus() } : {}),
    });
    // The pipeline is replaced on a re-read: read it at each scrape, never hold the old one.
    metrics.stateSizes = () => this.pipeline.stateSizes();
    metrics.healthy = true;
  }

  /** kafkajs restarts a consumer after a retriable crash; any other crash is fatal. */
  private failOnFatalCrash(consumer: Consumer, role: string): void {
    consumer.on(consumer.events.CRASH, (e) => {
      if (e.payload.restart || this.stopping) return;
      this.fail(e.payload.error, `kafka ${role} crashed and will not restart`);
    });
  }

  /** Stops all further work (nothing more is applied or committed) and reports the cause once. */
  private fail(err: Error, what: string): void {
    if (this.failure) return;
    this.failure = err;
    this.stopping = true;
    clearInterval(this.timer);
    if (this.options.metrics) this.options.metrics.healthy = false;
    this.options.logger.fatal({ err: err.message }, `${what}; a restart re-reads from the slot cursors`);
    this.reportFatal(err);
  }

  private async partitionCount(topic: string): Promise<number> {
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]!.partitions.length;
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

  /** A private group of one member reads every input partition from the start. */
  private async startReader(): Promise<void> {
    const generation = ++this.readerGeneration;
    const reader = this.kafka.consumer({ groupId: `${this.groupId}.reader.${this.options.instanceId}.${Date.now()}.${generation}`, allowAutoTopicCreation: false, readUncommitted: false, sessionTimeout: 30_000 });
    this.reader = reader;
    const current = (): boolean => generation === this.readerGeneration;
    reader.on(reader.events.GROUP_JOIN, (e) => {
      void this.enqueue(() => (current() ? this.onReaderAssignment(e.payload.memberAssignment as Record<string, number[]>) : undefined));
    });
    this.failOnFatalCrash(reader, 'reader');
    await reader.connect();
    await reader.subscribe({ topics: this.options.inputTopics, fromBeginning: true });
    await reader.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        await this.enqueue(() => (current() ? this.accept(batch) : undefined));
        await heartbeat();
      },
    });
  }

  private async onReaderAssignment(assignment: Record<string, number[]>): Promise<void> {
    for (const [topic, parts] of Object.entries(assignment)) {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      for (const p of parts) {
        const o = offsets.find((x) => x.partition === p);
        this.ordering.register(topic, p, BigInt(o?.low ?? '0'), BigInt(o?.high ?? '0'));
      }
    }
  }

  private async accept(batch: FetchedBatch): Promise<void> {
    const added = this.ordering.accept(batch, (raw) => this.pipeline.decode(raw), Date.now());
    this.options.metrics?.consumed.inc({ topic: batch.topic }, added);
    this.options.metrics?.lag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(this.ordering.lag(batch.topic, batch.partition)));
    await this.release();
  }

  private async tick(): Promise<void> {
    if (this.stopping) return;
    if (this.ordering.size > 0) {
      // Batches bring high watermarks only for the partitions they come from: refresh them all,
      // so a partition with unread data is never mistaken for a caught-up one.
      for (const topic of this.options.inputTopics) {
        for (const p of await this.admin.fetchTopicOffsets(topic)) this.ordering.setHigh(topic, p.partition, BigInt(p.high));
      }
      await this.release();
    }
    await this.flushSlots(false);
    if (Date.now() - this.lastPrune > 30_000) await this.pruneUnowned();
  }

  // ---- applying and publishing -----------------------------------------------------------------

  private async release(): Promise<void> {
    const maxStep = this.options.maxStep ?? 2000;
    const holdMs = this.options.holdMs ?? this.options.config.MONITOR_HOLD_MS;
    for (let steps = 0; this.ordering.size > 0; steps++) {
      if (steps > 0) await new Promise((r) => setImmediate(r)); // let heartbeats and fetches run between steps
      const step = this.ordering.next(maxStep, Date.now(), holdMs);
      if (step.length === 0) return;
      await this.applyStep(step);
      if (step.length < maxStep) return;
    }
  }

  private async applyStep(step: Step): Promise<void> {
    const timer = this.options.metrics?.batchSeconds.startTimer();
    let alerts = 0;
    for (const b of step) {
      const out = this.pipeline.processDecoded(b.value.decoded, b.value.raw, { topic: b.topic, partition: b.partition, offset: b.offset.toString() });
      for (const alert of out.alerts) this.slots.route(slotOfAccount(alert.subject.accountId, this.slots.count), { pk: b.pk, offset: b.offset, alert });
      if (out.deadLetter) this.slots.route(b.partition % this.slots.count, { pk: b.pk, offset: b.offset, dead: out.deadLetter });
      this.ordering.applied(b);
      alerts += out.alerts.length;
      if (out.deadLetter) this.options.metrics?.rejected.inc({ topic: b.topic, code: out.deadLetter.code });
    }
    this.stats.applied += step.length;
    this.stats.alerts += alerts;
    await this.flushSlots(false);
    timer?.();
  }

  /** Publishes every owned slot with outputs; moves idle cursors at most once per interval (or always, when forced). */
  private async flushSlots(force: boolean): Promise<void> {
    const applied = this.ordering.appliedCut();
    const due = dueSlots(this.slots.ownedSlots(), applied, Date.now(), this.options.cursorIntervalMs ?? 1000, force);
    await Promise.all(due.map((o) => this.publish(o, applied)));
  }

  private async publish(o: OwnedSlot<Producer>, applied: Cut): Promise<void> {
    const plan = planCommit(o, applied);
    const outcome = await commitSlot(o.producer, o.slot, plan, {
      groupId: this.groupId,
      alertTopic: this.options.alertTopic,
      cases: this.options.cases,
      stillAssigned: (slot) => this.assigned.has(slot),
      onRetry: (slot, attempt, err) => this.options.logger.warn({ slot, attempt, err: err.message }, 'publish failed; retrying the same transaction'),
    });
    if (outcome === 'moved') {
      // The group moved the slot while this step ran; its new owner fenced our producer and
      // publishes from the cursor we last committed. Our outputs stay as its unowned log.
      this.dropSlot(o);
      return;
    }
    o.cursor = plan.cursor;
    o.pending = [];
    o.committedAt = Date.now();
    this.options.metrics?.slotLag.set({ slot: String(o.slot) }, Number(this.ordering.behind(plan.cursor)));
    this.stats.commits++;
    this.stats.published += plan.alerts.length;
    for (const a of plan.alerts) this.options.metrics?.alerts.inc({ typology: a.typology, severity: a.severity });
  }

  // ---- slots -----------------------------------------------------------------------------------

  /** Applies the latest assignment: drops lost slots, takes gained ones (fence, read cursor, catch up). */
  private async reassign(): Promise<void> {
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

  private async readCursor(slot: number): Promise<Cut> {
    const cut: Cut = new Map();
    for (const t of await this.admin.fetchOffsets({ groupId: slotGroup(this.groupId, slot), topics: this.options.inputTopics })) {
      for (const p of t.partitions) if (p.offset !== '-1') cut.set(partitionKey(t.topic, p.partition), BigInt(p.offset));
    }
    return cut;
  }

  /** Drops unowned outputs their owner has published (its cursor passed them). */
  private async pruneUnowned(): Promise<void> {
    this.lastPrune = Date.now();
    for (const { slot, log } of this.slots.prunable()) log.prune(await this.readCursor(slot));
  }

  /**
   * A gained slot whose outputs since its cursor this instance cannot produce from memory: start
   * over from the first offset with a fresh pipeline. Owned cursors stay; everything at or before
   * them is applied again without being published.
   */
  private async reread(): Promise<void> {
    this.stats.resets++;
    this.options.metrics?.rereads.inc();
    this.options.logger.warn({ slots: this.slots.ownedNumbers() }, 'a gained slot needs outputs this instance did not keep; re-reading from the start');
    const old = this.reader;
    this.readerGeneration++;
    void old?.disconnect().catch(() => undefined);
    this.pipeline = this.options.createPipeline(this.rules);
    this.ordering.clear();
    this.slots.resetForReread();
    await this.startReader();
  }

  /**
   * SIGTERM: finish the step in hand, commit every owned slot's cursor, and leave the group. After
   * a fatal failure nothing is committed; the connections are closed all the same. The clients
   * the monitor was given (Kafka, the case store) stay open: their owner closes them.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.readerGeneration++; // batches still in flight are dropped: they come again after a restart
    clearInterval(this.timer);
    this.reloader?.stop();
    await this.queue;
    await this.enqueue(() => this.flushSlots(true));
    await this.reader?.disconnect().catch(() => undefined);
    await this.member?.disconnect().catch(() => undefined);
    await Promise.all(this.slots.ownedSlots().map((o) => o.producer.disconnect().catch(() => undefined)));
    await this.admin.disconnect().catch(() => undefined);
    if (this.options.metrics) this.options.metrics.healthy = false;
  }
}
