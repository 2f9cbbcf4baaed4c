/**
 * Building blocks of the sections: a named section opener, entries in batches of JSON frames,
 * and keyed tables (ShardedMap, IdTable) with their layout and the place of their rolling sweep, so a restored map
 * evicts the same dormant keys at the same moments as the original would have.
 */
import type { KeyedTable } from '../state/sharded-map.js';
import type { FrameReader } from './frame-reader.js';
import type { FrameWriter } from './frame-writer.js';

/**
 * A batch frame closes once its text passes this many characters: large enough to amortise a
 * frame, and far below the frame limit even when one entry is a hot cluster's 4,096 touches.
 */
const BATCH_CHARS = 1 << 20;

export async function openSection(w: FrameWriter, section: string, meta: Record<string, unknown> = {}): Promise<void> {
  await w.json({ section, ...meta });
}

export async function expectSection<T extends object>(r: FrameReader, section: string): Promise<T & { section: string }> {
  const head = await r.json<T & { section?: string }>();
  if (head?.section !== section) r.fail(`expected section ${section}, found ${String(head?.section)} (written by another build?)`);
  return head as T & { section: string };
}

/** Writes `items` as JSON arrays of encoded items, about BATCH_CHARS each, closed by an end frame. */
export async function writeBatches<T>(w: FrameWriter, items: Iterable<T>, encode: (item: T) => unknown): Promise<number> {
  let batch: string[] = [];
  let chars = 0;
  let count = 0;
  for (const item of items) {
    const text = JSON.stringify(encode(item));
    batch.push(text);
    chars += text.length + 1;
    count++;
    if (chars >= BATCH_CHARS) {
      await w.jsonText(`[${batch.join(',')}]`);
      batch = [];
      chars = 0;
    }
  }
  if (batch.length > 0) await w.jsonText(`[${batch.join(',')}]`);
  await w.end();
  return count;
}

export async function* readBatches<T>(r: FrameReader): AsyncGenerator<T> {
  for await (const batch of r.jsonSequence<T[]>()) {
    if (!Array.isArray(batch)) r.fail('a batch frame is not an array');
    yield* batch;
  }
}

interface MapSection<K> {
  sharded: boolean;
  sweep: { shard: number; after?: K };
}

export async function writeShardedMap<K extends string | number, V>(w: FrameWriter, section: string, map: KeyedTable<K, V>, encode: (key: K, value: V) => unknown): Promise<void> {
  const meta: MapSection<K> = { sharded: map.sharded, sweep: map.sweepPosition() };
  await openSection(w, section, { ...meta, size: map.size });
  await writeBatches(w, map.entries(), ([k, v]) => encode(k, v));
}

/** Fills an empty map in the written order, then puts its sweep back where it stood. */
export async function readShardedMap<K extends string | number, V, E>(r: FrameReader, section: string, map: KeyedTable<K, V>, decode: (entry: E) => [K, V]): Promise<void> {
  const meta = await expectSection<MapSection<K> & { size: number }>(r, section);
  if (map.size !== 0) throw new Error(`restore of ${section}: the map is not empty`);
  if (meta.sharded) map.splitNow();
  for await (const entry of readBatches<E>(r)) {
    const [k, v] = decode(entry);
    map.set(k, v);
  }
  if (map.size !== meta.size) r.fail(`section ${section} holds ${map.size} entries, ${meta.size} declared`);
  map.seekSweep(meta.sweep);
}

/** A time that may be ±Infinity (an empty clock), as JSON can carry it. */
export const encodeClock = (t: number): number | string => (Number.isFinite(t) ? t : String(t));
export const decodeClock = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
