/**
 * The order key of a partition's message, shared by the monitor's reorder buffer and
 * `replay --from-kafka`'s merge so both apply pre-filled topics in one order: the least event
 * time of the message and the next ORDER_LOOKAHEAD messages of its partition. A partition in
 * event-time order keeps its times as keys. One message dated ahead of the messages after it
 * (a producer's clock error, a wrong `blockTime` from an indexer) is ordered as the next of them
 * is, instead of holding the rest of its partition back until every other partition has passed
 * its date (QA, session 26: one log dated 77 days ahead held a quarter of the chain logs back
 * weeks of event time after a restart, and not in a live monitor, which lets it go after the
 * hold: the alerts then depended on restarts and partition counts). The decision itself still
 * runs on the message's own event time.
 */
import type { TopicSchemaCheck } from '../contract/topic-schemas.js';
import type { DecodeResult } from '../decode/decode.js';
import { IdWindow } from '../state/id-window.js';

export const ORDER_LOOKAHEAD = 8;

/**
 * The event time a fetched record orders by: its own, or none (it then takes the time of the
 * record before it in its partition) for a record the pipeline refuses whatever its date: one
 * that did not decode, and, when `topicCheck` is given (TOPIC_SCHEMA_CHECK=on), one whose schema
 * its topic does not carry (TW_TOPIC). Session 59 QA: a login produced to the deposits topic,
 * dated two months before its neighbours, lowered the keys of the 8 deposits before it, which
 * were applied 15 days ahead of the other topics; 400 exchange events then came more than a day
 * late. Shared by the monitor's reorder buffer and `replay --from-kafka`, so both keep one order.
 */
export function orderTime(decoded: DecodeResult, topic: string, topicCheck: TopicSchemaCheck | undefined): number | undefined {
  if (!decoded.ok) return undefined;
  return topicCheck?.refusal(topic, decoded.schema) === undefined ? decoded.event.time : undefined;
}

/**
 * Ids a partition's copy is told by: at most this many held, the oldest dropped first. A copy
 * comes some records after its original (a producer's retry, a re-published batch); a copy from
 * further back than this many ids of event time takes its own time, as before session 60.
 */
export const ORDER_COPY_MEMORY_IDS = 1 << 20;

/**
 * Order times that leave out a copy of a message already read in its partition (same eventId,
 * within `window` of event time): the pipeline drops it as a duplicate however it is dated, so it
 * takes none, as a refusal does (`orderTime`). Session 60 QA: a redelivered deposit, dated like
 * its original four months before the deposits around it, lowered the keys of the 8 deposits
 * before it, which the monitor and `replay --from-kafka` then applied ahead of four months of
 * logins and refused as leaps (TW_TIME_AHEAD). Only copies within one partition: which of two
 * copies in different partitions is read first depends on fetch timing, and the order must not
 * (the monitor and the replay give the same order). Ids are remembered for this run only: a
 * restarted monitor does not know the ids it applied before, and orders such a copy by its date.
 */
export class PartitionCopies {
  private ids: IdWindow;

  private readonly maxIds: number;

  /**
   * @param window event time an id is remembered for: the pipeline's dedupe window (DEDUPE_WINDOW_DAYS).
   * @param dedupeMaxIds the pipeline's own bound (DEDUPE_MAX_IDS): no more ids than it holds, so a
   *   message the pipeline no longer knows as a copy is ordered by its own time, as it is applied.
   */
  constructor(private readonly window: number, private readonly topicCheck?: TopicSchemaCheck, dedupeMaxIds = ORDER_COPY_MEMORY_IDS) {
    this.maxIds = Math.min(ORDER_COPY_MEMORY_IDS, dedupeMaxIds);
    this.ids = new IdWindow(window, { maxIds: this.maxIds });
  }

  /** `orderTime` of a record read from (`topic`, `partition`), none for a copy of one read there before. */
  orderTime(decoded: DecodeResult, topic: string, partition: number): number | undefined {
    const time = orderTime(decoded, topic, this.topicCheck);
    if (time === undefined || !decoded.ok) return undefined;
    return this.ids.addIfNew(`${partition}\u0000${topic}\u0000${decoded.event.eventId}`, time) ? undefined : time;
  }

  /** Forgets every id (the partitions are read again from their first offsets). */
  clear(): void {
    this.ids = new IdWindow(this.window, { maxIds: this.maxIds });
  }
}
