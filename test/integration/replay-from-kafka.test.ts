import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayFromKafka } from '../../src/replay/kafka-replay.js';
import { topicFor } from '../../src/contract/schemas.js';
import { decodeMessage } from '../../src/decode/decode.js';
import { ensureTopics } from '../../src/kafka/client.js';
import { replayFiles } from '../../src/replay/replay.js';
import { openKafkaRange } from '../../src/sources/kafka-range-source.js';
import { deleteRun, kafka, keyOf, newRun, produceSample, type Run } from '../helpers/kafka.js';
import { ofacLabels, rules, sampleLines, samplePath } from '../helpers/sample.js';

const PARTITIONS = 3;
const run: Run = newRun();
const emptyTopic = `e2e-${run.id}-empty`;
const dir = mkdtempSync(join(tmpdir(), 'tw-fromkafka-'));
const lines = sampleLines();
const REJECT = 'not json: a plain record in the middle of a partition';
let fileAlerts: string;

/** Sends `messages` in one transaction, then commits or aborts it. */
async function transaction(outcome: 'commit' | 'abort', messages: { topic: string; partition?: number; key?: string; value: string }[]): Promise<void> {
  const producer = kafka.producer({ transactionalId: `e2e-${run.id}-${outcome}-${Math.random()}`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const tx = await producer.transaction();
    for (const m of messages) await tx.send({ topic: m.topic, messages: [{ ...(m.partition === undefined ? {} : { partition: m.partition }), ...(m.key ? { key: m.key } : {}), value: m.value }] });
    await (outcome === 'commit' ? tx.commit() : tx.abort());
  } finally {
    await producer.disconnect();
  }
}

/** One record on every partition of every input topic: read uncommitted, each would be a dead letter. */
const abortedEverywhere = (): { topic: string; partition: number; value: string }[] =>
  run.topics.flatMap((topic) => Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, value: `{"aborted":"${topic}/${partition}"}` })));

const sampleOnTopics = (part: string[]): { topic: string; key: string; value: string }[] =>
  part.map((value) => { const m = JSON.parse(value); return { topic: `e2e-${run.id}-${topicFor(m)}`, key: keyOf(m), value }; });

const alertLines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');

beforeAll(async () => {
  // The sample on 3 partitions per topic, in file order per partition. Between its parts: a
  // reject mid-partition, an aborted transaction on every partition, then the last 300 lines in
  // a committed transaction, and an aborted one last, so every partition ends in a marker, most
  // after aborted records. One more topic stays empty.
  await ensureTopics(kafka, [...run.topics, emptyTopic], PARTITIONS);
  const half = Math.floor(lines.length / 2);
  await produceSample(run, lines.slice(0, half));
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: run.topics[0]!, acks: -1, messages: [{ partition: 1, value: REJECT }] });
  await producer.disconnect();
  await transaction('abort', abortedEverywhere());
  await produceSample(run, lines.slice(half, -300));
  await transaction('commit', sampleOnTopics(lines.slice(-300)));
  await transaction('abort', abortedEverywhere());
  await replayFiles({ files: [samplePath], rules: rules(), labels: ofacLabels(), alertsPath: join(dir, 'file.jsonl') });
  fileAlerts = readFileSync(join(dir, 'file.jsonl'), 'utf8');
});

afterAll(async () => {
  await deleteRun(run);
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [emptyTopic] }).catch(() => undefined);
  await admin.disconnect();
});

