/**
 * What the integration tests read of slot cursors and input high watermarks, through the monitor's
 * own whole-answer reads (kafka/complete-answers.ts): kafkajs answers `fetchOffsets` and
 * `fetchTopicOffsets` without some partitions, or none, while its client lacks a topic's metadata,
 * and such an answer read as "every cursor has caught up" or as an empty cursor.
 */
import { committedOffsetsGap, offsetsGap, readComplete } from '../../src/kafka/complete-answers.js';
import type { KafkaClient } from '../../src/kafka/client.js';

type Admin = Pick<ReturnType<KafkaClient['admin']>, 'fetchOffsets' | 'fetchTopicOffsets'>;

/** How long one helper read waits for a whole answer before it throws (waitFor counts a throw as "not yet"). */
const WHOLE_ANSWER_MS = 30_000;

type CommittedAnswer = Awaited<ReturnType<Admin['fetchOffsets']>>;

/** The committed offsets of `groupId`, read again until each topic lists each of `partitions` (topic → partition numbers). */
function committedOffsets(admin: Admin, groupId: string, partitions: ReadonlyMap<string, readonly number[]>): Promise<CommittedAnswer> {
  const topics = [...partitions.keys()];
  const gapOf = (answer: CommittedAnswer): string | undefined => committedOffsetsGap(topics, answer) ?? partitionsGap(answer, partitions);
  return readComplete(`the committed offsets of ${groupId}`, () => admin.fetchOffsets({ groupId, topics }), gapOf, { timeoutMs: WHOLE_ANSWER_MS });
}

function partitionsGap(answer: CommittedAnswer, partitions: ReadonlyMap<string, readonly number[]>): string | undefined {
  for (const [topic, expected] of partitions) {
    const listed = answer.find((a) => a.topic === topic)?.partitions ?? [];
    const missing = expected.filter((p) => !listed.some((l) => l.partition === p));
    if (missing.length > 0) return `no committed-offset entry for partition ${missing.join(', ')} of ${topic}`;
  }
  return undefined;
}

/** Every partition of each topic with its high watermark, each topic's answer whole. */
async function highsOf(admin: Admin, topics: readonly string[]): Promise<Map<string, { partition: number; high: string }[]>> {
  const highs = new Map<string, { partition: number; high: string }[]>();
  for (const topic of topics) highs.set(topic, await readComplete(`the offsets of ${topic}`, () => admin.fetchTopicOffsets(topic), (a) => offsetsGap(topic, a), { timeoutMs: WHOLE_ANSWER_MS }));
  return highs;
}

const partitionsOf = (highs: Map<string, { partition: number }[]>): Map<string, number[]> => new Map([...highs].map(([t, ps]) => [t, ps.map((p) => p.partition)]));

/** A slot cursor as `topic/partition` → offset, every input partition listed (one never committed at 0). */
export async function readSlotCursor(admin: Admin, group: string, slot: number, topics: readonly string[]): Promise<Map<string, bigint>> {
  const partitions = partitionsOf(await highsOf(admin, topics));
  const cut = new Map<string, bigint>();
  for (const t of await committedOffsets(admin, `${group}.slot-${slot}`, partitions)) {
    for (const p of t.partitions) cut.set(`${t.topic}/${p.partition}`, BigInt(p.offset === '-1' ? '0' : p.offset));
  }
  return cut;
}

/** Every input partition's high watermark as `topic/partition` → offset, each topic's answer whole. */
export async function readHighWatermarks(admin: Admin, topics: readonly string[]): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  for (const [topic, ps] of await highsOf(admin, topics)) for (const p of ps) out.set(`${topic}/${p.partition}`, BigInt(p.high));
  return out;
}

/** Whether every slot cursor (`<group>.slot-<s>`, one slot per partition of the first topic) has reached every partition's high watermark. */
export async function slotCursorsCaughtUp(admin: Admin, group: string, topics: readonly string[]): Promise<boolean> {
  const highs = await highsOf(admin, topics);
  const slots = highs.get(topics[0]!)!.length;
  for (let s = 0; s < slots; s++) {
    for (const t of await committedOffsets(admin, `${group}.slot-${s}`, partitionsOf(highs))) {
      for (const p of t.partitions) {
        const high = highs.get(t.topic)!.find((h) => h.partition === p.partition)!.high;
        if (high !== '0' && p.offset !== high) return false;
      }
    }
  }
  return true;
}
