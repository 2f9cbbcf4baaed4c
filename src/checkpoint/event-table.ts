/**
 * The retained exchange events, each written once and referred to by number: the same
 * TransferEvent sits in an account's history and in the transfer index, and must be one object
 * again after a restore. An event is stored as its time and its message as retained, and decoded
 * again on restore, which must give back the very same fields.
 */
import type { DecodeResult } from '../decode/decode.js';
import type { HistoryItem } from '../engine/state.js';

/** Entries per Map: well under one Map's 2²⁴ limit, so any number of events can be numbered. */
const MAP_CAP = 1 << 23;

/** Numbers objects by identity in first-seen order. */
export class IdentityNumbering<T extends object> {
  private readonly maps: Map<T, number>[] = [new Map()];
  private count = 0;

  get size(): number {
    return this.count;
  }

  numberOf(item: T): number | undefined {
    for (const m of this.maps) {
      const n = m.get(item);
      if (n !== undefined) return n;
    }
    return undefined;
  }

  /** The item's number; `fresh` is true when it had none yet. */
  assign(item: T): { n: number; fresh: boolean } {
    const known = this.numberOf(item);
    if (known !== undefined) return { n: known, fresh: false };
    let last = this.maps[this.maps.length - 1]!;
    if (last.size >= MAP_CAP) this.maps.push((last = new Map()));
    last.set(item, this.count);
    return { n: this.count++, fresh: true };
  }

  mustNumber(item: T): number {
    const n = this.numberOf(item);
    if (n === undefined) throw new Error('an event was not numbered before it was referred to');
    return n;
  }
}

/** Events by number after a restore, in chunks so no single array grows huge. */
export class EventList {
  private readonly chunks: HistoryItem[][] = [[]];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(item: HistoryItem): void {
    let tail = this.chunks[this.chunks.length - 1]!;
    if (tail.length === 1 << 22) this.chunks.push((tail = []));
    tail.push(item);
    this.count++;
  }

  at(n: number): HistoryItem | undefined {
    return this.chunks[n >>> 22]?.[n & ((1 << 22) - 1)];
  }
}

/**
 * A retained event as stored: its event time and its message as the state keeps it. A retained
 * transfer keeps only the fields the rules can read (retained-fields.ts), without occurredAt or
 * the schema name, so the time carries what occurredAt did.
 */
export type StoredEvent = [time: number, msg: Record<string, unknown>];

export function storedEvent(item: HistoryItem): StoredEvent {
  return [item.time, item.msg as unknown as Record<string, unknown>];
}

/**
 * The event a stored message decodes to, or why it cannot be trusted: the decoder must accept
 * it, as an exchange event at the stored time, with the very fields that were stored (a changed
 * schema or decoder that transforms messages differently would otherwise change the state
 * silently). A transfer's missing schema name and occurredAt are put back for the decoder; its
 * event then keeps the stored fields only, as the state had it.
 */
export function redecode(stored: unknown, decode: (raw: string) => DecodeResult): HistoryItem | string {
  if (!Array.isArray(stored) || typeof stored[0] !== 'number' || !stored[1] || typeof stored[1] !== 'object') return 'it is not a [time, message] pair';
  const [time, msg] = stored as StoredEvent;
  const whole: Record<string, unknown> = { ...msg };
  whole.schema ??= 'exchange.transfer.v1';
  whole.occurredAt ??= new Date(time).toISOString();
  const result = decode(JSON.stringify(whole));
  if (!result.ok) return `the decoder now rejects it (${result.reject.code}: ${result.reject.reason})`;
  const event = result.event;
  if (event.type !== 'transfer' && event.type !== 'login') return `it now decodes as a ${event.type} event`;
  if (event.time !== time) return `it now decodes at ${event.time}, not ${time}`;
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(msg)) kept[key] = (event.msg as unknown as Record<string, unknown>)[key];
  if (JSON.stringify(kept) !== JSON.stringify(msg)) return 'it now decodes to a different message';
  if (event.type === 'transfer') event.msg = kept as unknown as typeof event.msg;
  return event;
}
