/**
 * A busy value's accounts in one Map by account id, in order of latest sighting (busy-sightings.ts), keep the very
 * list, and give the very answers, that a plain list does: these tests drive a LinkIndex with a
 * busy value and a plain model of its list through the same random sightings (mostly in order,
 * some late), and after every step compare the list, every reader's answer computed plainly from
 * the model, and the cap.
 */
import { describe, expect, it } from 'vitest';
import { BusySightings } from '../../src/engine/busy-sightings.js';
import { LinkIndex, accountSighting, linkedOf, sightingsOf, type AccountSighting } from '../../src/engine/link-index.js';
import { anyWindow, type WindowValidity } from '../../src/engine/window-validity.js';
import { prng as random } from '../../src/simulate/builders.js';

type Plain = { accountId: string; firstTime: number; firstEventId: string; lastTime: number; lastEventId: string };

const plain = (s: AccountSighting): Plain => ({ accountId: s.accountId, firstTime: s.firstTime, firstEventId: s.firstEventId, lastTime: s.lastTime, lastEventId: s.lastEventId });

/** The list a value keeps, written plainly: find by id, drop the dormant front, place by latest sighting, cap the least recently seen. */
class Model {
  entries: Plain[] = [];
  constructor(private readonly maxAccounts: number) {}

  sight(accountId: string, time: number, eventId: string, isDormant: (t: number) => boolean): void {
    while (this.entries.length > 0 && isDormant(this.entries[0]!.lastTime)) this.entries.shift();
    const known = this.entries.find((s) => s.accountId === accountId);
    if (!known) {
      this.place({ accountId, firstTime: time, firstEventId: eventId, lastTime: time, lastEventId: eventId });
      if (this.entries.length > this.maxAccounts) this.entries.shift();
      return;
    }
    if (time < known.firstTime) { known.firstTime = time; known.firstEventId = eventId; }
    if (time >= known.lastTime) {
      known.lastTime = time;
      known.lastEventId = eventId;
      this.entries.splice(this.entries.indexOf(known), 1);
      this.place(known);
    }
  }

  private place(entry: Plain): void {
    const after = this.entries.findIndex((s) => s.lastTime > entry.lastTime);
    this.entries.splice(after < 0 ? this.entries.length : after, 0, entry);
  }

  within(from: number, to: number): { accountId: string; eventId: string }[] {
    return this.entries.filter((s) => s.lastTime >= from && s.firstTime <= to).map((s) => ({ accountId: s.accountId, eventId: s.firstTime >= from ? s.firstEventId : s.lastEventId }));
  }

  laterSightings(accountId: string, time: number, limit: number): { accountId: string; eventId: string; time: number }[] {
    const later = this.entries.filter((s) => s.lastTime > time);
    return later.reverse().filter((s) => s.accountId !== accountId).slice(0, limit).map((s) => ({ accountId: s.accountId, eventId: s.lastEventId, time: s.lastTime }));
  }

  /** anotherWithinBounded as the list computes it: the bounds of the most recently seen other account in the window, else of every other one outside it. */
  anotherWithinBounded(accountId: string, from: number, to: number, v: WindowValidity): boolean {
    const others = this.entries.filter((s) => s.accountId !== accountId);
    const inside = others.filter((s) => s.lastTime >= from && s.firstTime <= to);
    if (others.length === this.entries.length) {
      v.fromAfter = Number.POSITIVE_INFINITY;
      return inside.length > 0;
    }
    const found = inside[inside.length - 1];
    if (found) {
      v.fromAtMost = Math.min(v.fromAtMost, found.lastTime);
      v.toAtLeast = Math.max(v.toAtLeast, found.firstTime);
      return true;
    }
    for (const s of others) {
      if (s.lastTime < from) v.fromAfter = Math.max(v.fromAfter, s.lastTime);
      else v.toBefore = Math.min(v.toBefore, s.firstTime);
    }
    return false;
  }
}

function expectSameAnswers(index: LinkIndex, model: Model, value: string, rand: () => number, newest: number, accounts: number): void {
  expect(sightingsOf(index.checkpointMap().get(value) ?? []).map(plain)).toEqual(model.entries);
  const from = newest - Math.floor(rand() * 400);
  const to = from + Math.floor(rand() * 300);
  const accountId = `acct-${Math.floor(rand() * accounts)}`;
  expect(index.within(value, from, to)).toEqual(model.within(from, to));
  expect(index.countWithin(value, from, to)).toBe(model.within(from, to).length);
  expect(index.anotherWithin(value, accountId, from, to)).toBe(model.within(from, to).some((s) => s.accountId !== accountId));
  const time = newest - Math.floor(rand() * 60);
  expect(index.laterSightings(value, accountId, time, 5)).toEqual(model.laterSightings(accountId, time, 5));
  const [got, want] = [anyWindow(), anyWindow()];
  expect(index.anotherWithinBounded(value, accountId, from, to, got)).toBe(model.anotherWithinBounded(accountId, from, to, want));
  expect(got).toEqual(want);
}

