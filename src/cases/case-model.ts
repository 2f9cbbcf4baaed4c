/**
 * The analysts' case queue model, shared by the in-memory and Redis stores. Alerts for one
 * subject gather into one open case, ordered by score. Analysts claim a case with a lease,
 * release it, or resolve it with a disposition and a note; every change is audited.
 */
import { createHash } from 'node:crypto';
import type { Alert } from '../contract/schemas.js';

export const DISPOSITIONS = ['escalated', 'sar-filed', 'false-positive'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];
export type CaseStatus = 'open' | 'claimed' | 'resolved';

export interface Case {
  caseId: string;
  subject: string;
  status: CaseStatus;
  score: number;
  severity: Alert['severity'];
  typologies: string[];
  /** The newest CASE_ALERT_IDS alert ids (a hot subject's case would otherwise grow without end). */
  alertIds: string[];
  /** Every alert the case has gathered, however many ids are kept. */
  alertCount: number;
  openedAt: string;
  updatedAt: string;
  analyst?: string;
  leaseUntil?: number;
  disposition?: Disposition;
  note?: string;
}

export interface AuditEntry {
  caseId: string;
  action: 'open' | 'add-alert' | 'claim' | 'release' | 'expire' | 'resolve';
  at: string;
  analyst?: string;
  detail?: string;
}

/**
 * Alert ids a case keeps, and alerts whose addition is audited one by one; past it the case
 * counts them (`alertCount`) and the audit keeps the human actions. Bounded for a subject that
 * alerts for years.
 */
export const CASE_ALERT_IDS = 1000;
/** How long an alert id stays indexed to its case, so a redelivered alert adds nothing: the dedupe window. */
export const ALERT_INDEX_TTL_SECONDS = 400 * 86_400;

const SEVERITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

export function higherSeverity(a: Alert['severity'], b: Alert['severity']): Alert['severity'] {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

/** A case id is derived from the subject and the alert that opened it, so redelivery reopens nothing. */
export function deriveCaseId(subject: string, firstAlertId: string): string {
  return 'case-' + createHash('sha256').update(`${subject}\u0000${firstAlertId}`).digest('hex').slice(0, 20);
}

export interface CaseStore {
  /** Adds an alert to its subject's open case (opening one if none); idempotent by alertId. */
  addAlert(alert: Alert): Promise<{ caseId: string; added: boolean }>;
  list(options?: { status?: CaseStatus; limit?: number }): Promise<Case[]>;
  get(caseId: string): Promise<Case | undefined>;
  /** Claims the highest-scoring open case (expired leases first return to the queue). */
  claim(analyst: string, leaseMs: number, now: number): Promise<Case | undefined>;
  release(caseId: string, analyst: string, now: number): Promise<boolean>;
  resolve(caseId: string, disposition: Disposition, note: string, analyst: string, now: number): Promise<boolean>;
  audit(caseId: string): Promise<AuditEntry[]>;
}
