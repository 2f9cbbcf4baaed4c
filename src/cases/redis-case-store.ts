/**
 * The analysts' case queue in Redis. Each multi-key change is one Lua script (src/cases/lua/,
 * each with a KEYS/ARGV header), so two analysts claiming at once cannot both win, and a
 * redelivered alert cannot open a second case. Every change is appended to a per-case audit stream.
 *
 * Every key a script touches is declared in KEYS, as Redis Cluster requires. Where the key
 * depends on data (the subject's open case, the top of the queue), the store reads it first and
 * the script checks it still holds; if not, the script writes nothing and says what it found, and
 * the store tries again with those keys (optimistic, like WATCH, but in one round trip each).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { Alert } from '../contract/schemas.js';
import { deriveCaseId, type AuditEntry, type Case, type CaseStatus, type CaseStore, type Disposition, ALERT_INDEX_TTL_SECONDS, CASE_ALERT_IDS } from './case-model.js';
import { caseKeys } from './redis-keys.js';

const lua = (name: string): string => readFileSync(fileURLToPath(new URL(`../../src/cases/lua/${name}.lua`, import.meta.url)), 'utf8');
const RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

type CaseRedis = Redis & {
  twAddAlert(...keysThenArgv: (string | number)[]): Promise<[string, number]>;
  /** Takes the number of keys first: the candidates vary. */
  twClaim(numberOfKeys: number, ...keysThenArgv: (string | number)[]): Promise<['claimed' | 'retry', string] | null>;
  twRelease(...keysThenArgv: string[]): Promise<number>;
  twResolve(...keysThenArgv: string[]): Promise<number>;
};

/** Tries a script needs at most under contention; each retry is caused by another writer's success. */
const MAX_TRIES = 50;

function toCase(json: string): Case {
  const doc = JSON.parse(json) as Case & { alertIds: unknown; typologies: unknown };
  // cjson encodes an empty array as {}.
  const alertIds = Array.isArray(doc.alertIds) ? doc.alertIds : [];
  return { ...doc, alertIds, alertCount: typeof doc.alertCount === 'number' ? doc.alertCount : alertIds.length, typologies: Array.isArray(doc.typologies) ? doc.typologies : [] };
}

export class RedisCaseStore implements CaseStore {
  private readonly redis: CaseRedis;
  private readonly keys: ReturnType<typeof caseKeys>;

  /**
   * @param alertIndexTtlSeconds how long an alert id stays indexed to its case (idempotent
   *   re-adds); the dedupe window by default.
   */
  constructor(redis: Redis, prefix = 'tw:', private readonly alertIndexTtlSeconds = ALERT_INDEX_TTL_SECONDS) {
    this.keys = caseKeys(prefix);
    redis.defineCommand('twAddAlert', { numberOfKeys: 5, lua: lua('add-alert') });
    redis.defineCommand('twClaim', { lua: lua('claim') });
    redis.defineCommand('twRelease', { numberOfKeys: 4, lua: lua('release') });
    redis.defineCommand('twResolve', { numberOfKeys: 6, lua: lua('resolve') });
    this.redis = redis as CaseRedis;
  }

  async addAlert(alert: Alert): Promise<{ caseId: string; added: boolean }> {
    const k = this.keys;
    const subject = alert.subject.accountId;
    let expected = (await this.redis.get(k.subject(subject))) ?? '';
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const target = expected || deriveCaseId(subject, alert.alertId);
      const [caseId, added] = await this.redis.twAddAlert(k.open, k.alert(alert.alertId), k.subject(subject), k.caseDoc(target), k.audit(target),
        expected, target, alert.alertId, subject, alert.score, alert.severity, RANK[alert.severity], alert.typology, alert.triggeredAt, CASE_ALERT_IDS, this.alertIndexTtlSeconds);
      if (added !== -1) return { caseId, added: added === 1 };
      expected = caseId;
    }
    throw new Error(`addAlert ${alert.alertId}: the case of ${subject} kept changing`);
  }

  async list(options: { status?: CaseStatus; limit?: number } = {}): Promise<Case[]> {
    const sets = options.status ? [options.status] : (['open', 'claimed', 'resolved'] as const);
    const ids: string[] = [];
    for (const s of sets) ids.push(...(await this.redis.zrevrange(this.keys[s], 0, -1)));
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.keys.caseDoc(id), 'doc');
    const docs = ((await pipeline.exec()) ?? []).map(([, v]) => v as string | null).filter((v): v is string => v !== null).map(toCase);
    docs.sort((a, b) => b.score - a.score || b.caseId.localeCompare(a.caseId));
    return docs.slice(0, options.limit ?? docs.length);
  }

  async get(caseId: string): Promise<Case | undefined> {
    const doc = await this.redis.hget(this.keys.caseDoc(caseId), 'doc');
    return doc ? toCase(doc) : undefined;
  }

  async claim(analyst: string, leaseMs: number, now: number): Promise<Case | undefined> {
    const k = this.keys;
    const candidates = new Set([...(await this.redis.zrangebyscore(k.claimed, '-inf', now)), ...(await this.redis.zrevrange(k.open, 0, 0))]);
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const ids = [...candidates];
      const keys = [k.open, k.claimed, ...ids.flatMap((id) => [k.caseDoc(id), k.audit(id)])];
      const result = await this.redis.twClaim(keys.length, ...keys, analyst, leaseMs, now, new Date(now).toISOString(), ...ids);
      if (!result) return undefined;
      if (result[0] === 'claimed') return toCase(result[1]);
      candidates.add(result[1]);
    }
    throw new Error(`claim: the top of the queue kept changing`);
  }

  async release(caseId: string, analyst: string, now: number): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.twRelease(k.open, k.claimed, k.caseDoc(caseId), k.audit(caseId), caseId, analyst, new Date(now).toISOString())) === 1;
  }

  async resolve(caseId: string, disposition: Disposition, note: string, analyst: string, now: number): Promise<boolean> {
    const k = this.keys;
    // The subject key is declared, so it is read from the case first; a case's subject never changes.
    const subject = (await this.get(caseId))?.subject;
    if (subject === undefined) return false;
    return (await this.redis.twResolve(k.open, k.claimed, k.resolved, k.caseDoc(caseId), k.subject(subject), k.audit(caseId), caseId, disposition, note, analyst, new Date(now).toISOString(), subject)) === 1;
  }

  async audit(caseId: string): Promise<AuditEntry[]> {
    const entries = await this.redis.xrange(this.keys.audit(caseId), '-', '+');
    return entries.map(([, fields]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
      return { caseId, action: f.action as AuditEntry['action'], at: f.at!, ...(f.analyst ? { analyst: f.analyst } : {}), ...(f.detail ? { detail: f.detail } : {}) };
    });
  }
}
