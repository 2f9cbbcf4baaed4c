/**
 * A withdrawal is often reported twice: `requested` when the customer asks for it (screened
 * before broadcast, so it can be stopped) and `completed` once it is on chain, each with its own
 * event id and no id in common. Counted as two, a customer's withdrawals double: two real
 * 9,500 USDT withdrawals read as four (structuring), and a withdrawal of 48% of a deposit as 96%
 * (pass-through, payroll forwarding). The completed event settles one requested withdrawal of
 * the account's history with the same destination, chain and asset within SETTLES_WITHIN before
 * it; the history then holds the completed one alone.
 *
 * The amounts: exchanges commonly deduct their withdrawal fee from the amount sent, so the
 * completion may carry the request's amount less a fee (session 51 QA: both counted). A fee is
 * small and about fixed per asset and chain (a network cost), not a share of the amount, so a
 * completion settles a request it equals or falls short of by at most `maxWithdrawalFee` for
 * its asset and chain, and by at most a tenth of the request. A larger shortfall is another
 * withdrawal: 9,400 USDT completed after a 9,500 USDT request stays two, 100 USDT being twice
 * the largest ERC-20 fee allowed. The bounds are tight on purpose: a completion taken for a
 * request not its own (its own reported alone, out of reach or read later) hides a withdrawal,
 * where a missed settlement doubles one; an asset without a known fee settles only an exact
 * amount, as every asset did before session 52.
 *
 * The choice among requests that qualify: the exact amount first, then the smallest fee, then
 * the oldest (then the smaller event id at one instant).
 *
 * The pairing is event order's whatever the order of arrival (since the session 52 review): in
 * event order each completion in turn (by time, then event id) settles the best request of its
 * group (account, destination, chain, asset) within SETTLES_WITHIN before it that no earlier
 * completion settled. A completion read in order, after everything of its account, does just that
 * (requestSettledBy: the common case, unchanged). A withdrawal of either stage read at or behind
 * its account's newest event pairs its group again from its own time on (resettleFrom): the
 * completions before it keep their requests; those from it on are paired again in event order
 * from the requests the history holds within reach and those they had settled, which each
 * completion keeps (`settles`, checkpointed) so a request it lets go returns to the history.
 * Before, a completion read before its request settled nothing (both counted), and completions
 * read out of event order paired by read order (`r1, r2, cb, ca`, ca dated between r1 and r2,
 * kept r2 counted). A request read late is judged first, as event order judges it, then settled
 * (RuleState.settleLateRequest); the account's later events are judged again as after any event
 * read late, and among them the requests their completions settled, each back in the history for
 * its judgement, as event order judged it before its completion (LateJudgement.judgeLaterAgain).
 * Bounded: SETTLEMENT_READ_LIMIT items of history before and after the withdrawal read
 * late, RESETTLED_COMPLETIONS completions paired again; those past them keep their requests.
 */
import type { LoginEvent, TransferEvent } from '../decode/events.js';
import { Decimal } from '../money/decimal.js';
import { lowerBound, upperBound } from '../state/sorted-by-time.js';

/** How long a withdrawal may wait between its request and its broadcast (a manual review, a hold). */
export const SETTLES_WITHIN = 7 * 86_400_000;

/**
 * Items read back from the completion at most: a hot account's week of history is not read per
 * withdrawal (a request waiting behind more of the account's own events than this stays counted).
 */
export const SETTLEMENT_READ_LIMIT = 256;

/**
 * The largest withdrawal fee an exchange deducts, in whole units of the asset, by asset and then
 * by chain ('*': any other chain that carries it). About two to ten times the large exchanges'
 * usual published fee, to hold through the raises of gas spikes (2021, 2023), and short of
 * the gap between two withdrawals a customer would tell apart. Roughly:
 * - USDT, USDC: ERC-20 fees of 1 to 25 (gas at 100 to 200 gwei), hence 50 on Ethereum; 1 to 3 on
 *   Tron and under 1 on the EVM side chains and rollups, hence 5.
 * - BTC: 0.0001 to 0.0005 BTC (0.0005 long a flat fee), hence 0.001.
 * - ETH: 0.001 to 0.005 ETH on Ethereum, hence 0.01; a rollup's a tenth of that, hence 0.001.
 * - TRX: about 1 TRX, hence 10.
 */
