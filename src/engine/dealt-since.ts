/**
 * How long an account has dealt with a counterparty, beyond its history's retention. Each
 * transfer with one counterparty (a withdrawal's receiver, a deposit's only sender) carries the
 * time the account first dealt with that address when it is earlier than its own: taken from the
 * account's newest earlier retained transfer with the same address, found in the counterparty
 * index (RuleState.priorDealing, paid-counterparties.ts) however far back it lies. A wallet
 * a customer pays every month is then still known as theirs when the first payments have left
 * the history (session 31 QA: a salary forwarded to a wallet used before the salaries began
 * looked like a new destination once that use was older than the retention).
 */
import type { TransferEvent } from '../decode/events.js';
import type { HistoryItem } from './state.js';

/**
 * Items looked at back from each transfer by carryDealtSince, which only fills in the first
 * dealings of a checkpoint written before they were saved (a restore scans every history once);
 * the live state finds them through the counterparty index instead.
 */
export const DEALT_SINCE_SCAN = 256;

/** The transfer's one counterparty (undefined for a deposit from several senders or none). */
export function soleCounterparty(e: TransferEvent): string | undefined {
  if (e.msg.kind !== 'deposit') return e.to;
  const from = e.from;
  if (from.length === 0) return undefined;
  for (let i = 1; i < from.length; i++) if (from[i] !== from[0]) return undefined;
  return from[0];
}

/** When the account first dealt with the transfer's counterparty as far as this transfer knows: its own time or earlier. */
export function dealtSinceOf(e: TransferEvent): number {
  return e.dealtSince !== undefined && e.dealtSince < e.time ? e.dealtSince : e.time;
}

/** Sets `dealtSince` on the transfer at `at` in the time-sorted history, from the account's previous transfer with its counterparty (at most DEALT_SINCE_SCAN items back). */
export function carryDealtSince(history: readonly HistoryItem[], at: number): void {
  const e = history[at];
  if (e === undefined || e.type !== 'transfer') return;
  const key = soleCounterparty(e);
  if (key === undefined) return;
  for (let i = at - 1, seen = 0; i >= 0 && seen < DEALT_SINCE_SCAN; i--, seen++) {
    const prior = history[i]!;
    if (prior.type !== 'transfer' || soleCounterparty(prior) !== key) continue;
    const since = dealtSinceOf(prior);
    if (since < e.time) e.dealtSince = since;
    return;
  }
}
