/**
 * Every transfer asks whether its account dealt with its counterparty before
 * (RuleState.priorDealing). A history of 4 to 32 transfers answers from a filter of its
 * counterparties, and scans itself when the filter says "maybe". The filter had 124 bits and one
 * bit per address: as a history grew towards 32 transfers (the 10x longer benchmark stream past
 * its retention holds about 24), with the bits its dropped transfers had set, a third or more of
 * the one-off senders came out "maybe", each costing a scan of the whole history, and every scan
 * began with a binary search. The items read per question grew with the history (session 64:
 * 2.4 at 6 transfers, 8.9 at 30, on the mix below); they now read 1.5 and 3.5.
 */
import { describe, expect, it } from 'vitest';
import type { TransferEvent } from '../../src/decode/events.js';
import { PaidCounterparties } from '../../src/engine/paid-counterparties.js';
import type { HistoryItem } from '../../src/engine/state.js';
import { prng } from '../../src/simulate/builders.js';

const OWN_WALLET = `evm:0x${'c'.repeat(40)}`;
const DEPOSIT_ADDRESS = `evm:0x${'d'.repeat(40)}`;

/** Items of `list` read through the returned view (each indexed element). */
function countingView(list: HistoryItem[]): { view: HistoryItem[]; reads: () => number } {
  let reads = 0;
  const view = new Proxy(list, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { view, reads: () => reads };
}

/**
 * The benchmark stream's mix, one account: 60% deposits from one-off senders, 40% withdrawals,
 * four in five of those to the customer's own wallet. Before each transfer enters the history
 * its counterparty is asked about, as RuleState does; the history keeps its newest `kept`
 * transfers. Returns the items read per question over the second half of `steps`.
 */
function readsPerQuestion(kept: number, steps = 4000): number {
  const rand = prng(64);
  const list: HistoryItem[] = [];
  const { view, reads } = countingView(list);
  const paid = new PaidCounterparties(() => view);
  let fresh = 0;
  let readsBefore = 0;
  for (let n = 0; n < steps; n++) {
    const deposit = rand() < 0.6;
    const oneOff = `evm:0x${(fresh++ * 2654435761 >>> 0).toString(16).padStart(40, '9')}`;
    const to = deposit ? DEPOSIT_ADDRESS : rand() < 0.8 ? OWN_WALLET : oneOff;
    const from = deposit ? [oneOff] : [];
    const e = { type: 'transfer', eventId: `e${n}`, time: n * 1000, msg: { kind: deposit ? 'deposit' : 'withdrawal', accountId: 'acct' }, from, to } as unknown as TransferEvent;
    if (n === steps / 2) readsBefore = reads();
    paid.priorDealing('acct', deposit ? from[0]! : to, e.time);
    list.push(e);
    paid.feed('acct', e, view);
    if (list.length > kept) paid.release('acct', list.splice(0, list.length - kept));
  }
  return (reads() - readsBefore) / (steps / 2);
}

describe('questions about a counterparty in a history of up to 32 transfers', () => {
  it('read a few items each, however long the history grows (was up to a whole history each)', () => {
    const short = readsPerQuestion(6);
    const long = readsPerQuestion(30);
    expect(short).toBeLessThan(3);
    expect(long).toBeLessThan(4);
    expect(long - short).toBeLessThan(2.5);
  });
});
