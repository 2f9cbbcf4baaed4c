/**
 * The analysts' case queue in Redis. Each multi-key change is one Lua script (src/cases/lua/,
 * each with a KEYS/ARGV header), so two analysts claiming at once cannot both win, and a
 * redelivered alert cannot open a second case. Every change is appended to a per-case audit stream.
 *
 * Every key a script touches is declared in KEYS, as Redis Cluster requires. Where the key
 * depends on data (the subject's open case, the top of the queue), the store reads it first and
 * the script checks it still holds; if not, the script writes nothing and says what it found, and
 * the store tries again with those keys (optimistic, like WATCH, but in one round trip each).
 * Human actions are decided in TypeScript (case-transitions.ts, shared with the memory store) and
 * written by one compare-and-set script.
 */
import type { Redis } from 'ioredis';
import type { Alert } from '../contract/schemas.js';
import { serialiseAlert } from '../sinks/serialise.js';
import {
  byQueueOrder, deriveCaseId, higherSeverity, queuePriority, readMatches, ALERT_INDEX_TTL_SECONDS, CASE_ALERT_IDS, CASE_RETENTION_SECONDS, CASE_STATUSES, READ_LOG_KEPT, READ_LOG_SCANNED, SUBJECT_CASES_READ,
  type Actor, type AuditEntry, type Case, type CaseListOptions, type CaseStore, type Disposition, type ReadEntry, type ReadFilter,
} from './case-model.js';
import type { CasePage, CaseQuery } from './case-query.js';
import { queryIds, rebuildIndexes, statusKey, type IndexRedis } from './redis-case-index.js';
import {
  claimAllowed, missing, onlyAudits, type Transition,
} from './case-transitions.js';
import { CaseTransitionMethods } from './transition-methods.js';
import { caseFacets, caseKeys } from './redis-keys.js';
import { luaScript } from './lua-script.js';
import { isNewerMark, newerMarkRefusal, QUEUE_FORMAT, type QueueFormatCheck } from './queue-format.js';
import { alertDayField, bump, resolutionDeltas, staleAlertDays, type DashboardFigures } from './dashboard-figures.js';
import { CLUSTER_CASES_READ, clustersMentioned } from './cluster-mentions.js';

const RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

type CaseRedis = IndexRedis & {
  twAddAlert(numberOfKeys: number, ...keysThenArgv: (string | number)[]): Promise<[string, number]>;
  /** Takes the number of keys first: the candidates vary. */
  twClaim(numberOfKeys: number, ...keysThenArgv: (string | number)[]): Promise<['claimed' | 'retry', string] | null>;
  twRemoveArchived(numberOfKeys: number, ...keysThenArgv: (string | number)[]): Promise<number>;
  twSetRetention(numberOfKeys: number, ...keysThenArgv: (string | number)[]): Promise<number>;
  twTransition(numberOfKeys: number, ...keysThenArgv: (string | number)[]): Promise<number>;
};

/** Tries a script needs at most under contention; each retry is caused by another writer's success. */
const MAX_TRIES = 50;

export function toCase(json: string): Case {
  const doc = JSON.parse(json) as Case & { alertIds: unknown; typologies: unknown };
  // cjson encodes an empty array as {}.
  const alertIds = Array.isArray(doc.alertIds) ? doc.alertIds : [];
  return { ...doc, alertIds, alertCount: typeof doc.alertCount === 'number' ? doc.alertCount : alertIds.length, typologies: Array.isArray(doc.typologies) ? doc.typologies : [] };
}

function auditFields(entry: AuditEntry): string[] {
  const fields: string[] = ['action', entry.action, 'at', entry.at];
  if (entry.analyst) fields.push('analyst', entry.analyst);
  if (entry.detail) fields.push('detail', entry.detail);
  if (entry.note) fields.push('note', entry.note);
  return fields;
}

export class RedisCaseStore extends CaseTransitionMethods implements CaseStore {
  private readonly redis: CaseRedis;
  private readonly keys: ReturnType<typeof caseKeys>;

