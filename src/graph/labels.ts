/**
 * Labels with history. Each label on an address has a validity interval [from, until): an
 * `intel.label.v1` with `removed: true` (or an OFAC delisting) closes it. Lookups are "as of" an
 * event time, so a replay of last year uses last year's intelligence.
 */
export interface LabelRecord {
  label: string;
  entity?: string;
  source: string;
  confidence: number;
  /** Epoch ms from which the label holds. */
  from: number;
  /** Epoch ms from which it no longer holds (delisting), if any. */
  until?: number;
  /** Free-form provenance (OFAC party, uid, programs). */
  detail?: Record<string, unknown>;
  /**
   * `address`: the label holds for this address only, not its whole cluster (labels derived from
   * chain patterns, such as a CoinJoin's participants: a payment service that sweeps one such
   * address into its hot wallet must not become a mixer).
   */
  scope?: 'address';
  /**
   * Listings of the same label and source that arrived while this interval was open (a feed
   * restating it): kept so that a removal read later, dated between them, ends this interval
   * and lets the later listing open the next one, as event order would have.
   */
  restated?: LabelRecord[];
}

import { ShardedMap } from '../state/sharded-map.js';

export class LabelHistory {
  /** Bounded by the intelligence fed in, not by traffic; sharded past one Map's 2²⁴ entries. */
  private readonly byAddress = new ShardedMap<number, LabelRecord[]>();

  /**
   * Adds a label's listing at `record.from`, or its removal there when `removed`; whether the
   * label's intervals changed. The address's intervals for the label and source are folded
   * again from every listing and removal known, in event time, so any arrival order gives the
   * same intervals: a removal read before its listing closes it once the listing comes, and a
   * listing restated with an earlier time moves the start instead of opening a second interval
   * that no removal closes (QA: both had left an address sanctioned for ever). A removal that
   * closes nothing is kept as an empty interval (`from` = `until`), which no look-up returns,
   * for the listing it may yet close. At one instant a removal wins.
   */
  apply(addressId: number, record: LabelRecord, removed = false): boolean {
    const list = this.byAddress.get(addressId) ?? [];
    const same = (r: LabelRecord): boolean => r.label === record.label && r.source === record.source;
    const before = list.filter(same);
    const after = foldIntervals([...eventsOf(before), removed ? { at: record.from, removed: true } : { at: record.from, removed: false, record }], record);
    const stored = after.length === before.length && after.every((r, i) => sameInterval(r, before[i]!) && restatedKey(r) === restatedKey(before[i]!));
    if (stored) return false;
    this.byAddress.set(addressId, [...list.filter((r) => !same(r)), ...after].sort(byStart));
    // A restatement inside an interval, or a removal that closes nothing yet, changes no verdict.
    const [was, now] = [before.filter(holdsSometime), after.filter(holdsSometime)];
    return !(was.length === now.length && now.every((r, i) => sameInterval(r, was[i]!)));
  }

  /** Labels in force on an address at `asOf`. */
  labelsAt(addressId: number, asOf: number): LabelRecord[] {
    const list = this.byAddress.get(addressId);
    if (!list) return [];
    return list.filter((r) => r.from <= asOf && (r.until === undefined || asOf < r.until));
  }

  /** Drops the address's records that `forget` selects (derived labels past their retention); whether any remain. */
  drop(addressId: number, forget: (r: LabelRecord) => boolean): boolean {
    const list = this.byAddress.get(addressId);
    if (!list) return false;
    const kept = list.filter((r) => !forget(r));
    if (kept.length === 0) this.byAddress.delete(addressId);
    else if (kept.length < list.length) this.byAddress.set(addressId, kept);
    return kept.length > 0;
  }

  /** Every record of the address, in force or not. */
  recordsOf(addressId: number): readonly LabelRecord[] {
    return this.byAddress.get(addressId) ?? [];
  }

  has(addressId: number): boolean {
    return this.byAddress.has(addressId);
  }

  get addressCount(): number {
    return this.byAddress.size;
  }

  /** Every address's records, for a checkpoint. */
  entries(): IterableIterator<[number, LabelRecord[]]> {
    return this.byAddress.entries();
  }

  /** Moves every address's records to its new id (a labelled address is always kept). */
  remap(remap: Int32Array): void {
    // Checked before anything moves: a compaction that failed here would leave the graph whole.
    for (const [id] of this.byAddress.entries()) if (!(remap[id]! >= 0)) throw new Error(`labelled address ${id} was not kept`);
    this.byAddress.rekey((id) => remap[id]!);
  }

