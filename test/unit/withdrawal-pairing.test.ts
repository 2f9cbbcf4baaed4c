/**
 * Which request each completed withdrawal of a group settles (pairCompletions, session 53). In
 * event order each completion took the best request no earlier completion settled; two requests
 * closer together than a fee above half the cap (9,500 and 9,475 completed 30 short each on
 * Ethereum) then left the second completion without one (session 52 review). Now no pairing
 * settles more completions, the one-by-one choice stands wherever it settles them all, and the
 * result does not depend on the order the requests are given in.
 */
import { describe, expect, it } from 'vitest';
import type { TransferEvent } from '../../src/decode/events.js';
import { pairCompletions, repairingMaySettle, RESETTLED_COMPLETIONS, resettleFrom } from '../../src/engine/withdrawal-settlement.js';
import { Decimal } from '../../src/money/decimal.js';
import { HOUR, prng } from '../../src/simulate/builders.js';

const T0 = Date.UTC(2025, 5, 2);
const MINUTE = 60_000;

/** A withdrawal stage of USDT on Ethereum (a fee of 50 at most) to one destination: what the pairing reads of it. */
function stage(eventId: string, status: 'requested' | 'completed', time: number, amount: string, asset = 'USDT'): TransferEvent {
  return { type: 'transfer', eventId, time, amount: Decimal.parse(amount), to: 'dest', from: [], usd: null, usdSource: null, msg: { kind: 'withdrawal', status, chain: 'ethereum', asset, accountId: 'acct' } } as unknown as TransferEvent;
}
const request = (id: string, time: number, amount: string): TransferEvent => stage(id, 'requested', time, amount);
const completion = (id: string, time: number, amount: string): TransferEvent => stage(id, 'completed', time, amount);

/** The pairing as `completion<-request` (or `completion<-` for none). */
function paired(requests: TransferEvent[], completions: TransferEvent[]): string[] {
  return pairCompletions(requests, completions).map((r, i) => `${completions[i]!.eventId}<-${r?.eventId ?? ''}`);
}

/** Whether `request` can be settled by `completion` (within a week before it, exact or at most 50 and a tenth short). */
function fits(r: TransferEvent, c: TransferEvent): boolean {
  const fee = Number(r.amount.toString()) - Number(c.amount.toString());
  return r.time <= c.time && r.time >= c.time - 7 * 24 * HOUR && fee >= 0 && fee <= 50 && fee * 10 <= Number(r.amount.toString());
}

/** The most completions any pairing settles, by trying them all (small groups only). */
function mostSettled(requests: TransferEvent[], completions: TransferEvent[], from = 0, used = new Set<TransferEvent>()): number {
  if (from === completions.length) return 0;
  let best = mostSettled(requests, completions, from + 1, used);
  for (const r of requests) {
    if (used.has(r) || !fits(r, completions[from]!)) continue;
    used.add(r);
    best = Math.max(best, 1 + mostSettled(requests, completions, from + 1, used));
    used.delete(r);
  }
  return best;
}

/** Before session 53: each completion in turn takes the best request still free (the smallest fee, then the oldest). */
function oneByOne(requests: TransferEvent[], completions: TransferEvent[]): (TransferEvent | undefined)[] {
  const free = new Set(requests);
  return completions.map((c) => {
    const best = [...free].filter((r) => fits(r, c)).sort((a, b) => a.amount.minus(c.amount).compare(b.amount.minus(c.amount)) || a.time - b.time || (a.eventId < b.eventId ? -1 : 1))[0];
    if (best) free.delete(best);
    return best;
  });
}

