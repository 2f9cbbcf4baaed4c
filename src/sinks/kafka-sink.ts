/**
 * Alerts to `compliance.alerts` keyed by the subject's accountId, and rejects to `<topic>.dlq`
 * with the reason in headers. `send` resolves only once the broker has acknowledged (acks = all),
 * which is what lets the monitor commit offsets after it.
 */
import type { Alert } from '../contract/schemas.js';
import type { KafkaClient } from '../kafka/client.js';
import type { DeadLetter } from '../pipeline/pipeline.js';
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
    const topicMessages = toTopicMessages(this.alertTopic, alerts, deadLetters);
    if (topicMessages.length) await this.producer.sendBatch({ acks: -1, topicMessages });
  }
}

/** Alerts keyed by accountId with their id in a header; dead letters raw, with the reason in headers. */
export function toTopicMessages(alertTopic: string, alerts: readonly Alert[], deadLetters: readonly DeadLetter[]) {
  const topicMessages = [];
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
