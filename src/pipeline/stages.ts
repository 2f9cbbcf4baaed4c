/**
 * The stages, in the order data flows through them. Every source feeds `Pipeline.process`, which
 * runs them in this order; nothing downstream knows which source a message came from.
 *
 *   1. decode     — zod schema per `schema` value; failures become dead letters (src/decode)
 *   2. normalise  — canonical addresses, txid checks, Transfer-log decoding, USD values (src/chain)
 *   3. dedupe     — an eventId seen before is dropped (at-least-once in, exactly-once effect)
 *   4. enrich     — clustering, labels, value flow, touches (src/graph)
 *   5. rules      — the trigger itself, then earlier transfers a graph change may affect (src/engine)
 *   6. sinks      — alerts, cases and dead letters (src/sinks, src/cases)
 */
export const STAGES = ['decode', 'normalise', 'dedupe', 'enrich', 'rules', 'sinks'] as const;
export type Stage = (typeof STAGES)[number];