const MAX_FEE: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  USDT: { ethereum: '50', '*': '5' },
  USDC: { ethereum: '50', '*': '5' },
  BTC: { bitcoin: '0.001' },
  ETH: { ethereum: '0.01', '*': '0.001' },
  TRX: { tron: '10' },
};

const MAX_FEE_DECIMALS = new Map(Object.entries(MAX_FEE).flatMap(([asset, chains]) => Object.entries(chains).map(([chain, fee]) => [`${asset}/${chain}`, Decimal.parse(fee)] as const)));

/** The largest fee a completion of `asset` on `chain` may fall short of its request by (zero: an asset without a known fee). */
function maxWithdrawalFee(chain: string, asset: string): Decimal {
  const symbol = asset.toUpperCase();
  return MAX_FEE_DECIMALS.get(`${symbol}/${chain}`) ?? MAX_FEE_DECIMALS.get(`${symbol}/*`) ?? Decimal.ZERO;
}

/**
 * A fee is at most one part in this of the request: a larger share is a fee on a withdrawal near
 * the exchange's minimum, where the asset's cap would let two different small withdrawals (a 60
 * and a 20 USDT one on Ethereum) read as one.
 */
const FEE_SHARE_ONE_IN = Decimal.parse('10');

/** What `completed` falls short of `requested` by, when it can be a fee deducted from it (zero: the same amount); otherwise undefined. */
function feeDeducted(requested: TransferEvent, completed: TransferEvent): Decimal | undefined {
  const fee = requested.amount.minus(completed.amount);
  if (fee.isZero()) return fee;
  if (fee.sign() < 0 || fee.compare(maxWithdrawalFee(completed.msg.chain, completed.msg.asset)) > 0) return undefined;
  return fee.times(FEE_SHARE_ONE_IN).compare(requested.amount) <= 0 ? fee : undefined;
}

/** Whether `item` is a requested withdrawal of the same destination, chain and asset as the completion `event`. */
function sameRequestedWithdrawal(item: TransferEvent | LoginEvent, event: TransferEvent): item is TransferEvent {
  return item.type === 'transfer' && item.msg.kind === 'withdrawal' && item.msg.status === 'requested' && item.to === event.to && item.msg.chain === event.msg.chain && item.msg.asset === event.msg.asset;
}

/** Whether `a` settles before `b` at the same fee: the older, and at one instant the smaller event id. */
function settlesFirst(a: TransferEvent, b: TransferEvent): boolean {
  return a.time !== b.time ? a.time < b.time : a.eventId < b.eventId;
}

/**
 * The index in `history` (sorted by time) of the requested withdrawal `event` settles, or -1: of
 * those it can be with no fee or a fee deducted, the smallest fee, then the oldest.
 */
export function requestSettledBy(history: readonly (TransferEvent | LoginEvent)[], event: TransferEvent): number {
  if (event.msg.kind !== 'withdrawal' || event.msg.status !== 'completed') return -1;
  const end = upperBound(history, event.time);
  const start = Math.max(lowerBound(history, event.time - SETTLES_WITHIN), end - SETTLEMENT_READ_LIMIT);
  let best = -1;
  let bestFee: Decimal | undefined;
  for (let i = end - 1; i >= start; i--) {
    const item = history[i]!;
    if (!sameRequestedWithdrawal(item, event)) continue;
    const fee = feeDeducted(item, event);
    if (fee === undefined) continue;
    const order = bestFee === undefined ? -1 : fee.compare(bestFee);
    if (order < 0 || (order === 0 && settlesFirst(item, history[best] as TransferEvent))) {
      best = i;
      bestFee = fee;
    }
  }
  return best;
}

/** Completions of one group re-paired at most per event read out of event order (the rest keep their pairing). */
export const RESETTLED_COMPLETIONS = 32;

/** Whether `item` is a withdrawal of the same destination, chain and asset as `event`, at either stage. */
function sameWithdrawalGroup(item: TransferEvent | LoginEvent, event: TransferEvent): item is TransferEvent {
  return item.type === 'transfer' && item.msg.kind === 'withdrawal' && item.to === event.to && item.msg.chain === event.msg.chain && item.msg.asset === event.msg.asset;
}

