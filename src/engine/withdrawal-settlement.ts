/**
 * A withdrawal is often reported twice: `requested` when the customer asks for it (screened
 * before broadcast, so it can be stopped) and `completed` once it is on chain, each with its own
 * event id and no id in common. Counted as two, a customer's withdrawals double: two real
 * 9,500 USDT withdrawals read as four (structuring), and a withdrawal of 48% of a deposit as 96%
 * (pass-through, payroll forwarding). The completed event settles the oldest requested one of
 * the account's history with the same destination, chain, asset and amount within
 * SETTLES_WITHIN before it; the history then holds the completed one alone.
 */
import type { LoginEvent, TransferEvent } from '../decode/events.js';
import { lowerBound, upperBound } from '../state/sorted-by-time.js';

/** How long a withdrawal may wait between its request and its broadcast (a manual review, a hold). */
export const SETTLES_WITHIN = 7 * 86_400_000;

/**
 * Items read back from the completion at most: a hot account's week of history is not read per
 * withdrawal (a request waiting behind more of the account's own events than this stays counted).
 */
export const SETTLEMENT_READ_LIMIT = 256;

/** The index in `history` (sorted by time) of the requested withdrawal `event` settles (the oldest that matches), or -1. */
export function requestSettledBy(history: readonly (TransferEvent | LoginEvent)[], event: TransferEvent): number {
  if (event.msg.kind !== 'withdrawal' || event.msg.status !== 'completed') return -1;
  const end = upperBound(history, event.time);
  const start = Math.max(lowerBound(history, event.time - SETTLES_WITHIN), end - SETTLEMENT_READ_LIMIT);
  let oldest = -1;
  for (let i = end - 1; i >= start; i--) {
    const item = history[i]!;
    if (item.type !== 'transfer' || item.msg.kind !== 'withdrawal' || item.msg.status !== 'requested') continue;
    if (item.to === event.to && item.msg.chain === event.msg.chain && item.msg.asset === event.msg.asset && item.amount.compare(event.amount) === 0) oldest = i;
  }
  return oldest;
}
