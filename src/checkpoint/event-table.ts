/**
 * The retained exchange events, each written once and referred to by number: the same
 * TransferEvent sits in an account's history and in the transfer index, and must be one object
 * again after a restore. An event is stored as its validated message and decoded again on
 * restore, which must give back the very same message.
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
 * The event a stored message decodes to, or why it cannot be trusted: the decoder must accept
 * it, as an exchange event, with the very message that was stored (a changed schema or decoder
 * that transforms messages differently would otherwise change the state silently).
 */
export function redecode(stored: unknown, decode: (raw: string) => DecodeResult): HistoryItem | string {
  const raw = JSON.stringify(stored);
  const result = decode(raw);
  if (!result.ok) return `the decoder now rejects it (${result.reject.code}: ${result.reject.reason})`;
  const event = result.event;
  if (event.type !== 'transfer' && event.type !== 'login') return `it now decodes as a ${event.type} event`;
  if (JSON.stringify(event.msg) !== raw) return 'it now decodes to a different message';
  return event;
}
