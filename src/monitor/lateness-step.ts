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
 */
import type { Entry } from './event-time-buffer.js';
import type { LatenessStage } from './lateness-stage.js';
import { inInstantOrder, type Fetched, type Ordering, type Step } from './ordering.js';

export function throughLateness(stage: LatenessStage<Entry<Fetched>>, ordering: Ordering, step: Step): Step {
  const released: Step = [];
  for (const e of step) {
    stage.add(e);
    ordering.applied(e);
    const due = stage.release();
    if (due.length > 0) for (const m of inInstantOrder(due)) released.push(m);
  }
  if (stage.size > 0) keepOwnBytes(step, released);
  return released;
}

/** The entries of `step` not released keep copies of their own bytes. */
function keepOwnBytes(step: Step, released: readonly Entry<Fetched>[]): void {
  const out = new Set(released);
  for (const e of step) if (!out.has(e)) e.value = e.value.compacted();
}
