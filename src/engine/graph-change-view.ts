/**
 * A graph change as an alert shows it (`evidence.graphChange`): addresses as an explorer writes
 * them (EIP-55, base58, bech32), not the graph's family-prefixed keys (`evm:0x…`), and a
 * transaction as an explorer names it (an EVM hash with its `0x`). Session 43 review: a forwarding
 * merge's cause read `859ec1…` where the log and the hop path read `0x859ec1…`, so a SAR draft
 * listed one transaction twice.
 */
import { displayAddress, displayTxRef, type AddressKey } from '../chain/address.js';
import type { GraphChange } from '../graph/entity-graph.js';

export interface ShownGraphChange {
  kind: GraphChange['kind'];
  cluster: string;
  absorbed?: string;
  cause: Record<string, unknown>;
  eventId: string;
  at: string;
}

/** `family`: an address key of the chain family the change happened on (the trigger's counterparty), for a merge's transaction. */
export function shownGraphChange(change: GraphChange, family: AddressKey | undefined): ShownGraphChange {
  return { kind: change.kind, cluster: change.cluster, ...(change.absorbed ? { absorbed: change.absorbed } : {}), cause: shownCause(change.cause, family), eventId: change.eventId, at: new Date(change.time).toISOString() };
}

function shownCause(cause: GraphChange['cause'], family: AddressKey | undefined): Record<string, unknown> {
  if ('flow' in cause) return { flow: displayTxRef(cause.flow, cause.from), from: displayAddress(cause.from), to: displayAddress(cause.to) };
  if ('label' in cause) return { ...cause, address: displayAddress(cause.address) };
  return family === undefined ? { ...cause } : { ...cause, ref: displayTxRef(cause.ref, family) };
}
