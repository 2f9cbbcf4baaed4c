/**
 * Per address id, the time of the newest edge in one of its flow-edge lists (out or in), in a
 * typed column: the expiry ring (edge-expiry.ts) asks it whether a list has passed the retention
 * whole, with one read of 8 bytes where the list itself costs a table slot, the array and its
 * newest edge, cold. A list that still holds an edge inside the retention is not read at all by
 * the ring; its stale front leaves when it is next read or appended to (EntityGraph.liveList).
 *
 * A slot is exact for an id whose list exists: set after every append from the list's newest
 * edge (the cap and the trims take the oldest, never the newest), rebuilt from the lists after a
 * compaction or a restore. For an id without a list it holds whatever its last list had, or NaN:
 * the ring then finds nothing to delete.
 */
const INITIAL = 1024;

export class NewestEdgeTimes {
  private times = new Float64Array(INITIAL).fill(Number.NaN);

  /** The newest edge time of the id's list, NaN when none was recorded. */
  get(id: number): number {
    return id < this.times.length ? this.times[id]! : Number.NaN;
  }

  set(id: number, time: number): void {
    if (id >= this.times.length) this.grow(id);
    this.times[id] = time;
  }

  /** Refills every slot from the lists (each sorted by time, so its newest edge is its last). */
  rebuild(lists: Iterable<[number, readonly { readonly time: number }[]]>): void {
    this.times.fill(Number.NaN);
    for (const [id, list] of lists) if (list.length > 0) this.set(id, list[list.length - 1]!.time);
  }

  private grow(id: number): void {
    let n = this.times.length;
    while (n <= id) n *= 2;
    const times = new Float64Array(n).fill(Number.NaN);
    times.set(this.times);
    this.times = times;
  }
}
