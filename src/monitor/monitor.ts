/**
 * `tidewatch monitor`: the long-running service. One kafkajs consumer group reads every input
 * topic with eachBatch. Messages are buffered and applied in event-time order behind a watermark
 * (the oldest latest-seen time over assigned partitions that are not caught up), so whatever
 * order the topics arrive in, the pipeline sees what a file replay of the same messages sees.
 *
 * Each release of messages is one unit of work:
 *   1. apply to the in-memory pipeline (alerts, dead letters);
 *   2. write cases to Redis (idempotent by alertId);
 *   3. one Kafka transaction: the alerts to compliance.alerts, rejects to <topic>.dlq, and the
 *      consumer offsets of exactly the messages applied; commit.
 * A crash anywhere before 3 commits leaves the offsets where they were: the messages come again,
 * give the same alert ids, the case writes are no-ops, and read_committed consumers of the alert
 * topic see each alert once.
 *
 * State (graph, labels, windows, eventId dedupe) is rebuilt on start by re-reading every input
 * topic up to the group's committed offsets, in the same event-time order, with alerts discarded.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Alert } from '../contract/schemas.js';
import type { DecodeResult } from '../decode/decode.js';
import { RedisCaseStore } from '../cases/redis-case-store.js';
import type { LoadedRule } from '../engine/loader.js';
import { RuleReloader } from '../engine/rule-reloader.js';
import { createKafka, ensureTopics, type KafkaClient } from '../kafka/client.js';
import type { Metrics } from '../observability/metrics.js';
import { Pipeline, type DeadLetter } from '../pipeline/pipeline.js';
import type { SdnLabel } from '../intel/ofac.js';
import { toTopicMessages } from '../sinks/kafka-sink.js';

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
  /** How often buffered messages are reconsidered when no batch arrives (ms). @defaultValue 200 */
  tickMs?: number;
}

interface Buffered {
  decoded: DecodeResult;
  raw: string;
  time: number;
  topic: string;
  partition: number;
  offset: bigint;
}

interface PartitionState {
  /** Event time of the newest message fetched. */
  lastTime: number;
  /** Next offset to fetch (one past the newest fetched). */
  fetched: bigint;
  high: bigint;
  /** Next offset not yet applied (what a commit records). */
  applied: bigint;
  pending: bigint[];
}

const key = (topic: string, partition: number): string => `${topic}/${partition}`;

function eventTime(decoded: DecodeResult, fallback: number): number {
  return decoded.ok ? decoded.event.time : fallback;
}

function order(a: Buffered, b: Buffered): number {
  return a.time - b.time || a.topic.localeCompare(b.topic) || a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0);
}

export class Monitor {
  private readonly kafka: KafkaClient;
  private readonly redis: Redis;
  private readonly cases: RedisCaseStore;
  private readonly pipeline: Pipeline;
  private readonly partitions = new Map<string, PartitionState>();
  private buffer: Buffered[] = [];
  private consumer: ReturnType<KafkaClient['consumer']> | undefined;
  private producer: ReturnType<KafkaClient['producer']> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private reloader: RuleReloader | undefined;
  private stopping = false;
  private tickQueued = false;
  readonly stats = { applied: 0, alerts: 0, rebuilt: 0, commits: 0 };

  constructor(private readonly options: MonitorOptions) {
    const c = options.config;
    this.kafka = createKafka(c, (entry) => options.logger.debug(entry, 'kafkajs'));
    this.redis = new Redis(c.REDIS_URL, { maxRetriesPerRequest: null, enableOfflineQueue: true, retryStrategy: (n) => Math.min(n * 200, 2000) });
    this.cases = new RedisCaseStore(this.redis, c.REDIS_KEY_PREFIX);
    this.pipeline = new Pipeline({ rules: options.rules, labels: options.labels });
  }

  private get groupId(): string {
    return this.options.config.KAFKA_GROUP_ID;
  }

