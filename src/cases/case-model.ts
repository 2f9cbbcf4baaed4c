/**
 * The analysts' case queue model, shared by the in-memory and Redis stores. Alerts for one
 * subject gather into one open case, ordered by severity and then score, and the case keeps each alert whole.
 * Signed-in users claim, are assigned, resolve (high and critical through a supervisor's
 * approval), reopen and annotate cases; every change is audited with the user who made it.
 * What each action may do is decided in one place, `case-transitions.ts`.
 */
import { createHash } from 'node:crypto';
import type { Alert } from '../contract/schemas.js';
import type { CasePage, CaseQuery } from './case-query.js';
import type { DashboardFigures } from './dashboard-figures.js';

export const DISPOSITIONS = ['escalated', 'sar-filed', 'false-positive'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];
export const CASE_STATUSES = ['open', 'claimed', 'pending-approval', 'resolved'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const ROLES = ['analyst', 'supervisor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** A signed-in user, as the CLI or the console authenticated them. */
export interface Actor {
  name: string;
  role: Role;
  /** A supervisor's: when they became one (ISO time). A closure proposed before it is not theirs to approve. */
  supervisorSince?: string;
  /** A supervisor's: the users whose accounts are tied to theirs (users.ts accountTies), whose closures and suppressions they may not pass. */
  ties?: AccountTie[];
}

/**
 * Why two accounts are not two people for four-eyes: one user made the other's account, set its
 * current password or lately changed its role. Whoever made an account or set its password may
 * sign in as it (security QA: a supervisor re-set a colleague's password and approved their own
 * closure as the colleague, or made an analyst, proposed as it and approved as themselves).
 */
export interface AccountTie {
  /** The other user. */
  user: string;
  /** What one did to the other's account, and when. */
  reason: string;
  /** When the tie lapses (ISO time); none: it holds while the account's record says so. */
  until?: string;
}

/** A closure proposed by an analyst and waiting for a supervisor (four-eyes). */
export interface PendingClosure {
  disposition: Disposition;
  note: string;
  by: string;
  at: string;
}

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
  /** Who holds the case: the claimant, the assignee, or who resolved it. */
  analyst?: string;
  leaseUntil?: number;
  disposition?: Disposition;
  note?: string;
  pending?: PendingClosure;
  /** Who approved a four-eyes closure. */
  approvedBy?: string;
  resolvedAt?: string;
}

export const AUDIT_ACTIONS = ['open', 'add-alert', 'claim', 'release', 'expire', 'assign', 'resolve', 'request-approval', 'set-aside', 'withdraw', 'approve', 'reject', 'reopen', 'note', 'archive', 'export-sar'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The forms a SAR/STR draft is exported in: the JSON document, or the printable page. */
export const SAR_FORMATS = ['json', 'html'] as const;
export type SarFormat = (typeof SAR_FORMATS)[number];

export interface AuditEntry {
  caseId: string;
  action: AuditAction;
  at: string;
  analyst?: string;
  detail?: string;
  /** The note, reason or rejection text a human gave with the action. */
  note?: string;
}

/** What a read showed: a case page, the queue, an account, an alert, a cluster's alerts, a SAR/STR draft. */
export const READ_KINDS = ['case', 'queue', 'account', 'alert', 'cluster', 'sar'] as const;
export type ReadKind = (typeof READ_KINDS)[number];

/**
 * One read of case contents, kept in the access log (who looked at which customer's case): the
 * signed-in user, when, through what, and the case and account ids shown. Account ids are the
 * only customer data it holds: no names, addresses or cluster ids.
 */
export interface ReadEntry {
  at: string;
  user: string;
  via: 'http' | 'cli';
  what: ReadKind;
  /** The cases shown (at most READ_IDS_KEPT). */
  caseIds: string[];
  /** The accounts shown (at most READ_IDS_KEPT). */
  accountIds: string[];
  /** The alert id of an alert read, the filter of a queue read, the format of a SAR draft, the count of ids past READ_IDS_KEPT. */
  detail?: string;
}

/** Ids one access-log entry keeps of each kind; a read showing more says how many in `detail`. */
export const READ_IDS_KEPT = 50;

/** Which reads `reads` returns: all, or those of a case, an account or a user; newest first. */
export interface ReadFilter {
  caseId?: string;
  accountId?: string;
  user?: string;
  limit?: number;
}

/** Whether an access-log entry is one a filter asks for. */
export function readMatches(e: ReadEntry, f: ReadFilter): boolean {
  return (f.caseId === undefined || e.caseIds.includes(f.caseId)) && (f.accountId === undefined || e.accountIds.includes(f.accountId)) && (f.user === undefined || e.user === f.user);
}

/**
 * Alert ids a case keeps, whole alerts it keeps, and alerts whose addition is audited one by
 * one; past it the case counts them (`alertCount`) and the audit keeps the human actions.
 * Bounded for a subject that alerts for years.
 */
export const CASE_ALERT_IDS = 1000;
/** How long an alert id stays indexed to its case, so a redelivered alert adds nothing: the dedupe window. */
export const ALERT_INDEX_TTL_SECONDS = 400 * 86_400;
/** Access-log entries kept (the newest; a Redis stream trimmed with MAXLEN ~): about 2.7 years at 1,000 reads a day, about 184 MB in Redis. */
export const READ_LOG_KEPT = 1_000_000;
/** Entries a filtered access-log look-up reads at most, newest first. */
export const READ_LOG_SCANNED = 200_000;

/** How long a resolved case, its alerts and its audit are kept: five years, as the BSA asks of SAR records. */
export const CASE_RETENTION_SECONDS = 5 * 365 * 86_400;

const SEVERITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

export function severityRank(s: Alert['severity']): number {
  return SEVERITY_RANK[s];
}

/**
 * A case's place in the queue: severity first, then score (0 to 100), so a critical case comes
 * before a high one whatever their scores (rules band severity differently: a `cadence-forward`
 * alert of score 100 is high); then the older case first, its SLA being the nearer to its end (a
 * fraction below 1 that falls with the whole seconds of `openedAt`: since session 48; before,
 * cases of one severity and score went by case id, a hash, and "Claim next case" took a case
 * opened days after another). The Redis store's sorted sets hold this number, computed by the
 * scripts as by priority.lua (`tidewatch cases reindex` rewrites sets written by an older version).
 */
export function queuePriority(c: Pick<Case, 'severity' | 'score' | 'openedAt'>): number {
  return SEVERITY_RANK[c.severity] * 1000 + c.score + olderFirst(c.openedAt);
}

/**
 * The first whole second after 9999-12-31T23:59:59Z, the latest time the contract's `isoTime`
 * accepts (its earliest is 0000-01-01T00:00:00Z, -62 167 219 200 s).
 */
const AFTER_LAST_SECOND = 253_402_300_800;

/**
 * (seconds from `openedAt` to the end of year 9999) / 1e12: between 1e-12 and 0.316 for every time
 * the contract accepts, larger the older the case. Seconds 1e-12 apart stay distinct in a priority
 * below 4096 (its ulp is 4.5e-13). Session 48 first used 1 - seconds / 1e10, which was 1 or more
 * before 1970 and negative after 2286: a case dated 0001-01-01 (a zero time) of score 90 came
 * before one of score 96, and one dated 9999 of score 100 after one of score 76.
 */
function olderFirst(openedAt: string): number {
  const seconds = Date.parse(`${openedAt.slice(0, 19)}Z`) / 1000;
  return (AFTER_LAST_SECOND - seconds) / 1e12;
}

/** Queue order: higher priority first (severity, score, the older), then case id descending (the Redis store's ZREVRANGE). */
export function byQueueOrder(a: Pick<Case, 'severity' | 'score' | 'caseId' | 'openedAt'>, b: Pick<Case, 'severity' | 'score' | 'caseId' | 'openedAt'>): number {
  return queuePriority(b) - queuePriority(a) || b.caseId.localeCompare(a.caseId);
}

export function higherSeverity(a: Alert['severity'], b: Alert['severity']): Alert['severity'] {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}

/** A case id is derived from the subject and the alert that opened it, so redelivery reopens nothing. */
export function deriveCaseId(subject: string, firstAlertId: string): string {
  return 'case-' + createHash('sha256').update(`${subject}\u0000${firstAlertId}`).digest('hex').slice(0, 20);
}

export interface CaseListOptions {
  status?: CaseStatus;
  limit?: number;
}

export interface CaseStore {
  /** Adds an alert, kept whole, to its subject's open case (opening one if none); idempotent by alertId. */
  addAlert(alert: Alert): Promise<{ caseId: string; added: boolean }>;
  /** Every case (or every case of one status): for small stores and exports; the queue reads pages with `query`. */
  list(options?: CaseListOptions): Promise<Case[]>;
  /** One page of cases matching a filter, highest severity and then score first, with the number that match. */
  query(q: CaseQuery): Promise<CasePage>;
  /** The ids of an account's kept cases (at most 1,000), highest severity and then score first. */
  casesOfSubject(accountId: string): Promise<string[]>;
  /** The ids of kept cases whose alerts name the cluster (at most 1,000), newest mention first. */
  casesOfCluster(cluster: string): Promise<string[]>;
  /** Every typology a case has had. */
  typologies(): Promise<string[]>;
  get(caseId: string): Promise<Case | undefined>;
  /** The case an alert went to, while its id is indexed (the dedupe window). */
  caseOfAlert(alertId: string): Promise<string | undefined>;
  /** The case's kept alerts (its newest CASE_ALERT_IDS), oldest first. */
  alerts(caseId: string): Promise<Alert[]>;
  /** Claims the highest-scoring open case (expired leases first return to the queue). */
  claim(actor: Actor, leaseMs: number, now: number): Promise<Case | undefined>;
  /** Returns every case whose lease ended by `now` to the queue (audited `expire`), as a claim does first. */
  expireLeases(now: number): Promise<void>;
  /** Hands a claimed case back to the queue: its holder, or a supervisor. */
  release(caseId: string, actor: Actor, now: number): Promise<Case>;
  /** Hands every case `holder` holds back to the queue (`release`) and withdraws the closures they proposed that await approval (`withdraw`), audited by `by` with the reason (their account can no longer work cases); the ids. */
  handBackCasesOf(holder: string, reason: string, by: string, now: number): Promise<string[]>;
  /** A supervisor gives an open or claimed case to a named analyst, with a lease. */
  assign(caseId: string, analyst: string, actor: Actor, leaseMs: number, now: number): Promise<Case>;
  /** Closes the case, or, for high and critical cases, asks a supervisor to approve the closure. */
  resolve(caseId: string, disposition: Disposition, note: string, actor: Actor, now: number): Promise<Case>;
  /** A supervisor other than the proposer approves a pending closure. */
  approve(caseId: string, actor: Actor, now: number, proposedAt?: string): Promise<Case>;
  /** A supervisor sends a pending closure back to the proposer, with a reason. */
  reject(caseId: string, reason: string, actor: Actor, now: number): Promise<Case>;
  /** Reopens a resolved case, with a reason. */
  reopen(caseId: string, reason: string, actor: Actor, now: number): Promise<Case>;
  /** Appends a note to the case's audit. */
  addNote(caseId: string, text: string, actor: Actor, now: number): Promise<void>;
  /** Records in the case's audit that the actor (any role) exported its SAR/STR draft, and in which format. */
  recordSarExport(caseId: string, format: SarFormat, actor: Actor, now: number): Promise<void>;
  audit(caseId: string): Promise<AuditEntry[]>;
  /** Appends a read of case contents to the access log (bounded: its newest READ_LOG_KEPT entries). */
  recordRead(entry: ReadEntry): Promise<void>;
  /** The newest access-log entries a filter asks for (at most `limit`, 100 by default), among the newest READ_LOG_SCANNED. */
  reads(filter: ReadFilter): Promise<ReadEntry[]>;
  /** The dashboard's counters and the unresolved cases (dashboard-figures.ts), without reading every case. */
  dashboardFigures(): Promise<DashboardFigures>;
}

/** Cases a subject look-up (`casesOfSubject`) returns at most, highest queue priority first. */
export const SUBJECT_CASES_READ = 1000;
