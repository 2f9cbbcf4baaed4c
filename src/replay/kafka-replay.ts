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
import { PartitionCopies } from '../sources/order-key.js';
import { TopicSchemaCheck } from '../contract/topic-schemas.js';
import { openKafkaRange, type KafkaRange, type KafkaRangeOptions, type KafkaRecord } from '../sources/kafka-range-source.js';
import { replayFiles, type ReplayOptions, type ReplayRecord, type ReplayResult } from './replay.js';

export interface KafkaReplayOptions extends Omit<ReplayOptions, 'files' | 'records' | 'emitFrom'> {
  kafka: KafkaClient;
  topics: readonly string[];
  /** Event time (ms): outputs are written from where the merge reaches it (see mergedUntil); every message builds the state. */
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
    const cut: MergeCut = { reachedUntil: false, pastSince: since === undefined };
    // Verdicts still held when the input ends (held-rejudgements.ts) belong to the side of the cut
    // the end is on: a run that stopped at `until` leaves them to the run `--since` (a message
    // after the cut takes them there), and a run `--since` whose input ended before it writes none.
    return await replayFiles({ ...replay, files: [], records: mergedUntil(range, decodeOptions, until, since, cut, new PartitionCopies(replay.pipeline?.dedupeWindow ?? 400 * 86_400_000, replay.pipeline?.topicSchemaCheck === false ? undefined : new TopicSchemaCheck(), replay.pipeline?.dedupeMaxIds)), holdAtEnd: () => cut.reachedUntil, writeHeldAtEnd: () => cut.pastSince });
  } finally {
    await range.close();
  }
}

/** Where the merge stopped, told as it goes: whether a record reached `until`, and whether one reached `since`. */
interface MergeCut {
  reachedUntil: boolean;
  pastSince: boolean;
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

/**
 * The merged records before `until`, each marked whether its outputs are written with `since`.
 * The two cut the merge at the same place, so a run `--until S` and a run `--since S` write
 * between them what one run writes, byte for byte: `--until` stops at the first record whose
 * order key reaches S and leaves out the records dated S or later that come out before it;
 * `--since` writes exactly those, and everything from that first record on, whatever its own
 * date. A record dated before S that the merge brings after the cut (intelligence read late: a
 * label dated January behind labels dated March on its partition) is one `--until` never reaches,
 * and it may raise alerts on transfers of any date (session 41 QA: 54 alerts of a whole run were
 * in neither half when `--since` judged by the record's own date).
 */
async function* mergedUntil(range: KafkaRange, options: DecodeOptions, until: number, since: number | undefined, cut: MergeCut, copies: PartitionCopies): AsyncGenerator<ReplayRecord> {
  const streams = range.partitions.map((p) => decoding(p, options));
  for await (const m of mergeByEventTime(streams, (v) => copies.orderTime(v.decoded, v.record.topic, v.record.partition))) {
    // Records come out by order key: past `until` nothing more can come; a record dated past it
    // that comes out earlier (dated ahead of the records after it) is left out alone.
    if (m.key >= until) {
      cut.reachedUntil = true;
      return;
    }
    if (m.time >= until) continue;
    // The first record past `since` is where the run `--until` ends: what was read before it is applied first (a cut of the lateness buffer).
    const cutBefore = !cut.pastSince && m.key >= since!;
    if (cutBefore) cut.pastSince = true;
    const pastSince = cut.pastSince;
    const { record, decoded } = m.value;
    // The order key goes along: the replay applies the records of one key in the instant order, as the monitor does.
    yield { text: record.value, decoded, origin: { topic: record.topic, partition: record.partition, offset: record.offset }, emit: pastSince || m.time >= since!, key: m.key, ...(cutBefore ? { cutBefore } : {}) };
  }
}
