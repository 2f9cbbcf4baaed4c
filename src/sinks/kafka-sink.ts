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
    const topicMessages = [];
    if (alerts.length) {
      topicMessages.push({ topic: this.alertTopic, messages: alerts.map((a) => ({ key: a.subject.accountId, value: serialiseAlert(a), headers: { alertId: a.alertId, typology: a.typology } })) });
    }
    const byTopic = new Map<string, DeadLetter[]>();
    for (const d of deadLetters) byTopic.set(`${d.origin.topic ?? 'unknown'}.dlq`, [...(byTopic.get(`${d.origin.topic ?? 'unknown'}.dlq`) ?? []), d]);
    for (const [topic, letters] of byTopic) {
      topicMessages.push({
        topic,
        messages: letters.map((d) => ({
          value: d.raw,
          headers: { code: d.code, reason: d.reason.slice(0, 2000), 'source-topic': d.origin.topic ?? '', 'source-partition': String(d.origin.partition ?? ''), 'source-offset': d.origin.offset ?? '' },
        })),
      });
    }
    if (topicMessages.length) await this.producer.sendBatch({ acks: -1, topicMessages });
  }
}
