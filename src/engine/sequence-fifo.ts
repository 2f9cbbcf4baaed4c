/**
 * `sequence` with `match: fifo`: the follow-ups are matched to the inflows in time order, first
 * in, first out, so a withdrawal that forwards an earlier inflow is counted against that inflow,
 * not against the latest one. A hub paid twice three days apart forwards the first salary after
 * the second arrived: read against the latest inflow that forward and the next made 222% of it
 * (session 61 QA, 1 of 10 S11 hubs), while first in, first out reads each salary's own forward.
 *
 * The ledger, read oldest first over the account's transfers from twice `within` before the
 * trigger (a follow-up in the window takes inflows at most `within` older than itself), at most
 * the newest WINDOW_READ_LIMIT items of that span:
 *  - `first` events form inflows; one within `groupWithin` after the newest open inflow's
 *    oldest part, from an address that inflow's first part came from (a deposit's sender; a
 *    withdrawal's destination), joins it: a split payment. Three payers' salaries on one day are
 *    three inflows, each forwarded on its own (oos2 seed 4's S11 hub forwarded the first 91% in
 *    two withdrawals; read as one 15,250 inflow with the others it was 44%).
 *  - a follow-up (`then` event) takes from the oldest open inflow at most `within` older than
 *    itself, up to what is left of it, the rest from the next, and so on; what is left when no
 *    open inflow follows stays on the last it took from (it came from older money, and reads as
 *    more than that inflow). An inflow older than `within` at a follow-up's time was kept, not
 *    forwarded: it leaves the queue.
 *  - an inflow is forwarded, and leaves the queue, once what it gave reaches `minRatio` of it:
 *    what it keeps is the account's (a hub's cut), not a forward still to come.
 * The trigger is counted against the inflow it took most from (the older of equals), and holds
 * when what left against that inflow is between `minRatio` and `maxRatio` of it. The ledger
 * starts empty at its horizon, so the verdict is a function of the items read, in history order.
 */
import type { TransferEvent } from '../decode/events.js';
import { Decimal } from '../money/decimal.js';
import type { HistoryItem } from './state.js';
import { lowerBound, upperBound } from '../state/sorted-by-time.js';
import { WINDOW_READ_LIMIT } from './read-limits.js';

const ZERO = Decimal.ZERO;
const usdOf = (e: TransferEvent): Decimal => e.usd ?? ZERO;

/** One inflow of the ledger: its parts, and the follow-ups that took from it. */
export interface FifoInflow {
  readonly parts: TransferEvent[];
  /** The parts' USD. */
  usd: Decimal;
  /** What the follow-ups took from it (more than `usd` only on the last a follow-up reached). */
  out: Decimal;
  readonly follows: TransferEvent[];
  /** The time of its oldest part. */
  readonly since: number;
}

export interface FifoOptions {
  readonly within: number;
  readonly groupWithin: number;
  readonly minRatio: Decimal;
  readonly maxRatio: Decimal;
  readonly first: (e: HistoryItem) => boolean;
  readonly then: (e: HistoryItem) => boolean;
}

/** The inflow the trigger was counted against, and the USD of the inflows after it up to the trigger (`laterUsd`). */
export interface FifoMatch {
  readonly inflow: FifoInflow;
  readonly later: Decimal;
}

/** How far back the ledger reads from the trigger: a follow-up in the window takes inflows up to `within` older than itself. */
export function fifoReach(within: number): number {
  return 2 * within;
}

/** How far back a sequence reads the account's history from its trigger: its window, or with `match: fifo` the ledger's reach. */
export function sequenceReach(spec: { within: number; match?: 'latest' | 'fifo' | undefined }): number {
  return spec.match === 'fifo' ? fifoReach(spec.within) : spec.within;
}

/** The items the ledger reads for `trigger`, as [from, end) in `history`: its reach, at most the newest WINDOW_READ_LIMIT. */
export function fifoSpan(history: readonly HistoryItem[], trigger: TransferEvent, within: number): [number, number] {
  const end = upperBound(history, trigger.time);
  return [Math.max(lowerBound(history, trigger.time - fifoReach(within)), end - WINDOW_READ_LIMIT), end];
}

/** Runs the ledger over `history` up to the trigger and returns the inflow the trigger was counted against, whether or not its ratio holds. */
export function fifoMatch(history: readonly HistoryItem[], trigger: TransferEvent, o: FifoOptions): FifoMatch | undefined {
  const ledger = new FifoLedger(o);
  const [from, end] = fifoSpan(history, trigger, o.within);
  for (let i = from; i < end; i++) {
    const e = history[i]!;
    if (e.type !== 'transfer' || e.eventId === trigger.eventId) continue;
    if (o.first(e)) ledger.receive(e);
    else if (o.then(e)) ledger.give(e);
  }
  const counted = ledger.give(trigger);
  if (counted === undefined) return undefined;
  let later = ZERO;
  for (const inflow of ledger.all) if (inflow.since > counted.since) later = later.plus(inflow.usd);
  return { inflow: counted, later };
}

