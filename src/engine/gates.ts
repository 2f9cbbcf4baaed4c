/**
 * A rule's gate: the first condition its `require` tries (they run cheapest first), when that is a
 * `sequence` signal. A sequence reads only the trigger account's own history, the items from its
 * window's start up to the trigger's time, so its verdict for a trigger stands while no item of
 * that span is added or dropped. A re-examination of a transfer whose gate failed before (a merge
 * into a hot cluster re-examines two transfers at every sweep) cannot alert, and is skipped
 * instead of running the rule's where, signals and conditions again (issue #9: re-examine what a
 * change can change). The notes are two numbers on the transfer, never checkpointed.
 */
import type { TransferEvent } from '../decode/events.js';
import type { Condition, SignalSpec } from './rule-schema.js';
import type { RuleState } from './state.js';
import { sequenceReach } from './sequence-fifo.js';

export interface Gate {
  /** The gate signal's index among the rule's signals (its lazy result's slot). */
  index: number;
  /** How far back from the trigger the signal reads the history. */
  lookback: number;
  /** The rule's bit in a transfer's `gatesFailed` (one per gated rule of a rule set). */
  bit: number;
}

/** Gated rules a rule set can have: one bit each in a small integer. */
export const MAX_GATED_RULES = 30;

/**
 * The rule's gate, if the first of its ordered `require` conditions is a sequence signal;
 * `bit` is the next free one (the caller counts the rule set's gated rules, at most MAX_GATED_RULES).
 */
export function gateOf(ordered: readonly Condition[], signals: Record<string, SignalSpec>, names: readonly string[], bit: number): Gate | undefined {
  const first = ordered[0];
  if (first === undefined || !('signal' in first) || bit >= MAX_GATED_RULES) return undefined;
  const spec = signals[first.signal];
  if (spec?.op !== 'sequence') return undefined;
  return { index: names.indexOf(first.signal), lookback: sequenceLookback(spec, signals), bit };
}

/**
 * How far back a sequence reads the history: its window, and with `exceptRegularPay` the named
 * cadence's window too (a deposit's payer is read that far back to tell its regular pay).
 */
export function sequenceLookback(spec: Extract<SignalSpec, { op: 'sequence' }>, signals: Record<string, SignalSpec>): number {
  const regular = spec.exceptRegularPay === undefined ? undefined : signals[spec.exceptRegularPay];
  return regular?.op === 'cadence' ? Math.max(sequenceReach(spec), regular.within) : sequenceReach(spec);
}

/**
 * Whether the rule's gate failed for the transfer before and nothing it read has changed since.
 * A transfer's notes are two numbers: the state's `historyRewrites` when they were made (a rule
 * reload moves it too, so bits of an earlier rule set never match) and a bit per failed gate.
 */
export function gateStillFails(item: TransferEvent, gate: Gate, state: RuleState): boolean {
  if (item.gateStamp !== state.historyRewrites || ((item.gatesFailed ?? 0) & (1 << gate.bit)) === 0) return false;
  return state.historyDroppedUpTo < item.time - gate.lookback;
}

/** Notes that the rule's gate failed for the transfer, as the history stands now. */
export function noteGateFailed(item: TransferEvent, gate: Gate, state: RuleState): void {
  if (item.gateStamp !== state.historyRewrites) {
    item.gateStamp = state.historyRewrites;
    item.gatesFailed = 0;
  }
  item.gatesFailed = (item.gatesFailed ?? 0) | (1 << gate.bit);
}
