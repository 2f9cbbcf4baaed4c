/**
 * The order of messages that share one order key (one instant): by content, never by arrival.
 *
 * Messages merged by event time still tie at one instant: a payroll batch of twenty deposits in
 * one block, a payout log and the deposit it funds sharing a block time. Applied in arrival order,
 * a cross-account count (a fan-in's third payer) depended on which came first, and so on the
 * file's order, the partition count and which partition a producer's key picked (session 44 QA:
 * 124 of 204 alert lines of a 20-employee batch changed when the batch was reversed). Every
 * reader (the file replay, `replay --from-kafka`, the monitor's steps) applies such a run in this
 * order instead:
 *
 * 1. event time (an order key may be lowered below a message's own time: order-key.ts);
 * 2. evidence before the exchange's events it explains: prices, labels, chain data, then
 *    deposits, logins and withdrawals (money in, the session, money out), then what applies
 *    nothing (ignored messages, rejects);
 * 3. eventId, then the raw text (two messages with one eventId: the same one wins whichever came
 *    first).
 *
 * A reject has no content to order by beyond its text; among rejects the arrival order stands.
 */
import type { DecodeResult } from '../decode/decode.js';

/** Messages of one run beyond this are applied in arrival order (a file whose every line shares one time), so memory stays bounded. */
export const MAX_INSTANT_RUN = 10_000;

const REJECT_RANK = 7;

/** The place of a message's kind within an instant (see the module comment). */
export function instantRank(decoded: DecodeResult): number {
  if (!decoded.ok) return REJECT_RANK;
  const event = decoded.event;
  switch (event.type) {
    case 'price': return 0;
    case 'label': return 1;
    case 'chain': return 2;
    case 'transfer': return event.msg.kind === 'deposit' ? 3 : 5;
    case 'login': return 4;
    case 'ignored': return 6;
  }
}

/** A message as the instant order reads it. */
export interface InstantItem {
  decoded: DecodeResult;
  raw: string;
}

/** Negative when `a` goes first within one instant (same order key); 0 only between two rejects. */
export function compareWithinInstant(a: InstantItem, b: InstantItem): number {
  const ta = a.decoded.ok ? a.decoded.event.time : Number.NEGATIVE_INFINITY;
  const tb = b.decoded.ok ? b.decoded.event.time : Number.NEGATIVE_INFINITY;
  if (ta !== tb && a.decoded.ok && b.decoded.ok) return ta - tb;
  const ra = instantRank(a.decoded);
  const rb = instantRank(b.decoded);
  if (ra !== rb) return ra - rb;
  if (!a.decoded.ok || !b.decoded.ok) return 0;
  const ia = a.decoded.event.eventId;
  const ib = b.decoded.event.eventId;
  if (ia !== ib) return ia < ib ? -1 : 1;
  return a.raw < b.raw ? -1 : a.raw > b.raw ? 1 : 0;
}

/**
 * Sorts, in place, each maximal run of consecutive items with one key into the instant order
 * (a stable sort: rejects keep their arrival order). Items with keys of their own stay where
 * they are. A run longer than MAX_INSTANT_RUN is sorted in pieces of that size.
 */
export function sortInstantRuns<T>(items: T[], keyOf: (item: T) => number, view: (item: T) => InstantItem): void {
  for (let start = 0; start < items.length; ) {
    const key = keyOf(items[start]!);
    let end = start + 1;
    while (end < items.length && end - start < MAX_INSTANT_RUN && keyOf(items[end]!) === key) end++;
    if (end - start > 1) sortRange(items, start, end, view);
    start = end;
  }
}

function sortRange<T>(items: T[], start: number, end: number, view: (item: T) => InstantItem): void {
  const run = items.slice(start, end).sort((a, b) => compareWithinInstant(view(a), view(b)));
  for (let i = 0; i < run.length; i++) items[start + i] = run[i]!;
}
