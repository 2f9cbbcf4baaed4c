/** The embedded case store used by `replay`, `console --demo` and unit tests. Same contract as the Redis store. */
import type { Alert } from '../contract/schemas.js';
import {
  byQueueOrder, deriveCaseId, higherSeverity, readMatches, CASE_ALERT_IDS, CASE_RETENTION_SECONDS, READ_LOG_KEPT, SUBJECT_CASES_READ,
  type Actor, type AuditEntry, type Case, type CaseListOptions, type CaseStore, type Disposition, type ReadEntry, type ReadFilter,
} from './case-model.js';
import {
  claimAllowed, missing, setAsideNote, type Transition,
} from './case-transitions.js';
import { CaseTransitionMethods } from './transition-methods.js';
import { alertDayField, bump, resolutionDeltas, staleAlertDays, type DashboardFigures } from './dashboard-figures.js';
import { CLUSTER_CASES_READ, clustersMentioned } from './cluster-mentions.js';
import { matchesQuery, pageBounds, type CasePage, type CaseQuery } from './case-query.js';

export class MemoryCaseStore extends CaseTransitionMethods implements CaseStore {
  private readonly cases = new Map<string, Case>();
  private readonly alertsByCase = new Map<string, Map<string, Alert>>();
  private readonly openBySubject = new Map<string, string>();
  private readonly alertIndex = new Map<string, string>();
  private readonly auditLog = new Map<string, AuditEntry[]>();
  /** The access log, oldest first, its newest READ_LOG_KEPT entries. */
  private readonly readLog: ReadEntry[] = [];
  /** Wall-clock time (ms) after which a resolved case is forgotten, as Redis expires its keys. */
  private readonly expiresAt = new Map<string, number>();
  /** The dashboard's counters (dashboard-figures.ts). */
  private readonly alertsPerDay: Record<string, number> = {};
  private readonly resolutions: Record<string, number> = {};
  /** Cluster → case id → event time (ms) of the newest alert of the case that names it. */
  private readonly clusterCases = new Map<string, Map<string, number>>();

  /** @param retentionSeconds how long a resolved case, its alerts and audit are kept */
  constructor(private readonly retentionSeconds = CASE_RETENTION_SECONDS, private readonly wallClock: () => number = Date.now) {
    super();
  }

  private record(entry: AuditEntry): void {
    const list = this.auditLog.get(entry.caseId) ?? [];
    list.push(entry);
    this.auditLog.set(entry.caseId, list);
  }