  /**
   * @param alertIndexTtlSeconds how long an alert id stays indexed to its case (idempotent
   *   re-adds); the dedupe window by default.
   * @param retentionSeconds how long a resolved case, its alerts and audit are kept, at least: the
   *   store keeps the longest retention any writer had, and a write never shortens a key's TTL.
   * @param readLogKept access-log entries kept, about (the stream is trimmed with MAXLEN ~).
   */
  constructor(redis: Redis, prefix = 'tw:', private readonly alertIndexTtlSeconds = ALERT_INDEX_TTL_SECONDS, private readonly retentionSeconds = CASE_RETENTION_SECONDS, private readonly readLogKept = READ_LOG_KEPT) {
    super();
    this.keys = caseKeys(prefix);
    redis.defineCommand('twAddAlert', { lua: luaScript('add-alert', 'priority') });
    redis.defineCommand('twClaim', { lua: luaScript('claim', 'priority') });
    redis.defineCommand('twTransition', { lua: luaScript('transition', 'retention') });
    redis.defineCommand('twQuery', { lua: luaScript('query') });
    redis.defineCommand('twReindexCase', { lua: luaScript('reindex-case') });
    redis.defineCommand('twRemoveArchived', { lua: luaScript('remove-archived', 'retention') });
    redis.defineCommand('twSetRetention', { lua: luaScript('set-retention') });
    this.redis = redis as CaseRedis;
  }

  /**
   * Adds the alert to its subject's case. Writes for one subject from this process go one after
   * another: a catch-up publishes many alerts of one account at once, and concurrent
   * compare-and-set attempts on one case would refuse one another until the retries ran out.
   * Another process's writes still meet the retries.
   */
  addAlert(alert: Alert): Promise<{ caseId: string; added: boolean }> {
    const subject = alert.subject.accountId;
    const before = this.writesBySubject.get(subject);
    const run = before ? before.then(() => this.addAlertNow(alert)) : this.addAlertNow(alert);
    const settled: Promise<void> = run.then(() => undefined, () => undefined);
    this.writesBySubject.set(subject, settled);
    // The chain is dropped once its last write settles: the map holds subjects being written only.
    void settled.then(() => { if (this.writesBySubject.get(subject) === settled) this.writesBySubject.delete(subject); });
    return run;
  }

  /** The tail of each subject's chain of case writes in flight. */
  private readonly writesBySubject = new Map<string, Promise<void>>();

