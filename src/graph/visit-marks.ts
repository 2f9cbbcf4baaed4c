/**
 * "Seen in this search" flags over dense address ids, for graph walks that run on every transfer:
 * each id holds the stamp of the last search that marked it, so a new search allocates nothing and
 * clears nothing (a Set per walk was a tenth of the pipeline's garbage). One array serves every
 * graph: stamps are per search, and searches never nest. It grows to the largest id marked, four
 * bytes an address, like the graph's own per-address arrays.
 */
export class VisitMarks {
  private stamps = new Uint32Array(1024);
  private current = 0;

  /** Starts a search: every id reads as unseen. */
  begin(): void {
    this.current++;
    if (this.current === 0xffffffff) {
      // The stamp would wrap onto ids marked four billion searches ago: start the count afresh.
      this.stamps.fill(0);
      this.current = 1;
    }
  }

  /** Marks the id as seen in this search; true when it was not seen before. */
  mark(id: number): boolean {
    if (id >= this.stamps.length) this.grow(id);
    if (this.stamps[id] === this.current) return false;
    this.stamps[id] = this.current;
    return true;
  }

  private grow(id: number): void {
    let n = this.stamps.length;
    while (n <= id) n *= 2;
    const stamps = new Uint32Array(n);
    stamps.set(this.stamps);
    this.stamps = stamps;
  }

  /** For tests: moves the stamp counter (to reach the wrap without four billion searches). */
  setStampForTest(stamp: number): void {
    this.current = stamp;
  }
}
