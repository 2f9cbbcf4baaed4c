/**
 * A set of ids remembered for a window of event time: the eventId dedupe and the emitted-alert
 * guard must not grow for ever in a service that runs for years. Ids older than `window` before
 * the newest time seen are forgotten, in sweeps, so a redelivery older than the window (beyond any
 * sane Kafka retention) would be processed again.
 */
export class RecentIds {
  private readonly ids = new Map<string, number>();
  private newest = Number.NEGATIVE_INFINITY;
  private sweptAt = Number.NEGATIVE_INFINITY;

  /** `forget` is told each id a sweep drops, so a caller can drop what it keeps beside it. */
  constructor(private readonly window: number, private readonly forget?: (id: string) => void) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string, time: number): void {
    this.ids.set(id, time);
    if (time > this.newest) this.newest = time;
    // Sweep at most once per tenth of the window of event time: amortised O(1) per id.
    if (this.newest - this.sweptAt > this.window / 10) this.sweep();
  }

  get size(): number {
    return this.ids.size;
  }

  private sweep(): void {
    const horizon = this.newest - this.window;
    for (const [id, time] of this.ids) {
      if (time >= horizon) continue;
      this.ids.delete(id);
      this.forget?.(id);
    }
    this.sweptAt = this.newest;
  }
}
