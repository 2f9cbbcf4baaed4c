/**
 * A busy value's list (more than 32 accounts: an office's IP block, a public Wi-Fi address) finds
 * an account's entry by account id (busy-sightings.ts since session 58; an index kept beside the
 * list before). These tests drive the
 * LinkIndex and a plain model of its list (find by id, drop the dormant front, move the entry
 * seen last to its place, cap the least recently seen) through the same random sightings, out of
 * order, with lists that grow past the index's threshold, fall back under it and grow again, and
 * one restored from a checkpoint, and require the same list after every step.
 */
import { describe, expect, it } from 'vitest';
import { LinkIndex, sightingsOf, type AccountSighting } from '../../src/engine/link-index.js';
import { prng as random } from '../../src/simulate/builders.js';

/** The list LinkIndex keeps for one value, written as plainly as it can be. */
class ModelList {
  entries: AccountSighting[] = [];
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

  /** After every entry seen last at its time or earlier: the list stays in order of latest sighting. */
  private place(entry: AccountSighting): void {
    const after = this.entries.findIndex((s) => s.lastTime > entry.lastTime);
    this.entries.splice(after < 0 ? this.entries.length : after, 0, entry);
  }
}

interface Run { index: LinkIndex; model: ModelList; clock: { newest: number }; isDormant: (t: number) => boolean }

function newRun(maxAccounts: number, retention: number): Run {
  const clock = { newest: 0 };
  const isDormant = (t: number): boolean => t < clock.newest - retention;
  return { index: new LinkIndex(maxAccounts, isDormant), model: new ModelList(maxAccounts), clock, isDormant };
}

function listOf(index: LinkIndex, value: string): AccountSighting[] {
  // Copied field by field: an entry's times are accessors (link-index.ts), which a spread does not copy.
  return sightingsOf(index.checkpointMap().get(value) ?? []).map((s) => ({ accountId: s.accountId, firstTime: s.firstTime, firstEventId: s.firstEventId, lastTime: s.lastTime, lastEventId: s.lastEventId }));
}

/** One random sighting on `value` by one of `accounts` accounts, mostly in time order, some late. */
function step(r: Run, rand: () => number, accounts: number, value: string, i: number): void {
  const late = rand() < 0.15;
  const time = late ? Math.max(0, r.clock.newest - Math.floor(rand() * 50)) : r.clock.newest + Math.floor(rand() * 3);
  r.clock.newest = Math.max(r.clock.newest, time);
  const accountId = `acct-${Math.floor(rand() * accounts)}`;
  r.model.sight(accountId, time, `e${i}`, r.isDormant);
  r.index.sight(value, accountId, time, `e${i}`);
}

describe('LinkIndex on a busy value (its accounts found by an index beside the list)', () => {
  for (const [maxAccounts, accounts, retention] of [[256, 300, 400], [40, 120, 10_000], [300, 80, 60], [16, 60, 10_000], [3, 8, 10_000]] as const) {
    it(`keeps the list the plain model keeps: cap ${maxAccounts}, ${accounts} accounts, retention ${retention}`, () => {
      const rand = random(maxAccounts * 7 + accounts);
      const r = newRun(maxAccounts, retention);
      let longest = 0;
      for (let i = 0; i < 6_000; i++) {
        step(r, rand, accounts, 'block-1', i);
        longest = Math.max(longest, r.model.entries.length);
        expect(listOf(r.index, 'block-1')).toEqual(r.model.entries);
      }
      // A short cap is reached (its least recently seen then leaves); a long list has the index in play.
      if (maxAccounts <= 32) expect(longest).toBe(maxAccounts);
      else expect(longest).toBeGreaterThan(32);
    });
  }

  it('a list that falls back under the threshold and grows past it again is still found by account', () => {
    const rand = random(11);
    const r = newRun(256, 30);
    let fellBack = false;
    let wasBusy = false;
    for (let i = 0; i < 8_000; i++) {
      // Bursts of many accounts, then quiet spells of a few: the dormant front leaves in between.
      const burst = Math.floor(i / 500) % 2 === 0;
      step(r, rand, burst ? 200 : 5, 'block-2', i);
      const length = r.model.entries.length;
      if (length > 32) wasBusy = true;
      if (wasBusy && length <= 32) fellBack = true;
      expect(listOf(r.index, 'block-2')).toEqual(r.model.entries);
    }
    expect(fellBack).toBe(true);
  });

  it('a busy list restored from a checkpoint goes on as the model does', () => {
    const rand = random(5);
    const r = newRun(256, 1_000);
    for (let i = 0; i < 2_000; i++) step(r, rand, 150, 'block-3', i);
    const restored = newRun(256, 1_000);
    restored.clock.newest = r.clock.newest;
    restored.model.entries = r.model.entries;
    restored.index.checkpointMap().set('block-3', listOf(r.index, 'block-3'));
    for (let i = 2_000; i < 4_000; i++) {
      step(restored, rand, 150, 'block-3', i);
      expect(listOf(restored.index, 'block-3')).toEqual(restored.model.entries);
    }
    expect(restored.model.entries.length).toBeGreaterThan(32);
  });
});
