/**
 * A rule's gate: the first condition its `require` tries (they run cheapest first), when that is a
 * `sequence` signal. A sequence reads only the trigger account's own history, the items from its
 * window's start up to the trigger's time, so its verdict for a trigger stands while no item of
 * that span is added or dropped. A re-examination of a transfer whose gate failed before (a merge
 * into a hot cluster re-examines two transfers at every sweep) cannot alert, and is skipped
 * instead of running the rule's where, signals and conditions again (issue #9: re-examine what a
 * change can change). The notes live on the transfer and are never checkpointed.
 */
import type { TransferEvent } from '../decode/events.js';
import type { Condition, SignalSpec } from './rule-schema.js';
import type { RuleState } from './state.js';

export interface Gate {
  /** The gate signal's index among the rule's signals (its lazy result's slot). */
  index: number;
  /** How far back from the trigger the signal reads the history. */
  lookback: number;
}

/** The rule's gate, if the first of its ordered `require` conditions is a sequence signal. */
export function gateOf(ordered: readonly Condition[], signals: Record<string, SignalSpec>, names: readonly string[]): Gate | undefined {
  const first = ordered[0];
  if (first === undefined || !('signal' in first)) return undefined;
  const spec = signals[first.signal];
  if (spec?.op !== 'sequence') return undefined;
  return { index: names.indexOf(first.signal), lookback: spec.within };
}

/** What a transfer's rules noted: the rules whose gate failed for it, while the history stood at `stamp`. */
interface GateNotes {
  stamp: number;
  failed: object[];
}

/** Whether the rule's gate failed for the transfer before and nothing it read has changed since. */
export function gateStillFails(item: TransferEvent, rule: object, gate: Gate, state: RuleState): boolean {
  const notes = item.gates as GateNotes | undefined;
  if (notes === undefined || notes.stamp !== state.historyRewrites) return false;
  if (state.historyDroppedUpTo >= item.time - gate.lookback) return false;
  return notes.failed.includes(rule);
}

/** Notes that the rule's gate failed for the transfer, as the history stands now. */
export function noteGateFailed(item: TransferEvent, rule: object, state: RuleState): void {
  let notes = item.gates as GateNotes | undefined;
  if (notes === undefined || notes.stamp !== state.historyRewrites) item.gates = notes = { stamp: state.historyRewrites, failed: [] };
  if (!notes.failed.includes(rule)) notes.failed.push(rule);
}