describe('BusySightings (a busy value\'s accounts in one Map by account id)', () => {
  for (const [maxAccounts, accounts, retention] of [[256, 400, 10_000], [256, 300, 300], [64, 90, 10_000], [40, 41, 10_000]] as const) {
    it(`keeps the list and gives the answers a plain list does: cap ${maxAccounts}, ${accounts} accounts, retention ${retention}`, () => {
      const rand = random(maxAccounts * 13 + accounts + retention);
      let newest = 0;
      const isDormant = (t: number): boolean => t < newest - retention;
      const index = new LinkIndex(maxAccounts, isDormant);
      const model = new Model(maxAccounts);
      let busySteps = 0;
      for (let i = 0; i < 3_000; i++) {
        const late = rand() < 0.15;
        const time = late ? Math.max(0, newest - Math.floor(rand() * 80)) : newest + Math.floor(rand() * 3);
        newest = Math.max(newest, time);
        const accountId = `acct-${Math.floor(rand() * accounts)}`;
        model.sight(accountId, time, `e${i}`, isDormant);
        index.sight('block', accountId, time, `e${i}`);
        if (index.checkpointMap().get('block') instanceof BusySightings) busySteps++;
        if (i % 5 === 0) expectSameAnswers(index, model, 'block', rand, newest, accounts);
        // Bounded: never more than the cap.
        expect(model.entries.length).toBeLessThanOrEqual(maxAccounts);
      }
      expect(busySteps).toBeGreaterThan(1_000); // the busy form was in play
    });
  }

  it('holds the cap: the least recently seen goes, in order or late', () => {
    const busy = BusySightings.of(Array.from({ length: 40 }, (_, i) => accountSighting(`a${i}`, i, `e${i}`, i, `e${i}`)))!;
    busy.add(accountSighting('late', 5, 'e-late', 5, 'e-late')); // placed after a5
    expect(busy.list().map((s) => s.accountId).slice(4, 8)).toEqual(['a4', 'a5', 'late', 'a6']);
    busy.dropOldest();
    busy.dropOldest();
    expect(busy.size).toBe(39);
    expect(busy.list()[0]!.accountId).toBe('a2');
    expect(busy.entryOf('a0')).toBeUndefined();
    busy.dropDormant((t) => t < 6);
    expect(busy.list().map((s) => s.accountId).slice(0, 2)).toEqual(['a6', 'a7']);
    expect(busy.newest).toBe(39);
  });

  it('a busy value written to a checkpoint and restored goes on as the one it was written from', () => {
    const rand = random(3);
    let newest = 0;
    const isDormant = (t: number): boolean => t < newest - 500;
    const [index, restored] = [new LinkIndex(100, isDormant), new LinkIndex(100, isDormant)];
    const sight = (ix: LinkIndex, i: number): void => ix.sight('ip', `acct-${Math.floor(rand() * 150)}`, newest, `e${i}`);
    for (let i = 0; i < 1_000; i++, newest += rand() < 0.5 ? 1 : 0) sight(index, i);
    expect(index.checkpointMap().get('ip')).toBeInstanceOf(BusySightings);
    const rows = sightingsOf(index.checkpointMap().get('ip')!).map((s) => accountSighting(s.accountId, s.firstTime, s.firstEventId, s.lastTime, s.lastEventId));
    restored.checkpointMap().set('ip', linkedOf(rows));
    for (let i = 1_000; i < 2_000; i++, newest += rand() < 0.5 ? 1 : 0) {
      const accountId = `acct-${Math.floor(rand() * 150)}`;
      index.sight('ip', accountId, newest, `e${i}`);
      restored.sight('ip', accountId, newest, `e${i}`);
      expect(sightingsOf(restored.checkpointMap().get('ip')!).map(plain)).toEqual(sightingsOf(index.checkpointMap().get('ip')!).map(plain));
    }
    expect(sightingsOf(index.checkpointMap().get('ip')!).length).toBe(100);
  });

  it('a list with one account twice is kept as a list', () => {
    const entries = [accountSighting('a', 1, 'e1', 1, 'e1'), accountSighting('a', 2, 'e2', 2, 'e2')];
    expect(BusySightings.of(entries)).toBeUndefined();
  });
});
