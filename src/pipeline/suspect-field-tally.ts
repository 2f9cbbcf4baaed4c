/**
 * Counts of accepted messages' suspect fields (src/decode/suspect-fields.ts) by topic, field as
 * sent and the field it resembles: what replay's report prints and the monitor's
 * tidewatch_suspect_fields_total counts. The field as sent is the producer's text, so the series
 * are bounded: past MAX_SERIES, a new one is counted as OTHER_FIELD (its nearest field kept).
 */
import type { SuspectField } from '../decode/suspect-fields.js';

/** Distinct (topic, field, nearest) series counted apart; past them a field is counted as OTHER_FIELD. */
export const MAX_SERIES = 64;
export const OTHER_FIELD = '(other)';

export interface SuspectSeries { topic: string; field: string; nearest: string }

export class SuspectFieldTally {
  private readonly counts = new Map<string, { series: SuspectSeries; count: number }>();

  /**
   * Counts one suspect field of a message read from `topic`; returns its series (the field may be
   * OTHER_FIELD) and whether this is the series' first count, for a warning told once.
   */
  note(topic: string, suspect: SuspectField): { series: SuspectSeries; first: boolean } {
    let key = `${topic}\n${suspect.field}\n${suspect.nearest}`;
    let entry = this.counts.get(key);
    if (entry === undefined && this.counts.size >= MAX_SERIES) {
      key = `${topic}\n${OTHER_FIELD}\n${suspect.nearest}`;
      entry = this.counts.get(key);
    }
    const first = entry === undefined;
    if (entry === undefined) {
      entry = { series: { topic, field: key.split('\n')[1]!, nearest: suspect.nearest }, count: 0 };
      this.counts.set(key, entry);
    }
    entry.count++;
    return { series: entry.series, first };
  }

  /** Every series and its count, most counted first (ties by topic, field). */
  summary(): (SuspectSeries & { count: number })[] {
    return [...this.counts.values()]
      .map(({ series, count }) => ({ ...series, count }))
      .sort((a, b) => b.count - a.count || a.topic.localeCompare(b.topic) || a.field.localeCompare(b.field));
  }
}
