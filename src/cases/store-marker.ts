/**
 * Tells when the case store lost its data: a Redis restarted without persistence (or flushed, or
 * failed over to an empty replica) comes back empty, and the queue's cases are gone without a
 * word. A random id is set once in the store; the monitor reads it back now and then, and a
 * missing or changed id means the cases written before are lost. The monitor cannot write them
 * again (their alerts are behind the committed cursors), so it says so loudly and marks the store
 * anew.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { caseKeys } from './redis-keys.js';

export type MarkerCheck = { state: 'same' } | { state: 'lost'; before: string; now: string };

export class CaseStoreMarker {
  private readonly key: string;
  private id: string | undefined;

  constructor(private readonly redis: Pick<Redis, 'set' | 'get'>, prefix: string) {
    this.key = caseKeys(prefix).storeMarker;
  }

  /** Sets the marker if the store has none, and remembers the store's id. */
  async claim(): Promise<string> {
    await this.redis.set(this.key, randomUUID(), 'NX');
    this.id = (await this.redis.get(this.key)) ?? undefined;
    if (this.id === undefined) throw new Error(`the case store's marker ${this.key} could not be read back`);
    return this.id;
  }

  /**
   * Whether the store still carries the id claimed: 'lost' when it does not (its data went), and
   * the store is marked anew so that the next check compares with the store as it is now.
   */
  async check(): Promise<MarkerCheck> {
    if (this.id === undefined) { await this.claim(); return { state: 'same' }; }
    const current = await this.redis.get(this.key);
    if (current === this.id) return { state: 'same' };
    const before = this.id;
    const now = await this.claim();
    return { state: 'lost', before, now };
  }
}
