/**
 * Mistakes in the monitor's choice of topics that Kafka accepts but that make it read what it
 * writes, or wait for a topic nobody creates (session 59 QA: `--alert-topic` set to an input
 * topic started, and published every alert into its own input, where each came back as a dead
 * letter; an `--ownership-topic` that did not exist stopped start-up with kafkajs' "This server
 * does not host this topic-partition", exit 1, naming nothing). Each is a configuration mistake:
 * start-up stops naming the flag, exit 2.
 */
import { dlqTopic } from './topics.js';

export interface TopicChoice {
  inputs: readonly string[];
  alerts: string;
}

/** What is wrong with the choice, one sentence a mistake, naming its flag; empty when nothing is. */
export function topicChoiceMistakes(choice: TopicChoice): string[] {
  const { inputs, alerts } = choice;
  const mistakes: string[] = [];
  // A topic listed twice is read once (as replay --from-kafka does): no mistake.
  const inputSet = new Set(inputs);
  const deadLetterOf = new Map(inputs.map((topic) => [dlqTopic(topic), topic]));
  for (const topic of inputSet) {
    const source = deadLetterOf.get(topic);
    if (source !== undefined) mistakes.push(`--topics: ${topic} is the dead-letter topic of the input ${source}: the monitor would read back its own dead letters and write them again to ${dlqTopic(topic)}`);
  }
  if (inputSet.has(alerts)) mistakes.push(`--alert-topic: ${alerts} is also an input topic (--topics): the monitor would read back its own alerts as input, each one a dead letter`);
  const alertsDeadLetterOf = deadLetterOf.get(alerts);
  if (alertsDeadLetterOf !== undefined) mistakes.push(`--alert-topic: ${alerts} is the dead-letter topic of the input ${alertsDeadLetterOf}: alerts and dead letters would share one topic`);
  return mistakes;
}

/** The refusal of an ownership topic the broker does not have, naming the flag. */
export function missingOwnershipTopic(topic: string, inputs: readonly string[]): string {
  return `--ownership-topic: the topic ${topic} does not exist, and the monitor creates only its input (${inputs.join(', ')}), alert and dead-letter topics: name one of the input topics, or create ${topic} with as many partitions as the group should have publishing slots`;
}

/** Whether a metadata request failed because the topic does not exist (kafkajs' protocol error type). */
export function isUnknownTopic(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { type?: unknown }).type === 'UNKNOWN_TOPIC_OR_PARTITION';
}
