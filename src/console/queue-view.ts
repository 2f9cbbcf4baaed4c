/** The queue as analysts filter it, with each case's age and SLA (hours per severity, from config). */
import type { Case, CaseStatus } from '../cases/case-model.js';
import { matchesQuery, type CaseQuery, type Severity } from '../cases/case-query.js';

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
  /** One subject's cases (an account id, matched exactly). */
  subject?: string;
  minAgeHours?: number;
  maxAgeHours?: number;
  breachedOnly?: boolean;
  offset?: number;
  limit?: number;
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

/** The store query for a queue filter at `now`: ages become opening times, an SLA breach an opening before now − SLA. */
export function queueQuery(filter: QueueFilter, sla: SlaHours, now: number): CaseQuery {
  const cutoffs: Partial<Record<Severity, number>> = {};
  for (const [severity, hours] of Object.entries(sla)) if (Number.isFinite(hours)) cutoffs[severity as Severity] = now - hours * HOUR;
  return {
    ...(filter.status ? { statuses: filter.status } : {}), ...(filter.severity ? { severities: filter.severity as Severity[] } : {}),
    ...(filter.typology ? { typology: filter.typology } : {}), ...(filter.assignee ? { assignee: filter.assignee } : {}), ...(filter.subject ? { subject: filter.subject } : {}),
    ...(filter.minAgeHours !== undefined ? { openedTo: now - filter.minAgeHours * HOUR } : {}), ...(filter.maxAgeHours !== undefined ? { openedFrom: now - filter.maxAgeHours * HOUR } : {}),
    ...(filter.breachedOnly ? { breachCutoffs: cutoffs } : {}), ...(filter.offset !== undefined ? { offset: filter.offset } : {}), ...(filter.limit !== undefined ? { limit: filter.limit } : {}),
  };
}

/** Rows matching every given filter, in the store's order (score, then case id): what the store's query answers. */
export function queueView(cases: readonly Case[], filter: QueueFilter, sla: SlaHours, now: number): QueueRow[] {
  const q = queueQuery(filter, sla, now);
  return cases.filter((c) => matchesQuery(c, q)).map((c) => toRow(c, sla, now));
}