  async start(): Promise<void> {
    const { config, inputTopics, alertTopic, logger } = this.options;
    await ensureTopics(this.kafka, [...inputTopics, alertTopic, ...inputTopics.map((t) => `${t}.dlq`)], config.KAFKA_TOPIC_PARTITIONS);
    await this.rebuild();
    this.producer = this.kafka.producer({ transactionalId: `${this.groupId}-${this.options.instanceId}`, idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
    this.consumer = this.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false, readUncommitted: false, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      void this.enqueue(() => this.onAssignment(e.payload.memberAssignment as Record<string, number[]>));
    });
    await this.consumer.subscribe({ topics: inputTopics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        await this.enqueue(() => this.accept(batch.topic, batch.partition, batch.highWatermark, batch.messages));
        await heartbeat();
      },
    });
    if (this.options.rulesDir) {
      this.reloader = new RuleReloader(this.options.rulesDir, {
        applied: (rules) => { this.pipeline.engine.replaceRules(rules); logger.info({ rules: rules.length }, 'rules reloaded'); },
        refused: (err) => logger.error({ err: err.message }, 'rule change refused; the rules in force stay'),
      });
      this.reloader.start();
    }
    // At most one tick waits in the queue: ticks must never pile up in front of incoming batches.
    this.timer = setInterval(() => {
      if (this.tickQueued || this.buffer.length === 0) return;
      this.tickQueued = true;
      void this.enqueue(async () => {
        this.tickQueued = false;
        await this.refreshAndRelease();
      });
    }, this.options.tickMs ?? 200);
    if (this.options.metrics) this.options.metrics.healthy = true;
    logger.info({ groupId: this.groupId, topics: inputTopics.length, rebuilt: this.stats.rebuilt }, 'monitor started');
  }

  /**
   * Serialises all work: batches, ticks and the final flush never interleave. A step that fails
   * after applying messages cannot be retried safely in memory (the pipeline has seen their
   * eventIds), so the process exits and a restart rebuilds state from the committed offsets:
   * crash-only, which is the path the SIGKILL tests exercise.
   */
  private enqueue(task: () => Promise<void> | void): Promise<void> {
    this.queue = this.queue.then(task).catch((err: unknown) => {
      this.options.logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'monitor step failed; exiting so a restart rebuilds from committed offsets');
      process.exit(1);
    });
    return this.queue;
  }

  private async onAssignment(assignment: Record<string, number[]>): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId: this.groupId, topics: Object.keys(assignment) });
      const assigned = new Set<string>();
      for (const t of committed) {
        const highs = await admin.fetchTopicOffsets(t.topic);
        for (const p of t.partitions) {
          if (!assignment[t.topic]?.includes(p.partition)) continue;
          const k = key(t.topic, p.partition);
          assigned.add(k);
          if (this.partitions.has(k)) continue;
          const start = BigInt(p.offset === '-1' ? '0' : p.offset);
          const high = BigInt(highs.find((h) => h.partition === p.partition)?.high ?? '0');
          this.partitions.set(k, { lastTime: Number.NEGATIVE_INFINITY, fetched: start, high, applied: start, pending: [] });
        }
      }
      for (const k of [...this.partitions.keys()]) if (!assigned.has(k)) this.partitions.delete(k);
      this.buffer = this.buffer.filter((b) => assigned.has(key(b.topic, b.partition)));
    } finally {
      await admin.disconnect();
    }
  }

  private async accept(topic: string, partition: number, highWatermark: string, messages: { offset: string; timestamp: string; value: Buffer | null }[]): Promise<void> {
    const k = key(topic, partition);
    const state = this.partitions.get(k);
    if (!state) return; // revoked meanwhile: the new owner reads it again
    for (const m of messages) {
      const offset = BigInt(m.offset);
      if (offset < state.fetched) continue; // already buffered or applied (a re-fetch after rebalance)
      const raw = m.value?.toString('utf8') ?? '';
      const decoded = this.pipeline.decode(raw);
      const time = eventTime(decoded, Number(m.timestamp));
      this.buffer.push({ decoded, raw, time, topic, partition, offset });
      state.pending.push(offset);
      state.fetched = offset + 1n;
      state.lastTime = Math.max(state.lastTime, time);
      this.options.metrics?.consumed.inc({ topic });
    }
    state.high = BigInt(highWatermark);
    this.options.metrics?.lag.set({ topic, partition: String(partition) }, Number(state.high - state.fetched));
    await this.release();
  }

  private async refreshAndRelease(): Promise<void> {
    if (this.stopping || this.buffer.length === 0) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (const topic of new Set([...this.partitions.keys()].map((k) => k.slice(0, k.lastIndexOf('/'))))) {
        for (const p of await admin.fetchTopicOffsets(topic)) {
          const state = this.partitions.get(key(topic, p.partition));
          if (state) state.high = BigInt(p.high);
        }
      }
    } finally {
      await admin.disconnect();
    }
    await this.release();
  }

  /** Messages at or before this time can be applied: no assigned partition still owes an older one. */
  private watermark(): number {
    let w = Number.POSITIVE_INFINITY;
    for (const s of this.partitions.values()) if (s.fetched < s.high) w = Math.min(w, s.lastTime);
    return w;
  }

  private async release(): Promise<void> {
    if (this.buffer.length === 0) return;
    const w = this.watermark();
    this.buffer.sort(order);
    let n = 0;
    while (n < this.buffer.length && this.buffer[n]!.time <= w) n++;
    if (n === 0) return;
    const ready = this.buffer.slice(0, n);
    const timer = this.options.metrics?.batchSeconds.startTimer();
    const alerts: Alert[] = [];
    const dead: DeadLetter[] = [];
    for (const b of ready) {
      const out = this.pipeline.processDecoded(b.decoded, b.raw, { topic: b.topic, partition: b.partition, offset: b.offset.toString() });
      alerts.push(...out.alerts);
      if (out.deadLetter) dead.push(out.deadLetter);
    }
    for (const a of alerts) if (a.severity !== 'low') await this.cases.addAlert(a);
    const offsets = this.advance(ready);
    await this.publish(alerts, dead, offsets);
    this.buffer = this.buffer.slice(n);
    this.stats.applied += n;
    this.stats.alerts += alerts.length;
    for (const a of alerts) this.options.metrics?.alerts.inc({ typology: a.typology, severity: a.severity });
    for (const d of dead) this.options.metrics?.rejected.inc({ topic: d.origin.topic ?? '', code: d.code });
    timer?.();
  }

  /** The commit position of each touched partition: one past its contiguous applied prefix. */
  private advance(ready: Buffered[]): { topic: string; partitions: { partition: number; offset: string }[] }[] {
    const touched = new Set<string>();
    for (const b of ready) {
      const s = this.partitions.get(key(b.topic, b.partition))!;
      s.pending = s.pending.filter((o) => o !== b.offset);
      touched.add(key(b.topic, b.partition));
    }
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const k of touched) {
      const s = this.partitions.get(k)!;
      s.applied = s.pending.length ? s.pending.reduce((m, o) => (o < m ? o : m)) : s.fetched;
      const topic = k.slice(0, k.lastIndexOf('/'));
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partition: Number(k.slice(k.lastIndexOf('/') + 1)), offset: s.applied.toString() }]);
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }

  /** Retries the same transaction content (never recomputed) through broker restarts and coordinator churn. */
  private async publish(alerts: Alert[], dead: DeadLetter[], offsets: { topic: string; partitions: { partition: number; offset: string }[] }[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.publishOnce(alerts, dead, offsets);
      } catch (err) {
        if (attempt >= 30) throw err;
        this.options.logger.warn({ attempt, err: (err as Error).message }, 'publish failed; retrying the same transaction');
        await new Promise((r) => setTimeout(r, Math.min(200 * attempt, 3000)));
      }
    }
  }

  private async publishOnce(alerts: Alert[], dead: DeadLetter[], offsets: { topic: string; partitions: { partition: number; offset: string }[] }[]): Promise<void> {
    const tx = await this.producer!.transaction();
    try {
      const topicMessages = toTopicMessages(this.options.alertTopic, alerts, dead);
      if (topicMessages.length) await tx.sendBatch({ topicMessages, acks: -1 });
      await tx.sendOffsets({ consumerGroupId: this.groupId, topics: offsets });
      await tx.commit();
      this.stats.commits++;
    } catch (err) {
      await tx.abort().catch(() => undefined);
      throw err;
    }
  }

  /** Re-reads every input partition up to the group's committed offset and applies it, alerts discarded. */
  private async rebuild(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = new Map<string, bigint>();
    try {
      for (const t of await admin.fetchOffsets({ groupId: this.groupId, topics: this.options.inputTopics })) {
        for (const p of t.partitions) if (p.offset !== '-1' && BigInt(p.offset) > 0n) ends.set(key(t.topic, p.partition), BigInt(p.offset));
      }
    } finally {
      await admin.disconnect();
    }
    if (ends.size === 0) return;
    const records: Buffered[] = [];
    const consumer = this.kafka.consumer({ groupId: `${this.groupId}-rebuild-${this.options.instanceId}-${Date.now()}`, readUncommitted: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [...new Set([...ends.keys()].map((k) => k.slice(0, k.lastIndexOf('/'))))], fromBeginning: true });
      const remaining = new Set(ends.keys());
      await new Promise<void>((resolve, reject) => {
        consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const k = key(batch.topic, batch.partition);
            const end = ends.get(k);
            if (end === undefined) return;
            for (const m of batch.messages) {
              const offset = BigInt(m.offset);
              if (offset >= end) break;
              const raw = m.value?.toString('utf8') ?? '';
              const decoded = this.pipeline.decode(raw);
              records.push({ decoded, raw, time: eventTime(decoded, Number(m.timestamp)), topic: batch.topic, partition: batch.partition, offset });
              if (offset + 1n >= end) remaining.delete(k);
            }
            if (remaining.size === 0) resolve();
          },
        }).catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    records.sort(order);
    for (const r of records) this.pipeline.processDecoded(r.decoded, r.raw, { topic: r.topic, partition: r.partition, offset: r.offset.toString() });
    this.stats.rebuilt = records.length;
  }

  /** SIGTERM: finish the step in hand, commit it, and leave the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.reloader?.stop();
    await this.queue.catch(() => undefined);
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    await this.redis.quit().catch(() => undefined);
    if (this.options.metrics) this.options.metrics.healthy = false;
  }
}
