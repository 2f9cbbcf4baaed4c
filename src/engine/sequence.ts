/**
 * `sequence`: the latest inflow (a `first` event, with the split parts up to `groupWithin` before
 * it) followed, up to the trigger, by `then` events that move between `minRatio` and `maxRatio`
 * of it. Candidate inflows are tried from the latest back, reading the history backwards from the
 * trigger only as far as the candidate needs. Each step moves two windows on (the inflow's parts,
 * and the follow-up events since its oldest part), so both sums are kept as running differences:
 * a trigger costs the items back to the inflow it settles on, not a re-scan of the window per
 * candidate inflow, and never more than the window's newest WINDOW_READ_LIMIT items.
 *
 * With `exceptRegularPay`, a `first` event that is someone's regular pay (regular-pay.ts) is
 * neither an inflow nor a part of one; what it brought within the inflow's reach (from
 * `groupWithin` before the inflow to the trigger) still raises the `maxRatio` ceiling, as it may
 * have left with the inflow.
 *
 * With `pick: largest`, the walk does not stop at the first inflow that holds: of those the
 * follow-ups carry, the one of most USD is the result (the newest of equals, so the verdict is a
 * function of the history in event order). Eight 700 pieces after a 5,000 salary and a 1,200
 * top-up a day later carry the top-up 467%, which hid the salary behind it (small-burst v4;
 * its maxRatio is 10). An older inflow is
 * carried only if the follow-ups since its oldest part move `minRatio` of it together with every
 * `first` event after it (`laterUsd`): what came in later is in the account too, and read alone
 * a P2P trader's busy day two days back was "carried 97%" while as much again came in after it.
 * The newest inflow has nothing after it, so it reads as with `newest`. At most `maxGroups`
 * candidates are tried (LARGEST_PICK_GROUPS by default): the walk's cost stays that of the
 * candidates tried, as with `newest` when none holds.
 *
 * With `othersTakeFirst`, the account's other outflows (events of the `then` kinds that are no
 * follow-up and no `first` event: small-burst's withdrawals of 1,000 USD or more) from an
 * inflow's oldest part up to the trigger take it before the follow-ups can: what it left them
 * (`leftUsd`) is its USD less theirs, an inflow they took whole is no candidate, and `largest`
 * picks by what was left. A 5,000 deposit withdrawn an hour later in one 4,900 transfer, then
 * eight 700 pieces a day on (with a 1,200 top-up and small deposits between) read as "5,000
 * drained 112%" (review 53 F1); it left 100, so the top-up is what the pieces carry. The ratios
 * still read the inflow's own USD (with `later`), so the option only ever reads less as carried.
 * The other outflows are read by the follow-up cursor, which passes them anyway: no item more is
 * read, and the sum runs back with the groups as the follow-ups' does.
 */
import { displayAddress } from '../chain/address.js';
import type { TransferEvent } from '../decode/events.js';
import { Decimal } from '../money/decimal.js';
import type { SignalSpec } from './rule-schema.js';
import { makeSelector, type Signal, type SignalResult } from './signals.js';
import { NO_RESULT } from './no-result.js';
import type { HistoryItem, RuleState } from './state.js';
import { lowerBound, upperBound } from '../state/sorted-by-time.js';
import { LARGEST_PICK_GROUPS, WINDOW_READ_LIMIT } from './read-limits.js';
import { regularPay, type RegularPayTest } from './regular-pay.js';
import { fifoHolds, fifoMatch, type FifoMatch } from './sequence-fifo.js';

type SequenceSpec = Extract<SignalSpec, { op: 'sequence' }>;
type DifferField = SequenceSpec['differ'][number];

const ZERO = Decimal.ZERO;
const usdOrZero = (e: TransferEvent): Decimal => e.usd ?? ZERO;
const round = (n: number, places: number): number => Math.round(n * 10 ** places) / 10 ** places;
const none = (): SignalResult => NO_RESULT;

/**
 * A running sum of the usd of the items added, in total and per value of the `differ` fields:
 * the sum over the items that differ from an anchor is the total less its own key's share.
 */
