/**
 * A step the reorder buffer released, put through the lateness stage (lateness-stage.ts): each
 * message is taken from the reorder buffer (the applied cut then waits at the stage's low water),
 * and what is due comes back in event order. What each message makes due is released right after
 * it, each release's instants in the instant order, so the result does not depend on where the
 * reorder buffer's steps begin and end (the fetches' timing): released once per step, a message
 * later than the lateness went after or before messages released by an earlier one of the same
 * step depending on the step's bounds. A message the stage goes on holding keeps a copy of
 * its own bytes, not its fetched batch's buffer (Fetched.compacted): the rest of the batch is
 * applied meanwhile, and a held message a batch would otherwise keep a whole batch alive each.
 * A step is put through a piece at a time, each ending at a cut point of the stage (`toNextCut`),
 * so the monitor can write a checkpoint at each cut, where the stage is empty.
 */
import type { Entry } from './event-time-buffer.js';
import type { LatenessStage } from './lateness-stage.js';
import { inInstantOrder, type Fetched, type Ordering, type Step } from './ordering.js';

export function throughLateness(stage: LatenessStage<Entry<Fetched>>, ordering: Ordering, step: Step): Step {
  const released: Step = [];
  for (let from = 0; from < step.length; ) {
    const part = toNextCut(stage, ordering, step, from);
    for (const m of part.released) released.push(m);
    from = part.next;
  }
  return released;
}

/**
 * The step from `from` through the stage up to its next cut point (lateness-stage.ts, cutDue) or
 * its end: what is released, and where the rest begins. After a cut the stage is empty, so the
 * caller may write a checkpoint there, before it puts the rest through.
 */
export function toNextCut(stage: LatenessStage<Entry<Fetched>>, ordering: Ordering, step: Step, from: number): { released: Step; next: number; cut: boolean } {
  const released: Step = [];
  let i = from;
  let cut = false;
  while (i < step.length && !cut) {
    const e = step[i++]!;
    stage.add(e);
    ordering.applied(e);
    cut = stage.cutDue;
    // A cut waits for the end of its message's instant (order key): an instant's messages are in
    // the instant order, not in offset order, and the applied cut moves to the greatest offset
    // applied (EventTimeBuffer.markApplied), so a checkpoint in mid-instant passed offsets of it
    // not yet applied (a restart lost them: 3 of 8,000 messages, session 60).
    if (cut) for (; i < step.length && step[i]!.key === e.key; i++) { stage.add(step[i]!); ordering.applied(step[i]!); }
    const due = cut ? stage.releaseAll() : stage.release();
    if (due.length > 0) for (const m of inInstantOrder(due)) released.push(m);
  }
  if (stage.size > 0) keepOwnBytes(step.slice(from, i), released);
  return { released, next: i, cut };
}

/** The entries of `step` not released keep copies of their own bytes. */
function keepOwnBytes(step: Step, released: readonly Entry<Fetched>[]): void {
  const out = new Set(released);
  for (const e of step) if (!out.has(e)) e.value = e.value.compacted();
}
