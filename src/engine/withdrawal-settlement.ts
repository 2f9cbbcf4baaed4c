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
 * the oldest (then the smaller event id at one instant). A completion that finds none of its
 * requests free may take one an earlier completion settled, which moves to another of its own
 * (since session 53; pairCompletions): two requests closer together than the fee (9,500 and
 * 9,475 completed 30 short each) no longer leave the second completion without a request.
 *
 * The pairing is event order's whatever the order of arrival (since the session 52 review): in
 * event order each completion in turn (by time, then event id) settles the best request of its
 * group (account, destination, chain, asset) within SETTLES_WITHIN before it that no earlier
 * completion settled, or, when none is left, one an earlier completion gives up for another
 * (pairCompletions). A completion read in order, after everything of its account, that finds a
 * free request takes it (requestSettledBy: the common case, unchanged); one that finds none but
 * a request an earlier completion settled, while the history holds another of the group, pairs
 * its group again (repairingMaySettle). A
 * withdrawal of either stage read at or behind its account's newest event pairs its group again
 * around its own time (resettleFrom): the completions from it on and those within SETTLES_WITHIN
 * before it are paired again from scratch from the requests the history holds within reach and
 * those they had settled, which each completion keeps (`settles`, checkpointed) so a request it
 * lets go returns to the history.
 * Before, a completion read before its request settled nothing (both counted), and completions
 * read out of event order paired by read order (`r1, r2, cb, ca`, ca dated between r1 and r2,
 * kept r2 counted). A request read late is judged first, as event order judges it, then settled
 * (RuleState.settleLateRequest); the account's later events are judged again as after any event
 * read late, and among them the requests their completions settled, each back in the history for
 * its judgement, as event order judged it before its completion (LateJudgement.judgeLaterAgain).
 * Bounded: SETTLEMENT_READ_LIMIT items of history before and after the withdrawal read
 * late, RESETTLED_COMPLETIONS completions paired again; those past them keep their requests.
 * A completion moved to another request is not judged again (its alerts stand as given).
 * An event read late, and the later events it has judged again, are judged with the pairing
 * event order had at their time, not the final one (historyAsOf, since session 55): a request a
 * later completion settles, or gets by a move, was pending then and counts.
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
function feeDeducted(requested: TransferEvent, completed: TransferEvent, cap?: Decimal): Decimal | undefined {
  const fee = requested.amount.minus(completed.amount);
  if (fee.isZero()) return fee;
  if (fee.sign() < 0 || fee.compare(cap ?? maxWithdrawalFee(completed.msg.chain, completed.msg.asset)) > 0) return undefined;
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
 * How the group of `pivot` (a withdrawal just read; `incoming`: a completion not yet in the
 * history) is paired again when it was read after events dated at or after it, or when a
 * completion read in order found no free request but one an earlier completion settled
 * (repairingMaySettle). The completions from the pivot on, and the nearest of those within twice
 * SETTLES_WITHIN before it (an earlier completion may have to give its request up to a later one,
 * or get back the one it gave up, and one a week back may settle a request a week before that:
 * session 53 review F2, a chain of moves through a completion 8 days back), are paired again from scratch (pairCompletions) from the
 * requests the history holds within reach and those they settled: the result is a function of
 * the group's events, not of the order they were read in. Bounded: the history is read from
 * SETTLEMENT_READ_LIMIT items before the pivot (and no further back than twice SETTLES_WITHIN)
 * to as many after it, and RESETTLED_COMPLETIONS completions at most are paired again, at most
 * half of them before the pivot when there are more after it (those left out keep their
 * requests). Undefined when no completion from the pivot on is paired again.
 */
export function resettleFrom(history: readonly (TransferEvent | LoginEvent)[], pivot: TransferEvent, incoming?: TransferEvent): Resettlement | undefined {
  const at = upperBound(history, pivot.time);
  const start = Math.max(lowerBound(history, pivot.time - 2 * SETTLES_WITHIN), at - SETTLEMENT_READ_LIMIT);
  const end = Math.min(history.length, at + SETTLEMENT_READ_LIMIT);
  const held: TransferEvent[] = [];
  const before: TransferEvent[] = [];
  const after: TransferEvent[] = incoming ? [incoming] : [];
  for (let i = start; i < end; i++) {
    const item = history[i]!;
    if (!sameWithdrawalGroup(item, pivot)) continue;
    if (item.msg.status === 'requested') held.push(item);
    else if (item.msg.status !== 'completed' || item === incoming) continue;
    else if (pairedAfter(item, pivot)) after.push(item);
    else if (item.time >= pivot.time - 2 * SETTLES_WITHIN) before.push(item); // a move's chain may reach a completion whose request is a week before it
  }
  if (after.length === 0) return undefined;
  const completions = completionsPairedAgain(before, after);
  const pool = new Set<TransferEvent>(held);
  for (const c of completions) if (c.settles) pool.add(c.settles);
  const requests = pairCompletions([...pool], completions);
  const settlements = completions.map((completion, i) => ({ completion, request: requests[i] }));
  const taken = new Set(requests);
  return {
    settlements,
    leaving: held.filter((r) => taken.has(r)),
    returning: completions.flatMap((c) => (c.settles && !taken.has(c.settles) ? [c.settles] : [])),
  };
}

/**
 * The completions paired again, in event order: of those from the pivot on (`after`) and those
 * before it (`before`), RESETTLED_COMPLETIONS at most, the nearest the pivot; at most half before
 * it unless fewer come after.
 */
function completionsPairedAgain(before: TransferEvent[], after: TransferEvent[]): TransferEvent[] {
  const byEventOrder = (a: TransferEvent, b: TransferEvent): number => (beforeInEventOrder(a, b) ? -1 : 1);
  before.sort(byEventOrder);
  after.sort(byEventOrder);
  const fromAfter = Math.min(after.length, RESETTLED_COMPLETIONS - Math.min(before.length, RESETTLED_COMPLETIONS / 2));
  const fromBefore = Math.min(before.length, RESETTLED_COMPLETIONS - fromAfter);
  return [...before.slice(before.length - fromBefore), ...after.slice(0, fromAfter)];
}

/**
 * The request each of `completions` (in event order) settles among `requests` (undefined: none),
 * as many settled as can be. In event order each completion settles its best free request
 * (candidatesBestFirst: the exact amount, then the smallest fee, then the oldest), as it did
 * before session 53; when none is free, the fewest earlier completions move each to another of
 * its requests so that it settles one (an augmenting path, searched breadth first, each
 * completion's requests tried best first), and when no such move exists it settles nothing.
 * So where every completion finds a free request the pairing is the one-by-one choice, and
 * otherwise no pairing settles more completions (this is Kuhn's matching algorithm). Session 52
 * review: 9,500 and 9,475 requested, completed as 9,470 and 9,445 (30 short each, within the 50
 * USDT Ethereum cap): the first completion's best request is the 9,475 (5 short), leaving the
 * second 55 short of the 9,500; now the first moves to the 9,500 and the second settles the 9,475.
 * Cost: each completion's candidates are ranked once, and a search reads each request and
 * completion at most once: completions × requests at most.
 */
export function pairCompletions(requests: readonly TransferEvent[], completions: readonly TransferEvent[]): (TransferEvent | undefined)[] {
  const candidates = completions.map((c) => candidatesBestFirst(requests, c));
  const settled: (TransferEvent | undefined)[] = completions.map(() => undefined);
  const holder = new Map<TransferEvent, number>();
  const settle = (completion: number, request: TransferEvent): void => {
    settled[completion] = request;
    holder.set(request, completion);
  };
  candidates.forEach((own, i) => {
    const free = own.find((r) => !holder.has(r));
    if (free) settle(i, free);
    else if (own.length > 0) augment(i, candidates, settled, holder, settle);
  });
  return settled;
}

/**
 * Settles completion `from`, whose requests are all taken, by the shortest chain of earlier
 * completions each moving to another of its requests, the last to a free one (breadth first,
 * each completion's requests best first); nothing when no chain ends at a free request.
 */
function augment(from: number, candidates: readonly TransferEvent[][], settled: readonly (TransferEvent | undefined)[], holder: ReadonlyMap<TransferEvent, number>, settle: (completion: number, request: TransferEvent) => void): void {
  const reachedBy = new Map<TransferEvent, number>();
  const queue = [from];
  for (let next = 0; next < queue.length; next++) {
    const completion = queue[next]!;
    for (const request of candidates[completion]!) {
      if (reachedBy.has(request)) continue;
      reachedBy.set(request, completion);
      const taker = holder.get(request);
      if (taker === undefined) {
        // Along the chain back to `from`, each completion takes the request reached through it.
        let moving: TransferEvent | undefined = request;
        while (moving) {
          const c: number = reachedBy.get(moving)!;
          const given: TransferEvent | undefined = settled[c];
          settle(c, moving);
          moving = given;
        }
        return;
      }
      queue.push(taker);
    }
  }
}

/** The requests among `requests` that `completion` can settle (within reach before it, no fee or a fee deducted), best first: the smallest fee, then the first in event order. */
function candidatesBestFirst(requests: readonly TransferEvent[], completion: TransferEvent): TransferEvent[] {
  const ranked: { request: TransferEvent; fee: Decimal }[] = [];
  // Looked up once per completion: pairing a hot group tries every request of the pool against it.
  const cap = maxWithdrawalFee(completion.msg.chain, completion.msg.asset);
  for (const request of requests) {
    if (request.time > completion.time || request.time < completion.time - SETTLES_WITHIN) continue;
    const fee = feeDeducted(request, completion, cap);
    if (fee !== undefined) ranked.push({ request, fee });
  }
  ranked.sort((a, b) => a.fee.compare(b.fee) || (settlesFirst(a.request, b.request) ? -1 : 1));
  return ranked.map((r) => r.request);
}

/**
 * Whether pairing the group of the completion `event` again may settle it when no free request
 * fits it (pairCompletions moves earlier completions): a completion of the group within reach
 * before it settled a request `event` could settle, and the history still holds a request of the
 * group that the completions paired again could move to (within twice SETTLES_WITHIN and
 * SETTLEMENT_READ_LIMIT items back, as resettleFrom reads). Otherwise no move can free one, and
 * the group is not paired again: a completion whose group holds no settled request, the common
 * case, or whose group's requests are all settled (completions reported without their request),
 * costs one pass over at most SETTLEMENT_READ_LIMIT items.
 */
export function repairingMaySettle(history: readonly (TransferEvent | LoginEvent)[], event: TransferEvent): boolean {
  if (event.msg.kind !== 'withdrawal' || event.msg.status !== 'completed') return false;
  const end = upperBound(history, event.time);
  const start = Math.max(lowerBound(history, event.time - 2 * SETTLES_WITHIN), end - SETTLEMENT_READ_LIMIT);
  let heldRequest = false;
  let settledFit = false;
  for (let i = end - 1; i >= start && !(heldRequest && settledFit); i--) {
    const item = history[i]!;
    if (!sameWithdrawalGroup(item, event)) continue;
    if (item.msg.status === 'requested') heldRequest = true;
    else if (!settledFit && item.settles) settledFit = fitsWithinReach(item.settles, event);
  }
  return heldRequest && settledFit;
}

/** Whether the completion `completion` can settle `request`: within reach before it, no fee or a fee deducted. */
function fitsWithinReach(request: TransferEvent, completion: TransferEvent): boolean {
  return request.time <= completion.time && request.time >= completion.time - SETTLES_WITHIN && feeDeducted(request, completion) !== undefined;
}

/**
 * The account's withdrawals as event order paired them when `item` came (session 53 review F4):
 * `pending`, the requests the history's completions settle that were still pending then (a
 * request settled by a completion dated after `item`, and one that a completion before it holds
 * only because a later completion moved it there). Event
 * order judges `item` with the pairing of the completions up to it (Kuhn's matching is built in
 * event order, so that pairing is a prefix of the final one and settles a subset of its
 * requests); an event judged again after a withdrawal read late sees the final pairing, in which
 * those requests left the history. Review 53's F4: rB 9,455 and rC 9,470 requested on day 0,
 * c_old 9,430 completed at 12 h (takes rB, the smaller fee), rA 9,420 requested on day 6: in
 * event order rC is pending and rA is the third near-threshold withdrawal of the week; c_mid and
 * c_new later move c_old to rC, and rC read last judged rA again with rB and rC both settled.
 * `pending` is in event order (the caller puts it back in the history while it judges `item`);
 * `settles` is the request `item`, a completion, settled then, when its group was paired again.
 *
 * Only the groups where a completion after `item` holds a request before it can differ (when
 * none does, the final pairing's requests before `item` are all held by completions up to it,
 * and the prefix, a maximum matching of those completions, settles as many of them: the same
 * ones). Bounded as resettleFrom: SETTLEMENT_READ_LIMIT items either side of `item`, completions
 * from twice SETTLES_WITHIN before it to SETTLES_WITHIN after (the furthest that settles a
 * request dated before it), RESETTLED_COMPLETIONS of them at most paired again per group.
 */
export function historyAsOf(history: readonly (TransferEvent | LoginEvent)[], item: TransferEvent | LoginEvent): HistoryAsOf {
  const at = upperBound(history, item.time);
  const start = Math.max(lowerBound(history, item.time - 2 * SETTLES_WITHIN), at - SETTLEMENT_READ_LIMIT);
  const end = Math.min(upperBound(history, item.time + SETTLES_WITHIN), at + SETTLEMENT_READ_LIMIT);
  const upTo = (e: TransferEvent | LoginEvent): boolean => e === item || e.time < item.time || (e.time === item.time && e.eventId < item.eventId);
  const asOf: HistoryAsOf = { pending: [] };
  // Completions after `item` are dated at or after it: an event in order reads only its own instant.
  const groups = groupsWithLaterCompletions(history, Math.max(start, lowerBound(history, item.time)), end, upTo);
  if (groups.size === 0) return asOf;
  for (const group of readGroups(history, start, end, upTo, groups)) pairGroupAsOf(group, item, upTo, asOf);
  asOf.pending.sort((a, b) => (beforeInEventOrder(a, b) ? -1 : 1));
  return asOf;
}

/** What event order's pairing was when an event came, where it differs from the history's (historyAsOf). */
export interface HistoryAsOf {
  /** Requests the history's completions settle that were pending then, in event order. */
  pending: TransferEvent[];
  /** The request the event, a completion, settled then, when its group was paired again. */
  settles?: TransferEvent | undefined;
}

/**
 * One withdrawal group (destination, chain, asset) of history[start, end) as of an event
 * (`upTo`: up to it in event order), each list in the history's order.
 */
interface GroupAsOf {
  chain: string;
  asset: string;
  /** Its requests up to the event. */
  held: TransferEvent[];
  /** Its completions up to the event. */
  earlier: TransferEvent[];
  /** Its completions after the event that settle a request up to it. */
  later: TransferEvent[];
}

/** The withdrawal groups by destination (a destination's groups differ by chain or asset). */
type GroupsByDestination = Map<string, GroupAsOf[]>;

/** The group of `e` in `groups`, if there is one. */
function groupOf(groups: GroupsByDestination, e: TransferEvent): GroupAsOf | undefined {
  return groups.get(e.to)?.find((g) => g.chain === e.msg.chain && g.asset === e.msg.asset);
}

/** Whether `e` is a completion after the event (`upTo` false) that settles a request up to it. */
const laterHoldingEarlier = (e: TransferEvent, upTo: (e: TransferEvent | LoginEvent) => boolean): boolean => e.msg.status === 'completed' && !upTo(e) && e.settles !== undefined && upTo(e.settles);

/** The groups, empty, of the completions in history[start, end) after the event that hold a request up to it. */
function groupsWithLaterCompletions(history: readonly (TransferEvent | LoginEvent)[], start: number, end: number, upTo: (e: TransferEvent | LoginEvent) => boolean): GroupsByDestination {
  const groups: GroupsByDestination = new Map();
  for (let i = start; i < end; i++) {
    const e = history[i]!;
    if (e.type !== 'transfer' || e.msg.kind !== 'withdrawal' || !laterHoldingEarlier(e, upTo) || groupOf(groups, e)) continue;
    let same = groups.get(e.to);
    if (same === undefined) groups.set(e.to, (same = []));
    same.push({ chain: e.msg.chain, asset: e.msg.asset, held: [], earlier: [], later: [] });
  }
  return groups;
}

/**
 * Fills `groups` from history[start, end), read once (session 56: each group read the whole
 * window, so an account with many groups in flight paid groups × window per event), and
 * returns them.
 */
function readGroups(history: readonly (TransferEvent | LoginEvent)[], start: number, end: number, upTo: (e: TransferEvent | LoginEvent) => boolean, groups: GroupsByDestination): GroupAsOf[] {
  for (let i = start; i < end; i++) {
    const e = history[i]!;
    if (e.type !== 'transfer' || e.msg.kind !== 'withdrawal') continue;
    const group = groupOf(groups, e);
    if (group === undefined) continue;
    if (e.msg.status === 'requested') {
      if (upTo(e)) group.held.push(e);
    } else if (e.msg.status === 'completed') {
      if (upTo(e)) group.earlier.push(e);
      else if (laterHoldingEarlier(e, upTo)) group.later.push(e);
    }
  }
  return [...groups.values()].flat();
}

/**
 * Pairs `group` as of `item` into `asOf`: the requests up to `item` that its completions settle
 * in the end but that the completions up to `item`, paired again in event order from the
 * requests the group holds or settles, leave pending (and the request `item` settles, when it is
 * one of those completions). Completions up to `item` past the RESETTLED_COMPLETIONS nearest it
 * keep their requests, as in resettleFrom. Only a group with a completion after `item` holding
 * a request up to it is paired (historyAsOf).
 */
function pairGroupAsOf(group: GroupAsOf, item: TransferEvent | LoginEvent, upTo: (e: TransferEvent | LoginEvent) => boolean, asOf: HistoryAsOf): void {
  const { held, earlier, later } = group;
  if (earlier.length === 0) {
    // No completion up to `item`: every request a later one settles was pending (the common case of a group in flight).
    for (const c of later) asOf.pending.push(c.settles!);
    return;
  }
  earlier.sort((a, b) => (beforeInEventOrder(a, b) ? -1 : 1));
  const keeping = earlier.slice(0, Math.max(0, earlier.length - RESETTLED_COMPLETIONS));
  const pairedAgain = earlier.slice(keeping.length);
  const kept = new Set(keeping.flatMap((c) => (c.settles ? [c.settles] : [])));
  const settledInTheEnd = [...pairedAgain, ...later].flatMap((c) => (c.settles && upTo(c.settles) && !kept.has(c.settles) ? [c.settles] : []));
  const requests = pairCompletions([...held, ...settledInTheEnd], pairedAgain);
  const paired = new Set(requests);
  for (const r of settledInTheEnd) if (!paired.has(r)) asOf.pending.push(r);
  const own = pairedAgain.indexOf(item as TransferEvent);
  if (own >= 0) asOf.settles = requests[own];
}