class KeyedSum {
  total = ZERO;
  /** Made on the first add: most triggers find no inflow and add nothing. */
  private byKey: Map<string, Decimal> | undefined;
  constructor(private readonly keyOf: ((e: TransferEvent) => string) | undefined) {}

  /** Empties the sum for the next trigger (one KeyedSum serves every trigger of a signal). */
  clear(): void {
    this.total = ZERO;
    if (this.byKey !== undefined && this.byKey.size > 0) this.byKey.clear();
  }

  add(e: TransferEvent, sign: 1 | -1): void {
    const usd = sign === 1 ? usdOrZero(e) : usdOrZero(e).negated();
    this.total = this.total.plus(usd);
    if (!this.keyOf) return;
    const key = this.keyOf(e);
    const byKey = (this.byKey ??= new Map());
    byKey.set(key, (byKey.get(key) ?? ZERO).plus(usd));
  }

  /** The sum over the items whose differ fields are not all those of `anchor`. */
  differingFrom(anchor: TransferEvent): Decimal {
    return this.keyOf ? this.total.minus(this.byKey?.get(this.keyOf(anchor)) ?? ZERO) : this.total;
  }
}

/** The differ fields' values as one key: equal keys for equal values (asset and chain are strings in the contract). */
function projection(differ: readonly DifferField[]): ((e: TransferEvent) => string) | undefined {
  if (differ.length === 0) return undefined;
  return (e) => JSON.stringify(differ.map((f) => e.msg[f]));
}

/** An inflow whose ratio holds: its group anchors[d..groupEnd), the follow-ups follows[0..followEnd), and the sums read. */
interface Carried {
  d: number;
  groupEnd: number;
  followEnd: number;
  /** The group's USD (`firstUsd`). */
  inflow: Decimal;
  /** The `first` events after the group, up to the trigger (`laterUsd`). */
  later: Decimal;
  /** What the follow-ups moved (`movedUsd`). */
  out: Decimal;
  /** The inflow less the other outflows since its oldest part (`leftUsd`; the inflow without `othersTakeFirst`). */
  left: Decimal;
  /** The other outflows since its oldest part (`othersUsd`). */
  others: Decimal;
  /** The time of the group's oldest part. */
  since: number;
}

/** The USD of the anchors newer than the d-th (anchors[0..d), newest first): the inflow after its group, summed only for a result. */
function laterOf(anchors: readonly TransferEvent[], d: number): Decimal {
  let sum = ZERO;
  for (let i = 0; i < d; i++) sum = sum.plus(usdOrZero(anchors[i]!));
  return sum;
}

