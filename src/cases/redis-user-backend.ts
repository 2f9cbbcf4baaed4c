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

  async putSession(id: string, name: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.keys.session(id), name, 'EX', ttlSeconds);
  }

  async sessionUser(id: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.session(id))) ?? undefined;
  }

  async dropSession(id: string): Promise<void> {
    await this.redis.del(this.keys.session(id));
  }
}
