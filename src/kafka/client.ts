/** kafkajs clients from the validated config: brokers, SSL and SASL come from configuration only. */
import kafkajs from 'kafkajs';
import { ConfigError, type Config } from '../config/config.js';
import { isTlsRefusal, kafkaSsl } from '../config/tls.js';
import { registerCompressionCodecs } from './compression.js';
import { kafkaTlsMistakeMessage, kafkaTlsMistakeOrAny, type KafkaTlsGiven } from './tls-mistakes.js';
import { saslRefusal, saslRefusalMessage } from './sasl.js';

const { Kafka, logLevel } = kafkajs;
export type KafkaClient = InstanceType<typeof Kafka>;

type KafkaConnectionConfig = Pick<Config, 'KAFKA_BROKERS' | 'KAFKA_CLIENT_ID' | 'KAFKA_SSL' | 'KAFKA_SASL_MECHANISM' | 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD'>
  & Partial<Pick<Config, 'KAFKA_SSL_CA_FILE' | 'KAFKA_SSL_CERT_FILE' | 'KAFKA_SSL_KEY_FILE' | 'KAFKA_SSL_KEY_PASSWORD' | 'KAFKA_MAX_INFLATED_BATCH_BYTES'>>;

export function createKafka(config: KafkaConnectionConfig, debugLog?: (entry: Record<string, unknown>) => void): KafkaClient {
  const sasl = config.KAFKA_SASL_MECHANISM
    ? { mechanism: config.KAFKA_SASL_MECHANISM, username: config.KAFKA_SASL_USERNAME!, password: config.KAFKA_SASL_PASSWORD! }
    : undefined;
  registerCompressionCodecs(config.KAFKA_MAX_INFLATED_BATCH_BYTES);
  return new Kafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS.split(','),
    // A private CA and a client certificate when their files are named (mutual TLS), else plain TLS or none.
    ssl: kafkaSsl(config),
    ...(sasl ? { sasl: sasl as never } : {}),
    // kafkajs logs every retried connection error at ERROR; they go to the debug log instead, and
    // failures that matter surface through the monitor's own logs.
    logLevel: logLevel.INFO,
    logCreator: () => (entry) => debugLog?.(kafkajsLogFields(entry)),
    retry: { retries: 8, initialRetryTime: 200 },
  });
}

/**
 * A kafkajs log entry as fields of one of our log lines. kafkajs' own level (`ERROR`, `INFO`) is
 * `kafkajsLevel`: as `level` it duplicated pino's numeric level in the same JSON line, and readers
 * that keep the last key (jq, Loki, Elasticsearch) saw routine debug lines as `"ERROR"` (QA D8).
 */
export function kafkajsLogFields({ namespace, label, log }: { namespace: string; label: string; log: { message: string; broker?: string } }): Record<string, unknown> {
  return { kafkajs: namespace, kafkajsLevel: label, message: log.message, ...(log.broker ? { broker: log.broker } : {}) };
}

/**
 * Creates any missing topic with the given partition count; existing topics are left alone.
 * Dead-letter topics (`*.dlq`) get a 4 MiB record limit: a reject carries the raw input, which may
 * itself be as large as the broker allows, plus its reason in headers. `configFor` adds topic
 * settings (the monitor passes each topic's retention, see topics.ts).
 */
export async function ensureTopics(kafka: KafkaClient, topics: string[], partitions: number, replicationFactor = 1, configFor: (topic: string) => Record<string, string> = () => ({})): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((t) => !existing.has(t));
    if (missing.length) {
      await admin.createTopics({ waitForLeaders: false, topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor, configEntries: topicConfigEntries(topic, configFor(topic)) })) });
      await waitForTopics(admin, missing, { timeoutMs: 60_000 });
    }
  } finally {
    await admin.disconnect();
  }
}

function topicConfigEntries(topic: string, extra: Record<string, string>): { name: string; value: string }[] {
  const entries = { ...(topic.endsWith('.dlq') ? { 'max.message.bytes': String(4 * 1024 * 1024) } : {}), ...extra };
  return Object.entries(entries).map(([name, value]) => ({ name, value }));
}

