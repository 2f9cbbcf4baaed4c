/**
 * Review (session 56) of bee9c4c: a LinkIndex value holds one account's entry alone, a list from
 * the second account, and goes back to the entry when the others go dormant. A checkpoint writes
 * every value as rows (`sightingsOf`) and restores them through `linkedOf`: an index restored at
 * any point answers every query as the one it was written from, and keeps doing so as both take
 * the same later sightings (caps 0 to 40, dormancy, sweeps of dormant values, accounts sighted
 * out of order).
 */
import { describe, expect, it } from 'vitest';
import { LinkIndex, accountSighting, linkedOf, sightingsOf } from '../../src/engine/link-index.js';
import { prng } from '../../src/simulate/builders.js';

const RETENTION = 10;

function restored(from: LinkIndex, cap: number, isDormant: (t: number) => boolean, changed: (a: string) => void): LinkIndex {
  const to = new LinkIndex(cap, isDormant, changed);
  const target = to.checkpointMap();
  for (const [value, linked] of from.checkpointMap().entries()) {
    const rows = sightingsOf(linked).map((s) => [s.accountId, s.firstTime, s.firstEventId, s.lastTime, s.lastEventId] as const);
    target.set(value, linkedOf(rows.map(([a, ft, fe, lt, le]) => accountSighting(a, ft, fe, lt, le))));
  }
  // As a checkpoint's sharded map section does: the dormant sweep resumes where it stood.
  target.seekSweep(from.checkpointMap().sweepPosition());
  return to;
}

const rowsOf = (ix: LinkIndex): string => JSON.stringify([...ix.checkpointMap().entries()].map(([v, l]) => [v, sightingsOf(l).map((s) => [s.accountId, s.firstTime, s.firstEventId, s.lastTime, s.lastEventId])]));

describe('review 56: a LinkIndex restored from its rows', () => {
  it('answers as the index it was written from, at every cut and through the sightings after it', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const r = prng(seed);
      const cap = [0, 1, 2, 3, 40][seed % 5]!;
      let clock = 0;
      const isDormant = (t: number): boolean => t < clock - RETENTION;
      const told: [string[], string[]] = [[], []];
      const original = new LinkIndex(cap, isDormant, (a) => told[0].push(a));
      let copy: LinkIndex | undefined;
      const cut = 50 + Math.floor(r() * 200);
      for (let k = 0; k < 400; k++) {
        if (k === cut) {
          copy = restored(original, cap, isDormant, (a) => told[1].push(a));
          expect(rowsOf(copy)).toBe(rowsOf(original));
          told[0].length = 0;
        }
        const value = `v${Math.floor(r() * 40)}`;
        if (r() < 0.3) clock += Math.floor(r() * 8);
        const time = Math.max(0, clock - Math.floor(r() * 6));
        const account = `a${Math.floor(r() * 5)}`;
        const from = time - Math.floor(r() * 10);
        const to = time + Math.floor(r() * 3);
        for (const ix of copy ? [original, copy] : [original]) ix.sight(value, account, time, `e${k}`);
        if (!copy) continue;
        const ask = (ix: LinkIndex): unknown => [ix.within(value, from, to), ix.countWithin(value, from, to), ix.anotherWithin(value, account, from, to), ix.laterSightings(value, account, from, 3), ix.size];
        expect(ask(copy), `seed ${seed} sighting ${k}`).toEqual(ask(original));
        expect(told[1]).toEqual(told[0]);
      }
      expect(rowsOf(copy!)).toBe(rowsOf(original));
    }
  });
});