/** `regular`: the cadence signal `exceptRegularPay` names (the rule's loader checks it is one). */
export function sequence(spec: SequenceSpec, regular?: Extract<SignalSpec, { op: 'cadence' }>): Signal {
  if (spec.match === 'fifo') return fifoSequence(spec);
  if (spec.exceptRegularPay !== undefined && regular === undefined) throw new Error(`exceptRegularPay: ${spec.exceptRegularPay} is no cadence signal of the rule`);
  const largest = spec.pick === 'largest';
  if (spec.maxGroups !== undefined && !largest) throw new Error(`maxGroups bounds the inflows pick: largest tries; with pick: ${spec.pick} it does nothing`);
  const maxGroups = largest ? spec.maxGroups ?? LARGEST_PICK_GROUPS : Number.POSITIVE_INFINITY;
  const first = makeSelector(spec.first);
  const then = makeSelector(spec.then);
  const minRatio = Decimal.fromNumber(spec.minRatio);
  const maxRatio = Decimal.fromNumber(spec.maxRatio);
  const keyOf = projection(spec.differ);
  const differs = (e: TransferEvent, anchor: TransferEvent): boolean => spec.differ.length === 0 || spec.differ.some((f) => e.msg[f] !== anchor.msg[f]);
  // One walk and one set of sums serve every trigger, emptied at its start: signals run one at a
  // time, and a result keeps none of them (its evidence and sums are copies or immutable), so a
  // trigger allocates only for what it returns.
  const walk = new BackwardWalk(spec.within, first, then, regular ? regularPay(regular) : undefined, spec.othersTakeFirst ? otherOutflow(spec, first, then) : undefined);
  const group = new KeyedSum(undefined);
  /** The group's members that are also follow-up events, to be taken out of the follow sum. */
  const groupFollows = new KeyedSum(keyOf);
  /** With `pick: largest`, the same over the group and every later inflow (anchors[0..groupEnd)): all of it is inflow, none moved. */
  const carriedFollows = new KeyedSum(keyOf);
  const moved = new KeyedSum(keyOf);
  return ({ trigger, state }) => {
    if (trigger.type !== 'transfer' || !then(trigger)) return none();
    const history = state.history(trigger.msg.accountId);
    // Most triggers have no earlier transfer of a `first` kind in the window: no anchor, no walk.
    if (!EARLIER_KINDS.anyWithin(history, trigger, state.version, spec.first.kinds, trigger.time - spec.within)) return none();
    // Anchors lie within the window, and only they and what follows them are read: the walk goes
    // back from the trigger no further than the inflow it settles on needs.
    walk.start(history, trigger, state);
    group.clear();
    groupFollows.clear();
    carriedFollows.clear();
    moved.clear();
    let groupEnd = 0; // the group is anchors[d..groupEnd), newest first
    let followEnd = 0; // follows[0..followEnd) are the follow-up events since the group's oldest part
    let apartEnd = 0; // apart[0..apartEnd) are the regular pay within the group's reach (empty without exceptRegularPay)
    let apartUsd = ZERO;
    let later = ZERO; // with `largest`, the USD of anchors[0..d): the inflow after the group
    let othersEnd = 0; // walk.others[0..othersEnd) are the other outflows since the group's oldest part (empty without othersTakeFirst)
    let othersUsd = ZERO;
    let best: Carried | undefined;
    for (let d = 0; d < maxGroups && walk.anchorAt(d); d++) {
      const anchor = walk.anchors[d]!;
      if (largest && d > 0) later = later.plus(usdOrZero(walk.anchors[d - 1]!));
      // Slide the group to start at d and end past the oldest anchor within groupWithin of it.
      if (d > 0 && groupEnd > d - 1) { group.add(walk.anchors[d - 1]!, -1); if (walk.anchorFollows[d - 1]) groupFollows.add(walk.anchors[d - 1]!, -1); }
      if (groupEnd < d) groupEnd = d;
      const from = anchor.time - spec.groupWithin;
      walk.anchorsTo(from);
      while (groupEnd < walk.anchors.length && walk.anchors[groupEnd]!.time >= from) {
        const part = walk.anchors[groupEnd]!;
        group.add(part, 1);
        if (walk.anchorFollows[groupEnd]) { groupFollows.add(part, 1); if (largest) carriedFollows.add(part, 1); }
        groupEnd++;
      }
      while (apartEnd < walk.apart.length && walk.apart[apartEnd]!.time >= from) apartUsd = apartUsd.plus(usdOrZero(walk.apart[apartEnd++]!));
      const inflow = group.total;
      if (inflow.sign() <= 0) continue;
      const since = walk.anchors[groupEnd - 1]!.time;
      if (!differs(trigger, anchor)) continue;
      walk.followsTo(since);
      while (followEnd < walk.follows.length && walk.follows[followEnd]!.time >= since) moved.add(walk.follows[followEnd++]!, 1);
      while (othersEnd < walk.others.length && walk.others[othersEnd]!.time >= since) othersUsd = othersUsd.plus(usdOrZero(walk.others[othersEnd++]!));
      // What the other outflows left of the inflow: nothing left, nothing to carry.
      const left = othersEnd === 0 ? inflow : inflow.minus(othersUsd);
      if (left.sign() <= 0) continue;
      // `newest` reads the group alone; `largest` the group and what came in after it.
      const carried = largest ? inflow.plus(later) : inflow;
      const out = moved.differingFrom(anchor).minus((largest ? carriedFollows : groupFollows).differingFrom(anchor));
      // The verdict is exact (moved ≥ inflow × minRatio, in decimals); the ratio shown is rounded.
      if (out.compare(carried.times(minRatio)) < 0 || out.compare(carried.plus(apartUsd).times(maxRatio)) > 0) continue;
      const found: Carried = { d, groupEnd, followEnd, inflow, later: largest ? later : laterOf(walk.anchors, d), out, left, others: othersUsd, since };
      if (!largest) return carriedResult(found, trigger);
      if (best === undefined || left.compare(best.left) > 0) best = found;
    }
    return best === undefined ? none() : carriedResult(best, trigger);
  };

  /**
   * The result for the inflow carried. Evidence oldest first, as the history holds it: the
   * inflow's parts, then what followed (with `largest`, the later inflows among the follow-ups).
   */
  function carriedResult(c: Carried, trigger: TransferEvent): SignalResult {
    const anchor = walk.anchors[c.d]!;
    const parts = walk.anchors.slice(c.d, c.groupEnd).reverse();
    // With `largest`, every inflow since the group is inflow, not a follow-up (it was not counted as moved).
    const inflows = new Set(walk.anchors.slice(largest ? 0 : c.d, c.groupEnd));
    const isFollowed = (i: number): boolean => !inflows.has(walk.follows[i]!) && differs(walk.follows[i]!, anchor);
    const followed = walk.follows.slice(0, c.followEnd).filter((_, i) => isFollowed(i)).reverse();
    const after = largest ? walk.inHistoryOrder(c.d, c.followEnd, isFollowed) : followed;
    const ratio = c.out.toNumber() / c.inflow.toNumber();
    const counterparties = counterpartiesOf(followed);
    return {
      ok: true,
      value: round(ratio, 4),
      eventIds: [...parts.map((a) => a.eventId), ...after.map((e) => e.eventId)],
      facts: { ratio: round(ratio, 4), percent: Math.round(ratio * 100), firstEventId: anchor.eventId, firstAsset: anchor.msg.asset, firstChain: anchor.msg.chain, firstUsd: c.inflow, laterUsd: c.later, receivedUsd: c.inflow.plus(c.later), leftUsd: c.left, othersUsd: c.others, movedUsd: c.out, hours: round((trigger.time - c.since) / 3_600_000, 1), counterparties: counterparties.length, counterpartyAddresses: counterparties },
    };
  }
}

