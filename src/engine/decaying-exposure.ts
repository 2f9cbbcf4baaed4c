/**
 * `decaying-exposure`: exposure to a labelled cluster (stolen funds) that counts only within a
 * laundering window after the label's time, the theft, and weighs less the older it is. The age
 * is the trigger's event time minus the label's `observedAt` (the theft as the operator dates
 * it); the funds' path must also have left the labelled cluster no earlier than `lag` before
 * that time. `decay` is 0.5^(age / halfLife), 1 at the theft. All event time.
 */
import type { SignalSpec } from './rule-schema.js';
import type { Signal, SignalResult } from './signals.js';
import { counterpartyIds } from './counterparty-ids.js';
import { findExposure, type ExposureHit } from '../graph/exposure.js';

type DecayingExposureSpec = Extract<SignalSpec, { op: 'decaying-exposure' }>;

const DAY = 86_400_000;
const round = (n: number, places: number): number => Math.round(n * 10 ** places) / 10 ** places;
const none = (facts: Record<string, unknown> = {}): SignalResult => ({ ok: false, eventIds: [], facts });

/** When the funds left the labelled cluster: the path's last hop, or the trigger itself at hop 0. */
function leftLabelledAt(hit: ExposureHit, triggerTime: number): number {
  const via = hit.path[hit.path.length - 1]?.via;
  return via ? Date.parse(via.time) : triggerTime;
}

/** When the transfer came, in words: after the theft, or (within the lag) before the label's date. */
function timing(age: number): string {
  const days = round(Math.abs(age) / DAY, 1);
  const count = days === 1 ? '1 day' : `${days} days`;
  return age >= 0 ? `${count} after the theft` : `${count} before the theft's label date`;
}

export function decayingExposure(spec: DecayingExposureSpec): Signal {
  return ({ trigger, graph, asOf }) => {
    if (trigger.type !== 'transfer') return none();
    const direction = spec.direction === 'counterparty' ? (trigger.msg.kind === 'deposit' ? 'upstream' : 'downstream') : spec.direction;
    const hit = findExposure(graph, counterpartyIds(graph, trigger), { direction, labels: spec.labels, maxHops: spec.maxHops, hopWithin: spec.hopWithin, stopAt: spec.stopAt, from: trigger.time, asOf });
    if (!hit) return none();
    const age = trigger.time - hit.labelledSince;
    const facts = {
      ...hit, direction, labelledAt: new Date(hit.labelledSince).toISOString(), ageDays: round(age / DAY, 1),
      windowDays: round(spec.window / DAY, 1), halfLifeDays: round(spec.halfLife / DAY, 1),
      decay: round(0.5 ** (Math.max(0, age) / spec.halfLife), 3),
      timing: timing(age),
    };
    const inWindow = age >= -spec.lag && age <= spec.window && leftLabelledAt(hit, trigger.time) >= hit.labelledSince - spec.lag;
    if (!inWindow) return none(facts);
    return { ok: true, value: facts.decay, eventIds: [], facts };
  };
}
