/**
 * The replay's run of consecutive messages that share one event time (or one order key, where a
 * merge gave them one, as `replay --from-kafka` does: the monitor's instants): gathered until a
 * message of another ends it, then applied in the instant order (sources/instant-order.ts). A
 * reject has no time of its own and joins the run it falls in. A run stops growing at MAX_INSTANT_RUN
 * lines, so a file whose every line carries one time costs bounded memory.
 */
import type { Origin } from '../decode/events.js';
import { MAX_INSTANT_RUN, type InstantItem } from '../sources/instant-order.js';

/** A decoded input message, where it came from, and whether its outputs are written (undefined: by `emitFrom`). */
export interface InputLine extends InstantItem {
  origin: Origin;
  emit?: boolean;
  /** The order key a merge gave it (kafka-replay.ts): the run is then the records of one key, rejects included. */
  key?: number;
}

const timeOf = (item: InstantItem & { key?: number }): number | undefined => item.key ?? (item.decoded.ok ? item.decoded.event.time : undefined);

export class InstantRun<T extends InstantItem & { key?: number }> {
  private items: T[] = [];
  private time: number | undefined;

  /** Adds a line; returns the run it ended (the lines of an earlier instant, in file order), if any. */
  add(item: T): T[] | undefined {
    const time = timeOf(item);
    const ended = this.endedBy(item) ? this.take() : undefined;
    this.items.push(item);
    if (time !== undefined) this.time = time;
    return ended;
  }

  /** Whether adding `item` would end the run gathered (hand it the run's lines). */
  endedBy(item: T): boolean {
    const time = timeOf(item);
    return this.items.length >= MAX_INSTANT_RUN || (time !== undefined && this.time !== undefined && time !== this.time);
  }

  /** The lines gathered (in file order), or undefined when none; the run starts afresh. */
  take(): T[] | undefined {
    if (this.items.length === 0) return undefined;
    const taken = this.items;
    this.items = [];
    this.time = undefined;
    return taken;
  }
}