/** `match: fifo` (sequence-fifo.ts): the trigger is read against the inflow first in, first out gives it. */
function fifoSequence(spec: SequenceSpec): Signal {
  if (spec.pick === 'largest' || spec.differ.length > 0 || spec.othersTakeFirst || spec.exceptRegularPay !== undefined) throw new Error('match: fifo does not combine with pick: largest, differ, othersTakeFirst or exceptRegularPay');
  const options = { within: spec.within, groupWithin: spec.groupWithin, minRatio: Decimal.fromNumber(spec.minRatio), maxRatio: Decimal.fromNumber(spec.maxRatio), first: makeSelector(spec.first), then: makeSelector(spec.then) };
  return ({ trigger, state }) => {
    if (trigger.type !== 'transfer' || !options.then(trigger)) return none();
    const history = state.history(trigger.msg.accountId);
    // An inflow more than `within` before the trigger takes nothing from it: none in that reach, no ledger.
    if (!EARLIER_KINDS.anyWithin(history, trigger, state.version, spec.first.kinds, trigger.time - spec.within)) return none();
    const match = fifoMatch(history, trigger, options);
    return match !== undefined && fifoHolds(match, options) ? fifoResult(match, trigger) : none();
  };
}

/** The result for the inflow the trigger was counted against; evidence oldest first: its parts, then the follow-ups that took from it. */
function fifoResult({ inflow, later }: FifoMatch, trigger: TransferEvent): SignalResult {
  const anchor = inflow.parts[0]!;
  const ratio = inflow.out.toNumber() / inflow.usd.toNumber();
  const counterparties = counterpartiesOf(inflow.follows);
  return {
    ok: true,
    value: round(ratio, 4),
    eventIds: [...inflow.parts.map((e) => e.eventId), ...inflow.follows.map((e) => e.eventId)],
    facts: { ratio: round(ratio, 4), percent: Math.round(ratio * 100), firstEventId: anchor.eventId, firstAsset: anchor.msg.asset, firstChain: anchor.msg.chain, firstUsd: inflow.usd, laterUsd: later, receivedUsd: inflow.usd.plus(later), leftUsd: inflow.usd, othersUsd: ZERO, movedUsd: inflow.out, hours: round((trigger.time - inflow.since) / 3_600_000, 1), counterparties: counterparties.length, counterpartyAddresses: counterparties },
  };
}

