/**
 * Per-key state for the rules, in event time: each account's recent transfers and logins, and
 * which accounts used a device or an IP. Everything older than `retention` before the newest
 * event of its key is evicted, so state stays bounded however long the stream runs.
 */
import type { LoginEvent, TransferEvent } from '../decode/events.js';

export type HistoryItem = TransferEvent | LoginEvent;

export interface Sighting {
  accountId: string;
  time: number;
  eventId: string;
}

const DAY = 86_400_000;

export class RuleState {
  private readonly accounts = new Map<string, HistoryItem[]>();
  private readonly byEventId = new Map<string, TransferEvent>();
  private readonly devices = new Map<string, Sighting[]>();
  private readonly ips = new Map<string, Sighting[]>();
  private evictedUpTo = 0;

  constructor(readonly retention = 200 * DAY) {}

  history(accountId: string): readonly HistoryItem[] {
    return this.accounts.get(accountId) ?? [];
  }

  transfer(eventId: string): TransferEvent | undefined {
    return this.byEventId.get(eventId);
  }

  sightings(by: 'device' | 'ip', value: string): readonly Sighting[] {
    return (by === 'device' ? this.devices : this.ips).get(value) ?? [];
  }

  add(event: HistoryItem): void {
    const accountId = event.msg.accountId;
    const list = this.accounts.get(accountId) ?? [];
    // Keep each account's history in event-time order even when events arrive out of order.
    let i = list.length;
    while (i > 0 && list[i - 1]!.time > event.time) i--;
    list.splice(i, 0, event);
    const horizon = event.time - this.retention;
    if (list[0]!.time < horizon) list.splice(0, list.findIndex((e) => e.time >= horizon));
    this.accounts.set(accountId, list);
    if (event.type === 'transfer') this.byEventId.set(event.eventId, event);
    const session = event.type === 'login' ? event.msg : event.msg.session;
    if (session?.deviceId) this.sight(this.devices, session.deviceId, { accountId, time: event.time, eventId: event.eventId });
    if (session?.ip) this.sight(this.ips, session.ip, { accountId, time: event.time, eventId: event.eventId });
    if (event.time - this.evictedUpTo > 30 * DAY) this.evictEventIndex(event.time);
  }

  private sight(index: Map<string, Sighting[]>, key: string, s: Sighting): void {
    const list = index.get(key) ?? [];
    list.push(s);
    if (list.length > 256) list.splice(0, list.length - 256);
    index.set(key, list);
  }

  private evictEventIndex(now: number): void {
    const horizon = now - this.retention;
    for (const [id, e] of this.byEventId) if (e.time < horizon) this.byEventId.delete(id);
    this.evictedUpTo = now;
  }
}
