/**
 * Decides which exchange events go to the account timelines: when an account's alert goes to a
 * case (any severity but low), the events the rule state still holds for it (its history: transfers
 * within their retention, logins if a rule reads them) and the alert's own event; from then on, every
 * exchange event of that account. Writes are gathered and flushed by the caller (the monitor before
 * it publishes, as it writes cases; the replay at the end).
 */
import type { Alert, TransferMessage } from '../contract/schemas.js';
import type { DecodedEvent } from '../decode/events.js';
import type { AccountTimelineStore } from './account-timeline.js';
import { fromDecoded, fromTransfer, type TimelineEvent } from './timeline-event.js';

/** Accounts this process remembers as having a case; past it the oldest is forgotten (it returns with its next alert). */
export const RECORDED_ACCOUNTS_MAX = 1_000_000;

export interface Observed {
  alerts: readonly Alert[];
  event?: DecodedEvent | undefined;
  /** The event's whole message when the rule state slimmed the one on `event` (ProcessResult.message). */
  message?: TransferMessage | undefined;
}

export class TimelineRecorder {
  private readonly accounts = new Set<string>();
  private pending = new Map<string, TimelineEvent[]>();

  constructor(readonly store: AccountTimelineStore, private readonly maxAccounts = RECORDED_ACCOUNTS_MAX) {}

  /**
   * @param history the events the rule state holds for an account (the pipeline's, read when an account first alerts)
   * @param owns whether this instance writes the account's cases (its slot): another instance records the rest
   */
  observe(result: Observed, history: (accountId: string) => readonly DecodedEvent[], owns: (accountId: string) => boolean = () => true): void {
    for (const alert of result.alerts) {
      const account = alert.subject.accountId;
      if (alert.severity === 'low' || this.accounts.has(account) || !owns(account)) continue;
      this.remember(account);
      // The event in hand is in the history too, slimmed: it is queued below whole.
      for (const e of history(account)) if (e !== result.event) this.queue(e);
    }
    if (result.event) this.queue(result.event, result.message);
  }

  private remember(account: string): void {
    this.accounts.add(account);
    if (this.accounts.size > this.maxAccounts) this.accounts.delete(this.accounts.values().next().value!);
  }

  private queue(e: DecodedEvent, whole?: TransferMessage): void {
    // Most events are of accounts without a case: look the account up before building a record.
    if ((e.type !== 'transfer' && e.type !== 'login') || !this.accounts.has(e.msg.accountId)) return;
    const t = whole !== undefined && e.type === 'transfer' ? fromTransfer(whole, e.time) : fromDecoded(e);
    if (!t) return;
    const list = this.pending.get(t.accountId) ?? [];
    list.push(t);
    this.pending.set(t.accountId, list);
  }

  /** Writes what was gathered since the last flush. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    await this.store.append(batch);
  }
}
