/** Everything the case page shows, in one read: alerts, audit, notes, timeline, linked accounts and the path graph. */
import type { Case, CaseStore } from '../cases/case-model.js';
import type { Alert } from '../contract/schemas.js';
import type { AccountEvents, LinkedAccount, TimelineEvent } from './account-events.js';
import { buildPathGraph, type PathGraph } from './path-graph.js';
import type { RuleBook, RuleParameters } from './rule-parameters.js';
import { toRow, type QueueRow, type SlaHours } from './queue-view.js';

export interface CaseDetail {
  case: QueueRow;
  alerts: Alert[];
  audit: Awaited<ReturnType<CaseStore['audit']>>;
  timeline: (TimelineEvent & { evidence: boolean })[];
  linked: (LinkedAccount & { caseIds: string[] })[];
  graph: PathGraph;
  timelineAvailable: boolean;
  /** The thresholds and settings of the alerts' rules, from the rules folder the console read (none without one). */
  rules: Record<string, RuleParameters>;
}

/** The clusters the alerts name for addresses: a fan-in's cluster and its addresses, and each address on a path. */
function clustersOfAddresses(alerts: readonly Alert[]): Map<string, string> {
  const out = new Map<string, string>();
  const note = (address: unknown, cluster: unknown): void => { if (typeof address === 'string' && typeof cluster === 'string') out.set(address.toLowerCase(), cluster); };
  for (const a of alerts) {
    const { cluster, addresses } = a.evidence;
    if (Array.isArray(addresses)) for (const address of addresses) note(address, cluster);
    for (const hops of Object.values(a.evidence)) {
      if (Array.isArray(hops)) for (const hop of hops) if (hop && typeof hop === 'object') note((hop as Record<string, unknown>).address, (hop as Record<string, unknown>).cluster);
    }
  }
  return out;
}

/**
 * The destination cluster an alert names, or, for one that names only the destination address (a
 * payroll forward's `sharedDestination`), that address's cluster from the case's other alerts, or
 * failing that the address itself: a link names what the accounts share, never a placeholder.
 */
function destinationOf(evidence: Alert['evidence'], clusters: ReadonlyMap<string, string>): string | undefined {
  for (const key of ['cluster', 'consolidationCluster']) {
    const named = evidence[key];
    if (typeof named === 'string') return named;
  }
  const destinations = Array.isArray(evidence.destination) ? evidence.destination.filter((d): d is string => typeof d === 'string') : [];
  if (destinations.length === 0) return undefined;
  return clusters.get(destinations[0]!.toLowerCase()) ?? `the cluster of ${destinations.join(', ')}`;
}

/** Accounts the alerts themselves name as paying the same destination cluster (fan-in, payroll). */
function linkedByEvidence(subject: string, alerts: readonly Alert[]): LinkedAccount[] {
  const out: LinkedAccount[] = [];
  const clusters = clustersOfAddresses(alerts);
  for (const a of alerts) {
    const cluster = destinationOf(a.evidence, clusters) ?? 'the destination cluster';
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

export async function caseDetail(c: Case, cases: CaseStore, events: AccountEvents | undefined, sla: SlaHours, now: number, rules?: RuleBook): Promise<CaseDetail> {
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
    rules: rules?.of(new Set(alerts.map((a) => a.ruleId))) ?? {},
  };
}