describe('pairCompletions', () => {
  it('settles both completions where the one-by-one choice settled one (the session 52 review case)', () => {
    const requests = [request('r1', T0, '9500'), request('r2', T0 + HOUR, '9475')];
    const completions = [completion('c1', T0 + 2 * HOUR, '9470'), completion('c2', T0 + 3 * HOUR, '9445')];
    expect(oneByOne(requests, completions).map((r) => r?.eventId)).toEqual(['r2', undefined]);
    expect(paired(requests, completions)).toEqual(['c1<-r1', 'c2<-r2']);
  });

  it('moves two earlier completions when the shortest chain needs two', () => {
    // c1 takes r2 (exact), c2 r3 (exact); c3 fits only r3, c2 also fits r2, c1 also fits r1.
    const requests = [request('r1', T0, '1030'), request('r2', T0 + MINUTE, '1000'), request('r3', T0 + 2 * MINUTE, '970')];
    const completions = [completion('c1', T0 + HOUR, '1000'), completion('c2', T0 + 2 * HOUR, '970'), completion('c3', T0 + 3 * HOUR, '940')];
    expect(oneByOne(requests, completions).map((r) => r?.eventId)).toEqual(['r2', 'r3', undefined]);
    expect(paired(requests, completions)).toEqual(['c1<-r1', 'c2<-r2', 'c3<-r3']);
  });

  it('moves the fewest earlier completions: one move rather than a chain through the better requests', () => {
    // c3 fits r3 (held by c1) and, worse, r2 (held by c2). c1 could move only by moving c0 (to r4 or r6);
    // c2 can move to the free r4 at once. Tried best first and deepest first, c1 and c0 would both move.
    const at = (minutes: number): number => T0 + minutes * MINUTE;
    const requests = [request('r5', at(0), '1010'), request('r6', at(1), '1040'), request('r3', at(2), '970'), request('r2', at(3), '980'), request('r4', at(4), '1025')];
    const completions = [completion('c0', T0 + HOUR, '1010'), completion('c1', T0 + 2 * HOUR, '970'), completion('c2', T0 + 3 * HOUR, '980'), completion('c3', T0 + 4 * HOUR, '940')];
    expect(oneByOne(requests, completions).map((r) => r?.eventId)).toEqual(['r5', 'r3', 'r2', undefined]);
    expect(paired(requests, completions)).toEqual(['c0<-r5', 'c1<-r3', 'c2<-r4', 'c3<-r2']);
  });

  it('leaves a completion unsettled when no move frees a request for it, and the others as they were', () => {
    const requests = [request('r1', T0, '9500')];
    const completions = [completion('c1', T0 + HOUR, '9470'), completion('c2', T0 + 2 * HOUR, '9480')];
    expect(paired(requests, completions)).toEqual(['c1<-r1', 'c2<-']);
  });

  it('ties: the exact amount, then the smallest fee, then the oldest, then the smaller event id, whatever order the requests are given in', () => {
    const rand = prng(53);
    const requests = [request('y', T0, '9500'), request('x', T0, '9500'), request('newer', T0 + HOUR, '9500'), request('near', T0 + HOUR, '9499'), request('exact', T0 + 2 * HOUR, '9498')];
    const completions = [completion('a', T0 + 3 * HOUR, '9498'), completion('b', T0 + 3 * HOUR, '9498'), completion('c', T0 + 3 * HOUR, '9498'), completion('d', T0 + 3 * HOUR, '9498')];
    const expected = ['a<-exact', 'b<-near', 'c<-x', 'd<-y'];
    for (let round = 0; round < 20; round++) {
      const shuffled = [...requests].sort(() => rand() - 0.5);
      expect(paired(shuffled, completions), shuffled.map((r) => r.eventId).join(',')).toEqual(expected);
    }
  });

  it('on random small groups: as many settled as any pairing can, and the one-by-one choice wherever it settles them all', () => {
    const rand = prng(530);
    let greedyFell = 0;
    let greedyKept = 0;
    for (let round = 0; round < 400; round++) {
      const requests = Array.from({ length: 1 + Math.floor(rand() * 5) }, (_, i) => request(`r${i}`, T0 + Math.floor(rand() * 6) * HOUR, String(1000 + Math.floor(rand() * 8) * 10)));
      const completions = Array.from({ length: 1 + Math.floor(rand() * 5) }, (_, i) => completion(`c${i}`, T0 + (6 + i) * HOUR, String(960 + Math.floor(rand() * 12) * 10)));
      const pairing = pairCompletions(requests, completions);
      const settled = pairing.filter((r) => r !== undefined);
      const context = `${requests.map((r) => `${r.eventId}:${r.amount.toString()}@${(r.time - T0) / HOUR}`).join(' ')} / ${completions.map((c) => `${c.eventId}:${c.amount.toString()}`).join(' ')}`;
      expect(new Set(settled).size, context).toBe(settled.length);
      pairing.forEach((r, i) => r && expect(fits(r, completions[i]!), context).toBe(true));
      expect(settled.length, context).toBe(mostSettled(requests, completions));
      const greedy = oneByOne(requests, completions);
      if (greedy.every((r) => r !== undefined)) {
        greedyKept++;
        expect(pairing, context).toEqual(greedy);
      } else if (greedy.filter((r) => r !== undefined).length < settled.length) greedyFell++;
    }
    // The draw covers both kinds of group.
    expect(greedyKept).toBeGreaterThan(50);
    expect(greedyFell).toBeGreaterThan(10);
  });
});

