/**
 * A window aggregate kept as events arrive and expire, for one account and one `window` signal:
 * count, sum (exact: amounts are decimals, a plain number counts as its decimal text), mean and
 * coefficient of variation (running sum and sum of squares of doubles: statistics for scores),
 * min and max (monotonic queues, compared exactly), and distinct values (a count per value). A trigger at the newest time
 * costs O(1) amortised, whatever the window holds; an older trigger (a late re-examination or
 * an out-of-order event) is answered by the caller from the history instead.
 */
import { Decimal, isDecimal } from '../money/decimal.js';

export type WindowAgg = 'count' | 'sum' | 'distinct' | 'min' | 'max' | 'mean' | 'cv';

interface Entry {
  time: number;
  eventId: string;
  /** The field's value as a double, or undefined when it is not numeric (it counts, but adds to no sum). */
  num: number | undefined;
  /** The same value exactly, for the sum, min and max. */
  exact: Decimal | undefined;
  /** The value as distinct() counts it ('' when the aggregate counts no distinct values). */
  key: string;
}

export class SlidingAggregate {
  private readonly entries: Entry[] = [];
  private head = 0;
  private sum = 0;
  private exactSum = Decimal.ZERO;
  private sumSq = 0;
  private nums = 0;
  /** Indices into entries, values increasing (for min) and decreasing (for max). */
  private readonly minQ: number[] | undefined;
  private readonly maxQ: number[] | undefined;
  private minHead = 0;
  private maxHead = 0;
  /** A count per value, for `distinct` (undefined for an aggregate not asked for it: most are sums and counts). */
  private readonly distinctCounts: Map<string, number> | undefined;
  /** Time of the newest entry, or of the newest event the aggregate was brought up to. */
  newest = Number.NEGATIVE_INFINITY;

  /**
   * @param asked the one aggregate value() will be asked for (undefined: any): the distinct
   * counts (a Map, a key string per entry) and the min/max queues are kept only when it needs them.
   */
  constructor(asked?: WindowAgg) {
    this.distinctCounts = asked === undefined || asked === 'distinct' ? new Map() : undefined;
    const extremes = asked === undefined || asked === 'min' || asked === 'max';
    this.minQ = extremes ? [] : undefined;
    this.maxQ = extremes ? [] : undefined;
  }

  get count(): number {
    return this.entries.length - this.head;
  }

  /** Adds an event at or after `newest` (the caller checks order). */
  push(time: number, eventId: string, value: unknown): void {
    const exact = isDecimal(value) ? value : typeof value === 'number' && Number.isFinite(value) ? Decimal.fromNumber(value) : undefined;
    const num = exact === undefined ? undefined : typeof value === 'number' ? value : exact.toNumber();
    const counts = this.distinctCounts;
    const entry: Entry = { time, eventId, num, exact, key: counts ? String(value) : '' };
    const index = this.entries.length;
    this.entries.push(entry);
    if (time > this.newest) this.newest = time;
    if (counts) counts.set(entry.key, (counts.get(entry.key) ?? 0) + 1);
    if (num === undefined || exact === undefined) return;
    this.sum += num;
    this.exactSum = this.exactSum.plus(exact);
    this.sumSq += num * num;
    this.nums++;
    const [minQ, maxQ] = [this.minQ, this.maxQ];
    if (minQ === undefined || maxQ === undefined) return;
    while (minQ.length > this.minHead && this.entries[minQ[minQ.length - 1]!]!.exact!.compare(exact) >= 0) minQ.pop();
    minQ.push(index);
    while (maxQ.length > this.maxHead && this.entries[maxQ[maxQ.length - 1]!]!.exact!.compare(exact) <= 0) maxQ.pop();
    maxQ.push(index);
  }

  /** Drops entries older than `from`. */
  expire(from: number): void {
    while (this.head < this.entries.length && this.entries[this.head]!.time < from) {
      const e = this.entries[this.head]!;
      const counts = this.distinctCounts;
      if (counts) {
        const left = counts.get(e.key)! - 1;
        if (left === 0) counts.delete(e.key);
        else counts.set(e.key, left);
      }
      if (e.num !== undefined) {
        this.sum -= e.num;
        this.exactSum = this.exactSum.minus(e.exact!);
        this.sumSq -= e.num * e.num;
        this.nums--;
        if (this.minQ !== undefined && this.minQ[this.minHead] === this.head) this.minHead++;
        if (this.maxQ !== undefined && this.maxQ[this.maxHead] === this.head) this.maxHead++;
      }
      this.head++;
    }
    this.compact();
  }

  /** Counts and statistics as numbers; the sum, min and max exactly. */
  value(agg: WindowAgg): number | Decimal {
    switch (agg) {
      case 'count': return this.count;
      case 'sum': return this.nums ? this.exactSum : Decimal.ZERO;
      case 'distinct': return this.kept(this.distinctCounts, agg).size;
      case 'min': return this.nums ? this.entries[this.kept(this.minQ, agg)[this.minHead]!]!.exact! : Decimal.ZERO;
      case 'max': return this.nums ? this.entries[this.kept(this.maxQ, agg)[this.maxHead]!]!.exact! : Decimal.ZERO;
      case 'mean': return this.nums ? this.sum / this.nums : 0;
      case 'cv': {
        if (this.nums < 2) return 0;
        const mean = this.sum / this.nums;
        if (mean === 0) return 0;
        // Running sums lose a little precision; a variance a hair below zero is zero.
        const variance = Math.max(0, this.sumSq / this.nums - mean * mean);
        return Math.sqrt(variance) / mean;
      }
    }
  }

  /** A structure `agg` reads, which this aggregate keeps only when made for it (or for any). */
  private kept<T>(structure: T | undefined, agg: WindowAgg): T {
    if (structure === undefined) throw new Error(`this aggregate was made without what ${agg} reads`);
    return structure;
  }

  eventIds(): string[] {
    const ids: string[] = [];
    for (let i = this.head; i < this.entries.length; i++) ids.push(this.entries[i]!.eventId);
    return ids;
  }

  /**
   * Reclaims the expired prefix once it is half the array (amortised O(1)), in place. Short
   * arrays too: with a floor of 64 an account that pays a few times a window kept up to 63
   * expired entries (their event ids and decimals) for good, in every window signal.
   */
  private compact(): void {
    if (this.head === 0 || this.head * 2 < this.entries.length) return;
    const shift = this.head;
    const entries = this.entries;
    entries.copyWithin(0, shift);
    entries.length -= shift;
    this.head = 0;
    if (this.minQ !== undefined) rebase(this.minQ, this.minHead, shift);
    if (this.maxQ !== undefined) rebase(this.maxQ, this.maxHead, shift);
    this.minHead = 0;
    this.maxHead = 0;
  }
}

/** Moves the queue's live part (from `head`) to its front, each index `shift` lower. */
function rebase(q: number[], head: number, shift: number): void {
  let k = 0;
  for (let i = head; i < q.length; i++) q[k++] = q[i]! - shift;
  q.length = k;
}
