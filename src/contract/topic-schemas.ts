/**
 * Which schema an input topic carries, by its name: the contract gives each schema its topic
 * (exchange.transfer.v1 on exchange.deposits and exchange.withdrawals, exchange.login.v1 on
 * exchange.logins, …). A topic named so, or so after a prefix ending in `.`, `-` or `_` (an
 * environment's `prod.exchange.logins`, a test run's `e2e-42-exchange.logins`), carries that
 * schema alone: another schema on it is a producer's mistake (QA: a login produced to the
 * deposits topic was accepted) and is dead-lettered as `TW_TOPIC`. A topic of any other name,
 * an operator's own (`--topics`), may carry every input schema: nothing tells what it is for, so
 * nothing on it is refused for its schema. Files carry every schema (the contract's JSON Lines
 * replay), and so do records without a topic.
 */
import { DEFAULT_TOPICS, type SchemaName } from './schemas.js';

/** Each contract input topic and the one schema it carries. */
const CONTRACT_TOPIC_SCHEMA: ReadonlyMap<string, SchemaName> = new Map<string, SchemaName>([
  [DEFAULT_TOPICS.deposits, 'exchange.transfer.v1'],
  [DEFAULT_TOPICS.withdrawals, 'exchange.transfer.v1'],
  [DEFAULT_TOPICS.logins, 'exchange.login.v1'],
  [DEFAULT_TOPICS.bitcoinTxs, 'chain.bitcoin.tx.v1'],
  [DEFAULT_TOPICS.evmTxs, 'chain.evm.tx.v1'],
  [DEFAULT_TOPICS.evmLogs, 'chain.evm.log.v1'],
  [DEFAULT_TOPICS.labels, 'intel.label.v1'],
  [DEFAULT_TOPICS.prices, 'market.price.v1'],
]);

const PREFIX_ENDS = new Set(['.', '-', '_']);

/** What a topic's name says of it: the contract topic it is named after, and that topic's schema. */
export interface TopicSchema {
  contractTopic: string;
  schema: SchemaName;
  /** What comes before the contract name (`prod.`, `e2e-42-`), to name the topic a schema belongs on. */
  prefix: string;
}

/** The contract topic `topic` is named after, or undefined for an operator's own name (every schema goes). */
export function topicSchemaOf(topic: string): TopicSchema | undefined {
  for (const [contractTopic, schema] of CONTRACT_TOPIC_SCHEMA) {
    if (!topic.endsWith(contractTopic)) continue;
    const prefix = topic.slice(0, topic.length - contractTopic.length);
    if (prefix === '' || PREFIX_ENDS.has(prefix[prefix.length - 1]!)) return { contractTopic, schema, prefix };
  }
  return undefined;
}

/** The contract topics a schema travels on. */
function topicsOfSchema(schema: SchemaName): string[] {
  return [...CONTRACT_TOPIC_SCHEMA].filter(([, s]) => s === schema).map(([t]) => t);
}

/** The reject's reason and issue for `schema` read from `topic`, named after a contract topic that carries another. */
export function wrongTopicReason(topic: string, named: TopicSchema, schema: SchemaName): { reason: string; message: string } {
  const belongs = topicsOfSchema(schema).map((t) => `${named.prefix}${t}`).join(' or ');
  const message = `${schema} does not belong on topic ${topic}, which carries ${named.schema} (it is named after the contract's ${named.contractTopic}); produce it to ${belongs}`;
  return { reason: `${schema}: schema: ${message}`, message };
}

/**
 * The topic check of every Kafka input path (the monitor, its journal, `replay --from-kafka`):
 * each topic's name is read once, then a message costs one map look-up.
 */
export class TopicSchemaCheck {
  private readonly named = new Map<string, TopicSchema | null>();

  /** The dead letter's reason when `schema` does not belong on `topic`, else undefined. */
  refusal(topic: string, schema: SchemaName): { reason: string; message: string } | undefined {
    let named = this.named.get(topic);
    if (named === undefined) {
      named = topicSchemaOf(topic) ?? null;
      this.named.set(topic, named);
    }
    return named === null || named.schema === schema ? undefined : wrongTopicReason(topic, named, schema);
  }
}
