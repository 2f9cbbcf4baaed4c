/** kafkajs clients from the validated config: brokers, SSL and SASL come from configuration only. */
import kafkajs from 'kafkajs';
import type { Config } from '../config/config.js';

const { Kafka, logLevel } = kafkajs;
export type KafkaClient = InstanceType<typeof Kafka>;

export function createKafka(config: Pick<Config, 'KAFKA_BROKERS' | 'KAFKA_CLIENT_ID' | 'KAFKA_SSL' | 'KAFKA_SASL_MECHANISM' | 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD'>, debugLog?: (entry: Record<string, unknown>) => void): KafkaClient {
  const sasl = config.KAFKA_SASL_MECHANISM
    ? { mechanism: config.KAFKA_SASL_MECHANISM, username: config.KAFKA_SASL_USERNAME!, password: config.KAFKA_SASL_PASSWORD! }
    : undefined;
  return new Kafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS.split(','),
    ssl: config.KAFKA_SSL,
    ...(sasl ? { sasl: sasl as never } : {}),
    // kafkajs logs every retried connection error at ERROR; they go to the debug log instead, and
    // failures that matter surface through the monitor's own logs.
    logLevel: logLevel.INFO,
    logCreator: () => ({ namespace, label, log }) => debugLog?.({ kafkajs: namespace, level: label, message: log.message, ...(log.broker ? { broker: log.broker } : {}) }),
    retry: { retries: 8, initialRetryTime: 200 },
  });
}

/**
 * Creates any missing topic with the given partition count; existing topics are left alone.
 * Dead-letter topics (`*.dlq`) get a 4 MiB record limit: a reject carries the raw input, which may
 * itself be as large as the broker allows, plus its reason in headers.
 */
export async function ensureTopics(kafka: KafkaClient, topics: string[], partitions: number, replicationFactor = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((t) => !existing.has(t));
    if (missing.length) {
      await admin.createTopics({ waitForLeaders: false, topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor, ...(topic.endsWith('.dlq') ? { configEntries: [{ name: 'max.message.bytes', value: String(4 * 1024 * 1024) }] } : {}) })) });
      await waitForLeaders(admin, missing);
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until every partition of `topics` has a leader. kafkajs's own `waitForLeaders` retries only
 * LEADER_NOT_AVAILABLE, and a KRaft broker briefly answers UNKNOWN_TOPIC_OR_PARTITION for a topic
 * it has just created, which made topic creation fail now and then.
 */
async function waitForLeaders(admin: ReturnType<KafkaClient['admin']>, topics: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      if (found.length === topics.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leader after ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
