import type { SignalResult } from './signals.js';

/**
 * The result of a signal that does not hold and states no facts: one shared, frozen object (most
 * signals of most triggers do not hold, and three new objects per such result were a tenth of the
 * rules' garbage). The engine shows it to the conditions through one shared, frozen view as well.
 */
export const NO_RESULT: SignalResult = Object.freeze({ ok: false, eventIds: Object.freeze([]) as unknown as string[], facts: Object.freeze({}) });

/**
 * What rule conditions read of a result whose facts are plain values: its facts, then `ok`,
 * `value`, `eventIds` and `facts`, set one by one as Object.assign would (no temporary object).
 */
export function plainResultView(r: SignalResult): SignalResult {
  const base: Record<string, unknown> = Object.assign({}, r.facts);
  base.ok = r.ok;
  base.value = r.value;
  base.eventIds = r.eventIds;
  base.facts = r.facts;
  return base as unknown as SignalResult;
}

/**
 * A failing result that many triggers share because they state the same facts (a device seen by
 * its own account alone: `accounts: 1`), frozen, with the view the engine shows of it made once
 * (`sharedView`, not enumerable: the result compares and serialises as before). Without it, each
 * such trigger made a result, its facts and a copy of them for the conditions to read.
 */
export function sharedFailure(value: number | undefined, facts: Record<string, unknown>): SignalResult {
  const result: SignalResult = value === undefined ? { ok: false, eventIds: NO_RESULT.eventIds, facts: Object.freeze(facts) } : { ok: false, value, eventIds: NO_RESULT.eventIds, facts: Object.freeze(facts) };
  Object.defineProperty(result, 'sharedView', { value: Object.freeze(plainResultView(result)) });
  return Object.freeze(result);
}
