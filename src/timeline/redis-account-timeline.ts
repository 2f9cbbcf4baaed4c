/**
 * Account timelines in Redis: one sorted set per account, scored by event time (ms), each member
 * an event as JSON (the same event makes the same JSON, so redelivery adds nothing). Each write
 * trims the set to the newest TIMELINE_MAX_EVENTS and sets its TTL to the case retention.
 * Key names: redis-keys.ts.
 */
import type { Redis } from 'ioredis';
import { timelineKeys } from '../cases/redis-keys.js';
import { TIMELINE_MAX_EVENTS, type AccountTimelineStore } from './account-timeline.js';
import type { TimelineEvent } from './timeline-event.js';

export class RedisAccountTimeline implements AccountTimelineStore {
  private readonly keys: ReturnType<typeof timelineKeys>;

  /** @param ttlSeconds how long an account's timeline is kept after its last write: the case retention */
  constructor(private readonly redis: Redis, prefix: string, private readonly ttlSeconds: number, private readonly maxEvents = TIMELINE_MAX_EVENTS) {
    this.keys = timelineKeys(prefix);
  }

  async append(byAccount: ReadonlyMap<string, readonly TimelineEvent[]>): Promise<void> {
    if (byAccount.size === 0) return;
    const tx = this.redis.pipeline();
    for (const [accountId, events] of byAccount) {
      if (events.length === 0) continue;
      const key = this.keys.account(accountId);
      tx.zadd(key, ...events.flatMap((e) => [Date.parse(e.at), JSON.stringify(e)]));
      tx.zremrangebyrank(key, 0, -(this.maxEvents + 1));
      tx.expire(key, this.ttlSeconds);
    }
    const results = (await tx.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0]!;
  }

  async read(accountId: string): Promise<TimelineEvent[]> {
    const members = await this.redis.zrange(this.keys.account(accountId), 0, -1);
    return members.map((m) => JSON.parse(m) as TimelineEvent);
  }
}
