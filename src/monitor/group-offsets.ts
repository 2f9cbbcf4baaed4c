/**
 * The group's own committed offsets, for operators. The slot cursors (`<group>.slot-<s>`) are the
 * offsets that decide what is published; the group an operator configured (KAFKA_GROUP_ID) held
 * none, so `kafka-consumer-groups --describe --group <group>` showed `-` for every offset and lag
 * (session 61 QA). The owner of slot 0 commits there, every few seconds, the cut every slot has
 * published through: per input partition the least of the slot cursors. Nothing reads it back: a
 * restart still starts from its checkpoint and the slot cursors.
 */
import { splitKey, type Cut } from './ownership.js';

/** Per partition, the least offset of the cursors (a partition a cursor lacks is at 0 there). */
export function publishedByEverySlot(cursors: readonly Cut[]): Cut {
  const out: Cut = new Map();
  if (cursors.length === 0) return out;
  const partitions = new Set(cursors.flatMap((c) => [...c.keys()]));
  for (const pk of [...partitions].sort()) out.set(pk, cursors.reduce((least, c) => { const v = c.get(pk) ?? 0n; return v < least ? v : least; }, cursors[0]!.get(pk) ?? 0n));
  return out;
}

/** The cut as kafkajs' `consumer.commitOffsets` takes it. */
export function groupCommit(cut: Cut): { topic: string; partition: number; offset: string }[] {
  return [...cut].map(([pk, offset]) => ({ ...splitKey(pk), offset: offset.toString() }));
}
