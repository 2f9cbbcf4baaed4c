/** Sealed (sorted) id-memory buckets: the same answers as the growable table, in about half the bytes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameReader } from '../../src/checkpoint/frame-reader.js';
import { FrameWriter } from '../../src/checkpoint/frame-writer.js';
import { readIdWindow, writeIdWindow } from '../../src/checkpoint/id-window-section.js';
import { fingerprint, type Fingerprint } from '../../src/state/fingerprint.js';
import { FingerprintTable } from '../../src/state/fingerprint-table.js';
import { IdWindow } from '../../src/state/id-window.js';
import { SealedFingerprints } from '../../src/state/sealed-fingerprints.js';

const tableOf = (fps: readonly Fingerprint[]): FingerprintTable => {
  const table = new FingerprintTable();
  for (const fp of fps) table.add(fp);
  return table;
};

const key = (fp: Fingerprint): string => `${fp.hi}:${fp.lo}`;

describe('sealed fingerprints', () => {
  // Fingerprints drawn from a narrow hi range too, so many share a directory entry or a hi word.
  const word = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 7 }), fc.constant(0xffffffff));
  const fp = fc.record({ hi: word, lo: fc.integer({ min: 1, max: 0xffffffff }) });

  it('answers has() exactly as the table it was sealed from, for members and strangers alike', () => {
    fc.assert(
      fc.property(fc.array(fp, { maxLength: 3000 }), fc.array(fp, { maxLength: 300 }), (members, strangers) => {
        const table = tableOf(members);
        const sealed = SealedFingerprints.fromTable(table);
        expect(sealed.size).toBe(table.size);
        for (const probe of [...members, ...strangers]) expect(sealed.has(probe)).toBe(table.has(probe));
      }),
      { numRuns: 200 },
    );
  });

  it('holds 100,000 ids in under 10 bytes each, against 11 to 23 in a table, with no false hit', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => fingerprint(`ev-${i}`));
    const table = tableOf(ids);
    const sealed = SealedFingerprints.fromTable(table);
    expect(sealed.bytes / sealed.size).toBeLessThan(10);
    expect(table.bytes / table.size).toBeGreaterThan(10);
    expect(ids.every((id) => sealed.has(id))).toBe(true);
    let falseHits = 0;
    for (let i = 0; i < 100_000; i++) if (sealed.has(fingerprint(`other-${i}`))) falseHits++;
    expect(falseHits).toBe(0);
  });

  it('sorts pairs it is given in any order', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => fingerprint(`x-${i}`));
    const words = new Uint32Array(ids.flatMap((f) => [f.lo, f.hi]));
    const sealed = SealedFingerprints.fromPairs(words);
    expect(ids.every((id) => sealed.has(id))).toBe(true);
    const pairs = sealed.pairs;
    for (let i = 2; i < pairs.length; i += 2) expect(pairs[i + 1]! > pairs[i - 1]! || (pairs[i + 1] === pairs[i - 1] && pairs[i]! > pairs[i - 2]!)).toBe(true);
  });
});

describe('id window with sealed buckets', () => {
  it('remembers exactly what a plain set would while nothing expires, sealed buckets and late ids included', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 9 })), { minLength: 3200, maxLength: 6000 }), (events) => {
        // Time moves on one epoch (100 ms) every 1,500 events, so passed buckets hold enough
        // ids to be sealed; one event in ten arrives late, into an earlier (sealed) bucket.
        const window = new IdWindow(1000);
        const seen = new Set<string>();
        events.forEach(([n, late], i) => {
          const id = `id-${n}`;
          const epoch = Math.max(0, Math.floor(i / 1500) - (late === 0 ? 1 : 0));
          expect(window.remember(id, epoch * 100 + (i % 100))).toBe(seen.has(id));
          seen.add(id);
        });
        // An id seen again in a later epoch is held in both buckets, never twice in one.
        expect(window.size).toBeGreaterThanOrEqual(seen.size);
        expect(window.size).toBeLessThanOrEqual(events.length);
      }),
      { numRuns: 25, endOnFailure: true },
    );
  });

  it('seals a passed bucket into fewer bytes, finds its ids, and counts a late duplicate once', () => {
    const window = new IdWindow(1000);
    for (let i = 0; i < 20_000; i++) window.add(`a-${i}`, 50);
    const before = window.bytes;
    window.add('b-0', 150); // a newer epoch: the first bucket is sealed
    expect(window.bytes).toBeLessThan(before * 0.75);
    expect(window.has('a-19999') && window.has('a-0') && !window.has('a-20000')).toBe(true);
    expect(window.remember('a-123', 60)).toBe(true);
    window.add('a-123', 60);
    expect(window.size).toBe(20_001);
    window.add('late', 40); // an out-of-order id into the sealed bucket
    expect(window.has('late')).toBe(true);
    expect(window.size).toBe(20_002);
  });

  it('forgets a sealed bucket whole once the window passes it', () => {
    const window = new IdWindow(1000);
    for (let i = 0; i < 5000; i++) window.add(`a-${i}`, 10);
    window.add('b', 500);
    window.add('c', 1200);
    expect(window.has('a-1')).toBe(false);
    expect(window.size).toBe(2);
  });

  it('round-trips a checkpoint with sealed and open buckets, and the copy goes on deduplicating', async () => {
    const window = new IdWindow(1000);
    for (let i = 0; i < 3000; i++) window.add(`a-${i}`, 10);
    for (let i = 0; i < 2000; i++) window.add(`b-${i}`, 250);
    window.add('late', 20);
    const chunks: Uint8Array[] = [];
    const w = new FrameWriter({ write: async (c) => { chunks.push(Buffer.from(c)); } });
    await writeIdWindow(w, 'dedupe', window);
    await w.finish();
    const bytes = Buffer.concat(chunks);
    const r = new FrameReader((async function* () { yield bytes; })(), '/ckpt/x.twc');
    await r.start();
    const copy = new IdWindow(1000);
    await readIdWindow(r, 'dedupe', copy);
    expect(copy.size).toBe(window.size);
    expect(copy.bytes).toBe(window.bytes);
    for (const id of ['a-0', 'a-2999', 'b-1999', 'late']) expect(copy.has(id)).toBe(true);
    expect(copy.has('a-3000')).toBe(false);
    expect(copy.remember('a-5', 30)).toBe(true);
    expect(copy.size).toBe(window.size);
  });
});
