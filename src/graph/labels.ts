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
}

import { ShardedMap } from '../state/sharded-map.js';

export class LabelHistory {
  /** Bounded by the intelligence fed in, not by traffic; sharded past one Map's 2²⁴ entries. */
  private readonly byAddress = new ShardedMap<number, LabelRecord[]>();

  /** Adds a label, or closes the open one with the same label and source when `removed`. */
  apply(addressId: number, record: LabelRecord, removed = false): boolean {
    const list = this.byAddress.get(addressId) ?? [];
    const open = list.find((r) => r.label === record.label && r.source === record.source && r.until === undefined);
    if (removed) {
      if (!open) return false;
      open.until = record.from;
      return true;
    }
    if (open && open.from <= record.from) return false; // already known
    list.push(record);
    this.byAddress.set(addressId, list);
    return true;
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

  /** Puts back one address's records from a checkpoint. */
  restore(addressId: number, records: LabelRecord[]): void {
    this.byAddress.set(addressId, records);
  }
}
