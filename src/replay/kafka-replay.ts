/**
 * `replay --from-kafka`: every partition of the topics from its first offset up to the end offsets
 * read at start, merged in event time as the monitor orders them (sources/event-time-merge.ts),
 * through one pipeline. Given the same topic contents it writes the same bytes as a file replay
 * of the messages in that order. Never writes to Kafka or Redis.
 */
import { decodeMessage, DEFAULT_DECODE_OPTIONS, type DecodeOptions, type DecodeResult } from '../decode/decode.js';
import { notUtf8 } from '../decode/encoding.js';
import type { KafkaClient } from '../kafka/client.js';
import { mergeByEventTime, type PartitionStream } from '../sources/event-time-merge.js';
import { openKafkaRange, type KafkaRange, type KafkaRangeOptions, type KafkaRecord } from '../sources/kafka-range-source.js';
import { replayFiles, type ReplayOptions, type ReplayRecord, type ReplayResult } from './replay.js';

export interface KafkaReplayOptions extends Omit<ReplayOptions, 'files' | 'records' | 'emitFrom'> {
  kafka: KafkaClient;
  topics: readonly string[];
  /** Event time (ms): alerts and dead letters of earlier messages are not written; those messages still build the state. */
  since?: number;
  /** Event time (ms), exclusive: the replay stops at the first merged message this late. */
  until?: number;
  range?: KafkaRangeOptions;
}

export async function replayFromKafka(options: KafkaReplayOptions): Promise<ReplayResult> {
  const { kafka, topics, since, until = Number.POSITIVE_INFINITY, range: rangeOptions, ...replay } = options;
  const decodeOptions: DecodeOptions = { ...DEFAULT_DECODE_OPTIONS, ...replay.pipeline?.decode };
  const range = await openKafkaRange(kafka, topics, rangeOptions);
  try {
    return await replayFiles({ ...replay, files: [], records: mergedUntil(range, decodeOptions, until), emitFrom: since });
  } finally {
    await range.close();
  }
}

interface DecodedRecord {
  record: KafkaRecord;
  decoded: DecodeResult;
}

/** Decodes each record as the merge reaches it (only partition heads are held decoded), once: the pipeline reuses it. */
function decoding(stream: PartitionStream<KafkaRecord>, options: DecodeOptions): PartitionStream<DecodedRecord> {
  return {
    topic: stream.topic,
    partition: stream.partition,
    records: (async function* () {
      for await (const r of stream.records) yield { offset: r.offset, value: { record: r.value, decoded: r.value.invalidBytes ? notUtf8(r.value.invalidBytes) : decodeMessage(r.value.value, options) } };
    })(),
  };
}

async function* mergedUntil(range: KafkaRange, options: DecodeOptions, until: number): AsyncGenerator<ReplayRecord> {
  const streams = range.partitions.map((p) => decoding(p, options));
  for await (const m of mergeByEventTime(streams, (v) => (v.decoded.ok ? v.decoded.event.time : undefined))) {
    // Records come out by order key: past `until` nothing more can come; a record dated past it
    // that comes out earlier (dated ahead of the records after it) is left out alone.
    if (m.key >= until) return;
    if (m.time >= until) continue;
    const { record, decoded } = m.value;
    yield { text: record.value, decoded, origin: { topic: record.topic, partition: record.partition, offset: record.offset } };
  }
}
