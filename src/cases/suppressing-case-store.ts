/**
 * A case store that first asks the suppressions: a silenced alert is recorded as suppressed and
 * opens no case (addAlert answers caseId '' and added false); everything else is the inner store's.
 * A critical alert is never silenced: one supervisor's suppression of an account had disposed of
 * a year of critical sanctions hits alone, where closing one such case needs two (security QA). A
 * high alert is silenced only by a suppression a second supervisor confirmed (see `silences`).
 */
import type { DashboardFigures } from './dashboard-figures.js';
import type { Alert } from '../contract/schemas.js';
import type { Actor, AuditEntry, Case, CaseListOptions, CaseStore, Disposition, ReadEntry, ReadFilter, SarFormat } from './case-model.js';
import type { CasePage, CaseQuery } from './case-query.js';
import type { Suppressions } from './suppressions.js';

export class SuppressingCaseStore implements CaseStore {
  constructor(private readonly inner: CaseStore, private readonly suppressions: Suppressions, private readonly wallClock: () => number = Date.now) {}

  async addAlert(alert: Alert): Promise<{ caseId: string; added: boolean }> {
    if (await this.suppressions.check(alert, this.wallClock())) return { caseId: '', added: false };
    return this.inner.addAlert(alert);
  }

  list(options?: CaseListOptions): Promise<Case[]> { return this.inner.list(options); }
  query(q: CaseQuery): Promise<CasePage> { return this.inner.query(q); }
  casesOfSubject(accountId: string): Promise<string[]> { return this.inner.casesOfSubject(accountId); }
  typologies(): Promise<string[]> { return this.inner.typologies(); }
  get(caseId: string): Promise<Case | undefined> { return this.inner.get(caseId); }
  caseOfAlert(alertId: string): Promise<string | undefined> { return this.inner.caseOfAlert(alertId); }
  alerts(caseId: string): Promise<Alert[]> { return this.inner.alerts(caseId); }
  claim(actor: Actor, leaseMs: number, now: number): Promise<Case | undefined> { return this.inner.claim(actor, leaseMs, now); }
  expireLeases(now: number): Promise<void> { return this.inner.expireLeases(now); }
  release(caseId: string, actor: Actor, now: number): Promise<Case> { return this.inner.release(caseId, actor, now); }
  handBackCasesOf(holder: string, reason: string, by: string, now: number): Promise<string[]> { return this.inner.handBackCasesOf(holder, reason, by, now); }
  assign(caseId: string, analyst: string, actor: Actor, leaseMs: number, now: number): Promise<Case> { return this.inner.assign(caseId, analyst, actor, leaseMs, now); }
  resolve(caseId: string, disposition: Disposition, note: string, actor: Actor, now: number): Promise<Case> { return this.inner.resolve(caseId, disposition, note, actor, now); }
  approve(caseId: string, actor: Actor, now: number, proposedAt?: string): Promise<Case> { return this.inner.approve(caseId, actor, now, proposedAt); }
  reject(caseId: string, reason: string, actor: Actor, now: number): Promise<Case> { return this.inner.reject(caseId, reason, actor, now); }
  reopen(caseId: string, reason: string, actor: Actor, now: number): Promise<Case> { return this.inner.reopen(caseId, reason, actor, now); }
  addNote(caseId: string, text: string, actor: Actor, now: number): Promise<void> { return this.inner.addNote(caseId, text, actor, now); }
  recordSarExport(caseId: string, format: SarFormat, actor: Actor, now: number): Promise<void> { return this.inner.recordSarExport(caseId, format, actor, now); }
  audit(caseId: string): Promise<AuditEntry[]> { return this.inner.audit(caseId); }
  recordRead(entry: ReadEntry): Promise<void> { return this.inner.recordRead(entry); }
  reads(filter: ReadFilter): Promise<ReadEntry[]> { return this.inner.reads(filter); }
  dashboardFigures(): Promise<DashboardFigures> { return this.inner.dashboardFigures(); }
  casesOfCluster(cluster: string): Promise<string[]> { return this.inner.casesOfCluster(cluster); }
}
