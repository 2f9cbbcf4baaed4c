/**
 * Market prices by asset, in event time, for valuing transfers as of their own time: the newest
 * price observed strictly before the transfer, if it is at most `maxStaleness` older. Strictly:
 * a price and a transfer at the same millisecond may be applied in either order (the monitor
 * breaks event-time ties by topic name), and must give the same value either way. Bounded per
 * asset by a retention behind that asset's newest price and a count cap, and in assets by a cap
 * (past it, the asset whose newest price is oldest is dropped whole).
 */
import type { Decimal } from './decimal.js';

export interface PricePoint {
  time: number;
  source: string;
  price: Decimal;
  /** The message's observedAt text, as the valuation's source names it. */
  observedAt: string;
}

export interface PriceBookOptions {
  /** A price older than this (ms before the transfer) is not used. @defaultValue 24 hours */
  maxStaleness: number;
  /** Prices older than this behind an asset's newest are dropped. @defaultValue 7 days */
  retention: number;
  /** Most prices kept per asset (the oldest go first). @defaultValue 20,000 */
  maxPerAsset: number;
  /** Most assets kept. @defaultValue 10,000 */
  maxAssets: number;
}

export const DEFAULT_PRICE_BOOK: PriceBookOptions = { maxStaleness: 24 * 3_600_000, retention: 7 * 86_400_000, maxPerAsset: 20_000, maxAssets: 10_000 };

/**
 * Orders points by time, then source name, then price, highest first: the order a lookup breaks
 * ties in, whatever the arrival order. A feed that states two prices for one instant (a
 * restatement, with no sequence to tell which came later) is read at the higher one: a
 * deterministic choice that values a transfer at no less than either statement.
 */
const before = (a: PricePoint, b: PricePoint): boolean =>
  a.time < b.time || (a.time === b.time && (a.source < b.source || (a.source === b.source && a.price.compare(b.price) > 0)));

export class PriceBook {
  private readonly byAsset = new Map<string, PricePoint[]>();

  constructor(readonly options: PriceBookOptions = DEFAULT_PRICE_BOOK) {}

  get assets(): number {
    return this.byAsset.size;
  }

  /** Prices held, over every asset. */
  get size(): number {
    let n = 0;
    for (const points of this.byAsset.values()) n += points.length;
    return n;
  }

  add(asset: string, point: PricePoint): void {
    let points = this.byAsset.get(asset);
    if (!points) {
      if (this.byAsset.size >= this.options.maxAssets) this.dropStalestAsset();
      this.byAsset.set(asset, (points = []));
    }
    // In time order nearly always: a push; a late price is placed by binary search.
    let at = points.length;
    if (at > 0 && before(point, points[at - 1]!)) at = this.insertionIndex(points, point);
    points.splice(at, 0, point);
    this.trim(points);
  }

  /** The newest price of `asset` before `time` and no more than maxStaleness older; ties at one instant go to the smallest source name, then the highest price. */
  at(asset: string, time: number): PricePoint | undefined {
    const points = this.byAsset.get(asset);
    if (!points) return undefined;
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (points[mid]!.time < time) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return undefined;
    // The last point at the newest instant before time is the largest source name there: walk
    // back to the smallest (and, within it, to its highest price).
    let i = lo - 1;
    const newest = points[i]!.time;
    while (i > 0 && points[i - 1]!.time === newest) i--;
    const point = points[i]!;
    return time - point.time <= this.options.maxStaleness ? point : undefined;
  }

  /** Every asset's prices in order, for a checkpoint. */
  entries(): IterableIterator<[string, readonly PricePoint[]]> {
    return this.byAsset.entries();
  }

  /** Restores an asset's prices (already in order) from a checkpoint. */
  restore(asset: string, points: PricePoint[]): void {
    this.byAsset.set(asset, points);
  }

  private insertionIndex(points: readonly PricePoint[], point: PricePoint): number {
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(points[mid]!, point)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops prices past the retention behind the newest, and the oldest past the cap. */
  private trim(points: PricePoint[]): void {
    const horizon = points[points.length - 1]!.time - this.options.retention;
    let drop = 0;
    while (drop < points.length && points[drop]!.time < horizon) drop++;
    drop = Math.max(drop, points.length - this.options.maxPerAsset);
    if (drop > 0) points.splice(0, drop);
  }

  private dropStalestAsset(): void {
    let stalest: string | undefined;
    let oldest = Infinity;
    for (const [asset, points] of this.byAsset) {
      const newest = points[points.length - 1]?.time ?? -Infinity;
      if (newest < oldest) { oldest = newest; stalest = asset; }
    }
    if (stalest !== undefined) this.byAsset.delete(stalest);
  }
}
