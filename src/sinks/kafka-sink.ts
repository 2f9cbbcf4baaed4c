/**
 * Alerts to `compliance.alerts` keyed by the subject's accountId, and rejects to `<topic>.dlq`
 * with the reason in headers. `send` resolves only once the broker has acknowledged (acks = all),
 * which is what lets the monitor commit offsets after it.
 */
import type { Alert } from '../contract/schemas.js';
import type { KafkaClient } from '../kafka/client.js';
import type { DeadLetter } from '../decode/events.js';
import { serialiseAlert } from './serialise.js';

type Producer = ReturnType<KafkaClient['producer']>;

export class KafkaSink {
  private readonly producer: Producer;

  constructor(kafka: KafkaClient, private readonly alertTopic: string) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async publish(alerts: readonly Alert[], deadLetters: readonly DeadLetter[]): Promise<void> {
    for (const topicMessages of chunkTopicMessages(toTopicMessages(this.alertTopic, alerts, deadLetters))) await this.producer.sendBatch({ acks: -1, topicMessages });
  }
}

export interface OutRecord { key?: string; value: string; headers: Record<string, string> }
export interface OutTopic { topic: string; messages: OutRecord[] }

/** Alerts keyed by accountId with their id in a header; dead letters raw, with the reason in headers. */
export function toTopicMessages(alertTopic: string, alerts: readonly Alert[], deadLetters: readonly DeadLetter[]): OutTopic[] {
  const topicMessages: OutTopic[] = [];
  if (alerts.length) {
    topicMessages.push({ topic: alertTopic, messages: alerts.map((a) => ({ key: a.subject.accountId, value: serialiseAlert(a), headers: { alertId: a.alertId, typology: a.typology } })) });
  }
  const byTopic = new Map<string, DeadLetter[]>();
  for (const d of deadLetters) {
    const topic = `${d.origin.topic ?? 'unknown'}.dlq`;
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), d]);
  }
  for (const [topic, letters] of byTopic) {
    topicMessages.push({
      topic,
      messages: letters.map((d) => ({
        value: d.raw,
        headers: { code: d.code, reason: d.reason.slice(0, 2000), 'source-topic': d.origin.topic ?? '', 'source-partition': String(d.origin.partition ?? ''), 'source-offset': d.origin.offset ?? '' },
      })),
    });
  }
  return topicMessages;
}

/**
 * Splits one transaction's records into sendBatch calls of at most `maxBytes` each (keys, values
 * and headers counted), so no record batch reaches the broker's message.max.bytes (1 MiB by
 * default) however many alerts one step produces. A record larger than the limit goes alone.
 */
export function chunkTopicMessages(topicMessages: OutTopic[], maxBytes = 256 * 1024): OutTopic[][] {
  const chunks: OutTopic[][] = [];
  let current: OutTopic[] = [];
  let size = 0;
  for (const { topic, messages } of topicMessages) {
    for (const m of messages) {
      let bytes = 64 + Buffer.byteLength(m.value) + (m.key ? Buffer.byteLength(m.key) : 0);
      for (const [k, v] of Object.entries(m.headers)) bytes += k.length + Buffer.byteLength(v);
      if (size > 0 && size + bytes > maxBytes) { chunks.push(current); current = []; size = 0; }
      const last = current[current.length - 1];
      if (last?.topic === topic) last.messages.push(m);
      else current.push({ topic, messages: [m] });
      size += bytes;
    }
  }
  if (current.length) chunks.push(current);
  return chunks;
}