/**
 * Whether the trigger's match holds: what left against the inflow is between minRatio and
 * maxRatio of it. An inflow of no USD value (an unpriced asset) has no ratio to hold: 0 of 0
 * would read as a forward and print NaN%.
 */
export function fifoHolds(m: FifoMatch, o: Pick<FifoOptions, 'minRatio' | 'maxRatio'>): boolean {
  if (m.inflow.usd.sign() <= 0) return false;
  return m.inflow.out.compare(m.inflow.usd.times(o.minRatio)) >= 0 && m.inflow.out.compare(m.inflow.usd.times(o.maxRatio)) <= 0;
}

/** The addresses on the far side of a transfer: a deposit's senders, a withdrawal's destination. */
function counterpartiesOf(e: TransferEvent): readonly string[] {
  return e.msg.kind === 'withdrawal' ? [e.to] : e.from;
}

/** Whether two transfers share a counterparty address: the parts of one split payment, not two payers' pay on one day. */
function sameCounterparty(a: TransferEvent, b: TransferEvent): boolean {
  const theirs = counterpartiesOf(b);
  return counterpartiesOf(a).some((key) => theirs.includes(key));
}

/** The queue of open inflows, oldest first, and every inflow made (for `laterUsd`). Exported for its equivalence test. */
export class FifoLedger {
  readonly all: FifoInflow[] = [];
  private readonly open: FifoInflow[] = [];
  private head = 0;
  /** Open inflows from this index on were received (or joined) since the last close check. */
  private unchecked = 0;
  constructor(private readonly o: FifoOptions) {}

  receive(e: TransferEvent): void {
    const last = this.open.length > this.head ? this.open[this.open.length - 1]! : undefined;
    if (last !== undefined && e.time - last.since <= this.o.groupWithin && sameCounterparty(e, last.parts[0]!)) {
      last.parts.push(e);
      last.usd = last.usd.plus(usdOf(e));
      return;
    }
    const inflow: FifoInflow = { parts: [e], usd: usdOf(e), out: ZERO, follows: [], since: e.time };
    this.open.push(inflow);
    this.all.push(inflow);
  }

  /** Takes a follow-up from the open inflows, oldest first; returns the inflow it took most from, or undefined when none was open. */
  give(e: TransferEvent): FifoInflow | undefined {
    while (this.head < this.open.length && e.time - this.open[this.head]!.since > this.o.within) this.head++;
    let rest = usdOf(e);
    let most: FifoInflow | undefined;
    let mostTaken = ZERO;
    let i = this.head;
    for (; i < this.open.length; i++) {
      const inflow = this.open[i]!;
      const isLast = i === this.open.length - 1;
      const room = inflow.usd.minus(inflow.out);
      const taken = isLast || rest.compare(room) <= 0 ? rest : room.sign() > 0 ? room : ZERO;
      if (taken.sign() <= 0 && !isLast) continue;
      inflow.out = inflow.out.plus(taken);
      inflow.follows.push(e);
      if (most === undefined || taken.compare(mostTaken) > 0) { most = inflow; mostTaken = taken; }
      rest = rest.minus(taken);
      if (rest.sign() <= 0) break;
    }
    this.closeForwarded(Math.min(i + 1, this.open.length));
    return most;
  }

  /**
   * Inflows whose forwards reached minRatio leave the queue. Only those whose state changed since
   * the last check can newly qualify: the ones this follow-up visited (`open[head, visitedEnd)`)
   * and those received since (`open[unchecked, …)`, a joined part only raises an inflow's USD);
   * an unvisited inflow checked before still has the `out` and USD it failed with. Reading every
   * open inflow each time was quadratic in the ledger (review of session 62: 0.4 ms a withdrawal
   * on an account with 200 open deposits). A later inflow forwarded while an older is open leaves too.
   */
  private closeForwarded(visitedEnd: number): void {
    // Highest indices first, so a splice moves none still to be read.
    for (let i = this.open.length - 1; i >= Math.max(this.unchecked, visitedEnd); i--) this.closeIfForwarded(i);
    for (let i = visitedEnd - 1; i >= this.head; i--) this.closeIfForwarded(i);
    this.unchecked = this.open.length;
  }

  private closeIfForwarded(i: number): void {
    const inflow = this.open[i]!;
    if (inflow.out.compare(inflow.usd.times(this.o.minRatio)) >= 0) this.open.splice(i, 1);
  }
}
