/**
 * kafkajs' own admin code over a scripted cluster: the client metadata lacks the topic, or some
 * of its partitions, for the first few looks (a topic just created, a leader not yet elected, or
 * a metadata request whose failure kafkajs swallowed), so the admin gives exactly the incomplete
 * answers, and the TypeErrors, kafkajs builds from it.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const createAdmin = require('kafkajs/src/admin/index.js') as (params: unknown) => never;

export const TOPIC = 'exchange.deposits';
export const PARTITIONS = [0, 1];

const quietLogger = (): unknown => {
  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, namespace: () => logger };
  return logger;
};

/** A cluster whose client metadata lists the topic only from its `knownFrom`-th look on (1-based), `lacking` partitions left out until then. */
export function scriptedCluster(knownFrom: number, options: { lacking?: number[]; unknownTopic?: boolean } = {}) {
  let looks = 0;
  const known = (): boolean => looks >= knownFrom;
  const partitionsNow = (): number[] => (known() ? PARTITIONS : PARTITIONS.filter((p) => options.lacking !== undefined && !options.lacking.includes(p)));
  return {
    get looks() { return looks; },
    addTargetTopic: async () => undefined,
    refreshMetadataIfNecessary: async () => undefined,
    findTopicPartitionMetadata: (topic: string) => {
      looks++;
      return topic === TOPIC ? partitionsNow().map((partitionId) => ({ partitionId, leader: 1 })) : [];
    },
    // What kafkajs' cluster.metadata returns when every broker's answer failed: null (brokerPool.withBroker swallows the errors).
    metadata: async ({ topics }: { topics: string[] }) => {
      looks++;
      if (options.unknownTopic) throw Object.assign(new Error('This server does not host this topic-partition'), { type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true });
      if (!known()) return null;
      return { topicMetadata: topics.map((topic) => ({ topic, partitionMetadata: PARTITIONS.map((partitionId) => ({ partitionId, leader: 1 })) })) };
    },
    // Only partitions with a leader in the client's metadata are asked for; none asked: no answer for the topic.
    fetchTopicsOffset: async (asked: { topic: string; fromBeginning: boolean; partitions: { partition: number }[] }[]) =>
      asked.filter((t) => t.partitions.length > 0).map((t) => ({ topic: t.topic, partitions: t.partitions.map(({ partition }) => ({ partition, offset: t.fromBeginning ? '0' : '10' })) })),
    findGroupCoordinator: async () => ({
      offsetFetch: async ({ topics }: { topics: { topic: string; partitions: { partition: number }[] }[] }) => ({
        responses: topics.map(({ topic, partitions }) => ({ topic, partitions: partitions.map(({ partition }) => ({ partition, offset: '7', metadata: '', errorCode: 0 })) })),
      }),
    }),
  };
}

export const adminOver = (cluster: ReturnType<typeof scriptedCluster>): never => createAdmin({ logger: quietLogger(), retry: { retries: 0 }, cluster });
