/**
 * The time the case store records (audit entries, user records, leases, suppressions) is Redis's
 * clock, not the caller's: a user whose machine's clock is set back wrote back-dated audit entries
 * and could appear a supervisor of longer standing (session 44 security QA). The pure transitions
 * shared with the in-memory store take `now` as an argument, so each command reads Redis's clock
 * once and passes it; the monitor's case writes carry the alert's event time, as before.
 */
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';

/** Redis's clock (TIME), in ms. */
export async function redisNow(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/**
 * Redis's clock for a long-running process (the console): read again by `sync` (before each
 * request), and carried forward in between by the monotonic clock, which setting the machine's
 * date does not move.
 */
export class RedisClock {
  private readAt = performance.now();

  private constructor(private readonly redis: Redis, private read: number) {}

  static async start(redis: Redis): Promise<RedisClock> {
    return new RedisClock(redis, await redisNow(redis));
  }

  readonly now = (): number => Math.floor(this.read + (performance.now() - this.readAt));

  readonly sync = async (): Promise<void> => {
    const read = await redisNow(this.redis);
    [this.read, this.readAt] = [read, performance.now()];
  };
}
