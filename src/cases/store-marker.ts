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

/** The store's id, and whether this claim set it (the store had no marker). */
export interface MarkerClaim {
  id: string;
  created: boolean;
}

/** What a monitor started from: the checkpoint it restored, and how many messages that state had read. */
export interface StartedFrom {
  restoredFrom: string | undefined;
  restoredRead: number;
}

/**
 * At start, whether the store lost its data while no monitor ran: it had no marker, yet the
 * monitor restored a checkpoint of a state that had read messages, so cases were written to a
 * store before (or the monitor now writes to another store than its earlier cases went to). A
 * checkpoint of a state that read nothing is another instance's opening one, written after this
 * claim on a new deployment (two instances started together: session 34 QA). The periodic check
 * cannot see this: it compares with a marker the monitor itself read.
 */
export function emptiedWhileStopped(claim: MarkerClaim, start: StartedFrom): boolean {
  return claim.created && start.restoredFrom !== undefined && start.restoredRead > 0;
}

export class CaseStoreMarker {
  private readonly key: string;
  private id: string | undefined;

  constructor(private readonly redis: Pick<Redis, 'set' | 'get'>, prefix: string) {
    this.key = caseKeys(prefix).storeMarker;
  }

  /** Sets the marker if the store has none, and remembers the store's id. */
  async claim(): Promise<MarkerClaim> {
    const created = (await this.redis.set(this.key, randomUUID(), 'NX')) === 'OK';
    this.id = (await this.redis.get(this.key)) ?? undefined;
    if (this.id === undefined) throw new Error(`the case store's marker ${this.key} could not be read back`);
    return { id: this.id, created };
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
    const { id: now } = await this.claim();
    return { state: 'lost', before, now };
  }
}
