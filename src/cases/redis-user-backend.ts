/** Users as Redis hashes and sessions as keys with a TTL (key names in redis-keys.ts). */
import type { Redis } from 'ioredis';
import type { Role } from './case-model.js';
import { userKeys } from './redis-keys.js';
import type { UserAuditEntry, UserBackend, UserRecord } from './users.js';

export class RedisUserBackend implements UserBackend {
  private readonly keys: ReturnType<typeof userKeys>;

  constructor(private readonly redis: Redis, prefix = 'tw:') {
    this.keys = userKeys(prefix);
  }

  async put(user: UserRecord, audit: UserAuditEntry): Promise<void> {
    await this.redis.multi()
      .del(this.keys.user(user.name)) // a role changed away from supervisor leaves no supervisorSince behind
      .hset(this.keys.user(user.name), { role: user.role, passwordHash: user.passwordHash, createdAt: user.createdAt, ...(user.supervisorSince !== undefined ? { supervisorSince: user.supervisorSince } : {}) })
      .sadd(this.keys.names, user.name)
      .xadd(this.keys.audit, '*', 'entry', JSON.stringify(audit))
      .exec();
  }

  async remove(name: string, audit: UserAuditEntry): Promise<boolean> {
    const replies = await this.redis.multi()
      .del(this.keys.user(name))
      .srem(this.keys.names, name)
      .sadd(this.keys.retired, name)
      .xadd(this.keys.audit, '*', 'entry', JSON.stringify(audit))
      .exec();
    return replies?.[0]?.[1] === 1;
  }

  async retired(name: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.retired, name)) === 1;
  }

  /** The stream is never trimmed: user changes are few, and their record is what an audit asks for. */
  async audit(limit: number): Promise<UserAuditEntry[]> {
    const newest = await this.redis.xrevrange(this.keys.audit, '+', '-', 'COUNT', limit);
    return newest.reverse().flatMap(([, fields]) => {
      const at = fields.indexOf('entry');
      return at >= 0 && fields[at + 1] !== undefined ? [JSON.parse(fields[at + 1]!) as UserAuditEntry] : [];
    });
  }

  async find(name: string): Promise<UserRecord | undefined> {
    const h = await this.redis.hgetall(this.keys.user(name));
    return h.role && h.passwordHash ? { name, role: h.role as Role, passwordHash: h.passwordHash, createdAt: h.createdAt ?? '', ...(h.supervisorSince ? { supervisorSince: h.supervisorSince } : {}) } : undefined;
  }

  async names(): Promise<string[]> {
    return this.redis.smembers(this.keys.names);
  }

  /** The session's value lives its whole life; its activity mark only the idle timeout, renewed by use. */
  async putSession(id: string, name: string, ttlSeconds: number, idleSeconds: number): Promise<void> {
    await this.redis.multi()
      .set(this.keys.session(id), name, 'EX', ttlSeconds)
      .set(this.keys.sessionActivity(id), '1', 'EX', idleSeconds)
      .exec();
  }

  /**
   * The value, while both keys live (a session opened before the idle timeout existed has no
   * activity mark, and ends); a renewal resets the mark's TTL in the same transaction.
   */
  async sessionUser(id: string, renewIdleSeconds?: number): Promise<string | undefined> {
    const activity = this.keys.sessionActivity(id);
    const tx = this.redis.multi().get(this.keys.session(id));
    if (renewIdleSeconds !== undefined) tx.expire(activity, renewIdleSeconds);
    else tx.exists(activity);
    const [[, value] = [], [, active] = []] = (await tx.exec()) ?? [];
    return typeof value === 'string' && active === 1 ? value : undefined;
  }

  async dropSession(id: string): Promise<void> {
    await this.redis.del(this.keys.session(id), this.keys.sessionActivity(id));
  }
}
