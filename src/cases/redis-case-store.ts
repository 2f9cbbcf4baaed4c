/**
 * The analysts' case queue in Redis. Each multi-key change is one Lua script (src/cases/lua/,
 * each with a KEYS/ARGV header), so two analysts claiming at once cannot both win, and a
 * redelivered alert cannot open a second case. Every change is appended to a per-case audit stream.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { Alert } from '../contract/schemas.js';
import { deriveCaseId, type AuditEntry, type Case, type CaseStatus, type CaseStore, type Disposition } from './case-model.js';
import { caseKeys } from './redis-keys.js';

const lua = (name: string): string => readFileSync(fileURLToPath(new URL(`../../src/cases/lua/${name}.lua`, import.meta.url)), 'utf8');
const RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

type CaseRedis = Redis & {
  twAddAlert(k1: string, k2: string, k3: string, ...argv: (string | number)[]): Promise<[string, number]>;
  twClaim(k1: string, k2: string, ...argv: (string | number)[]): Promise<string | null>;
  twRelease(k1: string, k2: string, k3: string, ...argv: string[]): Promise<number>;
  twResolve(k1: string, k2: string, k3: string, k4: string, ...argv: string[]): Promise<number>;
};

function toCase(json: string): Case {
  const doc = JSON.parse(json) as Case & { alertIds: unknown; typologies: unknown };
  // cjson encodes an empty array as {}.
  return { ...doc, alertIds: Array.isArray(doc.alertIds) ? doc.alertIds : [], typologies: Array.isArray(doc.typologies) ? doc.typologies : [] };
}

export class RedisCaseStore implements CaseStore {
  private readonly redis: CaseRedis;
  private readonly keys: ReturnType<typeof caseKeys>;

  constructor(redis: Redis, prefix = 'tw:') {
    this.keys = caseKeys(prefix);
    redis.defineCommand('twAddAlert', { numberOfKeys: 3, lua: lua('add-alert') });
    redis.defineCommand('twClaim', { numberOfKeys: 2, lua: lua('claim') });
    redis.defineCommand('twRelease', { numberOfKeys: 3, lua: lua('release') });
    redis.defineCommand('twResolve', { numberOfKeys: 4, lua: lua('resolve') });
    this.redis = redis as CaseRedis;
  }

  async addAlert(alert: Alert): Promise<{ caseId: string; added: boolean }> {
    const k = this.keys;
    const subject = alert.subject.accountId;
    const [caseId, added] = await this.redis.twAddAlert(k.open, k.alert(alert.alertId), k.subject(subject),
      k.prefix, alert.alertId, subject, deriveCaseId(subject, alert.alertId), alert.score, alert.severity, RANK[alert.severity], alert.typology, alert.triggeredAt);
    return { caseId, added: added === 1 };
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
    const doc = await this.redis.twClaim(this.keys.open, this.keys.claimed, this.keys.prefix, analyst, leaseMs, now, new Date(now).toISOString());
    return doc ? toCase(doc) : undefined;
  }

  async release(caseId: string, analyst: string, now: number): Promise<boolean> {
    return (await this.redis.twRelease(this.keys.open, this.keys.claimed, this.keys.caseDoc(caseId), this.keys.prefix, caseId, analyst, new Date(now).toISOString())) === 1;
  }

  async resolve(caseId: string, disposition: Disposition, note: string, analyst: string, now: number): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.twResolve(k.open, k.claimed, k.resolved, k.caseDoc(caseId), k.prefix, caseId, disposition, note, analyst, new Date(now).toISOString())) === 1;
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
