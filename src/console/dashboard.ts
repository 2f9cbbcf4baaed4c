/** The supervisor's figures: alerts per typology per day, queue size and ageing, SLA breaches, dispositions per rule. */
import type { Case } from '../cases/case-model.js';
import type { Alert } from '../contract/schemas.js';
import { toRow, type SlaHours } from './queue-view.js';

export interface Dashboard {
  alertsPerDay: { day: string; typology: string; alerts: number }[];
  queue: { status: string; cases: number }[];
  ageing: { bucket: string; cases: number }[];
  slaBreaches: { caseId: string; subject: string; severity: string; ageHours: number; slaHours: number }[];
  dispositionsPerRule: { ruleId: string; escalated: number; 'sar-filed': number; 'false-positive': number; resolved: number; falsePositiveRate: number }[];
}

const BUCKETS: [string, number][] = [['< 4 h', 4], ['4–24 h', 24], ['1–3 d', 72], ['3–7 d', 168], ['> 7 d', Infinity]];

export function buildDashboard(cases: readonly Case[], alertsOf: ReadonlyMap<string, readonly Alert[]>, sla: SlaHours, now: number): Dashboard {
  const perDay = new Map<string, number>();
  const queue = new Map<string, number>();
  const ageing = new Map<string, number>(BUCKETS.map(([b]) => [b, 0]));
  const perRule = new Map<string, Dashboard['dispositionsPerRule'][number]>();
  const slaBreaches: Dashboard['slaBreaches'] = [];
  for (const c of cases) {
    const alerts = alertsOf.get(c.caseId) ?? [];
    for (const a of alerts) {
      const key = `${a.triggeredAt.slice(0, 10)}\u0000${a.typology}`;
      perDay.set(key, (perDay.get(key) ?? 0) + 1);
    }
    queue.set(c.status, (queue.get(c.status) ?? 0) + 1);
    const row = toRow(c, sla, now);
    if (c.status !== 'resolved') {
      const bucket = BUCKETS.find(([, limit]) => row.ageHours < limit)![0];
      ageing.set(bucket, ageing.get(bucket)! + 1);
    }
    if (row.slaBreached) slaBreaches.push({ caseId: c.caseId, subject: c.subject, severity: c.severity, ageHours: row.ageHours, slaHours: row.slaHours! });
    if (c.status === 'resolved' && c.disposition) {
      for (const ruleId of new Set(alerts.map((a) => a.ruleId))) {
        const r = perRule.get(ruleId) ?? { ruleId, escalated: 0, 'sar-filed': 0, 'false-positive': 0, resolved: 0, falsePositiveRate: 0 };
        r[c.disposition]++;
        r.resolved++;
        r.falsePositiveRate = Math.round((r['false-positive'] / r.resolved) * 1000) / 1000;
        perRule.set(ruleId, r);
      }
    }
  }
  return {
    alertsPerDay: [...perDay].map(([k, alerts]) => { const [day, typology] = k.split('\u0000') as [string, string]; return { day, typology, alerts }; }).sort((a, b) => a.day.localeCompare(b.day) || a.typology.localeCompare(b.typology)),
    queue: [...queue].map(([status, n]) => ({ status, cases: n })).sort((a, b) => a.status.localeCompare(b.status)),
    ageing: [...ageing].map(([bucket, n]) => ({ bucket, cases: n })),
    slaBreaches: slaBreaches.sort((a, b) => b.ageHours - a.ageHours || a.caseId.localeCompare(b.caseId)),
    dispositionsPerRule: [...perRule.values()].sort((a, b) => a.ruleId.localeCompare(b.ruleId)),
  };
}
