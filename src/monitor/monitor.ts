/**
 * `tidewatch monitor`: the long-running service.
 *
 * Reading. Each instance reads every partition of every input topic from the start (a private
 * reader group) and applies the messages in event-time order through the reorder buffer
 * (event-time-buffer.ts): a partition that still owes data always holds newer messages, a quiet
 * or empty one holds them for at most the hold, and each partition is applied as a prefix in
 * offset order. Within the hold, whatever order topics arrive in, the pipeline sees what a file
 * replay of the same messages sees; what arrives later still is handled by late-evidence checks.
 *
 * Publishing. Instances share the work of publishing through the consumer group: the group
 * assigns the partitions of the ownership topic, and each assigned partition is a slot whose
 * outputs this instance publishes (see ownership.ts). A slot has its own transactional producer
 * (`<group>-slot-<s>`), so an instance that gains a slot fences the one that lost it before it
 * reads the slot's cursor. Each step:
 *   1. apply the released messages to the in-memory pipeline;
 *   2. write the owned slots' cases to Redis (idempotent by alertId);
 *   3. per owned slot, one Kafka transaction: its alerts to compliance.alerts, its rejects to
 *      <topic>.dlq, and its cursor (the applied cut) as offsets of `<group>.slot-<s>`; commit.
 * A crash before 3 commits leaves the cursor where it was: on restart the messages are applied
 * again, give the same alert ids, the case writes are no-ops, and read_committed consumers of
 * the alert topic see each alert once.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { DecodeResult } from '../decode/decode.js';
import { RedisCaseStore } from '../cases/redis-case-store.js';
import type { LoadedRule } from '../engine/loader.js';
import { RuleReloader } from '../engine/rule-reloader.js';
import { createKafka, ensureTopics, type KafkaClient } from '../kafka/client.js';
import type { Metrics } from '../observability/metrics.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { SdnLabel } from '../intel/ofac.js';
import { chunkTopicMessages, toTopicMessages } from '../sinks/kafka-sink.js';
import { EventTimeBuffer, type Entry } from './event-time-buffer.js';
import { beyond, maxCut, partitionKey, sameCut, slotGroup, slotOfAccount, slotTransactionalId, splitKey, UnownedLog, type Cut, type Output } from './ownership.js';

export interface MonitorOptions {
  config: Config;
  rules: LoadedRule[];
  rulesDir?: string;
  labels: SdnLabel[];
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

interface Fetched {
  decoded: DecodeResult;
  raw: string;
}

interface OwnedSlot {
  slot: number;
  producer: ReturnType<KafkaClient['producer']>;
  /** The committed cursor. */
  cursor: Cut;
  pending: Output[];
  committedAt: number;
}

function eventTime(decoded: DecodeResult, fallback: number): number {
  return decoded.ok ? decoded.event.time : fallback;
}

export class Monitor {
  private readonly kafka: KafkaClient;
  private readonly redis: Redis;
  private readonly cases: RedisCaseStore;
  private readonly admin: ReturnType<KafkaClient['admin']>;
  private pipeline: Pipeline;
  /** The rules in force: those at start, or the last valid reload (a re-read keeps them). */
  private rules: LoadedRule[];
  private readonly buffer = new EventTimeBuffer<Fetched>();
  private slotCount = 0;
  /** The group's latest assignment, updated the moment it arrives (outside the work queue). */
  private assigned = new Set<number>();
  private readonly owned = new Map<number, OwnedSlot>();
  private readonly unowned = new Map<number, UnownedLog>();
  private member: ReturnType<KafkaClient['consumer']> | undefined;
  private reader: ReturnType<KafkaClient['consumer']> | undefined;
  private readerGeneration = 0;
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private reloader: RuleReloader | undefined;
  private stopping = false;
  private tickQueued = false;
  private lastPrune = 0;
  readonly stats = { applied: 0, alerts: 0, published: 0, commits: 0, resets: 0, slots: 0 };