  private async addAlertNow(alert: Alert): Promise<{ caseId: string; added: boolean }> {
    const k = this.keys;
    const subject = alert.subject.accountId;
    const json = serialiseAlert(alert);
    let expected = (await this.redis.get(k.subject(subject))) ?? '';
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const target = expected || deriveCaseId(subject, alert.alertId);
      const raw = expected ? (await this.redis.hget(k.caseDoc(expected), 'doc')) ?? '' : '';
      const before = raw ? toCase(raw) : undefined;
      const leave = before ? caseFacets(k, before) : [];
      const enter = caseFacets(k, {
        subject, analyst: before?.analyst, severity: before ? higherSeverity(before.severity, alert.severity) : alert.severity,
        typologies: [...new Set([...(before?.typologies ?? []), alert.typology])],
      });
      const clusters = clustersMentioned(alert).map((c) => k.clusterCases(c));
      const keys = [k.open, k.alert(alert.alertId), k.subject(subject), k.caseDoc(target), k.audit(target), k.caseAlerts(target), k.index.opened, k.index.typologyNames, ...leave, ...enter, k.alertsPerDay, ...clusters, k.pending];
      const [caseId, added] = await this.redis.twAddAlert(keys.length, ...keys,
        expected, target, alert.alertId, subject, alert.score, alert.severity, RANK[alert.severity], alert.typology, alert.triggeredAt, CASE_ALERT_IDS, this.alertIndexTtlSeconds, json,
        raw, Date.parse(alert.triggeredAt), leave.length, enter.length, alertDayField(alert), clusters.length);
      if (added !== -1) return { caseId, added: added === 1 };
      expected = caseId;
    }
    throw new Error(`addAlert ${alert.alertId}: the case of ${subject} kept changing`);
  }

  async list(options: CaseListOptions = {}): Promise<Case[]> {
    const sets = options.status ? [options.status] : CASE_STATUSES;
    const ids: string[] = [];
    for (const s of sets) ids.push(...(await this.redis.zrevrange(statusKey(this.keys, s), 0, -1)));
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.keys.caseDoc(id), 'doc');
    const raw = ((await pipeline.exec()) ?? []).map(([, v]) => v as string | null);
    const expired = ids.filter((_, i) => raw[i] === null);
    if (expired.length > 0) await this.redis.zrem(this.keys.resolved, ...expired); // past retention: only resolved cases expire
    const docs = raw.filter((v): v is string => v !== null).map(toCase);
    docs.sort(byQueueOrder);
    return docs.slice(0, options.limit ?? docs.length);
  }

  /** One page of the filtered queue: one script over the index sets, then one read per returned case. */
  async query(q: CaseQuery): Promise<CasePage> {
    const { total, ids } = await queryIds(this.redis, this.keys, q);
    if (ids.length === 0) return { total, cases: [] };
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.keys.caseDoc(id), 'doc');
    const raw = ((await pipeline.exec()) ?? []).map(([, v]) => v as string | null);
    const gone = ids.filter((_, i) => raw[i] === null);
    // Past retention (only resolved cases expire): out of the all-cases index, which every query intersects.
    if (gone.length > 0) await this.redis.multi().zrem(this.keys.index.all, ...gone).zrem(this.keys.resolved, ...gone).exec();
    return { total: total - gone.length, cases: raw.filter((v): v is string => v !== null).map(toCase) };
  }

  /** Kept cases whose alerts name the cluster, newest mention first; ids of cases gone past retention are dropped as they are met. */
  async casesOfCluster(cluster: string): Promise<string[]> {
    return this.keptCasesIn(this.keys.clusterCases(cluster), CLUSTER_CASES_READ);
  }

  /**
   * The first `limit` case ids of the sorted set at `key` (highest score first) whose case is
   * still kept: a resolved case expires past its retention while its id stays in the sets that
   * name it, which let it go as they are read.
   */
  private async keptCasesIn(key: string, limit: number): Promise<string[]> {
    const ids = await this.redis.zrevrange(key, 0, limit - 1);
    if (ids.length === 0) return [];
    const exists = await this.redis.pipeline(ids.map((id) => ['exists', this.keys.caseDoc(id)])).exec();
    const gone = ids.filter((_, i) => exists?.[i]?.[1] === 0);
    if (gone.length > 0) await this.redis.zrem(key, ...gone);
    return ids.filter((_, i) => exists?.[i]?.[1] !== 0);
  }

  /** The subject's kept cases, highest queue priority first (a case past its retention is dropped from the set as it is met). */
  async casesOfSubject(accountId: string): Promise<string[]> {
    return this.keptCasesIn(this.keys.index.subject(accountId), SUBJECT_CASES_READ);
  }

  async typologies(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.index.typologyNames)).sort();
  }

  /**
   * Indexes cases written before the index sets existed, and repairs the sets (`tidewatch cases
   * reindex`), each score rewritten in the current format, which the store is then marked with.
   */
  async rebuildIndexes(): Promise<{ cases: number; removed: number }> {
    const mark = (await this.redis.get(this.keys.queueFormat)) ?? undefined;
    if (isNewerMark(mark)) throw new Error(newerMarkRefusal(mark));
    const result = await rebuildIndexes(this.redis, this.keys, toCase);
    await this.redis.set(this.keys.queueFormat, String(QUEUE_FORMAT));
    return result;
  }

  /**
   * Whether the store's queue scores are in the current format (queue-format.ts): marked so, or
   * holding no case yet (then marked now: every score it gets is written in this format); or
   * marked by a newer version.
   */
  async queueFormat(): Promise<QueueFormatCheck> {
    const found = (await this.redis.get(this.keys.queueFormat)) ?? undefined;
    if (found === String(QUEUE_FORMAT)) return { state: 'current' };
    const counts = await Promise.all([...CASE_STATUSES.map((s) => this.redis.zcard(statusKey(this.keys, s))), this.redis.zcard(this.keys.index.all)]);
    const cases = Math.max(counts.slice(0, -1).reduce((a, b) => a + b, 0), counts.at(-1)!);
    if (isNewerMark(found)) return { state: 'newer', cases, found };
    if (cases > 0) return { state: 'stale', cases, found };
    await this.redis.set(this.keys.queueFormat, String(QUEUE_FORMAT), 'NX');
    return { state: 'current' };
  }

  /** Cases the all-cases index lacks (cases written before an upgrade): none once `cases reindex` ran. */
  async unindexedCount(): Promise<number> {
    const counts = await Promise.all([...CASE_STATUSES.map((s) => this.redis.zcard(statusKey(this.keys, s))), this.redis.zcard(this.keys.index.all)]);
    return Math.max(0, counts.slice(0, -1).reduce((a, b) => a + b, 0) - counts.at(-1)!);
  }

  /** Resolved cases closed before `cutoff` (ms), each with its document as stored (for the archive's compare-and-delete). */
  async resolvedBefore(cutoff: number): Promise<{ raw: string; case: Case }[]> {
    const ids = await this.redis.zrange(this.keys.resolved, 0, -1);
    const out: { raw: string; case: Case }[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const raw = await this.redis.pipeline(ids.slice(i, i + 500).map((id) => ['hget', this.keys.caseDoc(id), 'doc'])).exec();
      for (const [, v] of raw ?? []) {
        const c = typeof v === 'string' ? toCase(v) : undefined;
        if (c?.status === 'resolved' && c.resolvedAt && Date.parse(c.resolvedAt) < cutoff) out.push({ raw: v as string, case: c });
      }
    }
    return out;
  }

  /** Deletes an archived case with its alerts and audit, if it is still the document archived: 1 removed, 0 changed since, -1 gone. */
  /** Removes an archived case (its audit stays, with `entry` appended, until its retention ends); see remove-archived.lua. */
  async removeArchived(caseId: string, raw: string, entry: AuditEntry): Promise<number> {
    const k = this.keys;
    const c = toCase(raw);
    const clusters = [...new Set((await this.alerts(caseId)).flatMap(clustersMentioned))].map((cl) => k.clusterCases(cl));
    const keys = [k.caseDoc(caseId), k.caseAlerts(caseId), k.audit(caseId), k.subject(c.subject), k.retention, k.open, k.claimed, k.pending, k.resolved, k.index.opened, ...caseFacets(k, c), ...clusters];
    return this.redis.twRemoveArchived(keys.length, ...keys, caseId, raw, this.retentionSeconds, ...auditFields(entry));
  }

  /**
   * Sets the store's retention in force to this store's own and returns it (s): what the
   * operator's service (the console, started with the operator's CASE_RETENTION_DAYS) does at
   * start, before any user writes. Every writer then uses it, whatever its own setting.
   */
  async setRetention(): Promise<number> {
    return this.redis.twSetRetention(1, this.keys.retention, this.retentionSeconds);
  }

  /** Records an archive run (who, when, the file, its checksum, the counts) in the archive log stream. */
  async logArchive(fields: Record<string, string | number>): Promise<void> {
    await this.redis.xadd(this.keys.archiveLog, '*', ...Object.entries(fields).flat().map(String));
  }

  async archiveLog(): Promise<Record<string, string>[]> {
    return (await this.redis.xrange(this.keys.archiveLog, '-', '+')).map(([, f]) => Object.fromEntries(Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i]!, f[2 * i + 1]!])));
  }

  async get(caseId: string): Promise<Case | undefined> {
    const doc = await this.redis.hget(this.keys.caseDoc(caseId), 'doc');
    return doc ? toCase(doc) : undefined;
  }

  async caseOfAlert(alertId: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.alert(alertId))) ?? undefined;
  }

  async alerts(caseId: string): Promise<Alert[]> {
    const c = await this.get(caseId);
    if (!c || c.alertIds.length === 0) return [];
    const raw = await this.redis.hmget(this.keys.caseAlerts(caseId), ...c.alertIds);
    return raw.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as Alert);
  }

  async claim(actor: Actor, leaseMs: number, now: number): Promise<Case | undefined> {
    claimAllowed(actor);
    const k = this.keys;
    const candidates = await this.expiredLeases(now);
    for (const id of await this.redis.zrevrange(k.open, 0, 0)) if (!candidates.has(id)) candidates.set(id, '');
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const result = await this.runClaim(candidates, actor.name, leaseMs, now);
      if (!result) return undefined;
      if (result[0] === 'claimed') return toCase(result[1]);
      candidates.set(result[1], '');
    }
    throw new Error(`claim: the top of the queue kept changing`);
  }

  async expireLeases(now: number): Promise<void> {
    const expired = await this.expiredLeases(now);
    if (expired.size > 0) await this.runClaim(expired, '', 0, now);
  }

  /** The cases whose lease ended by `now`, each with the analyst read holding it ('' for none). */
  private async expiredLeases(now: number): Promise<Map<string, string>> {
    const k = this.keys;
    const expired = await this.redis.zrangebyscore(k.claimed, '-inf', now);
    const holders = expired.length ? await this.redis.pipeline(expired.map((id) => ['hget', k.caseDoc(id), 'doc'])).exec() : [];
    return new Map<string, string>(expired.map((id, i) => [id, holders?.[i]?.[1] ? toCase(holders[i]![1] as string).analyst ?? '' : '']));
  }

  /** The claim script over these candidates; an empty `analyst` only returns expired leases to the queue. */
  private runClaim(candidates: Map<string, string>, analyst: string, leaseMs: number, now: number): Promise<['claimed' | 'retry', string] | null> {
    const k = this.keys;
    const entries = [...candidates];
    const keys = [k.open, k.claimed, k.index.unassigned, analyst ? k.index.assignee(analyst) : k.index.unassigned,
      ...entries.flatMap(([id, holder]) => [k.caseDoc(id), k.audit(id), holder ? k.index.assignee(holder) : k.index.unassigned])];
    return this.redis.twClaim(keys.length, ...keys, analyst, leaseMs, now, new Date(now).toISOString(), ...entries.flat());
  }

  /** Reads the case, decides the change, and writes it if nobody changed the case meanwhile. */
  protected async apply(caseId: string, change: (c: Case) => Transition): Promise<Case> {
    const k = this.keys;
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const raw = await this.redis.hget(k.caseDoc(caseId), 'doc');
      if (raw === null) throw missing(caseId);
      const before = toCase(raw);
      const t = change(before);
      const doc = t.doc;
      const deltas = before.status === 'resolved' || doc.status === 'resolved' ? resolutionDeltas(before, doc, (await this.alerts(caseId)).map((a) => a.ruleId)) : [];
      const written = onlyAudits(t) ? raw : JSON.stringify(doc);
      const priority = queuePriority(doc);
      const zscore = doc.status === 'claimed' ? doc.leaseUntil ?? 0 : priority;
      const unchanged = written === raw;
      const leave = unchanged ? [] : caseFacets(k, toCase(raw));
      const enter = unchanged ? [] : caseFacets(k, doc);
      const keys = [k.open, k.claimed, k.pending, k.resolved, k.caseDoc(caseId), k.caseAlerts(caseId), k.subject(doc.subject), k.audit(caseId), ...leave, ...enter, k.resolutions, k.retention];
      const result = await this.redis.twTransition(keys.length, ...keys,
        caseId, raw, written, doc.status, zscore, t.subject ?? '', this.retentionSeconds, priority, leave.length, enter.length, JSON.stringify(deltas), ...auditFields(t.audit));
      if (result === 1) return doc;
      if (result === -1) throw missing(caseId);
    }
    throw new Error(`${caseId}: the case kept changing`);
  }

  /**
   * Rebuilds what is derived from the kept alerts (`tidewatch cases reindex --derived`, once after
   * upgrading from a version without them): the dashboard's counters (alerts per day from each
   * case's kept alerts, resolutions from its resolved cases; what archived cases and alerts past
   * a case's cap had counted is not recovered) and the cluster look-up's case sets. Refused once
   * cases have been archived, unless `dropArchived`: the rebuilt counters would silently lose the
   * archived cases' alerts and dispositions.
   */
  async rebuildDerived(options: { dropArchived?: boolean } = {}): Promise<{ cases: number }> {
    const k = this.keys;
    const runs = await this.redis.xlen(k.archiveLog);
    if (runs > 0 && !options.dropArchived) {
      throw new Error(`${runs} archive run(s) removed cases that the dashboard's counters still count; rebuilding them from the cases kept would drop those alerts and dispositions (the archive files keep them). Give --drop-archived-counts to rebuild anyway`);
    }
    const alertsPerDay: Record<string, number> = {};
    const resolutions: Record<string, number> = {};
    let cases = 0;
    for await (const batch of this.redis.scanStream({ match: `${k.prefix}case:*`, count: 500 }) as AsyncIterable<string[]>) {
      for (const key of batch) {
        const c = await this.get(key.slice(`${k.prefix}case:`.length));
        if (!c) continue;
        cases++;
        const alerts = await this.alerts(c.caseId);
        for (const a of alerts) bump(alertsPerDay, alertDayField(a), 1);
        const mentions = this.redis.pipeline();
        for (const a of alerts) for (const cl of clustersMentioned(a)) mentions.zadd(k.clusterCases(cl), 'GT', Date.parse(a.triggeredAt), c.caseId);
        await mentions.exec();
        const open: Case = { ...c, status: 'open' };
        for (const [field, delta] of resolutionDeltas(open, c, alerts.map((a) => a.ruleId))) bump(resolutions, field, delta);
      }
    }
    const m = this.redis.multi().del(k.alertsPerDay, k.resolutions);
    if (Object.keys(alertsPerDay).length > 0) m.hset(k.alertsPerDay, alertsPerDay);
    if (Object.keys(resolutions).length > 0) m.hset(k.resolutions, resolutions);
    await m.exec();
    return { cases };
  }

  /** Two counter hashes, the status set sizes and the unresolved cases' documents; stale alert days are dropped as they are met. */
  async dashboardFigures(): Promise<DashboardFigures> {
    const k = this.keys;
    const [perDay, resolutions, ...counts] = await Promise.all([
      this.redis.hgetall(k.alertsPerDay), this.redis.hgetall(k.resolutions), ...CASE_STATUSES.map((s) => this.redis.zcard(statusKey(k, s))),
    ]);
    const stale = staleAlertDays(Object.keys(perDay));
    if (stale.length > 0) await this.redis.hdel(k.alertsPerDay, ...stale);
    for (const f of stale) delete perDay[f];
    const statusCounts: DashboardFigures['statusCounts'] = {};
    CASE_STATUSES.forEach((s, i) => { if (counts[i]! > 0) statusCounts[s] = counts[i]!; });
    const unresolved = (await Promise.all(CASE_STATUSES.filter((s) => s !== 'resolved').map((status) => this.list({ status })))).flat();
    const numbers = (h: Record<string, string>): Record<string, number> => Object.fromEntries(Object.entries(h).map(([f, v]) => [f, Number(v)]));
    return { alertsPerDay: numbers(perDay), resolutions: numbers(resolutions), statusCounts, unresolved };
  }

  async audit(caseId: string): Promise<AuditEntry[]> {
    const entries = await this.redis.xrange(this.keys.audit(caseId), '-', '+');
    return entries.map(([, fields]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
      return { caseId, action: f.action as AuditEntry['action'], at: f.at!, ...(f.analyst ? { analyst: f.analyst } : {}), ...(f.detail ? { detail: f.detail } : {}), ...(f.note ? { note: f.note } : {}) };
    });
  }

  /** Appends the read to the access log, trimmed to about its newest READ_LOG_KEPT entries in the same command. */
  async recordRead(entry: ReadEntry): Promise<void> {
    await this.redis.xadd(this.keys.reads, 'MAXLEN', '~', this.readLogKept, '*', 'entry', JSON.stringify(entry));
  }

  /** The newest entries the filter asks for, read back from the newest in pages, among the newest READ_LOG_SCANNED. */
  async reads(filter: ReadFilter): Promise<ReadEntry[]> {
    const limit = filter.limit ?? 100;
    const found: ReadEntry[] = [];
    let end = '+';
    for (let scanned = 0; scanned < READ_LOG_SCANNED && found.length < limit;) {
      const page = await this.redis.xrevrange(this.keys.reads, end, '-', 'COUNT', READ_PAGE);
      for (const [, fields] of page) {
        const entry = readEntryOf(fields);
        if (entry && readMatches(entry, filter) && found.length < limit) found.push(entry);
      }
      scanned += page.length;
      if (page.length < READ_PAGE) break;
      end = `(${page[page.length - 1]![0]}`;
    }
    return found;
  }
}

/** Access-log entries read back per round trip. */
const READ_PAGE = 1000;

function readEntryOf(fields: string[]): ReadEntry | undefined {
  const at = fields.indexOf('entry');
  return at >= 0 && fields[at + 1] !== undefined ? JSON.parse(fields[at + 1]!) as ReadEntry : undefined;
}
