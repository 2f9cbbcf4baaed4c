/** An IdWindow (dedupe, novelty, emitted alerts): its fingerprint tables' slot arrays as raw bytes. */
import { FingerprintTable } from '../state/fingerprint-table.js';
import type { IdWindow } from '../state/id-window.js';
import type { FrameReader } from './frame-reader.js';
import type { FrameWriter } from './frame-writer.js';
import { expectSection, openSection } from './sections.js';

interface WindowSection {
  window: number;
  held: number;
  droppedEarly: number;
  buckets: { epoch: number; count: number; words: number }[];
}

export async function writeIdWindow(w: FrameWriter, section: string, window: IdWindow): Promise<void> {
  const { buckets, held } = window.checkpointParts();
  const meta: WindowSection = { window: window.window, held, droppedEarly: window.droppedEarly, buckets: buckets.map((b) => ({ epoch: b.epoch, count: b.table.size, words: b.table.rawSlots.length })) };
  await openSection(w, section, { ...meta });
  for (const b of buckets) await w.typedArray(b.table.rawSlots);
}

export async function readIdWindow(r: FrameReader, section: string, window: IdWindow): Promise<void> {
  const meta = await expectSection<WindowSection>(r, section);
  // Bucket epochs are multiples of window / 10: another window would misread every one of them.
  if (meta.window !== window.window) r.fail(`${section} was written with a window of ${meta.window} ms; this pipeline uses ${window.window} ms`);
  const buckets: { epoch: number; table: FingerprintTable }[] = [];
  for (const b of meta.buckets) {
    if (!(b.words >= 2048 && (b.words & (b.words - 1)) === 0)) r.fail(`${section}: a table of ${b.words} words is not a power of two`);
    const slots = new Uint32Array(b.words);
    await r.intoTypedArray(slots);
    buckets.push({ epoch: b.epoch, table: FingerprintTable.fromSlots(slots, b.count) });
  }
  window.restoreParts(buckets, meta.held, meta.droppedEarly);
}