  constructor(private readonly options: MonitorOptions) {
    const c = options.config;
    this.kafka = createKafka(c, (entry) => options.logger.debug(entry, 'kafkajs'));
    this.redis = new Redis(c.REDIS_URL, { maxRetriesPerRequest: null, enableOfflineQueue: true, retryStrategy: (n) => Math.min(n * 200, 2000) });
    this.redis.on('error', (err: Error) => options.logger.warn({ err: err.message }, 'redis connection error; commands wait for it to return'));
    this.cases = new RedisCaseStore(this.redis, c.REDIS_KEY_PREFIX);
    this.admin = this.kafka.admin();
    this.rules = options.rules;
    this.pipeline = this.newPipeline();
  }

  private newPipeline(): Pipeline {
    return new Pipeline({ rules: this.rules, labels: this.options.labels });
  }

  private get groupId(): string {
    return this.options.config.KAFKA_GROUP_ID;
  }

  private get ownershipTopic(): string {
    return this.options.ownershipTopic ?? this.options.inputTopics[0]!;
  }

  async start(): Promise<void> {
    const { config, inputTopics, alertTopic, logger } = this.options;
    await ensureTopics(this.kafka, [...inputTopics, alertTopic, ...inputTopics.map((t) => `${t}.dlq`)], config.KAFKA_TOPIC_PARTITIONS, config.KAFKA_TOPIC_REPLICATION);
    await this.admin.connect();
    this.slotCount = await this.partitionCount(this.ownershipTopic);
    for (let s = 0; s < this.slotCount; s++) this.unowned.set(s, new UnownedLog(new Map()));

    // Membership only: the group hands out the ownership topic's partitions as slots. The
    // consumer stays paused (it heartbeats while paused); the reader below does the reading.
    const topic = this.ownershipTopic;
    this.member = this.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false, sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS, heartbeatInterval: Math.min(3000, Math.floor(config.KAFKA_SESSION_TIMEOUT_MS / 3)) });
    this.member.on(this.member.events.GROUP_JOIN, (e) => {
      const slots = (e.payload.memberAssignment as Record<string, number[]>)[topic] ?? [];
      this.assigned = new Set(slots);
      logger.info({ slots }, 'slots assigned');
      void this.enqueue(() => this.reassign());
    });
    this.exitOnFatalCrash(this.member, 'membership consumer');
    await this.member.connect();
    await this.member.subscribe({ topics: [topic] });
    await this.member.run({ autoCommit: false, eachBatch: async () => { this.member?.pause([{ topic }]); } });
    this.member.pause([{ topic }]);

    await this.enqueue(() => this.startReader());
    if (this.options.rulesDir) {
      this.reloader = new RuleReloader(this.options.rulesDir, {
        applied: (rules) => { this.rules = rules; this.pipeline.replaceRules(rules); logger.info({ rules: rules.length }, 'rules reloaded'); },
        refused: (err) => logger.error({ err: err.message }, 'rule change refused; the rules in force stay'),
      });
      this.reloader.start();
    }
    // At most one tick waits in the queue: ticks must never pile up in front of incoming batches.
    this.timer = setInterval(() => {
      if (this.tickQueued) return;
      this.tickQueued = true;
      void this.enqueue(async () => {
        this.tickQueued = false;
        await this.tick();
      });
    }, this.options.tickMs ?? 200);
    if (this.options.metrics) {
      this.options.metrics.health = () => ({
        ...this.stats,
        slots: [...this.owned.keys()].sort((a, b) => a - b),
        slotLag: Object.fromEntries([...this.owned].map(([s, o]) => [s, Number(this.buffer.behindCut(o.cursor))])),
        buffered: this.buffer.size,
        redis: this.redis.status,
      });
      this.options.metrics.healthy = true;
    }
    logger.info({ groupId: this.groupId, topics: inputTopics.length, slots: this.slotCount, ownershipTopic: topic }, 'monitor started');
  }

  /** kafkajs restarts a consumer after a retriable crash; after any other, exit so a supervisor restarts us. */
  private exitOnFatalCrash(consumer: ReturnType<KafkaClient['consumer']>, role: string): void {
    consumer.on(consumer.events.CRASH, (e) => {
      if (e.payload.restart || this.stopping) return;
      this.options.logger.fatal({ err: e.payload.error.message, role }, 'kafka consumer crashed and will not restart; exiting');
      process.exit(1);
    });
  }

  private async partitionCount(topic: string): Promise<number> {
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]!.partitions.length;
  }

  /**
   * Serialises all work: batches, ticks, hand-overs and the final flush never interleave. A step
   * that fails after applying messages cannot be retried safely in memory (the pipeline has seen
   * their eventIds), so the process exits and a restart re-reads: crash-only, which is the path
   * the SIGKILL tests exercise.
   */
  private enqueue(task: () => Promise<void> | void): Promise<void> {
    this.queue = this.queue.then(task).catch((err: unknown) => {
      this.options.logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'monitor step failed; exiting so a restart re-reads from the slot cursors');
      process.exit(1);
    });
    return this.queue;
  }

  // ---- reading ---------------------------------------------------------------------------------

  /** A private group of one member reads every input partition from the start. */
  private async startReader(): Promise<void> {
    const generation = ++this.readerGeneration;
    const reader = this.kafka.consumer({ groupId: `${this.groupId}.reader.${this.options.instanceId}.${Date.now()}.${generation}`, allowAutoTopicCreation: false, readUncommitted: false, sessionTimeout: 30_000 });
    this.reader = reader;
    reader.on(reader.events.GROUP_JOIN, (e) => {
      void this.enqueue(() => (generation === this.readerGeneration ? this.onReaderAssignment(e.payload.memberAssignment as Record<string, number[]>) : undefined));
    });
    this.exitOnFatalCrash(reader, 'reader');
    await reader.connect();
    await reader.subscribe({ topics: this.options.inputTopics, fromBeginning: true });
    await reader.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        await this.enqueue(() => (generation === this.readerGeneration ? this.accept(batch.topic, batch.partition, batch.highWatermark, batch.messages) : undefined));
        await heartbeat();
      },
    });
  }

  private async onReaderAssignment(assignment: Record<string, number[]>): Promise<void> {
    for (const [topic, parts] of Object.entries(assignment)) {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      for (const p of parts) {
        const o = offsets.find((x) => x.partition === p);
        this.buffer.register(topic, p, BigInt(o?.low ?? '0'), BigInt(o?.high ?? '0'));
      }
    }
  }

  private async accept(topic: string, partition: number, highWatermark: string, messages: { offset: string; timestamp: string; value: Buffer | null }[]): Promise<void> {
    const now = Date.now();
    let added = 0;
    for (const m of messages) {
      const raw = m.value?.toString('utf8') ?? '';
      const decoded = this.pipeline.decode(raw);
      // A re-fetch of a buffered or applied offset is skipped; a batch for a partition the reader
      // was not assigned throws (crash-only): its join is always queued before its batches.
      if (this.buffer.add(topic, partition, BigInt(m.offset), eventTime(decoded, Number(m.timestamp)), { decoded, raw }, now)) added++;
    }
    this.options.metrics?.consumed.inc({ topic }, added);
    this.buffer.setHigh(topic, partition, BigInt(highWatermark));
    this.options.metrics?.lag.set({ topic, partition: String(partition) }, Number(this.buffer.lag(topic, partition)));
    await this.release();
  }

  private async tick(): Promise<void> {
    if (this.stopping) return;
    if (this.buffer.size > 0) {
      // Batches bring high watermarks only for the partitions they come from: refresh them all,
      // so a partition with unread data is never mistaken for a caught-up one.
      for (const topic of this.options.inputTopics) {
        for (const p of await this.admin.fetchTopicOffsets(topic)) this.buffer.setHigh(topic, p.partition, BigInt(p.high));
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
    for (let steps = 0; this.buffer.size > 0; steps++) {
      if (steps > 0) await new Promise((r) => setImmediate(r)); // let heartbeats and fetches run between steps
      const ready = this.buffer.take(maxStep, Date.now(), holdMs);
      if (ready.length === 0) return;
      await this.applyStep(ready);
      if (ready.length < maxStep) return;
    }
  }

  private async applyStep(ready: Entry<Fetched>[]): Promise<void> {
    const timer = this.options.metrics?.batchSeconds.startTimer();
    let alerts = 0;
    for (const b of ready) {
      const out = this.pipeline.processDecoded(b.value.decoded, b.value.raw, { topic: b.topic, partition: b.partition, offset: b.offset.toString() });
      for (const alert of out.alerts) this.route(slotOfAccount(alert.subject.accountId, this.slotCount), { pk: b.pk, offset: b.offset, alert });
      if (out.deadLetter) this.route(b.partition % this.slotCount, { pk: b.pk, offset: b.offset, dead: out.deadLetter });
      this.buffer.markApplied(b);
      alerts += out.alerts.length;
      if (out.deadLetter) this.options.metrics?.rejected.inc({ topic: b.topic, code: out.deadLetter.code });
    }
    this.stats.applied += ready.length;
    this.stats.alerts += alerts;
    await this.flushSlots(false);
    timer?.();
  }

  private route(slot: number, output: Output): void {
    const owned = this.owned.get(slot);
    if (owned) {
      if (beyond(owned.cursor, output)) owned.pending.push(output);
    } else {
      this.unowned.get(slot)?.push(output, this.options.unownedLogCap ?? this.options.config.MONITOR_UNOWNED_LOG_CAP);
    }
  }

  /** Publishes every owned slot with outputs; moves idle cursors at most once per interval (or always, when forced). */
  private async flushSlots(force: boolean): Promise<void> {
    const applied = this.buffer.appliedCut();
    const now = Date.now();
    const interval = this.options.cursorIntervalMs ?? 1000;
    const due = [...this.owned.values()].filter((o) => o.pending.length > 0 || ((force || now - o.committedAt >= interval) && !sameCut(maxCut(o.cursor, applied), o.cursor)));
    if (due.length === 0) return;
    await Promise.all(due.map((o) => this.commitSlot(o, applied)));
  }

  private async commitSlot(o: OwnedSlot, applied: Cut): Promise<void> {
    const cursor = maxCut(o.cursor, applied);
    const outputs = o.pending;
    const alerts = outputs.flatMap((x) => (x.alert ? [x.alert] : []));
    const dead = outputs.flatMap((x) => (x.dead ? [x.dead] : []));
    // One connection, so Redis runs the scripts in this order; sent together, they pipeline.
    await Promise.all(alerts.filter((a) => a.severity !== 'low').map((a) => this.cases.addAlert(a)));
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const [pk, offset] of cursor) {
      const { topic, partition } = splitKey(pk);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partition, offset: offset.toString() }]);
    }
    const offsets = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
    const chunks = chunkTopicMessages(toTopicMessages(this.options.alertTopic, alerts, dead));
    for (let attempt = 1; ; attempt++) {
      if (!this.assigned.has(o.slot) && this.owned.get(o.slot) === o) {
        // The group moved the slot while this step ran; its new owner fenced our producer and
        // publishes from the cursor we last committed. Keep the outputs as an unowned log.
        this.dropSlot(o);
        return;
      }
      const tx = await o.producer.transaction();
      try {
        for (const topicMessages of chunks) await tx.sendBatch({ topicMessages, acks: -1 });
        await tx.sendOffsets({ consumerGroupId: slotGroup(this.groupId, o.slot), topics: offsets });
        await tx.commit();
        break;
      } catch (err) {
        await tx.abort().catch(() => undefined);
        if (attempt >= 30) throw err;
        this.options.logger.warn({ slot: o.slot, attempt, err: (err as Error).message }, 'publish failed; retrying the same transaction');
        await new Promise((r) => setTimeout(r, Math.min(200 * attempt, 3000)));
      }
    }
    o.cursor = cursor;
    o.pending = [];
    o.committedAt = Date.now();
    this.options.metrics?.slotLag.set({ slot: String(o.slot) }, Number(this.buffer.behindCut(cursor)));
    this.stats.commits++;
    this.stats.published += alerts.length;
    for (const a of alerts) this.options.metrics?.alerts.inc({ typology: a.typology, severity: a.severity });
  }

  // ---- slots -----------------------------------------------------------------------------------

  /** Applies the latest assignment: drops lost slots, takes gained ones (fence, read cursor, catch up). */
  private async reassign(): Promise<void> {
    for (const o of [...this.owned.values()]) if (!this.assigned.has(o.slot)) this.dropSlot(o);
    let reread = false;
    for (const slot of [...this.assigned].sort((a, b) => a - b)) {
      if (this.owned.has(slot)) continue;
      if (slot >= this.slotCount) throw new Error(`slot ${slot} is beyond the ${this.slotCount} partitions of ${this.ownershipTopic} seen at start: partitions were added; restarting re-derives the slots`);
      const producer = this.kafka.producer({ transactionalId: slotTransactionalId(this.groupId, slot), idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect();
      // kafkajs sends InitProducerId at a producer's first transaction, not at connect: begin and
      // abort an empty one now, which fences the previous owner and ends its open transaction,
      // before the cursor is read.
      await (await producer.transaction()).abort();
      const cursor = await this.readCursor(slot);
      const log = this.unowned.get(slot)!;
      const pending = log.after(cursor);
      if (!pending) reread = true;
      this.owned.set(slot, { slot, producer, cursor, pending: pending ?? [], committedAt: 0 });
      this.unowned.delete(slot);
      this.options.logger.info({ slot, fromLog: pending?.length ?? null }, 'slot taken');
    }
    this.slotsChanged();
    if (reread) await this.reread();
    else await this.flushSlots(true);
  }

  private dropSlot(o: OwnedSlot): void {
    this.owned.delete(o.slot);
    // Complete past the committed cursor: what is pending, plus everything applied from now on.
    const log = new UnownedLog(o.cursor);
    log.entries = o.pending;
    this.unowned.set(o.slot, log);
    void o.producer.disconnect().catch(() => undefined);
    this.slotsChanged();
    this.options.logger.info({ slot: o.slot }, 'slot released');
  }

  private slotsChanged(): void {
    this.stats.slots = this.owned.size;
    this.options.metrics?.slots.set(this.owned.size);
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
    for (const [slot, log] of this.unowned) if (log.entries.length > 0) log.prune(await this.readCursor(slot));
  }

  /**
   * A gained slot whose outputs since its cursor this instance cannot produce from memory: start
   * over from the first offset with a fresh pipeline. Owned cursors stay; everything at or before
   * them is applied again without being published.
   */
  private async reread(): Promise<void> {
    this.stats.resets++;
    this.options.metrics?.rereads.inc();
    this.options.logger.warn({ slots: [...this.owned.keys()] }, 'a gained slot needs outputs this instance did not keep; re-reading from the start');
    const old = this.reader;
    this.readerGeneration++;
    void old?.disconnect().catch(() => undefined);
    this.pipeline = this.newPipeline();
    this.buffer.clear();
    for (const o of this.owned.values()) o.pending = [];
    for (const slot of this.unowned.keys()) this.unowned.set(slot, new UnownedLog(new Map()));
    await this.startReader();
  }

  /** SIGTERM: finish the step in hand, commit every owned slot's cursor, and leave the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.readerGeneration++; // batches still in flight are dropped: they come again after a restart
    clearInterval(this.timer);
    this.reloader?.stop();
    await this.queue.catch(() => undefined);
    await this.enqueue(() => this.flushSlots(true)).catch(() => undefined);
    await this.reader?.disconnect().catch(() => undefined);
    await this.member?.disconnect().catch(() => undefined);
    await Promise.all([...this.owned.values()].map((o) => o.producer.disconnect().catch(() => undefined)));
    await this.admin.disconnect().catch(() => undefined);
    await this.redis.quit().catch(() => undefined);
    if (this.options.metrics) this.options.metrics.healthy = false;
  }
}
