/**
 * Where the exchange events of accounts that have a case are kept, for the console's timelines,
 * SAR drafts and evidence: the newest TIMELINE_MAX_EVENTS per account, kept as long as cases are.
 * The Redis store is wired by the composition root; the engine knows nothing of it.
 */
import type { TimelineEvent } from './timeline-event.js';

/** Events kept per account: the newest, by event time. */
export const TIMELINE_MAX_EVENTS = 500;

export interface AccountTimelineStore {
  /** Adds events (idempotent: an event already kept is kept once), then keeps the newest TIMELINE_MAX_EVENTS per account. */
  append(byAccount: ReadonlyMap<string, readonly TimelineEvent[]>): Promise<void>;
  /** The account's kept events, oldest first (ties by eventId). */
  read(accountId: string): Promise<TimelineEvent[]>;
}

const byTime = (a: TimelineEvent, b: TimelineEvent): number => Date.parse(a.at) - Date.parse(b.at) || a.eventId.localeCompare(b.eventId);

export class MemoryAccountTimeline implements AccountTimelineStore {
  private readonly accounts = new Map<string, Map<string, TimelineEvent>>();

  constructor(private readonly maxEvents = TIMELINE_MAX_EVENTS) {}

  async append(byAccount: ReadonlyMap<string, readonly TimelineEvent[]>): Promise<void> {
    for (const [accountId, events] of byAccount) {
      const kept = this.accounts.get(accountId) ?? new Map<string, TimelineEvent>();
      for (const e of events) kept.set(e.eventId, structuredClone(e));
      if (kept.size > this.maxEvents) for (const e of [...kept.values()].sort(byTime).slice(0, kept.size - this.maxEvents)) kept.delete(e.eventId);
      this.accounts.set(accountId, kept);
    }
  }

  async read(accountId: string): Promise<TimelineEvent[]> {
    return [...(this.accounts.get(accountId)?.values() ?? [])].sort(byTime).map((e) => structuredClone(e));
  }
}
