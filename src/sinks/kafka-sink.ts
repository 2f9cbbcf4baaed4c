/**
 * Alerts to `compliance.alerts` keyed by the subject's accountId, and rejects to `<topic>.dlq`
 * with the reason in headers. `send` resolves only once the broker has acknowledged (acks = all),
 * which is what lets the monitor commit offsets after it.
 */
import { createHash } from 'node:crypto';
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

export interface OutRecord { key?: string; value: string | Buffer | null; headers: Record<string, string> }
export interface OutTopic { topic: string; messages: OutRecord[] }

/**
 * What a dead letter's record needs beside its raw message: its headers (a reason of up to 2,000
 * characters, the source, the digest) and the record batch's own framing.
 */
export const DEAD_LETTER_HEADROOM_BYTES = 16 * 1024;

/**
 * The broker's default `message.max.bytes` (1 MiB and 12 bytes): what a `.dlq` topic takes when
 * neither the monitor made it (it allows 4 MiB) nor its limit could be read.
 */
export const BROKER_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/** Raw bytes a dead letter may carry on a topic whose `max.message.bytes` is `topicMaxBytes`. */
export function deadLetterRawLimit(topicMaxBytes = BROKER_DEFAULT_MAX_MESSAGE_BYTES): number {
  return Math.max(1024, topicMaxBytes - DEAD_LETTER_HEADROOM_BYTES);
}

/**
 * The dead letter's raw message, cut to `maxBytes` (at a UTF-8 character boundary) when longer,
 * with headers that say so: its whole length, and its SHA-256, by which the original (still at
 * `source-topic`/`source-partition`/`source-offset` within the topic's retention) can be told for
 * certain. A record larger than its topic takes (a TW_OVERSIZED message can be as large as its
 * input topic allows) used to fail its slot's transaction on every retry and stop the monitor,
 * the same again after each restart.
 */
export function deadLetterValue(raw: string | Buffer, maxBytes = deadLetterRawLimit()): { value: string | Buffer; headers: Record<string, string> } {
  if (typeof raw === 'string' && raw.length * 3 <= maxBytes) return { value: raw, headers: {} }; // fits whatever its characters
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  if (bytes.length <= maxBytes) return { value: raw, headers: {} };
  let cut = maxBytes;
  // Text is cut at a character boundary; bytes that are not UTF-8 (TW_ENCODING) are cut where they fall.
  if (typeof raw === 'string') while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  const kept = bytes.subarray(0, cut);
  return {
    value: typeof raw === 'string' ? kept.toString('utf8') : kept,
    headers: { 'raw-truncated': 'true', 'raw-bytes': String(bytes.length), 'raw-sha256': createHash('sha256').update(bytes).digest('hex') },
  };
}

/** Alerts keyed by accountId with their id in a header; dead letters raw (their original bytes; cut when very large), with the reason in headers. */
export function toTopicMessages(alertTopic: string, alerts: readonly Alert[], deadLetters: readonly DeadLetter[], topicMaxBytes: (topic: string) => number | undefined = () => undefined): OutTopic[] {
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
    const rawLimit = deadLetterRawLimit(topicMaxBytes(topic));
    topicMessages.push({
      topic,
      messages: letters.map((d) => {
        // A tombstone goes as a tombstone, and the record's key with it: the dead letter can be fed back as it came.
        const { value, headers } = d.origin.tombstone ? { value: null, headers: { tombstone: 'true' } } : deadLetterValue(d.bytes ?? d.raw, rawLimit);
        return { ...(d.origin.key !== undefined ? { key: d.origin.key } : {}), value, headers: { code: d.code, reason: d.reason.slice(0, 2000), 'source-topic': d.origin.topic ?? '', 'source-partition': String(d.origin.partition ?? ''), 'source-offset': d.origin.offset ?? '', ...headers } };
      }),
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
      let bytes = 64 + (m.value === null ? 0 : Buffer.byteLength(m.value)) + (m.key ? Buffer.byteLength(m.key) : 0);
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