/**
 * The other outflows `othersTakeFirst` reads: events of the `then` kinds that are neither
 * follow-ups nor `first` events (an inflow, or regular pay set apart).
 */
function otherOutflow(spec: SequenceSpec, first: (e: HistoryItem) => boolean, then: (e: HistoryItem) => boolean): (e: TransferEvent) => boolean {
  const ofThenKinds = makeSelector({ kinds: spec.then.kinds, where: [] });
  return (e) => ofThenKinds(e) && !then(e) && !first(e);
}

/**
 * The distinct counterparties of what followed the inflow, in order of first appearance: a
 * withdrawal's destination, a deposit's senders. An alert that names only the trigger's
 * destination told an analyst "forwarded 91% to" one address that took 18% (session 48 QA: a
 * salary taken out in five pieces to five addresses).
 */
function counterpartiesOf(followed: readonly TransferEvent[]): string[] {
  const keys = new Set<string>();
  for (const e of followed) for (const key of e.msg.kind === 'withdrawal' ? [e.to] : e.from) keys.add(key);
  return [...keys].map(displayAddress);
}

/**
 * The newest transfer of each kind before a trigger, within the newest WINDOW_READ_LIMIT items
 * up to its time (what a walk may read), found by one backward scan shared by every sequence
 * signal that judges the trigger (a withdrawal is judged by four or five, each of which needs an
 * anchor of its `first` kinds in its window, and most find none). A necessary condition only:
 * the anchor must also pass the `first` selector's `where`, which the walk checks.
 */
class EarlierKinds {
  private trigger: TransferEvent | undefined;
  private history: readonly HistoryItem[] = [];
  private version = -1;
  /** Index just past the last item at or before the trigger's time, as the walk's. */
  private end = 0;
  /** The next index the scan reads (it reads down from end - 1). */
  private next = -1;
  /** The index of the newest transfer of each kind the scan has met. */
  private readonly newest = new Map<string, number>();

  /** Whether a transfer of one of `kinds` other than the trigger lies in the walk's reach from `from` (event time) on. */
  anyWithin(history: readonly HistoryItem[], trigger: TransferEvent, version: number, kinds: readonly string[], from: number): boolean {
    if (trigger !== this.trigger || history !== this.history || version !== this.version) this.restart(history, trigger, version);
    for (const kind of kinds) {
      const at = this.newest.get(kind);
      if (at !== undefined && history[at]!.time >= from) return true;
    }
    const low = Math.max(0, this.end - WINDOW_READ_LIMIT);
    while (this.next >= low && history[this.next]!.time >= from) {
      const at = this.next--;
      const e = history[at]!;
      if (e.type !== 'transfer' || e.eventId === trigger.eventId || this.newest.has(e.msg.kind)) continue;
      this.newest.set(e.msg.kind, at);
      if (kinds.includes(e.msg.kind)) return true;
    }
    return false;
  }

  private restart(history: readonly HistoryItem[], trigger: TransferEvent, version: number): void {
    this.trigger = trigger;
    this.history = history;
    this.version = version;
    this.end = upperBound(history, trigger.time);
    this.next = this.end - 1;
    this.newest.clear();
  }
}

/** One scan per trigger for every sequence signal (signals run one at a time; the state is unchanged while a trigger is judged). */
const EARLIER_KINDS = new EarlierKinds();

/**
 * The account's transfers from the trigger's time back to the window's start, read newest first
 * and only as far as asked, by two cursors: one for the `first` events (anchors), one for the
 * `then` events (follow-ups, wanted only once an inflow is found). Each list is newest first.
 */
