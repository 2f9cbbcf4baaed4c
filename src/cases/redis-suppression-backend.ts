/**
 * Suppressions in Redis: a hash id → JSON, an audit stream, and a capped stream of the alerts
 * they silenced, each listed once (src/cases/lua/record-suppressed.lua; keys in redis-keys.ts).
 */
import type { Redis } from 'ioredis';
import { luaScript } from './lua-script.js';
import { suppressionKeys } from './redis-keys.js';
import { SUPPRESSED_ALERTS_KEPT, type SuppressedAlert, type Suppression, type SuppressionBackend, type SuppressionLogEntry } from './suppressions.js';

const fieldsOf = (f: string[]): Record<string, string> => Object.fromEntries(Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i]!, f[2 * i + 1]!]));

type SuppressionRedis = Redis & { twRecordSuppressed(numberOfKeys: number, ...keysThenArgv: (string | number)[]): Promise<number> };

export class RedisSuppressionBackend implements SuppressionBackend {
  private readonly keys: ReturnType<typeof suppressionKeys>;
  private readonly redis: SuppressionRedis;

  constructor(redis: Redis, prefix = 'tw:') {
    this.keys = suppressionKeys(prefix);
    redis.defineCommand('twRecordSuppressed', { lua: luaScript('record-suppressed') });
    this.redis = redis as SuppressionRedis;
  }

  async put(s: Suppression): Promise<void> {
    await this.redis.multi().hset(this.keys.rules, s.id, JSON.stringify(s)).incr(this.keys.version).exec();
  }

  async version(): Promise<number> {
    return Number(await this.redis.get(this.keys.version) ?? 0);
  }

  async all(): Promise<Suppression[]> {
    return Object.values(await this.redis.hgetall(this.keys.rules)).map((v) => JSON.parse(v) as Suppression);
  }

  async log(e: SuppressionLogEntry): Promise<void> {
    await this.redis.xadd(this.keys.log, '*', 'action', e.action, 'id', e.id, 'by', e.by, 'at', e.at, 'detail', e.detail);
  }

  async logEntries(): Promise<SuppressionLogEntry[]> {
    return (await this.redis.xrange(this.keys.log, '-', '+')).map(([, f]) => fieldsOf(f) as unknown as SuppressionLogEntry);
  }

  async recordSuppressed(a: SuppressedAlert): Promise<void> {
    await this.redis.twRecordSuppressed(2, this.keys.alerts, this.keys.listed, a.alertId, JSON.stringify(a), SUPPRESSED_ALERTS_KEPT);
  }

  async suppressedAlerts(limit: number): Promise<SuppressedAlert[]> {
    return (await this.redis.xrevrange(this.keys.alerts, '+', '-', 'COUNT', limit)).map(([, f]) => JSON.parse(fieldsOf(f).json!) as SuppressedAlert);
  }
}
