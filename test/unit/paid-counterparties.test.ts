/**
 * The counterparty index answers `fresh`'s questions (when did the account first deal with this
 * address; what first dealing does its newest transfer with it carry) by look-up for long
 * histories and by a scan for short ones, which hold no index. Both must answer alike, whatever
 * the history: random histories of deposits and withdrawals, equal times, transfers read late,
 * carried first dealings, and drops from the front.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TransferEvent } from '../../src/decode/events.js';
import { PaidCounterparties } from '../../src/engine/paid-counterparties.js';
import type { HistoryItem } from '../../src/engine/state.js';

const KEYS = ['eth:a', 'eth:b', 'eth:c', 'eth:d'];

interface Op { kind: 'deposit' | 'withdrawal'; senders: number[]; receiver: number; time: number; carried: number | null; drop: number; asked: number; askedAt: number }

const op = fc.record({
  kind: fc.constantFrom('deposit' as const, 'withdrawal' as const),
  senders: fc.array(fc.integer({ min: 0, max: KEYS.length - 1 }), { maxLength: 3 }),
  receiver: fc.integer({ min: 0, max: KEYS.length - 1 }),
  time: fc.integer({ min: 0, max: 60 }),
  carried: fc.option(fc.integer({ min: -20, max: 60 })),
  drop: fc.integer({ min: 0, max: 12 }),
  asked: fc.integer({ min: 0, max: KEYS.length - 1 }),
  askedAt: fc.integer({ min: 0, max: 70 }),
});

function transferOf(o: Op, n: number): TransferEvent {
  const e = { type: 'transfer', eventId: `e${n}`, time: o.time, msg: { kind: o.kind, accountId: 'acct' }, from: o.kind === 'deposit' ? o.senders.map((i) => KEYS[i]!) : [], to: KEYS[o.receiver]! } as unknown as TransferEvent;
  if (o.carried !== null) e.dealtSince = o.carried;
  return e;
}

/** Inserts after the items of equal time, as the rule state does. */
function insertByTime(history: HistoryItem[], e: TransferEvent): void {
  let i = history.length;
  while (i > 0 && history[i - 1]!.time > e.time) i--;
  history.splice(i, 0, e);
}

describe('counterparty look-ups, indexed and scanned', () => {
  it('give the same first dealings and prior dealings for any history', () => {
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 90 }), (ops) => {
      const history: HistoryItem[] = [];
      const indexed = new PaidCounterparties(() => history, 0);
      const scanned = new PaidCounterparties(() => history, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
      const filtered = new PaidCounterparties(() => history, Number.POSITIVE_INFINITY, 1);
      const all = [indexed, scanned, filtered];
      ops.forEach((o, n) => {
        const e = transferOf(o, n);
        insertByTime(history, e);
        for (const paid of all) paid.feed('acct', e, history);
        if (o.drop === 0 && history.length > 3) {
          const dropped = history.splice(0, 2);
          for (const paid of all) paid.release('acct', dropped);
        }
        const keys = new Set([KEYS[o.asked]!, KEYS[(o.asked + 1) % KEYS.length]!]);
        for (const paid of [indexed, filtered]) {
          expect(paid.firstDealtAt('acct', keys)).toBe(scanned.firstDealtAt('acct', keys));
          expect(paid.dealtWithBefore('acct', keys, o.askedAt)).toBe(scanned.dealtWithBefore('acct', keys, o.askedAt));
          expect(paid.priorDealing('acct', KEYS[o.asked]!, o.askedAt)).toBe(scanned.priorDealing('acct', KEYS[o.asked]!, o.askedAt));
        }
      });
      expect(scanned.size + scanned.filters).toBe(0);
      expect(filtered.size).toBe(0);
      expect(filtered.filters).toBe(1);
    }), { numRuns: 300 });
  });

  it('a filter answers "never" for an address no retained transfer dealt with, and tells every one they did', () => {
    // Many addresses, so most filter bits stay clear and most answers come without a scan.
    const keys = Array.from({ length: 400 }, (_, i) => `evm:0x${(i * 2654435761 >>> 0).toString(16).padStart(40, '0')}`);
    const history: HistoryItem[] = [];
    const filtered = new PaidCounterparties(() => history, Number.POSITIVE_INFINITY, 1);
    const scanned = new PaidCounterparties(() => history, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
    const paidTo = keys.slice(0, 20);
    paidTo.forEach((to, n) => {
      const e = { type: 'transfer', eventId: `w${n}`, time: n, msg: { kind: 'withdrawal', accountId: 'acct' }, from: [], to } as unknown as TransferEvent;
      history.push(e);
      filtered.feed('acct', e, history);
    });
    let answered = 0;
    for (const key of keys) {
      const expected = scanned.priorDealing('acct', key, 100);
      expect(filtered.priorDealing('acct', key, 100), key).toBe(expected);
      expect(filtered.firstDealtAt('acct', [key]), key).toBe(scanned.firstDealtAt('acct', [key]));
      if (expected !== undefined) answered++;
    }
    expect(answered).toBe(20);
    expect(filtered.filters).toBe(1);
  });

  it('index a history only past the threshold, and let the index go once it has shrunk to half', () => {
    const history: HistoryItem[] = [];
    const paid = new PaidCounterparties(() => history, 8);
    const add = (n: number): void => { const e = transferOf({ kind: 'withdrawal', senders: [], receiver: n % 4, time: n, carried: null, drop: 1, asked: 0, askedAt: 0 }, n); history.push(e); paid.feed('acct', e, history); };
    for (let n = 0; n < 8; n++) add(n);
    expect(paid.firstDealtAt('acct', ['eth:b'])).toBe(1);
    expect(paid.size).toBe(0);
    add(8);
    expect(paid.firstDealtAt('acct', ['eth:b'])).toBe(1);
    expect(paid.size).toBe(1);
    paid.release('acct', history.splice(0, 3));
    expect(paid.size).toBe(1);
    expect(paid.firstDealtAt('acct', ['eth:b'])).toBe(5);
    paid.release('acct', history.splice(0, 2));
    expect(paid.size).toBe(0);
    expect(paid.firstDealtAt('acct', ['eth:b'])).toBe(5);
  });
});
