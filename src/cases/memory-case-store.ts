/** The embedded case store used by `replay` and unit tests. Same contract as the Redis store. */
import type { Alert } from '../contract/schemas.js';
import { deriveCaseId, higherSeverity, type AuditEntry, type Case, type CaseStatus, type CaseStore, type Disposition, CASE_ALERT_IDS } from './case-model.js';

export class MemoryCaseStore implements CaseStore {
  private readonly cases = new Map<string, Case>();
  private readonly openBySubject = new Map<string, string>();
  private readonly alertIndex = new Map<string, string>();
  private readonly auditLog = new Map<string, AuditEntry[]>();

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
      this.openBySubject.set(subject, caseId);
      this.record({ caseId, action: 'open', at: alert.triggeredAt, detail: alert.alertId });
    } else if (c.alertCount < CASE_ALERT_IDS) {
      this.record({ caseId: c.caseId, action: 'add-alert', at: alert.triggeredAt, detail: alert.alertId });
    }
    c.alertCount++;
    c.alertIds.push(alert.alertId);
    if (c.alertIds.length > CASE_ALERT_IDS) c.alertIds.shift();
    c.score = Math.max(c.score, alert.score);
    c.severity = higherSeverity(c.severity, alert.severity);
    if (!c.typologies.includes(alert.typology)) c.typologies = [...c.typologies, alert.typology].sort();
    if (alert.triggeredAt > c.updatedAt) c.updatedAt = alert.triggeredAt;
    this.alertIndex.set(alert.alertId, c.caseId);
    return { caseId: c.caseId, added: true };
  }

  private expireLeases(now: number): void {
    for (const c of this.cases.values()) {
      if (c.status === 'claimed' && (c.leaseUntil ?? 0) <= now) {
        c.status = 'open';
        this.record({ caseId: c.caseId, action: 'expire', at: new Date(now).toISOString(), ...(c.analyst ? { analyst: c.analyst } : {}) });
        delete c.analyst;
        delete c.leaseUntil;
      }
    }
  }

  async list(options: { status?: CaseStatus; limit?: number } = {}): Promise<Case[]> {
    return this.sorted(options);
  }

  /** Synchronous, so a claim cannot interleave with another between choosing and taking a case. */
  private sorted(options: { status?: CaseStatus; limit?: number }): Case[] {
    const all = [...this.cases.values()].filter((c) => !options.status || c.status === options.status);
    all.sort((a, b) => b.score - a.score || b.caseId.localeCompare(a.caseId)); // the Redis store's order (ZREVRANGE)
    return all.slice(0, options.limit ?? all.length).map((c) => ({ ...c }));
  }

  async get(caseId: string): Promise<Case | undefined> {
    const c = this.cases.get(caseId);
    return c ? { ...c } : undefined;
  }

  async claim(analyst: string, leaseMs: number, now: number): Promise<Case | undefined> {
    this.expireLeases(now);
    const [next] = this.sorted({ status: 'open', limit: 1 });
    if (!next) return undefined;
    const c = this.cases.get(next.caseId)!;
    c.status = 'claimed';
    c.analyst = analyst;
    c.leaseUntil = now + leaseMs;
    this.record({ caseId: c.caseId, action: 'claim', at: new Date(now).toISOString(), analyst });
    return { ...c };
  }

  async release(caseId: string, analyst: string, now: number): Promise<boolean> {
    const c = this.cases.get(caseId);
    if (!c || c.status !== 'claimed' || c.analyst !== analyst) return false;
    c.status = 'open';
    delete c.analyst;
    delete c.leaseUntil;
    this.record({ caseId, action: 'release', at: new Date(now).toISOString(), analyst });
    return true;
  }

  async resolve(caseId: string, disposition: Disposition, note: string, analyst: string, now: number): Promise<boolean> {
    const c = this.cases.get(caseId);
    if (!c || c.status === 'resolved' || (c.status === 'claimed' && c.analyst !== analyst)) return false;
    c.status = 'resolved';
    c.disposition = disposition;
    c.note = note;
    c.analyst = analyst;
    delete c.leaseUntil;
    if (this.openBySubject.get(c.subject) === caseId) this.openBySubject.delete(c.subject);
    this.record({ caseId, action: 'resolve', at: new Date(now).toISOString(), analyst, detail: disposition });
    return true;
  }

  async audit(caseId: string): Promise<AuditEntry[]> {
    return [...(this.auditLog.get(caseId) ?? [])];
  }
}
