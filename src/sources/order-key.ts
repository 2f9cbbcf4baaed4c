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
export const ORDER_LOOKAHEAD = 8;
