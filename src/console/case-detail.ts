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

/** Accounts the alerts themselves name as paying the same destination cluster (fan-in, payroll). */
function linkedByEvidence(subject: string, alerts: readonly Alert[]): LinkedAccount[] {
  const out: LinkedAccount[] = [];
  for (const a of alerts) {
    const cluster = typeof a.evidence.cluster === 'string' ? a.evidence.cluster : typeof a.evidence.consolidationCluster === 'string' ? a.evidence.consolidationCluster : 'the destination cluster';
    for (const key of ['accountIds', 'sharedDestination']) {
      const ids = a.evidence[key];
      if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'string' && id !== subject) out.push({ accountId: id, via: 'destination cluster', value: cluster });
    }
  }
  return out;
}

function mergeLinks(...lists: LinkedAccount[][]): LinkedAccount[] {
  const seen = new Map<string, LinkedAccount>();
  for (const l of lists.flat()) seen.set(`${l.accountId}\u0000${l.via}\u0000${l.value}`, l);
  return [...seen.values()].sort((a, b) => a.accountId.localeCompare(b.accountId) || a.via.localeCompare(b.via) || a.value.localeCompare(b.value));
}

export async function caseDetail(c: Case, cases: CaseStore, events: AccountEvents | undefined, sla: SlaHours, now: number): Promise<CaseDetail> {
  const [alerts, audit] = await Promise.all([cases.alerts(c.caseId), cases.audit(c.caseId)]);
  const evidence = new Set(alerts.flatMap((a) => a.eventIds));
  const links = mergeLinks(events?.linkedAccounts(c.subject) ?? [], linkedByEvidence(c.subject, alerts));
  const casesBySubject = new Map<string, string[]>();
  for (const account of new Set(links.map((l) => l.accountId))) casesBySubject.set(account, await cases.casesOfSubject(account));
  return {
    case: toRow(c, sla, now),
    alerts,
    audit,
    timeline: (events?.timeline(c.subject) ?? []).map((e) => ({ ...e, evidence: evidence.has(e.eventId) })),
    linked: links.map((l) => ({ ...l, caseIds: casesBySubject.get(l.accountId) ?? [] })),
    graph: buildPathGraph(alerts, events),
    timelineAvailable: events !== undefined,
  };
}

