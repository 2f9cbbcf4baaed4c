/**
 * Output ownership for scale-out. Every monitor instance applies every input message (the graph,
 * labels, linkage and fan-in are global: no partition of accounts gives the same alerts), but an
 * output is published by one instance only: the owner of its slot.
 *
 * - Slots are the partitions of the ownership topic (exchange.deposits by default), assigned by
 *   the consumer group. An alert belongs to the slot its accountId hashes to, with the same
 *   murmur2 partitioner the exchange uses to key that topic, so the owner of slot s is also the
 *   instance the group gave the deposits of those accounts. A dead letter belongs to slot
 *   (its partition mod slot count).
 * - Each slot has a cursor: a cut of every input partition (next offset not in the cut), kept as
 *   the committed offsets of the consumer group `<group>.slot-<s>` and moved in the same Kafka
 *   transaction that publishes the slot's outputs. An output is published iff the message whose
 *   application produced it lies beyond the cursor. That rule does not depend on when or where
 *   the message was applied, so a restart, a second instance or a hand-over emits each output once.
 */
import kafkajs from 'kafkajs';
import type { Alert } from '../contract/schemas.js';
import type { DeadLetter } from '../decode/events.js';

/** topic/partition → next offset not in the cut. A partition that is absent is at offset 0. */
export type Cut = Map<string, bigint>;

export const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`;

export function splitKey(k: string): { topic: string; partition: number } {
  const i = k.lastIndexOf('/');
  return { topic: k.slice(0, i), partition: Number(k.slice(i + 1)) };
}

const partitioner = kafkajs.Partitioners.DefaultPartitioner();
const metadata = new Map<number, { partitionId: number; leader: number }[]>();

/** The slot (ownership-topic partition) an account belongs to: kafkajs' and the Java client's default keyed partitioner. */
export function slotOfAccount(accountId: string, slots: number): number {
  let partitionMetadata = metadata.get(slots);
  if (!partitionMetadata) metadata.set(slots, (partitionMetadata = Array.from({ length: slots }, (_, partitionId) => ({ partitionId, leader: 0 }))));
  return partitioner({ topic: '', partitionMetadata: partitionMetadata as never, message: { key: accountId, value: null } });
}

export const slotGroup = (group: string, slot: number): string => `${group}.slot-${slot}`;
export const slotTransactionalId = (group: string, slot: number): string => `${group}-slot-${slot}`;

/** One output and the position of the message whose application produced it. */
export interface Output {
  pk: string;
  offset: bigint;
  alert?: Alert;
  dead?: DeadLetter;
}

export const beyond = (cut: Cut, o: Output): boolean => o.offset >= (cut.get(o.pk) ?? 0n);

/** Componentwise max: a cursor never moves back, even when this instance is behind the last owner. */
export function maxCut(a: Cut, b: Cut): Cut {
  const out = new Map(a);
  for (const [k, v] of b) if (v > (out.get(k) ?? 0n)) out.set(k, v);
  return out;
}

/** True when `a` is at or past `b` on every partition. */
export function covers(a: Cut, b: Cut): boolean {
  for (const [k, v] of b) if ((a.get(k) ?? 0n) < v) return false;
  return true;
}

export function sameCut(a: Cut, b: Cut): boolean {
  return covers(a, b) && covers(b, a);
}

/**
 * Outputs of a slot this instance does not own, kept so that gaining the slot later does not need
 * a full re-read: complete for every message applied past `since`, unless it overflowed.
 */
export class UnownedLog {
  entries: Output[] = [];
  overflowed = false;

  constructor(public since: Cut) {}

  push(o: Output, cap: number): void {
    if (this.overflowed) return;
    if (this.entries.length >= cap) {
      this.overflowed = true;
      this.entries = [];
      return;
    }
    this.entries.push(o);
  }

  /** The outputs past `cursor`, or undefined when the log cannot prove it holds them all. */
  after(cursor: Cut): Output[] | undefined {
    if (this.overflowed || !covers(cursor, this.since)) return undefined;
    return this.entries.filter((o) => beyond(cursor, o));
  }

  /** Drops what the owner has already published (its cursor moved past them). */
  prune(cursor: Cut): void {
    if (this.overflowed) return;
    this.since = maxCut(this.since, cursor);
    this.entries = this.entries.filter((o) => beyond(this.since, o));
  }
}