  async addAlert(alert: Alert): Promise<{ caseId: string; added: boolean }> {
    const known = this.alertIndex.get(alert.alertId);
    if (known) return { caseId: known, added: false };
    const subject = alert.subject.accountId;
    let caseId = this.openBySubject.get(subject);
    let c = caseId ? this.cases.get(caseId) : undefined;
    if (!c) {
      caseId = deriveCaseId(subject, alert.alertId);
      c = { caseId, subject, status: 'open', score: alert.score, severity: alert.severity, typologies: [], alertIds: [], alertCount: 0, openedAt: alert.triggeredAt, updatedAt: alert.triggeredAt };
      this.cases.set(caseId, c);
      this.alertsByCase.set(caseId, new Map());
      this.openBySubject.set(subject, caseId);
      this.record({ caseId, action: 'open', at: alert.triggeredAt, detail: alert.alertId });
    } else if (c.alertCount < CASE_ALERT_IDS) {
      this.record({ caseId: c.caseId, action: 'add-alert', at: alert.triggeredAt, detail: alert.alertId });
    }
    const kept = this.alertsByCase.get(c.caseId)!;
    c.alertCount++;
    c.alertIds.push(alert.alertId);
    // Kept as its JSON, as the Redis store keeps it: evidence holds exact decimals (a hop's amount
    // and USD), which structuredClone turned into bare {units, scale} records, so the demo console
    // drew "[object Object] ETH" on its hops and its API sent them so (session 48 QA).
    kept.set(alert.alertId, JSON.parse(JSON.stringify(alert)) as Alert);
    if (c.alertIds.length > CASE_ALERT_IDS) kept.delete(c.alertIds.shift()!);
    c.score = Math.max(c.score, alert.score);
    c.severity = higherSeverity(c.severity, alert.severity);
    if (!c.typologies.includes(alert.typology)) c.typologies = [...c.typologies, alert.typology].sort();
    if (alert.triggeredAt > c.updatedAt) c.updatedAt = alert.triggeredAt;
    // The proposer reviewed the alerts before this one: a closure proposed without it is set aside.
    if (c.status === 'pending-approval') {
      const proposal = c.pending;
      this.record({ caseId: c.caseId, action: 'set-aside', at: alert.triggeredAt, analyst: proposal?.by ?? '', detail: alert.alertId, note: setAsideNote(alert, proposal?.disposition) });
      c.status = 'open';
      delete c.pending;
    }
    this.alertIndex.set(alert.alertId, c.caseId);
    bump(this.alertsPerDay, alertDayField(alert), 1);
    for (const cluster of clustersMentioned(alert)) {
      const cases = this.clusterCases.get(cluster) ?? new Map<string, number>();
      cases.set(c.caseId, Math.max(cases.get(c.caseId) ?? -Infinity, Date.parse(alert.triggeredAt)));
      this.clusterCases.set(cluster, cases);
    }
    for (const f of staleAlertDays(Object.keys(this.alertsPerDay))) delete this.alertsPerDay[f];
    return { caseId: c.caseId, added: true };
  }

  async casesOfCluster(cluster: string): Promise<string[]> {
    this.forgetExpired();
    const cases = [...(this.clusterCases.get(cluster) ?? [])].filter(([id]) => this.cases.has(id));
    return cases.sort((a, b) => b[1] - a[1] || b[0].localeCompare(a[0])).slice(0, CLUSTER_CASES_READ).map(([id]) => id);
  }

  async dashboardFigures(): Promise<DashboardFigures> {
    this.forgetExpired();
    const statusCounts: DashboardFigures['statusCounts'] = {};
    const unresolved: Case[] = [];
    for (const c of this.cases.values()) {
      statusCounts[c.status] = (statusCounts[c.status] ?? 0) + 1;
      if (c.status !== 'resolved') unresolved.push(structuredClone(c));
    }
    return { alertsPerDay: { ...this.alertsPerDay }, resolutions: { ...this.resolutions }, statusCounts, unresolved };
  }

  async expireLeases(now: number): Promise<void> {
    this.expireLeasesNow(now);
  }

  /** Synchronous, so a claim cannot interleave between expiring leases and taking a case. */
  private expireLeasesNow(now: number): void {
    for (const c of this.cases.values()) {
      if (c.status === 'claimed' && (c.leaseUntil ?? 0) <= now) {
        c.status = 'open';
        this.record({ caseId: c.caseId, action: 'expire', at: new Date(now).toISOString(), ...(c.analyst ? { analyst: c.analyst } : {}) });
        delete c.analyst;
        delete c.leaseUntil;
      }
    }
  }

  private forgetExpired(): void {
    const now = this.wallClock();
    for (const [caseId, at] of this.expiresAt) {
      if (at > now) continue;
      this.cases.delete(caseId);
      this.alertsByCase.delete(caseId);
      this.auditLog.delete(caseId);
      this.expiresAt.delete(caseId);
    }
  }

  async list(options: CaseListOptions = {}): Promise<Case[]> {
    return this.sorted(options);
  }

  async query(q: CaseQuery): Promise<CasePage> {
    const matching = this.sorted({}).filter((c) => matchesQuery(c, q));
    const { offset, limit } = pageBounds(q);
    return { total: matching.length, cases: matching.slice(offset, offset + limit) };
  }

