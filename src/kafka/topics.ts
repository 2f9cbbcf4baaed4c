/**
 * The retention each topic the monitor uses needs, and a check of the input topics it did not
 * create. Inputs keep every record a restart may need: with checkpoints, those past the oldest
 * checkpoint kept, over the longest outage to survive (KAFKA_INPUT_RETENTION_MS, 7 days by
 * default); without checkpoints, every record ever (-1). The alert topic is the compliance
 * record (infinite by default); dead letters are kept for an operator to inspect (30 days).
 */
import kafkajs from 'kafkajs';
import { checkpointsOn, type Config } from '../config/config.js';
import type { KafkaClient } from './client.js';

type Admin = ReturnType<KafkaClient['admin']>;
type RetentionConfig = Pick<Config, 'KAFKA_INPUT_RETENTION_MS' | 'KAFKA_ALERT_RETENTION_MS' | 'KAFKA_DLQ_RETENTION_MS' | 'CHECKPOINT_STORE' | 'CHECKPOINT_DIR' | 'CHECKPOINT_KEEP' | 'CHECKPOINT_EVERY_SECONDS'>;

export interface MonitorTopics {
  inputs: string[];
  alerts: string;
}

export const dlqTopic = (input: string): string => `${input}.dlq`;

export function allTopics(t: MonitorTopics): string[] {
  return [...t.inputs, t.alerts, ...t.inputs.map(dlqTopic)];
}

/** retention.ms of a topic the monitor creates, by its role. */
export function retentionOf(config: RetentionConfig, t: MonitorTopics, topic: string): number {
  if (topic === t.alerts) return config.KAFKA_ALERT_RETENTION_MS;
  if (topic.endsWith('.dlq') && t.inputs.includes(topic.slice(0, -4))) return config.KAFKA_DLQ_RETENTION_MS;
  return checkpointsOn(config) ? config.KAFKA_INPUT_RETENTION_MS : -1;
}

export function topicSettings(config: RetentionConfig, t: MonitorTopics): (topic: string) => Record<string, string> {
  return (topic) => ({ 'retention.ms': String(retentionOf(config, t, topic)) });
}

/** The least input retention that lets a restart find every record past the oldest checkpoint kept (ms); -1 without checkpoints. */
export function neededInputRetention(config: RetentionConfig): number {
  return !checkpointsOn(config) ? -1 : config.CHECKPOINT_KEEP * config.CHECKPOINT_EVERY_SECONDS * 1000 + 3_600_000;
}

/**
 * A sentence for each input topic whose retention.ms (as the broker reports it) is shorter than
 * the design needs: a restart would then silently miss records. Topics the operator created are
 * never altered; this only warns.
 */
export async function inputRetentionWarnings(admin: Admin, config: RetentionConfig, inputs: string[]): Promise<string[]> {
  const needed = neededInputRetention(config);
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: inputs.map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms'] })) });
  const warnings: string[] = [];
  for (const r of described.resources) {
    const value = Number(r.configEntries.find((e) => e.configName === 'retention.ms')?.configValue ?? '-1');
    if (value === -1 || (needed !== -1 && value >= needed)) continue;
    warnings.push(needed === -1
      ? `input topic ${r.resourceName} keeps ${value} ms of records, but checkpoints are off (CHECKPOINT_DIR is empty): a restart rebuilds from what is left and misses older history; set retention.ms=-1 or turn checkpoints on`
      : `input topic ${r.resourceName} keeps ${value} ms of records, less than the ${needed} ms the oldest kept checkpoint may need (CHECKPOINT_KEEP × CHECKPOINT_EVERY_SECONDS plus an hour): raise retention.ms`);
  }
  return warnings;
}

/**
 * Each dead-letter topic's `max.message.bytes` as the broker applies it (the topic's own, or the
 * broker's default), so a dead letter is cut to what its topic takes (see deadLetterValue).
 */
export async function deadLetterTopicLimits(admin: Admin, inputs: string[]): Promise<Map<string, number>> {
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: inputs.map((input) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name: dlqTopic(input), configNames: ['max.message.bytes'] })) });
  const limits = new Map<string, number>();
  for (const r of described.resources) {
    const value = Number(r.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue);
    if (Number.isSafeInteger(value) && value > 0) limits.set(r.resourceName, value);
  }
  return limits;
}