describe('resettleFrom, bounded', () => {
  /** A history (sorted by time) of `n` exact pairs one hour apart, each completion settling its request, the requests taken out. */
  function settledPairs(n: number, from: number): TransferEvent[] {
    return Array.from({ length: n }, (_, i) => {
      const c = completion(`c${String(from + i).padStart(3, '0')}`, T0 + (from + i) * HOUR + 30 * MINUTE, '9500');
      c.settles = request(`r${String(from + i).padStart(3, '0')}`, T0 + (from + i) * HOUR, '9500');
      return c;
    });
  }

  it(`pairs ${RESETTLED_COMPLETIONS} completions again at most, half at most before the pivot when more follow it`, () => {
    // A request read late in the middle (in the history since): 40 completions before it, 40 after.
    const pivot = request('late', T0 + 40 * HOUR + 10 * MINUTE, '9500');
    const history = [...settledPairs(40, 0), pivot, ...settledPairs(40, 40)];
    const plan = resettleFrom(history, pivot)!;
    expect(plan.settlements).toHaveLength(RESETTLED_COMPLETIONS);
    const ids = plan.settlements.map((s) => s.completion.eventId);
    expect(ids[0]).toBe('c024');
    expect(ids.at(-1)).toBe('c055');
    // Those before the pivot keep their requests; in event order c041 takes the late request, older
    // than its own, each next one its predecessor's, and the last paired again, c055, lets r055 go
    // (c056, past the bound, keeps r056).
    expect(plan.settlements.slice(0, 17).every((s) => s.request === s.completion.settles)).toBe(true);
    expect(plan.settlements.slice(17).map((s) => s.request?.eventId)).toEqual(['late', ...Array.from({ length: 14 }, (_, i) => `r0${41 + i}`)]);
    expect(plan.leaving).toEqual([pivot]);
    expect(plan.returning.map((r) => r.eventId)).toEqual(['r055']);
  });

  it('with few completions after the pivot, fills the bound with those before it', () => {
    const history = settledPairs(40, 0);
    const pivot = completion('late', T0 + 38 * HOUR + 10 * MINUTE, '9500');
    const plan = resettleFrom(history, pivot, pivot)!;
    // The incoming completion and c038, c039 after it; 29 before it.
    expect(plan.settlements).toHaveLength(RESETTLED_COMPLETIONS);
    expect(plan.settlements[0]!.completion.eventId).toBe('c009');
    // In event order the late completion (38:10) takes r038 (38:00), the oldest left; c038 (38:30) then has none.
    const byCompletion = new Map(plan.settlements.map((s) => [s.completion.eventId, s.request?.eventId]));
    expect(byCompletion.get('late')).toBe('r038');
    expect(byCompletion.get('c038')).toBeUndefined();
    expect(byCompletion.get('c009')).toBe('r009');
    expect(plan.leaving).toEqual([]);
    expect(plan.returning).toEqual([]);
  });

  it('a request read late undoes a move it makes needless: the earlier completion gets its first choice back', () => {
    // Read r1, r2, c1, c2: c1 moved to r1 so that c2 settles r2. Then rp, exact for c2, dated before c2.
    const r1 = request('r1', T0, '9500');
    const r2 = request('r2', T0 + HOUR, '9475');
    const c1 = completion('c1', T0 + 2 * HOUR, '9470');
    const c2 = completion('c2', T0 + 3 * HOUR, '9445');
    c1.settles = r1;
    c2.settles = r2;
    const rp = request('rp', T0 + 2 * HOUR + 30 * MINUTE, '9445');
    const plan = resettleFrom([c1, rp, c2], rp)!;
    expect(plan.settlements.map((s) => `${s.completion.eventId}<-${s.request?.eventId}`)).toEqual(['c1<-r2', 'c2<-rp']);
    expect(plan.leaving).toEqual([rp]);
    expect(plan.returning).toEqual([r1]);
  });
});

describe('repairingMaySettle: when a completion read in order pairs its group again', () => {
  const r1 = request('r1', T0, '9500');
  const r2 = request('r2', T0 + HOUR, '9475');
  const c1 = completion('c1', T0 + 2 * HOUR, '9470');
  c1.settles = r2;
  const c2 = completion('c2', T0 + 3 * HOUR, '9445');

  it('when an earlier completion settled a request it fits and the history holds another request of the group', () => {
    expect(repairingMaySettle([r1, c1], c2)).toBe(true);
  });

  it('not when every request of the group is settled (completions reported without their request cost no pairing)', () => {
    expect(repairingMaySettle([c1], c2)).toBe(false);
  });

  it('not when no settled request fits it, nor when the held request is of another destination', () => {
    expect(repairingMaySettle([r1, c1], completion('c3', T0 + 3 * HOUR, '9420'))).toBe(false);
    const elsewhere = { ...r1, to: 'other' } as TransferEvent;
    expect(repairingMaySettle([elsewhere, c1], c2)).toBe(false);
  });
});
