import type { SignalResult } from './signals.js';

/**
 * The result of a signal that does not hold and states no facts: one shared, frozen object (most
 * signals of most triggers do not hold, and three new objects per such result were a tenth of the
 * rules' garbage). The engine shows it to the conditions through one shared, frozen view as well.
 */
export const NO_RESULT: SignalResult = Object.freeze({ ok: false, eventIds: Object.freeze([]) as unknown as string[], facts: Object.freeze({}) });
