/**
 * Transfers judged again behind a late event of their account, whose verdict waits until the
 * stream's event time has moved `holdMs` past them. Event order judges a transfer once, with its
 * whole past; read out of order, each earlier event that arrives after it judges it again, and
 * only the judgement after the last of them is event order's. Judged at once, the first
 * straggler's verdict spent the one extra alert a transfer may give (RuleEngine.isNewAgain) while
 * its past still lacked the next straggler (session 56: a hot account shuffled within blocks of
 * 200 kept 216 of event order's 1,471 quick-out alerts). Held, the transfer is judged once when
 * the stream has read `holdMs` of event time past it, with every straggler that arrived by then.
 *
 * Only keys are held (account, event id, time): the item is looked up in the rule state when
 * released, so a checkpoint writes the keys and a transfer the history dropped meanwhile is not
 * judged. Bounded: past `maxHeld`, the earliest is released at once.
 */

export interface HeldKey {
  accountId: string;
  eventId: string;
  time: number;
}

/** Held transfers at most; past it the earliest is judged at once. */
export const DEFAULT_MAX_HELD = 4096;

const before = (a: HeldKey, b: HeldKey): boolean => a.time < b.time || (a.time === b.time && a.eventId < b.eventId);

export class HeldRejudgements {
  /** Sorted by event time, then event id: the order event order judges them in. */
  private readonly keys: HeldKey[] = [];
  private readonly ids = new Set<string>();

  /** `holdMs` 0: nothing is held (a transfer is judged again at once); keys restored from a checkpoint are taken at the next message. */
  constructor(readonly holdMs: number, readonly maxHeld = DEFAULT_MAX_HELD) {}

  get size(): number {
    return this.keys.length;
  }

  /** Holds the transfer (once); returns the earliest held when the bound pushes it out, to judge now. */
  hold(key: HeldKey): HeldKey | undefined {
    if (this.ids.has(key.eventId)) return undefined;
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.keys[mid]!, key)) lo = mid + 1;
      else hi = mid;
    }
    this.keys.splice(lo, 0, { accountId: key.accountId, eventId: key.eventId, time: key.time });
    this.ids.add(key.eventId);
    return this.keys.length > this.maxHeld ? this.takeFirst(1)[0] : undefined;
  }

  /** The held transfers the clock has passed by more than the hold, earliest first (none: one comparison). */
  takeDue(clock: number): HeldKey[] {
    let n = 0;
    while (n < this.keys.length && clock - this.keys[n]!.time > this.holdMs) n++;
    return n === 0 ? [] : this.takeFirst(n);
  }

  /** Every held transfer, earliest first (the end of a replay's input). */
  takeAll(): HeldKey[] {
    return this.takeFirst(this.keys.length);
  }

  /** The held keys, earliest first, for a checkpoint. */
  entries(): readonly HeldKey[] {
    return this.keys;
  }

  private takeFirst(n: number): HeldKey[] {
    const out = this.keys.splice(0, n);
    for (const k of out) this.ids.delete(k.eventId);
    return out;
  }
}
