/**
 * historyAsOf (session 53 review F4's as-of pairing) reads the withdrawals around an event once,
 * whatever the number of withdrawal groups in flight: until session 56 each group holding a
 * request dated before the event read the whole window again, so an account with 240
 * withdrawals in flight to 240 addresses paid 240 reads of up to 512 items for each event read
 * late and for each of the 32 later events it judged again (about 27 ms per late deposit).
 * Counted here as the reads of the history's items, not as a time.
 */
import { describe, expect, it } from 'vitest';
import type { LoginEvent, TransferEvent } from '../../src/decode/events.js';
import { historyAsOf } from '../../src/engine/withdrawal-settlement.js';
import { Decimal } from '../../src/money/decimal.js';

const T0 = Date.UTC(2025, 5, 2);
const MINUTE = 60_000;
const DAY = 86_400_000;

function stage(eventId: string, status: 'requested' | 'completed' | undefined, time: number, to: string, amount: number): TransferEvent {
  const kind = status ? 'withdrawal' : 'deposit';
  return { type: 'transfer', eventId, time, amount: Decimal.parse(String(amount)), to, from: [], usd: null, usdSource: null, msg: { kind, status, chain: 'ethereum', asset: 'USDT', accountId: 'acct-as-of-cost' } } as unknown as TransferEvent;
}

/** `list` behind a proxy that counts the reads of its items by index. */
function counted<T>(list: T[]): { view: T[]; reads: () => number } {
  let reads = 0;
  const view = new Proxy(list, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { view, reads: () => reads };
}

describe('historyAsOf reads the window around the event once, whatever the number of withdrawal groups', () => {
  // 240 withdrawals to 240 addresses requested on day 0, completed on day 3 (each settling its
  // request, which has left the history), and a deposit on day 1 between them.
  const G = 240;
  const id = (s: string, g: number): string => `${s}${String(g).padStart(3, '0')}`;
  const completions = Array.from({ length: G }, (_, g) => {
    const c = stage(id('c', g), 'completed', T0 + 3 * DAY + g * MINUTE, `dest-${g}`, 499 + g);
    c.settles = stage(id('r', g), 'requested', T0 + g * MINUTE, `dest-${g}`, 500 + g);
    return c;
  });
  const deposit = stage('d', undefined, T0 + DAY, 'ours', 300);
  const history: (TransferEvent | LoginEvent)[] = [deposit, ...completions];

  it('240 groups in flight at a deposit: all 240 requests were pending then, found with at most two reads per item of the history (and its binary searches)', () => {
    const { view, reads } = counted(history);
    const { pending, settles } = historyAsOf(view, deposit);
    expect(pending.map((r) => r.eventId)).toEqual(completions.map((c) => c.settles!.eventId));
    expect(settles).toBeUndefined();
    // Before session 56: 58,112 reads (each of the 240 groups read all 241 items).
    expect(reads()).toBeLessThanOrEqual(2 * history.length + 64);
  });

  it('the same when each group also has a completion before the deposit that the pairing as of it reads again', () => {
    const mixed: (TransferEvent | LoginEvent)[] = [];
    for (let g = 0; g < G; g++) {
      // An earlier request and completion of the group, settled in the end by the same one.
      const early = stage(id('e', g), 'completed', T0 + 12 * 60 * MINUTE + g * MINUTE, `dest-${g}`, 699 + g);
      early.settles = stage(id('q', g), 'requested', T0 + 6 * 60 * MINUTE + g * MINUTE, `dest-${g}`, 700 + g);
      mixed.push(early);
    }
    mixed.push(deposit, ...completions);
    mixed.sort((a, b) => a.time - b.time);
    const { view, reads } = counted(mixed);
    const { pending } = historyAsOf(view, deposit);
    expect(pending.map((r) => r.eventId)).toEqual(completions.map((c) => c.settles!.eventId));
    expect(reads()).toBeLessThanOrEqual(2 * mixed.length + 64);
  });
});
