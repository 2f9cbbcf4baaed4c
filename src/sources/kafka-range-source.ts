/**
 * Reads topics over a time range, for `replay --from-kafka`: offsets are found with
 * admin.fetchTopicOffsetsByTimestamp, then a throwaway consumer group reads up to the end offsets
 * captured at start (or until `until`). Messages come back in (topic, partition, offset) order.
 */
import type { KafkaClient } from '../kafka/client.js';

export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  value: string;
}

export async function readTopicRange(kafka: KafkaClient, topics: string[], since: number, until = Number.POSITIVE_INFINITY, groupPrefix = 'tidewatch-replay'): Promise<KafkaRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const starts = new Map<string, { partition: number; offset: string }[]>();
  const ends = new Map<string, bigint>();
  try {
    for (const topic of topics) {
      starts.set(topic, await admin.fetchTopicOffsetsByTimestamp(topic, since));
      for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, BigInt(p.high));
    }
  } finally {
    await admin.disconnect();
  }
  const pending = new Set([...ends].filter(([key, high]) => {
    const [topic, partition] = key.split('/');
    const start = starts.get(topic!)!.find((s) => s.partition === Number(partition))!;
    return BigInt(start.offset === '-1' ? high : start.offset) < high;
  }).map(([key]) => key));
  const records: KafkaRecord[] = [];
  if (pending.size === 0) return records;
  const consumer = kafka.consumer({ groupId: `${groupPrefix}-${process.pid}-${Date.now()}`, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const key = `${batch.topic}/${batch.partition}`;
        const high = ends.get(key)!;
        for (const m of batch.messages) {
          if (BigInt(m.offset) >= high) break;
          const ts = Number(m.timestamp);
          if (ts >= since && ts < until && m.value) records.push({ topic: batch.topic, partition: batch.partition, offset: m.offset, timestamp: ts, value: m.value.toString('utf8') });
          if (BigInt(m.offset) + 1n >= high) pending.delete(key);
        }
        if (pending.size === 0) resolveDone();
      },
    });
    for (const [topic, list] of starts) for (const s of list) if (s.offset !== '-1') consumer.seek({ topic, partition: s.partition, offset: s.offset });
    await done;
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
}