class BackwardWalk {
  readonly anchors: TransferEvent[] = [];
  /** The `first` events that are regular pay (with `exceptRegularPay`): no anchors, newest first. */
  readonly apart: TransferEvent[] = [];
  /** Whether each anchor is also a `then` event (selectors may overlap): then it is no follow-up within its own group. */
  readonly anchorFollows: boolean[] = [];
  readonly follows: TransferEvent[] = [];
  /** The other outflows (with `othersTakeFirst`) the follow-up cursor passed, newest first. */
  readonly others: TransferEvent[] = [];
  /** Each anchor's and each follow-up's index in the history, to merge the two lists in its order. */
  private readonly anchorIndex: number[] = [];
  private readonly followIndex: number[] = [];
  private history: readonly HistoryItem[] = [];
  private trigger: TransferEvent | undefined;
  private nextAnchor = -1;
  private nextFollow = -1;
  private oldest = 0;

  private state: RuleState | undefined;

  constructor(private readonly within: number, private readonly first: (e: HistoryItem) => boolean, private readonly then: (e: HistoryItem) => boolean, private readonly regular: RegularPayTest | undefined, private readonly other: ((e: TransferEvent) => boolean) | undefined) {}

  /** Starts a walk back from `trigger` over `history`, forgetting the previous one. */
  start(history: readonly HistoryItem[], trigger: TransferEvent, state: RuleState): void {
    this.history = history;
    this.trigger = trigger;
    this.state = state;
    this.anchors.length = 0;
    this.apart.length = 0;
    this.anchorFollows.length = 0;
    this.follows.length = 0;
    this.others.length = 0;
    this.anchorIndex.length = 0;
    this.followIndex.length = 0;
    const end = upperBound(history, trigger.time);
    // The window's newest WINDOW_READ_LIMIT items at most (read-limits.ts).
    this.oldest = Math.max(lowerBound(history, trigger.time - this.within), end - WINDOW_READ_LIMIT);
    this.nextAnchor = this.nextFollow = end - 1;
  }

  /** Whether there is a d-th anchor (newest first), walking back for it as needed. */
  anchorAt(d: number): boolean {
    while (this.anchors.length <= d && this.nextAnchor >= this.oldest) this.stepAnchor();
    return d < this.anchors.length;
  }

  /** Walks the anchor cursor back past every item at or after `time`. */
  anchorsTo(time: number): void {
    while (this.nextAnchor >= this.oldest && this.history[this.nextAnchor]!.time >= time) this.stepAnchor();
  }

  /** Walks the follow-up cursor back past every item at or after `time`, setting the other outflows aside as it passes them. */
  followsTo(time: number): void {
    while (this.nextFollow >= this.oldest && this.history[this.nextFollow]!.time >= time) {
      const at = this.nextFollow--;
      const e = this.history[at]!;
      if (e.type !== 'transfer') continue;
      if (this.then(e)) { this.follows.push(e); this.followIndex.push(at); } else if (this.other?.(e)) this.others.push(e);
    }
  }

  /**
   * The anchors newer than the d-th (anchors[0..d)) and the follow-ups follows[0..followEnd) that
   * `keepFollow` keeps (by their index in `follows`), oldest first, in the history's order.
   */
  inHistoryOrder(d: number, followEnd: number, keepFollow: (i: number) => boolean): TransferEvent[] {
    const out: TransferEvent[] = [];
    let a = d - 1;
    let f = followEnd - 1;
    for (;;) {
      while (f >= 0 && !keepFollow(f)) f--;
      if (a < 0 && f < 0) return out;
      if (f < 0 || (a >= 0 && this.anchorIndex[a]! < this.followIndex[f]!)) out.push(this.anchors[a--]!);
      else out.push(this.follows[f--]!);
    }
  }

  private stepAnchor(): void {
    const at = this.nextAnchor--;
    const e = this.history[at]!;
    if (e.type !== 'transfer' || e.eventId === this.trigger!.eventId || !this.first(e)) return;
    if (this.regular?.(e, this.state!, this.trigger!.time)) { this.apart.push(e); return; }
    this.anchors.push(e);
    this.anchorIndex.push(at);
    this.anchorFollows.push(this.then(e));
  }
}
