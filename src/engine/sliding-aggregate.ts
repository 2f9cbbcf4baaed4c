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
  /** The value as distinct() counts it. */
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
  private readonly minQ: number[] = [];
  private readonly maxQ: number[] = [];
  private minHead = 0;
  private maxHead = 0;
  private readonly distinctCounts = new Map<string, number>();
  /** Time of the newest entry, or of the newest event the aggregate was brought up to. */
  newest = Number.NEGATIVE_INFINITY;

  get count(): number {
    return this.entries.length - this.head;
  }

  /** Adds an event at or after `newest` (the caller checks order). */
  push(time: number, eventId: string, value: unknown): void {
    const exact = isDecimal(value) ? value : typeof value === 'number' && Number.isFinite(value) ? Decimal.fromNumber(value) : undefined;
    const num = exact === undefined ? undefined : typeof value === 'number' ? value : exact.toNumber();
    const entry: Entry = { time, eventId, num, exact, key: String(value) };
    const index = this.entries.length;
    this.entries.push(entry);
    if (time > this.newest) this.newest = time;
    this.distinctCounts.set(entry.key, (this.distinctCounts.get(entry.key) ?? 0) + 1);
    if (num === undefined || exact === undefined) return;
    this.sum += num;
    this.exactSum = this.exactSum.plus(exact);
    this.sumSq += num * num;
    this.nums++;
    while (this.minQ.length > this.minHead && this.entries[this.minQ[this.minQ.length - 1]!]!.exact!.compare(exact) >= 0) this.minQ.pop();
    this.minQ.push(index);
    while (this.maxQ.length > this.maxHead && this.entries[this.maxQ[this.maxQ.length - 1]!]!.exact!.compare(exact) <= 0) this.maxQ.pop();
    this.maxQ.push(index);
  }

  /** Drops entries older than `from`. */
  expire(from: number): void {
    while (this.head < this.entries.length && this.entries[this.head]!.time < from) {
      const e = this.entries[this.head]!;
      const left = this.distinctCounts.get(e.key)! - 1;
      if (left === 0) this.distinctCounts.delete(e.key);
      else this.distinctCounts.set(e.key, left);
      if (e.num !== undefined) {
        this.sum -= e.num;
        this.exactSum = this.exactSum.minus(e.exact!);
        this.sumSq -= e.num * e.num;
        this.nums--;
        if (this.minQ[this.minHead] === this.head) this.minHead++;
        if (this.maxQ[this.maxHead] === this.head) this.maxHead++;
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
      case 'distinct': return this.distinctCounts.size;
      case 'min': return this.nums ? this.entries[this.minQ[this.minHead]!]!.exact! : Decimal.ZERO;
      case 'max': return this.nums ? this.entries[this.maxQ[this.maxHead]!]!.exact! : Decimal.ZERO;
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

  eventIds(): string[] {
    const ids: string[] = [];
    for (let i = this.head; i < this.entries.length; i++) ids.push(this.entries[i]!.eventId);
    return ids;
  }

  /** Reclaims the expired prefix once it is half the array (amortised O(1)). */
  private compact(): void {
    if (this.head < 64 || this.head * 2 < this.entries.length) return;
    const shift = this.head;
    this.entries.splice(0, shift);
    this.head = 0;
    const rebase = (q: number[], h: number): number[] => q.slice(h).map((i) => i - shift);
    const min = rebase(this.minQ, this.minHead);
    const max = rebase(this.maxQ, this.maxHead);
    this.minQ.length = 0;
    this.minQ.push(...min);
    this.maxQ.length = 0;
    this.maxQ.push(...max);
    this.minHead = 0;
    this.maxHead = 0;
  }
}