  /** Puts back one address's records from a checkpoint, in the order `apply` keeps them (an older build kept them as they came). */
  restore(addressId: number, records: LabelRecord[]): void {
    this.byAddress.set(addressId, records.sort(byStart));
  }
}

/** Restatements kept per interval (see LabelRecord.restated). */
const MAX_RESTATED = 32;
/**
 * Intervals kept per address, label and source, the newest: a label listed and removed again and
 * again (an issuer's freeze and unfreeze, a feed re-sending its delistings) folded all of its
 * history at every change, and its cost grew with it (bounds QA: 1.6 ms to 57 ms a message over
 * 15,000 changes). An as-of look-up older than the oldest kept interval no longer sees the label.
 */
export const MAX_INTERVALS = 16;

interface LabelEvent {
  at: number;
  removed: boolean;
  /** A listing's record (its entity, confidence, detail and scope). */
  record?: LabelRecord;
  /** contentKey(record), computed once per fold. */
  key?: string;
}

/** The listings and removals a label's intervals stand for. */
function eventsOf(intervals: readonly LabelRecord[]): LabelEvent[] {
  const events: LabelEvent[] = [];
  for (const r of intervals) {
    if (r.until === undefined || r.from < r.until) events.push({ at: r.from, removed: false, record: r });
    for (const again of r.restated ?? []) events.push({ at: again.from, removed: false, record: again });
    if (r.until !== undefined) events.push({ at: r.until, removed: true });
  }
  return events;
}

/** Event time, then listings before removals (so a removal at the same instant wins), then the listing's content. */
function byEventOrder(a: LabelEvent, b: LabelEvent): number {
  if (a.at !== b.at) return a.at - b.at;
  if (a.removed !== b.removed) return a.removed ? 1 : -1;
  return keyOf(a).localeCompare(keyOf(b));
}

const keyOf = (e: LabelEvent): string => (e.key ??= contentKey(e.record));

const contentKey = (r: LabelRecord | undefined): string => (r === undefined ? '' : JSON.stringify([r.entity ?? null, -r.confidence, r.detail ?? null, r.scope ?? null]));

/** The label's intervals from its events: a listing opens one (if none is open), a removal closes the open one. */
function foldIntervals(events: LabelEvent[], like: LabelRecord): LabelRecord[] {
  events.sort(byEventOrder);
  const out: LabelRecord[] = [];
  let open: LabelRecord | undefined;
  for (const e of events) {
    if (!e.removed) {
      if (!open) open = withInterval(e.record!, e.at, undefined);
      // One at the interval's own start can never open another (a removal at that instant closes both).
      else if (e.at !== open.from && !open.restated?.some((r) => r.from === e.at && contentKey(r) === keyOf(e))) {
        const restated = (open.restated ??= []);
        restated.push(withInterval(e.record!, e.at, undefined));
        if (restated.length > MAX_RESTATED) restated.shift(); // a feed restating daily keeps its newest
      }
    } else if (open) {
      open.until = e.at;
      out.push(open);
      open = undefined;
    } else if (out.length === 0 || out[out.length - 1]!.until !== e.at) {
      out.push({ label: like.label, source: like.source, confidence: like.confidence, from: e.at, until: e.at });
    }
  }
  if (open) out.push(open);
  if (out.length > MAX_INTERVALS) out.splice(0, out.length - MAX_INTERVALS);
  return out;
}

/** The record's listing alone over [from, until): its own restatements are the fold's to place again. */
function withInterval(r: LabelRecord, from: number, until: number | undefined): LabelRecord {
  const { until: _previous, restated: _again, ...rest } = r;
  return until === undefined ? { ...rest, from } : { ...rest, from, until };
}

/** An interval that holds at some instant (not a removal kept for a listing yet to come). */
const holdsSometime = (r: LabelRecord): boolean => r.until === undefined || r.from < r.until;

const restatedKey = (r: LabelRecord): string => (r.restated ?? []).map((x) => `${x.from}:${contentKey(x)}`).join('|');
const sameInterval = (a: LabelRecord, b: LabelRecord): boolean => a.from === b.from && a.until === b.until && contentKey(a) === contentKey(b);

const untilOrder = (r: LabelRecord): number => r.until ?? Number.MAX_VALUE;
const byStart = (a: LabelRecord, b: LabelRecord): number => a.from - b.from || a.label.localeCompare(b.label) || a.source.localeCompare(b.source) || untilOrder(a) - untilOrder(b);