/** Whether `a` comes before `b` in event order: the older, and at one instant the smaller event id. */
const beforeInEventOrder = (a: TransferEvent, b: TransferEvent): boolean => (a.time !== b.time ? a.time < b.time : a.eventId < b.eventId);

/**
 * Whether event order pairs the completion `item` after `pivot` was read: every completion
 * dated at or after a request sees it; after a completion, those that follow it in event order.
 */
function pairedAfter(item: TransferEvent, pivot: TransferEvent): boolean {
  return pivot.msg.status === 'requested' ? item.time >= pivot.time : !beforeInEventOrder(item, pivot);
}

/** A completion and the request it settles in event order (none: it settles nothing). */
export interface Settlement { completion: TransferEvent; request: TransferEvent | undefined }

/** What re-pairing a group from a withdrawal read out of event order gives. */
export interface Resettlement {
  /** The completions from the pivot on in event order, each with the request it now settles. */
  settlements: Settlement[];
  /** The requests the history held that the completions now settle: they leave it. */
  leaving: TransferEvent[];
  /** The requests the completions settled before and no longer do: they return to the history. */
  returning: TransferEvent[];
}

/**
 * How event order pairs the group of `pivot` (a withdrawal just read; `incoming`: a completion
 * not yet in the history) from `pivot` on, when it was read after events dated at or after it.
 * In event order each completion, in turn (by time, then event id), settles the best request of
 * its group within SETTLES_WITHIN before it that no earlier completion settled: a request read
 * late is seen by every completion dated at or after it, a completion read late comes before
 * those dated after it. So the completions before the pivot keep their requests, and those from
 * it on are paired again, in event order, from the requests the history holds within reach and
 * those they settled. Bounded: the history is read from SETTLEMENT_READ_LIMIT items before the
 * pivot to as many after it, and RESETTLED_COMPLETIONS completions at most are paired again
 * (those past them keep their requests). Undefined when no completion is paired again.
 */
export function resettleFrom(history: readonly (TransferEvent | LoginEvent)[], pivot: TransferEvent, incoming?: TransferEvent): Resettlement | undefined {
  const start = Math.max(lowerBound(history, pivot.time - SETTLES_WITHIN), upperBound(history, pivot.time) - SETTLEMENT_READ_LIMIT);
  const end = Math.min(history.length, upperBound(history, pivot.time) + SETTLEMENT_READ_LIMIT);
  const held: TransferEvent[] = [];
  const completions: TransferEvent[] = incoming ? [incoming] : [];
  for (let i = start; i < end; i++) {
    const item = history[i]!;
    if (!sameWithdrawalGroup(item, pivot)) continue;
    if (item.msg.status === 'requested') held.push(item);
    else if (item.msg.status === 'completed' && item !== incoming && pairedAfter(item, pivot)) completions.push(item);
  }
  if (completions.length === 0) return undefined;
  completions.sort((a, b) => (beforeInEventOrder(a, b) ? -1 : 1));
  completions.length = Math.min(completions.length, RESETTLED_COMPLETIONS);
  const free = new Set<TransferEvent>(held);
  for (const c of completions) if (c.settles) free.add(c.settles);
  const settlements = completions.map((completion) => {
    const request = bestRequest(free, completion);
    if (request) free.delete(request);
    return { completion, request };
  });
  const taken = new Set(settlements.map((s) => s.request));
  return {
    settlements,
    leaving: held.filter((r) => taken.has(r)),
    returning: completions.flatMap((c) => (c.settles && !taken.has(c.settles) ? [c.settles] : [])),
  };
}

/** The request among `free` that `completion` settles: within reach before it, the smallest fee, then the first in event order. */
function bestRequest(free: ReadonlySet<TransferEvent>, completion: TransferEvent): TransferEvent | undefined {
  let best: TransferEvent | undefined;
  let bestFee: Decimal | undefined;
  for (const request of free) {
    if (request.time > completion.time || request.time < completion.time - SETTLES_WITHIN) continue;
    const fee = feeDeducted(request, completion);
    if (fee === undefined) continue;
    const order = bestFee === undefined ? -1 : fee.compare(bestFee);
    if (order < 0 || (order === 0 && settlesFirst(request, best!))) {
      best = request;
      bestFee = fee;
    }
  }
  return best;
}
