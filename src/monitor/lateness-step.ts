/**
 * A step the reorder buffer released, put through the lateness stage (lateness-stage.ts): each
 * message is taken from the reorder buffer (the applied cut then waits at the stage's low water),
 * and what is due comes back in event order. A message the stage goes on holding keeps a copy of
 * its own bytes, not its fetched batch's buffer (Fetched.compacted): the rest of the batch is
 * applied meanwhile, and a held message a batch would otherwise keep a whole batch alive each.
 */
import type { Entry } from './event-time-buffer.js';
import type { LatenessStage } from './lateness-stage.js';
import { inInstantOrder, type Fetched, type Ordering, type Step } from './ordering.js';

export function throughLateness(stage: LatenessStage<Entry<Fetched>>, ordering: Ordering, step: Step): Step {
  for (const e of step) {
    stage.add(e);
    ordering.applied(e);
  }
  const released = stage.release();
  if (stage.size > 0) keepOwnBytes(step, released);
  return inInstantOrder(released);
}

/** The entries of `step` not released keep copies of their own bytes. */
function keepOwnBytes(step: Step, released: readonly Entry<Fetched>[]): void {
  const out = new Set(released);
  for (const e of step) if (!out.has(e)) e.value = e.value.compacted();
}
