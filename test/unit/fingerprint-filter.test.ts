/**
 * The filter in front of an IdWindow's buckets may say "maybe" for an id never added, never
 * "no" for one that was: the window's answers must be exactly what its buckets say, across
 * growth, expiry, early drops under maxIds, out-of-order times and a restore.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/state/fingerprint.js';
import { FingerprintFilter } from '../../src/state/fingerprint-filter.js';
import { IdWindow } from '../../src/state/id-window.js';

/** What the buckets alone say: the answer before the filter existed. */
const bucketsSay = (w: IdWindow, id: string): boolean => w.checkpointParts().buckets.some((b) => b.has(fingerprint(id)));

describe('fingerprint filter', () => {
  it('never rules out an added fingerprint, and rules out most others at capacity', () => {
    const filter = new FingerprintFilter(100_000);
    for (let i = 0; i < 100_000; i++) filter.add(fingerprint(`ev-${i}`));
    for (let i = 0; i < 100_000; i++) expect(filter.mayContain(fingerprint(`ev-${i}`))).toBe(true);
    let maybes = 0;
    for (let i = 0; i < 100_000; i++) if (filter.mayContain(fingerprint(`other-${i}`))) maybes++;
    expect(maybes / 100_000).toBeLessThan(0.04);
    expect(filter.bytes * 8 / filter.capacity).toBeLessThanOrEqual(20);
  });
});

describe('id window behind its filter', () => {
  it('answers has and remember exactly as its buckets do, under random adds, probes, expiry, early drops and a restore', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), id: fc.nat(3_000), time: fc.nat(40_000) }),
      fc.record({ kind: fc.constant('remember' as const), id: fc.nat(3_000), time: fc.nat(40_000) }),
      fc.record({ kind: fc.constant('has' as const), id: fc.nat(3_000), time: fc.constant(0) }),
      fc.record({ kind: fc.constant('restore' as const), id: fc.constant(0), time: fc.nat(12) }),
    );
    fc.assert(fc.property(fc.array(op, { minLength: 50, maxLength: 1_500 }), fc.integer({ min: 200, max: 5_000 }), (ops, maxIds) => {
      const w = new IdWindow(10_000, { maxIds });
      // Times drift forward so buckets expire, with jitter backwards inside and past the window.
      let clock = 0;
      for (const o of ops) {
        clock += 15;
        const id = `ev-${o.id}`;
        const time = Math.max(0, clock - (o.time % 12_000));
        if (o.kind === 'add') w.add(id, time);
        else if (o.kind === 'remember') {
          const before = bucketsSay(w, id);
          expect(w.remember(id, time)).toBe(before);
        }
        else if (o.kind === 'has') expect(w.has(id)).toBe(bucketsSay(w, id));
        else {
          // A restore in place, of another window's memory (ids this one's filter never saw).
          const other = new IdWindow(10_000, { maxIds });
          for (let k = o.time % 13; k <= 3_000; k += 13) other.add(`ev-${k}`, clock);
          const parts = other.checkpointParts();
          w.restoreParts([...parts.buckets], parts.held, other.droppedEarly);
        }
      }
      for (let i = 0; i <= 3_000; i += 7) expect(w.has(`ev-${i}`)).toBe(bucketsSay(w, `ev-${i}`));
    }), { numRuns: 60 });
  });

  it('a new id costs one filter probe, not one per bucket: most absent ids are ruled out', () => {
    const w = new IdWindow(10 * 86_400_000);
    for (let i = 0; i < 200_000; i++) w.add(`ev-${i}`, i * 4_000); // about nine days: every bucket used
    expect(w.checkpointParts().buckets.length).toBeGreaterThanOrEqual(9);
    expect(w.has('new-0')).toBe(false); // the filter is built on the first look-up
    const filter = (w as unknown as { filter: FingerprintFilter }).filter;
    let maybes = 0;
    for (let i = 0; i < 50_000; i++) if (filter.mayContain(fingerprint(`new-${i}`))) maybes++;
    expect(maybes / 50_000).toBeLessThan(0.04);
    for (let i = 0; i < 200_000; i += 101) expect(w.has(`ev-${i}`)).toBe(true);
  });
});
