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
