/**
 * The only place a Redis key of the case queue, its users and their sessions is spelled. Every
 * case key shares the `{cases}` hash tag, so each Lua script touches one cluster slot even where
 * it derives keys from ids.
 */
import { createHash } from 'node:crypto';

export function caseKeys(prefix: string) {
  const p = `${prefix}{cases}:`;
  return {
    prefix: p,
    open: `${p}open`,
    claimed: `${p}claimed`,
    pending: `${p}pending`,
    resolved: `${p}resolved`,
    caseDoc: (caseId: string) => `${p}case:${caseId}`,
    /** Hash alertId → the alert as JSON, the case's newest alerts. */
    caseAlerts: (caseId: string) => `${p}alerts:${caseId}`,
    subject: (accountId: string) => `${p}subject:${accountId}`,
    alert: (alertId: string) => `${p}alert:${alertId}`,
    audit: (caseId: string) => `${p}audit:${caseId}`,
    /** The access log: a stream of reads of case contents (who, when, via, case and account ids), capped at READ_LOG_KEPT entries. */
    reads: `${p}reads`,
    /** The format of the queue scores the sorted sets hold (queue-format.ts): absent in a store written before session 49. */
    queueFormat: `${p}queue-format`,
    /** A random id set once per store: gone, the store lost its data (store-marker.ts). */
    storeMarker: `${p}store-marker`,
    /**
     * The retention of a resolved case in force (s): the longest any writer was configured with
     * (CASE_RETENTION_DAYS). A writer's shorter setting does not lower it (lua/retention.lua).
     */
    retention: `${p}retention-seconds`,
    /** A stream of archive runs: who, when, the file, its checksum and how many cases. */
    archiveLog: `${p}archive-log`,
    /** The dashboard's counters (dashboard-figures.ts): `day|typology` → alerts added to cases. */
    alertsPerDay: `${p}dash:alerts-per-day`,
    /** The dashboard's counters: `ruleId|disposition` → resolved cases. */
    resolutions: `${p}dash:resolutions`,
    /** Cases whose alerts name a cluster (cluster-mentions.ts), scored by the mention's event time (ms); not an `idx:` set, which reindex would prune. */
    clusterCases: (cluster: string) => `${p}cluster:${cluster}`,
    /** Index sets (sorted sets of case ids) the queue and its filters read instead of every case. */
    index: indexKeys(`${p}idx:`),
  };
}

function indexKeys(i: string) {
  return {
    prefix: i,
    /** Every kept case, scored by queue priority (case-model.ts queuePriority): each filtered page intersects with it, so its score orders the page. */
    all: `${i}all`,
    /** Every kept case, scored by openedAt (ms): the age filters. */
    opened: `${i}opened`,
    severity: (severity: string) => `${i}severity:${severity}`,
    typology: (typology: string) => `${i}typology:${typology}`,
    assignee: (analyst: string) => `${i}assignee:${analyst}`,
    unassigned: `${i}unassigned`,
    /** One subject's cases (the queue's subject filter, `casesOfSubject`): the subject's open case is `subject` above. */
    subject: (accountId: string) => `${i}subject:${accountId}`,
    /** A set of every typology a case has had (the queue's typology choices). */
    typologyNames: `${i}typologies`,
    /** Working sets of one query, deleted by the script that made them. */
    scratch: (queryId: string, n: number) => `${i}tmp:${queryId}:${n}`,
  };
}

/**
 * The index sets a case belongs to, each scored by the queue priority (the `opened` index, scored by
 * time, is kept apart). The Lua scripts are given these names in KEYS; only this function spells them.
 */
export function caseFacets(keys: ReturnType<typeof caseKeys>, c: { subject: string; severity: string; typologies: readonly string[]; analyst?: string | undefined }): string[] {
  const x = keys.index;
  return [x.all, x.severity(c.severity), ...c.typologies.map((t) => x.typology(t)), c.analyst ? x.assignee(c.analyst) : x.unassigned, x.subject(c.subject)];
}

/** Exchange events of accounts with a case: a sorted set per account (score = event time, ms). */
export function timelineKeys(prefix: string) {
  const p = `${prefix}{timeline}:`;
  return { account: (accountId: string) => `${p}account:${accountId}` };
}

/** Suppressions (hash id → JSON, and a version moved by every put), their audit stream, and the alerts they silenced (a capped stream, with the set of its alert ids). */
export function suppressionKeys(prefix: string) {
  const p = `${prefix}{suppressions}:`;
  return { rules: `${p}rules`, version: `${p}version`, log: `${p}log`, alerts: `${p}alerts`, listed: `${p}alerts-listed` };
}

/**
 * Console users (a hash per user) and their sign-in sessions (a string with a TTL, the session's
 * whole life, and a mark of recent use with a TTL, its idle timeout). A session is
 * keyed by the SHA-256 of its token, not the token: whoever can list the keys (a Redis replica,
 * a backup, a `SCAN`) learns no live session to sign in with.
 */
export function userKeys(prefix: string) {
  const p = `${prefix}{users}:`;
  return {
    names: `${p}names`,
    /** Names of removed users: never given again. */
    retired: `${p}retired`,
    /** The append-only stream of user changes (who added, changed or removed whom). */
    audit: `${p}audit`,
    user: (name: string) => `${p}user:${name}`,
    session: (token: string) => `${p}session:${createHash('sha256').update(token).digest('hex')}`,
    /** A session's mark of recent use, whose TTL is the idle timeout: the session ends when it expires. */
    sessionActivity: (token: string) => `${p}session-activity:${createHash('sha256').update(token).digest('hex')}`,
    /** The namespace of the console's sign-in rate counters (@fastify/rate-limit's Redis store appends its own key), shared by every console. */
    signInLimits: `${p}sign-in-limit:`,
  };
}

export function ruleAuditKeys(prefix: string) {
  return {
    /** The stream of rule sets put in force and changes refused (src/engine/rule-audit.ts). */
    audit: `${prefix}{rules}:audit`,
  };
}
