/**
 * When each flow edge passes the retention, and which two lists hold it: a ring of (time, from,
 * to) in the order the edges came, in typed arrays (16 bytes an edge). As the graph's clock
 * moves, the entries whose time has passed the retention come off the front, and the graph trims
 * those two lists: each edge costs one visit to each of its lists, when there is something to
 * trim, where a rolling sweep over all lists pays a cache miss or two for every list it finds
 * with nothing to do. An edge that came out of time order waits behind the newer ones before it
 * (at most the disorder of the stream); an edge a list dropped earlier (the cap, an earlier trim)
 * makes a visit that finds nothing.
 */
const INITIAL = 1024;

export class EdgeExpiry {
  private times = new Float64Array(INITIAL);
  private froms = new Int32Array(INITIAL);
  private tos = new Int32Array(INITIAL);
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(time: number, from: number, to: number): void {
    if (this.count === this.times.length) this.resize(this.times.length * 2);
    const at = (this.head + this.count) & (this.times.length - 1);
    this.times[at] = time;
    this.froms[at] = from;
    this.tos[at] = to;
    this.count++;
  }

  /**
   * Takes off the front the entries dated before `horizon`, at most `max`, calling `visit` with
   * each one's two ends (an end of -1: forgotten by a renumbering). Returns how many it took.
   */
  expire(horizon: number, max: number, visit: (from: number, to: number) => void): number {
    const mask = this.times.length - 1;
    let taken = 0;
    while (taken < max && this.count > 0 && this.times[this.head]! < horizon) {
      const from = this.froms[this.head]!;
      const to = this.tos[this.head]!;
      this.head = (this.head + 1) & mask;
      this.count--;
      taken++;
      visit(from, to);
    }
    // A ring a burst grew gives its memory back once a quarter of it is in use.
    if (taken > 0 && this.times.length > INITIAL && this.count < this.times.length / 4) this.resize(this.times.length / 2);
    return taken;
  }

  /** Renames the ends as a compaction renumbers addresses (`remap[old]`: the new id, or -1 if forgotten). */
  renumber(remap: Int32Array): void {
    const mask = this.times.length - 1;
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & mask;
      this.froms[i] = this.froms[i]! >= 0 ? remap[this.froms[i]!] ?? -1 : -1;
      this.tos[i] = this.tos[i]! >= 0 ? remap[this.tos[i]!] ?? -1 : -1;
    }
  }

  /** Forgets every entry (a restore refills it with `push` in time order). */
  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  /** Moves the entries, in order, to the front of new arrays of `size` slots (a power of two, at least the count). */
  private resize(size: number): void {
    const times = new Float64Array(size);
    const froms = new Int32Array(size);
    const tos = new Int32Array(size);
    const mask = this.times.length - 1;
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & mask;
      times[k] = this.times[i]!;
      froms[k] = this.froms[i]!;
      tos[k] = this.tos[i]!;
    }
    this.times = times;
    this.froms = froms;
    this.tos = tos;
    this.head = 0;
  }
}
