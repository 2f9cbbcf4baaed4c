/**
 * Slots: which publishing slots this instance owns, what each owes the alert topic, and what it
 * keeps for the slots it does not own (see ownership.ts for the model). The table makes the
 * hand-over decisions: which slots to drop and take when the group's assignment changes, whether
 * a taken slot can be served from its unowned log or needs a re-read. Fencing and reading a
 * cursor touch Kafka and live in the monitor; the table only holds the producer it is given
 * (generic, so the unit tests use a plain value).
 */
import { beyond, UnownedLog, type Cut, type Output } from './ownership.js';

export interface OwnedSlot<P> {
  slot: number;
  /** The slot's transactional producer, already fenced in. */
  producer: P;
  /** The committed cursor. */
  cursor: Cut;
  /** Outputs past the cursor, not yet published. */
  pending: Output[];
  /** Wall-clock time of the last commit (ms); 0 forces the next flush to move the cursor. */
  committedAt: number;
}

/** What taking a slot found: the outputs its log held past the cursor, or that it needs a re-read. */
export type Taken = { fromLog: number } | { reread: true };

export class SlotTable<P> {
  private readonly owned = new Map<number, OwnedSlot<P>>();
  private readonly unowned = new Map<number, UnownedLog>();

  /** `count` slots, none owned; every unowned log starts complete from offset 0. */
  constructor(readonly count: number, private readonly unownedLogCap: number) {
    for (let s = 0; s < count; s++) this.unowned.set(s, new UnownedLog(new Map()));
  }

  get(slot: number): OwnedSlot<P> | undefined {
    return this.owned.get(slot);
  }

  ownedSlots(): OwnedSlot<P>[] {
    return [...this.owned.values()];
  }

  /** Owned slot numbers, ascending. */
  ownedNumbers(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  /** Owned slots that the assignment no longer gives us. */
  lost(assigned: ReadonlySet<number>): OwnedSlot<P>[] {
    return this.ownedSlots().filter((o) => !assigned.has(o.slot));
  }

  /** Assigned slots not yet owned, ascending. Throws for a slot past the count seen at start. */
  gained(assigned: ReadonlySet<number>): number[] {
    const slots = [...assigned].filter((s) => !this.owned.has(s)).sort((a, b) => a - b);
    const beyondCount = slots.find((s) => s >= this.count);
    if (beyondCount !== undefined) throw new Error(`slot ${beyondCount} is beyond the ${this.count} partitions seen at start: partitions were added; restarting re-derives the slots`);
    return slots;
  }

  /** Sends an output to its slot: pending when owned and past the cursor, else into the unowned log. */
  route(slot: number, output: Output): void {
    const owned = this.owned.get(slot);
    if (owned) {
      if (beyond(owned.cursor, output)) owned.pending.push(output);
    } else {
      this.unowned.get(slot)?.push(output, this.unownedLogCap);
    }
  }

  /**
   * Owns a slot whose previous owner is fenced and whose cursor was read after the fence. Its
   * pending outputs come from the unowned log; a log that cannot prove it holds every output past
   * the cursor (it overflowed, or it starts past the cursor) asks for a re-read.
   */
  take(slot: number, producer: P, cursor: Cut): Taken {
    const pending = this.unowned.get(slot)?.after(cursor);
    this.owned.set(slot, { slot, producer, cursor, pending: pending ?? [], committedAt: 0 });
    this.unowned.delete(slot);
    return pending ? { fromLog: pending.length } : { reread: true };
  }

  /**
   * Gives a slot up. Its log is complete past the committed cursor: what was pending, plus
   * everything applied from now on; the new owner publishes from that cursor.
   */
  drop(o: OwnedSlot<P>): void {
    if (this.owned.get(o.slot) !== o) return;
    this.owned.delete(o.slot);
    const log = new UnownedLog(o.cursor);
    log.entries = o.pending;
    this.unowned.set(o.slot, log);
  }

  /** Unowned slots whose logs hold outputs, for pruning against their owners' cursors. */
  prunable(): { slot: number; log: UnownedLog }[] {
    return [...this.unowned].filter(([, log]) => log.entries.length > 0).map(([slot, log]) => ({ slot, log }));
  }

  /**
   * Before reading starts over from `since` (a restored checkpoint's cut; empty: the first
   * offsets): everything past it is applied again, so owned slots drop their pending outputs (they
   * come again; the cursor decides what is published) and unowned logs start complete from
   * `since`. Outputs of messages before it cannot come again: taking a slot whose cursor is
   * behind it asks for another start-over.
   */
  resetForReread(since: Cut = new Map()): void {
    for (const o of this.owned.values()) o.pending = [];
    for (const slot of this.unowned.keys()) this.unowned.set(slot, new UnownedLog(new Map(since)));
  }
}
