/** Everything the case page shows, in one read: alerts, audit, notes, timeline, linked accounts and the path graph. */
import type { Case, CaseStore } from '../cases/case-model.js';
import type { Alert } from '../contract/schemas.js';
import type { AccountEvents, LinkedAccount, TimelineEvent } from './account-events.js';
import { buildPathGraph, type PathGraph } from './path-graph.js';
import { toRow, type QueueRow, type SlaHours } from './queue-view.js';

export interface CaseDetail {
  case: QueueRow;
  alerts: Alert[];
  audit: Awaited<ReturnType<CaseStore['audit']>>;
  timeline: (TimelineEvent & { evidence: boolean })[];
  linked: (LinkedAccount & { caseIds: string[] })[];
  graph: PathGraph;
  timelineAvailable: boolean;
}

export async function caseDetail(c: Case, cases: CaseStore, events: AccountEvents | undefined, sla: SlaHours, now: number): Promise<CaseDetail> {
  const [alerts, audit, all] = await Promise.all([cases.alerts(c.caseId), cases.audit(c.caseId), cases.list()]);
  const evidence = new Set(alerts.flatMap((a) => a.eventIds));
  const casesBySubject = new Map<string, string[]>();
  for (const other of all) casesBySubject.set(other.subject, [...(casesBySubject.get(other.subject) ?? []), other.caseId]);
  return {
    case: toRow(c, sla, now),
    alerts,
    audit,
    timeline: (events?.timeline(c.subject) ?? []).map((e) => ({ ...e, evidence: evidence.has(e.eventId) })),
    linked: (events?.linkedAccounts(c.subject) ?? []).map((l) => ({ ...l, caseIds: casesBySubject.get(l.accountId) ?? [] })),
    graph: buildPathGraph(alerts, events),
    timelineAvailable: events !== undefined,
  };
}

/** Every kept alert of every case, by case id (the dashboard and cluster look-ups read them). */
export async function alertsOfCases(cases: CaseStore, list: readonly Case[]): Promise<Map<string, Alert[]>> {
  const out = new Map<string, Alert[]>();
  for (const c of list) out.set(c.caseId, await cases.alerts(c.caseId));
  return out;
}