export interface WaitForTopicsOptions {
  timeoutMs: number;
  /** An end (Date.now() time) shared with the other steps of one start: the earlier of it and `timeoutMs` from now applies. */
  deadline?: number;
  /** Told each failed attempt (the monitor logs it); the next waits longer, up to 5 s. */
  onRetry?: (attempt: number, waitMs: number, reason: string) => void;
  /** Whether the caller has been asked to stop: the wait then gives up at once, without an error (the caller checks). */
  stopped?: () => boolean;
  /**
   * Settles when the caller is asked to stop: a start-up step still in hand is then given up
   * without waiting for it (the client retries an unreachable broker for most of a minute).
   */
  abandon?: Promise<void>;
  /** The TLS files the client was given, so that a TLS refusal names the variable it points at (tls-mistakes.ts). */
  tlsGiven?: KafkaTlsGiven;
  /** Settles with a configuration refusal found beside the step (a TLS listener reached without KAFKA_SSL, tls-probe.ts): the wait stops at once with it. */
  refusal?: Promise<string>;
}

const ABANDONED = Symbol('abandoned');

/** When a wait begun now ends (`timeoutMs` from now, or the shared `deadline` if that comes first), and the time that leaves it. */
function endOf(options: WaitForTopicsOptions): { deadline: number; allowedMs: number } {
  const now = Date.now();
  const deadline = Math.min(now + options.timeoutMs, options.deadline ?? Number.POSITIVE_INFINITY);
  return { deadline, allowedMs: Math.max(0, deadline - now) };
}

/**
 * Waits until every partition of `topics` has a leader that answers for its offsets. A KRaft broker
 * briefly answers UNKNOWN_TOPIC_OR_PARTITION or NOT_LEADER_OR_FOLLOWER for a topic it has just
 * created (kafkajs's own `waitForLeaders` retries only LEADER_NOT_AVAILABLE), and a monitor that
 * started on such a topic used to exit on its first request. Backs off from 100 ms to 5 s; throws
 * after `timeoutMs`, or at the shared `deadline` if that comes first, naming the topics and the
 * last reason.
 */
