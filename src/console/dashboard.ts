/**
 * The supervisor's figures: alerts per typology per day, queue size and ageing, SLA breaches,
 * dispositions per rule, from the store's counters and its unresolved cases (dashboard-figures.ts).
 */
import { DISPOSITIONS, type Disposition } from '../cases/case-model.js';
import { ALERT_DAYS_SHOWN, dayOfField, type DashboardFigures } from '../cases/dashboard-figures.js';
import { toRow, type SlaHours } from './queue-view.js';

export interface Dashboard {
  alertsPerDay: { day: string; typology: string; alerts: number }[];
  queue: { status: string; cases: number }[];
  ageing: { bucket: string; cases: number }[];
  slaBreaches: { caseId: string; subject: string; severity: string; ageHours: number; slaHours: number }[];
  dispositionsPerRule: { ruleId: string; escalated: number; 'sar-filed': number; 'false-positive': number; resolved: number; falsePositiveRate: number }[];
}

const BUCKETS: [string, number][] = [['< 4 h', 4], ['4–24 h', 24], ['1–3 d', 72], ['3–7 d', 168], ['> 7 d', Infinity]];

export function buildDashboard(f: DashboardFigures, sla: SlaHours, now: number): Dashboard {
  const ageing = new Map<string, number>(BUCKETS.map(([b]) => [b, 0]));
  const slaBreaches: Dashboard['slaBreaches'] = [];
  for (const c of f.unresolved) {
    const row = toRow(c, sla, now);
    const bucket = BUCKETS.find(([, limit]) => row.ageHours < limit)![0];
    ageing.set(bucket, ageing.get(bucket)! + 1);
    if (row.slaBreached) slaBreaches.push({ caseId: c.caseId, subject: c.subject, severity: c.severity, ageHours: row.ageHours, slaHours: row.slaHours! });
  }
  return {
    alertsPerDay: newestDays(f.alertsPerDay),
    queue: Object.entries(f.statusCounts).map(([status, n]) => ({ status, cases: n })).sort((a, b) => a.status.localeCompare(b.status)),
    ageing: [...ageing].map(([bucket, n]) => ({ bucket, cases: n })),
    slaBreaches: slaBreaches.sort((a, b) => b.ageHours - a.ageHours || a.caseId.localeCompare(b.caseId)),
    dispositionsPerRule: perRule(f.resolutions),
  };
}

/** The counted days' rows, the newest ALERT_DAYS_SHOWN days with alerts, by day then typology. */
function newestDays(counters: Record<string, number>): Dashboard['alertsPerDay'] {
  const days = [...new Set(Object.keys(counters).map(dayOfField))].sort().slice(-ALERT_DAYS_SHOWN);
  const shown = new Set(days);
  return Object.entries(counters)
    .map(([field, alerts]) => ({ day: dayOfField(field), typology: field.slice(11), alerts }))
    .filter((r) => shown.has(r.day))
    .sort((a, b) => a.day.localeCompare(b.day) || a.typology.localeCompare(b.typology));
}

/** Resolutions per rule from the `ruleId|disposition` counters. */
function perRule(counters: Record<string, number>): Dashboard['dispositionsPerRule'] {
  const rows = new Map<string, Dashboard['dispositionsPerRule'][number]>();
  for (const [field, n] of Object.entries(counters)) {
    const at = field.lastIndexOf('|');
    const ruleId = field.slice(0, at);
    const disposition = field.slice(at + 1) as Disposition;
    if (!DISPOSITIONS.includes(disposition) || n <= 0) continue;
    const r = rows.get(ruleId) ?? { ruleId, escalated: 0, 'sar-filed': 0, 'false-positive': 0, resolved: 0, falsePositiveRate: 0 };
    r[disposition] += n;
    r.resolved += n;
    r.falsePositiveRate = Math.round((r['false-positive'] / r.resolved) * 1000) / 1000;
    rows.set(ruleId, r);
  }
  return [...rows.values()].sort((a, b) => a.ruleId.localeCompare(b.ruleId));
}
