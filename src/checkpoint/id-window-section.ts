/**
 * An IdWindow (dedupe, novelty, emitted alerts): per bucket, its table's slot array and its
 * sealed set's sorted [lo, hi] pairs (none when the bucket is not sealed), as raw bytes.
 */
import { FingerprintTable } from '../state/fingerprint-table.js';
import { IdBucket, type IdWindow } from '../state/id-window.js';
import { SealedFingerprints } from '../state/sealed-fingerprints.js';
import type { FrameReader } from './frame-reader.js';
import type { FrameWriter } from './frame-writer.js';
import { expectSection, openSection } from './sections.js';

interface WindowSection {
  window: number;
  held: number;
  droppedEarly: number;
  /** `count` and `words` are the table's; `sealed` the number of sorted pairs beside it (absent in format 3: none). */
  buckets: { epoch: number; count: number; words: number; sealed?: number }[];
}

export async function writeIdWindow(w: FrameWriter, section: string, window: IdWindow): Promise<void> {
  const { buckets, held } = window.checkpointParts();
  const meta: WindowSection = { window: window.window, held, droppedEarly: window.droppedEarly, buckets: buckets.map((b) => ({ epoch: b.epoch, count: b.table.size, words: b.table.rawSlots.length, sealed: b.sealed?.size ?? 0 })) };
  await openSection(w, section, { ...meta });
  for (const b of buckets) {
    await w.typedArray(b.table.rawSlots);
    if (b.sealed) await w.typedArray(b.sealed.pairs);
  }
}

export async function readIdWindow(r: FrameReader, section: string, window: IdWindow): Promise<void> {
  const meta = await expectSection<WindowSection>(r, section);
  // Bucket epochs are multiples of window / 10: another window would misread every one of them.
  if (meta.window !== window.window) r.fail(`${section} was written with a window of ${meta.window} ms; this pipeline uses ${window.window} ms`);
  const buckets: IdBucket[] = [];
  for (const b of meta.buckets) {
    if (!(b.words >= 2048 && (b.words & (b.words - 1)) === 0)) r.fail(`${section}: a table of ${b.words} words is not a power of two`);
    const sealedPairs = b.sealed ?? 0;
    if (!(Number.isInteger(sealedPairs) && sealedPairs >= 0)) r.fail(`${section}: a bucket declares ${String(b.sealed)} sealed ids`);
    const slots = new Uint32Array(b.words);
    await r.intoTypedArray(slots);
    let sealed: SealedFingerprints | undefined;
    if (sealedPairs > 0) {
      const pairs = new Uint32Array(2 * sealedPairs);
      await r.intoTypedArray(pairs);
      sealed = SealedFingerprints.fromPairs(pairs);
    }
    buckets.push(new IdBucket(b.epoch, FingerprintTable.fromSlots(slots, b.count), sealed));
  }
  window.restoreParts(buckets, meta.held, meta.droppedEarly);
}
