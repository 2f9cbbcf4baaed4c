/** An account's events for a case page, a SAR draft or an account look-up: the timeline Tidewatch kept, else the --events files. */
import { AccountEvents } from './account-events.js';
import type { ConsoleOptions } from './context.js';

export async function accountEventsFor(o: Pick<ConsoleOptions, 'events' | 'timelines'>, accountId: string): Promise<AccountEvents | undefined> {
  if (!o.timelines) return o.events;
  const kept = await o.timelines.read(accountId);
  if (kept.length === 0 && o.events) return o.events;
  return AccountEvents.fromTimeline(kept, o.events);
}
