/**
 * A LinkIndex entry keeps its first and latest sighting times as two small integers each
 * (link-index.ts, `accountSighting`), not as double fields V8 boxes per object. These tests pin
 * that the split gives every time back exactly, that an entry holds no number outside the
 * small-integer range, and that the index answers every read as entries holding plain times did:
 * a plain model with object-literal entries (the representation before session 55) and the index
 * are driven through the same random sightings, with epoch times in ms over months, out of order,
 * on several values, and compared after every step, also through a checkpoint's rows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkIndex, accountSighting, linkedOf, sightingsOf, type AccountSighting } from '../../src/engine/link-index.js';
import { prng as random } from '../../src/simulate/builders.js';

const DAY = 86_400_000;
const T0 = Date.parse('2025-01-01T00:00:00Z');
/** The small-integer range V8 keeps in an object's own field with pointer compression (31 bits). */
const SMALL = 2 ** 30;

describe('an entry keeps its times exactly', () => {
  it('gives back any time it was given, at creation and after an update', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.double({ noNaN: true })), fc.oneof(fc.integer(), fc.double({ noNaN: true })), (first, last) => {
      const entry = accountSighting('a', first, 'e1', last, 'e2');
      expect(Object.is(entry.firstTime, first) || (first === 0 && entry.firstTime === 0)).toBe(true);
      expect(Object.is(entry.lastTime, last) || (last === 0 && entry.lastTime === 0)).toBe(true);
      entry.firstTime = last;
      entry.lastTime = first;
      expect(entry.firstTime === last || (Number.isNaN(last) && Number.isNaN(entry.firstTime))).toBe(true);
      expect(entry.lastTime).toBe(first === 0 ? 0 : first);
    }));
    for (const t of [T0, T0 + 0.5, -1.5, -0.25, 2 ** 30, 2 ** 30 - 1, -(2 ** 30), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e300, -1e300, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(accountSighting('a', t, 'e', t, 'e').firstTime).toBe(t);
    }
  });

  it('holds an epoch time in ms as small integers only (no number V8 would box)', () => {
    const entry = accountSighting('acct-1', T0 + 123_456_789, 'e1', T0 + 300 * DAY + 7, 'e2');
    entry.lastTime = T0 + 400 * DAY + 999;
    const numbers = Object.values(entry).filter((v): v is number => typeof v === 'number');
    expect(numbers.length).toBeGreaterThan(0);
    for (const n of numbers) expect(Number.isInteger(n) && Math.abs(n) < SMALL).toBe(true);
  });
});

/** The lists LinkIndex keeps, with plain object entries, written as plainly as they can be. */
class PlainIndex {
  readonly lists = new Map<string, AccountSighting[]>();
  constructor(private readonly maxAccounts: number, private readonly isDormant: (t: number) => boolean) {}

  sight(value: string, accountId: string, time: number, eventId: string): void {
    const list = this.lists.get(value) ?? [];
    this.lists.set(value, list);
    while (list.length > 0 && this.isDormant(list[0]!.lastTime)) list.shift();
    const known = list.find((s) => s.accountId === accountId);
    if (!known) {
      place(list, { accountId, firstTime: time, firstEventId: eventId, lastTime: time, lastEventId: eventId });
      if (list.length > this.maxAccounts) list.shift();
      return;
    }
    if (time < known.firstTime) { known.firstTime = time; known.firstEventId = eventId; }
    if (time >= known.lastTime) {
      known.lastTime = time;
      known.lastEventId = eventId;
      list.splice(list.indexOf(known), 1);
      place(list, known);
    }
  }

  within(value: string, from: number, to: number): { accountId: string; eventId: string }[] {
    return (this.lists.get(value) ?? []).filter((s) => s.lastTime >= from && s.firstTime <= to).map((s) => ({ accountId: s.accountId, eventId: s.firstTime >= from ? s.firstEventId : s.lastEventId }));
  }

  laterSightings(value: string, accountId: string, time: number, limit: number): { accountId: string; eventId: string; time: number }[] {
    const later = (this.lists.get(value) ?? []).filter((s) => s.lastTime > time);
    return later.reverse().filter((s) => s.accountId !== accountId).slice(0, limit).map((s) => ({ accountId: s.accountId, eventId: s.lastEventId, time: s.lastTime }));
  }
}

/** After every entry seen last at its time or earlier: the list stays in order of latest sighting. */
function place(list: AccountSighting[], entry: AccountSighting): void {
  const after = list.findIndex((s) => s.lastTime > entry.lastTime);
  list.splice(after < 0 ? list.length : after, 0, entry);
}

