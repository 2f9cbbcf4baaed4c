/**
 * What the supervisor's dashboard reads from a case store, kept as the cases change instead of
 * recomputed from every case per request: a store holding years of cases answers with a few
 * counters and its unresolved cases (the working queue), not with every case and alert.
 *
 * - alerts added to cases, per event-time day and typology (counted once per alert id when it
 *   joins a case, whatever the per-case cap keeps), for the newest ALERT_DAYS_KEPT days;
 * - resolutions per rule and disposition: a case counts once for each rule among its kept alerts
 *   when it is resolved, and is taken off again when it is reopened (archived cases stay counted);
 * - cases per status, and the unresolved cases themselves.
 */
import type { Alert } from '../contract/schemas.js';
import type { Case, CaseStatus, Disposition } from './case-model.js';

/** Days of alert counts a store keeps, behind the newest day counted. */
export const ALERT_DAYS_KEPT = 400;
/** Days of alert counts the dashboard shows (the newest with data). */
export const ALERT_DAYS_SHOWN = 90;

export interface DashboardFigures {
  /** `day|typology` → alerts added to cases. */
  alertsPerDay: Record<string, number>;
  /** `ruleId|disposition` → resolved cases. */
  resolutions: Record<string, number>;
  statusCounts: Partial<Record<CaseStatus, number>>;
  /** Open, claimed and pending-approval cases. */
  unresolved: Case[];
}

/** The counter field of an alert's day (event time, UTC) and typology. */
export function alertDayField(alert: Pick<Alert, 'triggeredAt' | 'typology'>): string {
  return `${alert.triggeredAt.slice(0, 10)}|${alert.typology}`;
}

/** The day of a counter field. */
export const dayOfField = (field: string): string => field.slice(0, 10);

/** Counter fields whose day is more than ALERT_DAYS_KEPT days behind the newest day counted. */
export function staleAlertDays(fields: Iterable<string>): string[] {
  const all = [...fields];
  const newest = all.reduce((m, f) => (dayOfField(f) > m ? dayOfField(f) : m), '');
  if (newest === '') return [];
  const cutoff = new Date(Date.parse(`${newest}T00:00:00Z`) - ALERT_DAYS_KEPT * 86_400_000).toISOString().slice(0, 10);
  return all.filter((f) => dayOfField(f) < cutoff);
}

/**
 * The resolution counters a transition moves: each rule of the case loses its old disposition if
 * the case was resolved, and gains its new one if it now is. Empty when neither holds or both are
 * the same disposition over the same rules.
 */
export function resolutionDeltas(before: Case, after: Case, ruleIds: readonly string[]): [field: string, delta: number][] {
  const was = before.status === 'resolved' ? before.disposition : undefined;
  const now = after.status === 'resolved' ? after.disposition : undefined;
  if (was === now) return [];
  const out: [string, number][] = [];
  const rules = [...new Set(ruleIds)].sort();
  if (was) for (const r of rules) out.push([resolutionField(r, was), -1]);
  if (now) for (const r of rules) out.push([resolutionField(r, now), 1]);
  return out;
}

export const resolutionField = (ruleId: string, disposition: Disposition): string => `${ruleId}|${disposition}`;

/** Adds `delta` to a counter of a plain record, dropping it at zero. */
export function bump(counters: Record<string, number>, field: string, delta: number): void {
  const next = (counters[field] ?? 0) + delta;
  if (next === 0) delete counters[field];
  else counters[field] = next;
}
