/**
 * The graph ids of a transfer's counterparty addresses (a deposit's senders, a withdrawal's
 * receiver), memoised for the last trigger: every rule judging one trigger asks for them again.
 */
import type { TransferEvent } from '../decode/events.js';
import type { EntityGraph } from '../graph/entity-graph.js';

// Kept in variables rather than one object made per trigger. A compaction renumbers ids (the
// graph's generation), and a re-examination may judge that very trigger again after one.
let lastGraph: EntityGraph | undefined;
let lastGeneration = -1;
let lastTrigger: TransferEvent | undefined;
let lastIds: readonly number[] = [];

/**
 * Tells the memo the trigger's counterparty ids as the graph writer interned them when it
 * applied the transfer (in order, as `counterpartyIds` gives them): the rules judging it then
 * look none of them up again.
 */
export function rememberCounterpartyIds(graph: EntityGraph, t: TransferEvent, ids: readonly number[]): void {
  lastGraph = graph;
  lastGeneration = graph.generation;
  lastTrigger = t;
  lastIds = ids;
}

/** Addresses whose clusters are the trigger's counterparty (an address's id never changes, so memoised per trigger). */
export function counterpartyIds(graph: EntityGraph, t: TransferEvent): readonly number[] {
  if (lastTrigger === t && lastGraph === graph && lastGeneration === graph.generation) return lastIds;
  const ids = t.msg.kind === 'deposit' ? t.from.map((k) => graph.id(k)) : [graph.id(t.to)];
  rememberCounterpartyIds(graph, t, ids);
  return ids;
}