/** An index's list for a value as plain rows (what a checkpoint writes). */
function rowsOf(index: LinkIndex, value: string): unknown[][] {
  return sightingsOf(index.checkpointMap().get(value) ?? []).map((s) => [s.accountId, s.firstTime, s.firstEventId, s.lastTime, s.lastEventId]);
}

const plainRows = (list: AccountSighting[] | undefined): unknown[][] => (list ?? []).map((s) => [s.accountId, s.firstTime, s.firstEventId, s.lastTime, s.lastEventId]);

describe('LinkIndex with split times answers as with plain times', () => {
  for (const [seed, maxAccounts, accounts, retention] of [[1, 256, 40, 60 * DAY], [2, 4, 12, 30 * DAY], [3, 256, 120, 200 * DAY], [4, 8, 6, 7 * DAY], [5, 1, 6, 7 * DAY], [6, 2, 4, 7 * DAY]] as const) {
    it(`seed ${seed}: cap ${maxAccounts}, ${accounts} accounts, retention ${retention / DAY} days`, () => {
      const rand = random(seed);
      const clock = { newest: T0 };
      const isDormant = (t: number): boolean => t < clock.newest - retention;
      let index = new LinkIndex(maxAccounts, isDormant);
      const model = new PlainIndex(maxAccounts, isDormant);
      const values = ['dev-1', 'dev-2', '10.0.0.0/24', '2001:db8::/64'];
      for (let i = 0; i < 1_500; i++) {
        const late = rand() < 0.2;
        // Mostly forward by up to a few hours, some late by up to 20 days, some ms apart.
        const time = late ? clock.newest - Math.floor(rand() * 20 * DAY) : clock.newest + Math.floor(rand() * (rand() < 0.3 ? 5 : 4 * 3_600_000));
        clock.newest = Math.max(clock.newest, time);
        const value = values[Math.floor(rand() * values.length)]!;
        const accountId = `acct-${Math.floor(rand() * accounts)}`;
        index.sight(value, accountId, time, `e${i}`);
        model.sight(value, accountId, time, `e${i}`);
        const from = time - Math.floor(rand() * 10 * DAY);
        const to = time + Math.floor(rand() * DAY);
        for (const v of values) {
          expect(rowsOf(index, v)).toEqual(plainRows(model.lists.get(v)));
          const within = model.within(v, from, to);
          expect(index.within(v, from, to)).toEqual(within);
          expect(index.countWithin(v, from, to)).toBe(within.length);
          expect(index.anotherWithin(v, accountId, from, to)).toBe(within.some((s) => s.accountId !== accountId));
          expect(index.laterSightings(v, accountId, from, 5)).toEqual(model.laterSightings(v, accountId, from, 5));
        }
        if (i % 500 === 499) {
          // Through a checkpoint's rows: the restored index goes on as the model does.
          const restored = new LinkIndex(maxAccounts, isDormant);
          for (const v of values) {
            const rows = rowsOf(index, v) as [string, number, string, number, string][];
            if (index.checkpointMap().get(v)) restored.checkpointMap().set(v, linkedOf(rows.map((r) => accountSighting(...r))));
          }
          index = restored;
        }
      }
      expect([...model.lists.values()].some((l) => l.length >= Math.min(maxAccounts, 2))).toBe(true); // a cap of 1 holds no list of two
    });
  }
});

describe('a value with one account', () => {
  it('is held as its entry alone, gets a list at a second account, and its entry alone again once the others go dormant', () => {
    const clock = { newest: T0 };
    const index = new LinkIndex(256, (t) => t < clock.newest - 7 * DAY);
    const held = (): unknown => index.checkpointMap().get('dev-1');
    const sight = (accountId: string, time: number): void => { clock.newest = Math.max(clock.newest, time); index.sight('dev-1', accountId, time, `e-${accountId}-${time}`); };
    sight('a', T0);
    sight('a', T0 + DAY);
    expect(Array.isArray(held())).toBe(false);
    expect(rowsOf(index, 'dev-1')).toEqual([['a', T0, `e-a-${T0}`, T0 + DAY, `e-a-${T0 + DAY}`]]);
    sight('b', T0 + 2 * DAY);
    expect(Array.isArray(held())).toBe(true);
    expect(index.within('dev-1', T0, T0 + 3 * DAY).map((s) => s.accountId)).toEqual(['a', 'b']);
    sight('b', T0 + 9 * DAY); // a, last seen 8 days before, is past the 7 days kept
    expect(Array.isArray(held())).toBe(false);
    expect(rowsOf(index, 'dev-1')).toEqual([['b', T0 + 2 * DAY, `e-b-${T0 + 2 * DAY}`, T0 + 9 * DAY, `e-b-${T0 + 9 * DAY}`]]);
  });
});
