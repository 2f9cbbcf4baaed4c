/**
 * Regular pay, for a `sequence` with `exceptRegularPay` (receiver-side v13): a deposit that
 * continues its sending address's regular run, as the named `cadence` signal reads a run (its
 * selector, mergeWithin, band, periods, minCount and maxCv), over that payer's transfers in the
 * cadence's window back from the trigger. A T12 hub paid by four employers on one day had their
 * four salaries summed as one "inflow" 5.9 times one employer's median salary (session 51 QA):
 * another payer's salary is no part of a ransom.
 *
 * The payer is the first sending address (the account's payer groups, payer-index.ts), not its
 * cluster or labelled entity: the verdict reads the account's own history only, never the graph,
 * so it depends on the events' times alone and a sequence gate's note stays true (gates.ts). A
 * payer that pays from a new address each time (a platform's rotating hot wallets) is therefore
 * not recognised, and its pay still joins an inflow, as before v13. A deposit with no sender
 * (an empty `from`) is no one's regular pay.
 */
import type { TransferEvent } from '../decode/events.js';
import { Decimal } from '../money/decimal.js';
import { lowerBound, upperBound } from '../state/sorted-by-time.js';
import { paymentsOf, regularRun } from './cadence.js';
import { PAYER_GROUP_READ_LIMIT } from './read-limits.js';
import type { SignalSpec } from './rule-schema.js';
import { makeSelector } from './signals.js';
import type { RuleState } from './state.js';

type CadenceSpec = Extract<SignalSpec, { op: 'cadence' }>;

/** Whether a transfer is regular pay, judged for a trigger at event time `to` (the payer's transfers after it are not read). */
export type RegularPayTest = (e: TransferEvent, state: RuleState, to: number) => boolean;

export function regularPay(spec: CadenceSpec): RegularPayTest {
  const select = makeSelector(spec.of);
  const band = spec.usdRange ? ([Decimal.fromNumber(spec.usdRange[0]), Decimal.fromNumber(spec.usdRange[1])] as const) : undefined;
  return (e, state, to) => {
    const payer = e.from[0];
    if (payer === undefined || !select(e)) return false;
    const items = state.payerGroup(e.msg.accountId, e.msg.kind, payer)?.items;
    if (items === undefined) return false;
    const end = upperBound(items, to);
    const start = Math.max(lowerBound(items, to - spec.within), end - PAYER_GROUP_READ_LIMIT);
    // A run needs minCount payments, each of one transfer or more: fewer transfers, no run.
    if (end - start < spec.minCount) return false;
    const events: TransferEvent[] = [];
    for (let i = start; i < end; i++) {
      const item = items[i]!;
      if (select(item)) events.push(item);
      // The payer also sent, beside this transfer, one the cadence does not select (a ransom's
      // 30,000 part beside its 9,000 one: the salary's `where` keeps only transfers under 20,000),
      // so this transfer is part of a larger payment, not regular pay (review of v13).
      else if (Math.abs(item.time - e.time) <= spec.mergeWithin) return false;
    }
    const payments = paymentsOf(events, spec.mergeWithin);
    const at = payments.findIndex((p) => p.eventIds.includes(e.eventId));
    // The run must end with the payment this transfer is part of: the pay continues a run.
    return at >= 0 && regularRun(payments.slice(0, at + 1), spec, band) !== undefined;
  };
}
