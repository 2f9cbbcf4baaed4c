/** The rule audit as a Redis stream (key in redis-keys.ts): appended by every monitor instance, read by `tidewatch rules audit`. */
import type { Redis } from 'ioredis';
import type { RuleAuditEntry } from '../engine/rule-audit.js';
import { ruleAuditKeys } from './redis-keys.js';
import { redisNow } from './redis-clock.js';

/**
 * Entries kept, about: each instance writes one at every start and one per reload, so the stream
 * is trimmed (MAXLEN ~) to stay bounded over years of restarts.
 */
export const RULE_AUDIT_KEPT = 100_000;

export class RedisRuleAudit {
  private readonly key: string;

  constructor(private readonly redis: Redis, prefix = 'tw:') {
    this.key = ruleAuditKeys(prefix).audit;
  }

  /** Appends the entry, timed by Redis's clock as every audit in the store is (redis-clock.ts), not the monitor host's. */
  readonly append = async (entry: RuleAuditEntry): Promise<void> => {
    const at = new Date(await redisNow(this.redis)).toISOString();
    await this.redis.xadd(this.key, 'MAXLEN', '~', RULE_AUDIT_KEPT, '*', 'entry', JSON.stringify({ ...entry, at }));
  };

  /** The newest `limit` entries, oldest first. */
  async newest(limit: number): Promise<RuleAuditEntry[]> {
    const rows = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', limit);
    return rows.reverse().flatMap(([, fields]) => {
      const at = fields.indexOf('entry');
      return at >= 0 && fields[at + 1] !== undefined ? [JSON.parse(fields[at + 1]!) as RuleAuditEntry] : [];
    });
  }
}