describe('replay --from-kafka against real Kafka (3 partitions per topic, transactions, an empty topic)', () => {
  it('merges every partition in event time and writes the same alert bytes as a file replay, stopping at the end offsets despite markers and aborted tails', async () => {
    // Small feeds (16 KB a partition, against about 150 KB on each) make the read pause and resume partitions.
    const range = { maxBufferedBytesPerPartition: 16 * 1024 };
    const result = await replayFromKafka({ kafka, topics: [...run.topics, emptyTopic], range, rules: rules(), labels: ofacLabels(), alertsPath: join(dir, 'kafka.jsonl'), dlqPath: join(dir, 'kafka.dlq.jsonl') });
    expect(readFileSync(join(dir, 'kafka.jsonl'), 'utf8')).toBe(fileAlerts);
    const fileLines = fileAlerts.split('\n').filter((l) => l !== '');
    expect(fileLines.length).toBeGreaterThan(200);
    expect(result.summary.alerts).toBe(fileLines.length);
    const consolidation = fileLines.filter((l) => JSON.parse(l).typology === 'dprk-consolidation').length;
    expect(consolidation).toBeGreaterThan(0);
    expect(result.summary.byTypology['dprk-consolidation']).toBe(consolidation);
    // Every committed sample message plus the one reject, and no aborted record.
    expect(result.summary.read).toBe(lines.length + 1);
    const dead = alertLines(join(dir, 'kafka.dlq.jsonl')).map((l) => JSON.parse(l));
    expect(dead.map((d) => [d.code, d.topic, d.partition, d.raw])).toEqual([['TW_JSON', run.topics[0], 1, REJECT]]);
  });

  it('--since and --until are event time: the alerts triggered in [since, until), on the state built from everything before since', async () => {
    const timeAt = (i: number): number => { const d = decodeMessage(lines[i]!); if (!d.ok) throw new Error('sample line rejected'); return d.event.time; };
    const since = timeAt(Math.floor(lines.length * 0.4));
    const until = timeAt(Math.floor(lines.length * 0.85));
    const inRange = (l: string): boolean => { const t = Date.parse(JSON.parse(l).triggeredAt); return t >= since && t < until; };
    const expected = fileAlerts.split('\n').filter((l) => l !== '' && inRange(l));
    expect(expected.length).toBeGreaterThan(50);
    expect(expected.length).toBeLessThan(fileAlerts.split('\n').filter((l) => l !== '').length);
    const out = join(dir, 'range.jsonl');
    // The CLI passes --since and --until through parseIsoUtc; kafka-roundtrip.test.ts spawns it.
    await replayFromKafka({ kafka, topics: run.topics, since, until, rules: rules(), labels: ofacLabels(), alertsPath: out });
    expect(alertLines(out)).toEqual(expected);
  });

  it('the state before --since matters: replaying only the messages in the range gives other alerts', async () => {
    const timeOf = (l: string): number => { const d = decodeMessage(l); return d.ok ? d.event.time : Number.NaN; };
    const since = timeOf(lines[Math.floor(lines.length * 0.4)]!);
    const until = timeOf(lines[Math.floor(lines.length * 0.85)]!);
    const rangeOnly = lines.filter((l) => timeOf(l) >= since && timeOf(l) < until);
    const stateless = await replayFiles({ files: [], records: rangeOnly.map((text, i) => ({ text, origin: { line: i + 1 } })), rules: rules(), labels: ofacLabels(), alertsPath: join(dir, 'stateless.jsonl') });
    expect(stateless.alerts.length).toBeGreaterThan(0);
    expect(alertLines(join(dir, 'stateless.jsonl'))).not.toEqual(alertLines(join(dir, 'range.jsonl')));
  });

  it('a transaction open when the range opens is not part of it: the range ends at the last stable offset and the read does not wait', async () => {
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: emptyTopic, acks: -1, messages: [{ partition: 0, value: 'before the transaction' }] });
    await plain.disconnect();
    const producer = kafka.producer({ transactionalId: `e2e-${run.id}-open`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const tx = await producer.transaction();
    try {
      await tx.send({ topic: emptyTopic, messages: [{ partition: 0, value: 'in an open transaction' }] });
      const values: string[] = [];
      const range = await openKafkaRange(kafka, [emptyTopic]);
      try {
        for (const p of range.partitions) for await (const r of p.records) values.push(r.value.value);
      } finally {
        await range.close();
      }
      expect(values).toEqual(['before the transaction']);
    } finally {
      await tx.abort();
      await producer.disconnect();
    }
  });

  // Last: it adds records to the topics.
  it('reads only up to the end offsets captured when the range opens, not records produced after', async () => {
    const range = await openKafkaRange(kafka, run.topics);
    try {
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: run.topics[0]!, acks: -1, messages: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: 'produced after the range opened' })) });
      await producer.disconnect();
      const values: string[] = [];
      for (const p of range.partitions) for await (const r of p.records) values.push(r.value.value);
      expect(values).toHaveLength(lines.length + 1);
      expect(values).not.toContain('produced after the range opened');
    } finally {
      await range.close();
    }
  });
});
