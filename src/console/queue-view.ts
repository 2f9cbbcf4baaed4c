/** The queue as analysts filter it, with each case's age and SLA (hours per severity, from config). */
import { CASE_STATUSES, type Case, type CaseStatus } from '../cases/case-model.js';

export type SlaHours = Record<'critical' | 'high' | 'medium' | 'low', number>;

/** `critical=4,high=24,medium=72` (CONSOLE_SLA_HOURS); an unnamed severity has no SLA. */
export function parseSla(text: string): SlaHours {
  const sla: SlaHours = { critical: Infinity, high: Infinity, medium: Infinity, low: Infinity };
  for (const part of text.split(',')) {
    const [severity, hours] = part.split('=');
    if (!severity || !(severity in sla) || !hours || !(Number(hours) > 0)) throw new Error(`CONSOLE_SLA_HOURS: ${JSON.stringify(part)} is not severity=hours`);
    sla[severity as keyof SlaHours] = Number(hours);
  }
  return sla;
}

export interface QueueFilter {
  status?: CaseStatus[];
  severity?: string[];
  typology?: string;
  assignee?: string;
  minAgeHours?: number;
  maxAgeHours?: number;
  breachedOnly?: boolean;
}

export interface QueueRow extends Case {
  ageHours: number;
  slaHours: number | null;
  slaBreached: boolean;
}

const HOUR = 3_600_000;

export function toRow(c: Case, sla: SlaHours, now: number): QueueRow {
  const ageHours = Math.max(0, (now - Date.parse(c.openedAt)) / HOUR);
  const limit = sla[c.severity];
  return { ...c, ageHours: Math.round(ageHours * 10) / 10, slaHours: Number.isFinite(limit) ? limit : null, slaBreached: c.status !== 'resolved' && ageHours > limit };
}

/** Rows matching every given filter, in the store's order (score, then case id). */
export function queueView(cases: readonly Case[], filter: QueueFilter, sla: SlaHours, now: number): QueueRow[] {
  const statuses = filter.status ?? CASE_STATUSES.filter((s) => s !== 'resolved');
  return cases.map((c) => toRow(c, sla, now)).filter((r) =>
    statuses.includes(r.status)
    && (!filter.severity || filter.severity.includes(r.severity))
    && (!filter.typology || r.typologies.includes(filter.typology))
    && (!filter.assignee || (filter.assignee === '-' ? !r.analyst : r.analyst === filter.assignee))
    && (filter.minAgeHours === undefined || r.ageHours >= filter.minAgeHours)
    && (filter.maxAgeHours === undefined || r.ageHours <= filter.maxAgeHours)
    && (!filter.breachedOnly || r.slaBreached));
}