  async casesOfSubject(accountId: string): Promise<string[]> {
    return this.sorted({}).filter((c) => c.subject === accountId).slice(0, SUBJECT_CASES_READ).map((c) => c.caseId);
  }

  async typologies(): Promise<string[]> {
    return [...new Set(this.sorted({}).flatMap((c) => c.typologies))].sort();
  }

  /** Synchronous, so a claim cannot interleave with another between choosing and taking a case. */
  private sorted(options: CaseListOptions): Case[] {
    this.forgetExpired();
    const all = [...this.cases.values()].filter((c) => !options.status || c.status === options.status);
    all.sort(byQueueOrder); // the Redis store's order (ZREVRANGE of the queue priority)
    return all.slice(0, options.limit ?? all.length).map((c) => structuredClone(c));
  }

  async get(caseId: string): Promise<Case | undefined> {
    this.forgetExpired();
    const c = this.cases.get(caseId);
    return c ? structuredClone(c) : undefined;
  }

  async caseOfAlert(alertId: string): Promise<string | undefined> {
    return this.alertIndex.get(alertId);
  }

  async alerts(caseId: string): Promise<Alert[]> {
    const c = await this.get(caseId);
    const kept = this.alertsByCase.get(caseId);
    return c && kept ? c.alertIds.map((id) => kept.get(id)).filter((a): a is Alert => a !== undefined).map((a) => structuredClone(a)) : [];
  }

  async claim(actor: Actor, leaseMs: number, now: number): Promise<Case | undefined> {
    claimAllowed(actor);
    this.expireLeasesNow(now);
    const [next] = this.sorted({ status: 'open', limit: 1 });
    if (!next) return undefined;
    const c = this.cases.get(next.caseId)!;
    c.status = 'claimed';
    c.analyst = actor.name;
    c.leaseUntil = now + leaseMs;
    this.record({ caseId: c.caseId, action: 'claim', at: new Date(now).toISOString(), analyst: actor.name });
    return structuredClone(c);
  }

  protected apply(caseId: string, change: (c: Case) => Transition): Case {
    this.forgetExpired();
    const current = this.cases.get(caseId);
    if (!current) throw missing(caseId);
    const t = change(structuredClone(current));
    const ruleIds = [...(this.alertsByCase.get(caseId)?.values() ?? [])].map((a) => a.ruleId);
    for (const [field, delta] of resolutionDeltas(current, t.doc, ruleIds)) bump(this.resolutions, field, delta);
    this.cases.set(caseId, t.doc);
    this.record(t.audit);
    if (t.subject === 'release' && this.openBySubject.get(t.doc.subject) === caseId) this.openBySubject.delete(t.doc.subject);
    if (t.subject === 'take-if-free' && !this.openBySubject.has(t.doc.subject)) this.openBySubject.set(t.doc.subject, caseId);
    if (t.doc.status === 'resolved') this.expiresAt.set(caseId, this.wallClock() + this.retentionSeconds * 1000);
    else this.expiresAt.delete(caseId);
    return structuredClone(t.doc);
  }

  async audit(caseId: string): Promise<AuditEntry[]> {
    return (this.auditLog.get(caseId) ?? []).map((e) => ({ ...e }));
  }

  async recordRead(entry: ReadEntry): Promise<void> {
    this.readLog.push(structuredClone(entry));
    if (this.readLog.length > READ_LOG_KEPT) this.readLog.splice(0, this.readLog.length - READ_LOG_KEPT);
  }

  async reads(filter: ReadFilter): Promise<ReadEntry[]> {
    const limit = filter.limit ?? 100;
    const found: ReadEntry[] = [];
    for (let i = this.readLog.length - 1; i >= 0 && found.length < limit; i--) if (readMatches(this.readLog[i]!, filter)) found.push(structuredClone(this.readLog[i]!));
    return found;
  }
}
