/**
 * `sequence`: the latest inflow (a `first` event, with the split parts up to `groupWithin` before
 * it) followed, up to the trigger, by `then` events that move between `minRatio` and `maxRatio`
 * of it. Candidate inflows are tried from the latest back. Each step moves two windows one item
 * on (the inflow's parts, and the follow-up events since its oldest part), so both sums are kept
 * as running differences: a trigger costs one pass over its slice of the history, not a re-scan
 * of it per candidate inflow.
 */
import type { TransferEvent } from '../decode/events.js';
import { Decimal } from '../money/decimal.js';
import type { SignalSpec } from './rule-schema.js';
import { makeSelector, type Signal, type SignalResult } from './signals.js';
import type { HistoryItem } from './state.js';

type SequenceSpec = Extract<SignalSpec, { op: 'sequence' }>;
type DifferField = SequenceSpec['differ'][number];

const ZERO = Decimal.ZERO;
const usdOrZero = (e: TransferEvent): Decimal => e.usd ?? ZERO;
const round = (n: number, places: number): number => Math.round(n * 10 ** places) / 10 ** places;
const none = (): SignalResult => ({ ok: false, eventIds: [], facts: {} });

/**
 * A running sum of the usd of the items added, in total and per value of the `differ` fields:
 * the sum over the items that differ from an anchor is the total less its own key's share.
 */
class KeyedSum {
  total = ZERO;
  private readonly byKey = new Map<string, Decimal>();
  constructor(private readonly keyOf: ((e: TransferEvent) => string) | undefined) {}

  add(e: TransferEvent, sign: 1 | -1): void {
    const usd = sign === 1 ? usdOrZero(e) : usdOrZero(e).negated();
    this.total = this.total.plus(usd);
    if (!this.keyOf) return;
    const key = this.keyOf(e);
    this.byKey.set(key, (this.byKey.get(key) ?? ZERO).plus(usd));
  }

  /** The sum over the items whose differ fields are not all those of `anchor`. */
  differingFrom(anchor: TransferEvent): Decimal {
    return this.keyOf ? this.total.minus(this.byKey.get(this.keyOf(anchor)) ?? ZERO) : this.total;
  }
}

/** The differ fields' values as one key: equal keys for equal values (asset and chain are strings in the contract). */
function projection(differ: readonly DifferField[]): ((e: TransferEvent) => string) | undefined {
  if (differ.length === 0) return undefined;
  return (e) => JSON.stringify(differ.map((f) => e.msg[f]));
}

export function sequence(spec: SequenceSpec): Signal {
  const first = makeSelector(spec.first);
  const then = makeSelector(spec.then);
  const minRatio = Decimal.fromNumber(spec.minRatio);
  const maxRatio = Decimal.fromNumber(spec.maxRatio);
  const keyOf = projection(spec.differ);
  const differs = (e: TransferEvent, anchor: TransferEvent): boolean => spec.differ.length === 0 || spec.differ.some((f) => e.msg[f] !== anchor.msg[f]);
  return ({ trigger, state }) => {
    if (trigger.type !== 'transfer' || !then(trigger)) return none();
    // Anchors lie within the window (only they and what follows them are read).
    const history = state.historyBetween(trigger.msg.accountId, trigger.time - spec.within, trigger.time);
    const anchors: TransferEvent[] = [];
    /** Whether each anchor is also a `then` event (selectors may overlap): it is then no follow-up of its own group. */
    const anchorFollows: boolean[] = [];
    const follows: TransferEvent[] = [];
    for (const e of history as readonly HistoryItem[]) {
      if (e.type !== 'transfer') continue;
      const isThen = then(e);
      if (isThen) follows.push(e);
      if (e.eventId !== trigger.eventId && first(e)) { anchors.push(e); anchorFollows.push(isThen); }
    }
    const group = new KeyedSum(undefined);
    /** The group's members that are also follow-up events, to be taken out of the follow sum. */
    const groupFollows = new KeyedSum(keyOf);
    const moved = new KeyedSum(keyOf);
    let lo = anchors.length; // the group is anchors[lo..hi]
    let hi = anchors.length - 1;
    let f = follows.length; // follows[f..] are the follow-up events since the group's oldest part
    for (let i = anchors.length - 1; i >= 0; i--) {
      const anchor = anchors[i]!;
      // Slide the group to end at i and start at the oldest anchor within groupWithin of it.
      while (hi > i) { if (hi >= lo) { group.add(anchors[hi]!, -1); if (anchorFollows[hi]) groupFollows.add(anchors[hi]!, -1); } hi--; }
      if (lo > i + 1) lo = i + 1;
      while (lo > 0 && anchors[lo - 1]!.time >= anchor.time - spec.groupWithin) { lo--; group.add(anchors[lo]!, 1); if (anchorFollows[lo]) groupFollows.add(anchors[lo]!, 1); }
      const inflow = group.total;
      if (inflow.sign() <= 0) continue;
      const since = anchors[lo]!.time;
      if (!differs(trigger, anchor)) continue;
      while (f > 0 && follows[f - 1]!.time >= since) moved.add(follows[--f]!, 1);
      const out = moved.differingFrom(anchor).minus(groupFollows.differingFrom(anchor));
      // The verdict is exact (moved ≥ inflow × minRatio, in decimals); the ratio shown is rounded.
      if (out.compare(inflow.times(minRatio)) >= 0 && out.compare(inflow.times(maxRatio)) <= 0) {
        const parts = anchors.slice(lo, i + 1);
        const inGroup = new Set(parts);
        const followed = follows.slice(f).filter((e) => !inGroup.has(e) && differs(e, anchor));
        const ratio = out.toNumber() / inflow.toNumber();
        return {
          ok: true,
          value: round(ratio, 4),
          eventIds: [...parts.map((a) => a.eventId), ...followed.map((e) => e.eventId)],
          facts: { ratio: round(ratio, 4), percent: Math.round(ratio * 100), firstEventId: anchor.eventId, firstAsset: anchor.msg.asset, firstChain: anchor.msg.chain, firstUsd: inflow, movedUsd: out, hours: round((trigger.time - since) / 3_600_000, 1) },
        };
      }
    }
    return none();
  };
}