export async function waitForTopics(admin: ReturnType<KafkaClient['admin']>, topics: string[], options: WaitForTopicsOptions): Promise<void> {
  const { deadline, allowedMs } = endOf(options);
  for (let attempt = 1; ; attempt++) {
    const reason = await topicsNotReady(admin, topics);
    if (reason === undefined || options.stopped?.()) return;
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} not ready after ${allowedMs} ms: ${reason}`);
    const waitMs = Math.min(100 * 2 ** (attempt - 1), 5000, Math.max(0, deadline - Date.now()) + 1);
    options.onRetry?.(attempt, waitMs, reason);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/** Why the topics cannot be used yet, or undefined when every partition has a leader that answers. */
async function topicsNotReady(admin: ReturnType<KafkaClient['admin']>, topics: string[]): Promise<string | undefined> {
  try {
    const { topics: found } = await admin.fetchTopicMetadata({ topics });
    const missing = topics.filter((t) => !found.some((f) => f.name === t && f.partitions.length > 0));
    if (missing.length) return `no metadata for ${missing.join(', ')}`;
    const leaderless = found.filter((t) => t.partitions.some((p) => p.leader < 0)).map((t) => t.name);
    if (leaderless.length) return `no leader for a partition of ${leaderless.join(', ')}`;
    for (const topic of topics) await admin.fetchTopicOffsets(topic);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Runs a start-up step that talks to the brokers, retrying with the same backoff as waitForTopics
 * until the deadline: a broker that is just up, or has just created a topic, answers "not the
 * leader" or "unknown topic" for a moment.
 */
export async function retryStartup(step: () => Promise<void>, options: WaitForTopicsOptions): Promise<void> {
  const { deadline, allowedMs } = endOf(options);
  for (let attempt = 1; ; attempt++) {
    let timer: NodeJS.Timeout | undefined;
    try {
      // One step (the client's own retries of an unreachable broker) may outlast the deadline:
      // it is cut there, so KAFKA_STARTUP_TIMEOUT_MS bounds the whole wait (QA: 146 s at 120 s).
      const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within the ${allowedMs} ms allowed`)), Math.max(0, deadline - Date.now())); });
      const racers: Promise<unknown>[] = [step(), late];
      if (options.abandon) racers.push(options.abandon.then(() => ABANDONED));
      if (options.refusal) racers.push(options.refusal.then((message) => Promise.reject(new ConfigError(message))));
      await Promise.race(racers);
      return;
    } catch (err) {
      if (options.stopped?.()) return;
      if (err instanceof ConfigError) throw err;
      const refused = saslRefusal(err);
      if (refused) throw new ConfigError(saslRefusalMessage(refused));
      const topics = topicCreationRefusal(err);
      if (topics) throw new ConfigError(`invalid configuration: the brokers refused to create the topics: ${topics}`);
      const handshake = tlsRefusal(err);
      if (handshake) throw new ConfigError(kafkaTlsMistakeMessage(kafkaTlsMistakeOrAny(handshake, options.tlsGiven), 'the brokers', handshake));
      if (Date.now() >= deadline) throw err;
      const waitMs = Math.min(100 * 2 ** (attempt - 1), 5000, Math.max(0, deadline - Date.now()));
      options.onRetry?.(attempt, waitMs, err instanceof Error ? err.message : String(err));
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Whether kafkajs marks the error, or one in its cause chain, retriable. */
export function isRetriable(err: unknown): boolean {
  for (let e = err as { retriable?: boolean; cause?: unknown } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (e.retriable === true) return true;
  }
  return false;
}

/** The message of a TLS refusal anywhere in the error's cause chain, or undefined. */
export function tlsRefusal(err: unknown): string | undefined {
  for (let e = err as { message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (e.message !== undefined && isTlsRefusal(e.message)) return e.message;
  }
  return undefined;
}

/** What to set when the brokers refuse to create a topic for one of these reasons: waiting does not change them. */
const TOPIC_REFUSALS: Readonly<Record<string, string>> = {
  INVALID_REPLICATION_FACTOR: 'KAFKA_TOPIC_REPLICATION is more than the cluster has brokers',
  INVALID_PARTITIONS: 'KAFKA_TOPIC_PARTITIONS',
  INVALID_TOPIC_EXCEPTION: 'the topic name (--topics, --alert-topic, --ownership-topic or the *_TOPIC variables): letters, digits, ".", "_" and "-" only, at most 249',
  INVALID_CONFIG: 'a topic setting the monitor gives new topics (the retention variables)',
  POLICY_VIOLATION: "the cluster's topic creation policy: create the topics yourself",
  TOPIC_AUTHORIZATION_FAILED: "the Kafka user's ACLs: grant it CREATE, or create the topics yourself",
  CLUSTER_AUTHORIZATION_FAILED: "the Kafka user's ACLs: grant it CREATE, or create the topics yourself",
};

/**
 * Each topic the brokers refused to create for a reason waiting does not change, with that reason
 * and what to set, anywhere in the error's cause chain; undefined when there is none. The
 * start-up wait retried them until KAFKA_STARTUP_TIMEOUT_MS and then said the brokers did not
 * answer (QA: a replication factor of 3 on one broker, a topic name with a space).
 */
export function topicCreationRefusal(err: unknown): string | undefined {
  for (let e = err as { name?: string; errors?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (e.name !== 'KafkaJSAggregateError' || !Array.isArray(e.errors)) continue;
    const refused = (e.errors as { topic?: string; type?: string; message?: string }[]).filter((x) => x.type !== undefined && TOPIC_REFUSALS[x.type] !== undefined);
    if (refused.length > 0) return refused.map((x) => `${x.topic ?? '?'}: ${x.type} (${x.message ?? ''}); check ${TOPIC_REFUSALS[x.type!]}`).join('; ');
  }
  return undefined;
}
