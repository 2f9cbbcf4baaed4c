/**
 * A filtered page of cases, as the queue asks for it. The Redis store answers from its index sets
 * (one script, then one read per returned case); the in-memory store filters its map. Both answer
 * the same cases in the same order: queue priority (severity, then score), then case id, all
 * descending.
 */
import type { Alert } from '../contract/schemas.js';
import { CASE_STATUSES, type Case, type CaseStatus } from './case-model.js';

export type Severity = Alert['severity'];

export interface CaseQuery {
  /** Any of these statuses; every unresolved one when absent. */
  statuses?: CaseStatus[];
  /** Any of these severities. */
  severities?: Severity[];
  typology?: string;
  /** An analyst's name, or '-' for cases nobody holds. */
  assignee?: string;
  /** The cases of one subject (the alert's `subject.accountId`, matched exactly). */
  subject?: string;
  /** Opened at or after (ms). */
  openedFrom?: number;
  /** Opened at or before (ms). */
  openedTo?: number;
  /** Only SLA breaches: opened strictly before the cutoff (ms) given for the case's severity. */
  breachCutoffs?: Partial<Record<Severity, number>>;
  offset?: number;
  limit?: number;
}

export interface CasePage {
  /** Cases matching the filter, on every page. */
  total: number;
  cases: Case[];
}

export const UNRESOLVED: CaseStatus[] = CASE_STATUSES.filter((s) => s !== 'resolved');
export const DEFAULT_PAGE = 200;
export const MAX_PAGE = 1000;
/**
 * The furthest a page may start: no store keeps a billion cases, and the Redis script needs an
 * integer (Lua numbers are doubles: an offset of 1e20 reached ZREVRANGE as "1e+20", a 500; QA).
 */
export const MAX_OFFSET = 1_000_000_000;

export function queryStatuses(q: CaseQuery): CaseStatus[] {
  const statuses = q.statuses?.length ? q.statuses : UNRESOLVED;
  return q.breachCutoffs ? statuses.filter((s) => s !== 'resolved') : statuses;
}

/** Whether a case matches every part of the query (the in-memory store's filter; the Redis store's sets mean the same). */
export function matchesQuery(c: Case, q: CaseQuery): boolean {
  const opened = Date.parse(c.openedAt);
  const cutoff = q.breachCutoffs?.[c.severity];
  return queryStatuses(q).includes(c.status)
    && (!q.severities || q.severities.includes(c.severity))
    && (!q.typology || c.typologies.includes(q.typology))
    && (!q.assignee || (q.assignee === '-' ? !c.analyst : c.analyst === q.assignee))
    && (q.subject === undefined || c.subject === q.subject)
    && (q.openedFrom === undefined || opened >= q.openedFrom)
    && (q.openedTo === undefined || opened <= q.openedTo)
    && (!q.breachCutoffs || (cutoff !== undefined && opened < cutoff));
}

export function pageBounds(q: CaseQuery): { offset: number; limit: number } {
  return { offset: Math.min(MAX_OFFSET, Math.max(0, Math.floor(q.offset ?? 0))), limit: Math.min(MAX_PAGE, Math.max(1, Math.floor(q.limit ?? DEFAULT_PAGE))) };
}
