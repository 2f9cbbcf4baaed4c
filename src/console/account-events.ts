/**
 * What the console knows of accounts beyond their alerts: their exchange events (deposits,
 * withdrawals, logins), from the timelines Tidewatch keeps for accounts with a case or from JSONL
 * files, for the timeline, the SAR draft's amounts and the linked accounts (shared device, IP or
 * withdrawal destination; from the files only).
 */
import { loginSchema, transferSchema } from '../contract/schemas.js';
import { dropNullOptionals } from '../contract/null-optionals.js';
import { raiseTimeLetters } from '../contract/time-letters.js';
import { fieldWithControlCharacter } from '../decode/identifier-text.js';
import { linkedIpKey } from '../engine/ip-address.js';
import { SharedIpRanges } from '../engine/shared-ip-ranges.js';
import { readJsonLines } from '../sources/file-source.js';
import { fromLogin, fromTransfer, type TimelineEvent } from '../timeline/timeline-event.js';

export type { TimelineEvent };

export type LinkKind = 'device' | 'ip' | 'destination' | 'destination cluster';

export interface LinkedAccount {
  accountId: string;
  via: LinkKind;
  value: string;
}

/** Accounts a device, IP or destination links, per value: a public IP would otherwise link thousands. */
const LINK_CAP = 256;

export class AccountEvents {
  private readonly byAccount = new Map<string, TimelineEvent[]>();
  private readonly byEventId = new Map<string, TimelineEvent>();
  private readonly links: Record<Exclude<LinkKind, 'destination cluster'>, Map<string, Set<string>>> = { device: new Map(), ip: new Map(), destination: new Map() };

  /** Linked accounts come from here when given (the --events files), not from this index's own events. */
  private linkSource: AccountEvents | undefined;

  /**
   * @param sharedIpRanges SHARED_IP_RANGES: an IP links accounts here as it does in the rules
   *   (ip-address.ts: not over a VPN other than Astrill, not a carrier NAT or a listed range, IPv6
   *   by its canonical form).
   */
  constructor(private readonly sharedIpRanges: SharedIpRanges = SharedIpRanges.NONE) {}

  /** An index of stored timeline events (one account's, as Tidewatch kept them), with links from another index if given. */
  static fromTimeline(events: readonly TimelineEvent[], links?: AccountEvents): AccountEvents {
    const index = new AccountEvents();
    for (const e of events) index.add(e);
    index.linkSource = links;
    return index;
  }

  static async fromFiles(files: readonly string[], sharedIpRanges?: SharedIpRanges): Promise<AccountEvents> {
    const index = new AccountEvents(sharedIpRanges);
    for (const file of files) for await (const line of readJsonLines(file)) index.addLine(line.text);
    return index;
  }

  /** Adds one JSONL line if it is a valid transfer or login (as the monitor decodes them: no control characters in identifiers); anything else is not an account event. */
  addLine(text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return;
    }
    const schema = (raw as { schema?: unknown } | null)?.schema;
    // An optional field given as null is absent, and a time's `t`/`z` may be lower case, as the monitor reads them.
    if (schema === 'exchange.transfer.v1' || schema === 'exchange.login.v1') {
      dropNullOptionals(schema, raw as Record<string, unknown>);
      raiseTimeLetters(schema, raw as Record<string, unknown>);
    }
    if (schema === 'exchange.transfer.v1') {
      const t = transferSchema.safeParse(raw);
      if (t.success && fieldWithControlCharacter(schema, t.data) === undefined) this.add(fromTransfer(t.data));
    } else if (schema === 'exchange.login.v1') {
      const l = loginSchema.safeParse(raw);
      if (l.success && fieldWithControlCharacter(schema, l.data) === undefined) this.add(fromLogin(l.data));
    }
  }

  private add(e: TimelineEvent): void {
    if (this.byEventId.has(e.eventId)) return;
    this.byEventId.set(e.eventId, e);
    const list = this.byAccount.get(e.accountId) ?? [];
    list.push(e);
    this.byAccount.set(e.accountId, list);
    if (e.deviceId) this.link('device', e.deviceId, e.accountId);
    const ip = this.linkedIpOf(e);
    if (ip) this.link('ip', ip, e.accountId);
    if (e.kind === 'withdrawal' && e.to) this.link('destination', e.to, e.accountId);
  }

  /** The key the event's IP links accounts by, as the rules link them, or undefined. */
  private linkedIpOf(e: TimelineEvent): string | undefined {
    return e.ip === undefined ? undefined : linkedIpKey({ ip: e.ip, vpn: e.vpn, vpnProvider: e.vpnProvider }, this.sharedIpRanges);
  }

  private link(kind: Exclude<LinkKind, 'destination cluster'>, value: string, accountId: string): void {
    const set = this.links[kind].get(value) ?? new Set<string>();
    if (set.size < LINK_CAP) set.add(accountId);
    this.links[kind].set(value, set);
  }

  /** The account's events in event-time order (ties by eventId). */
  timeline(accountId: string): TimelineEvent[] {
    return [...(this.byAccount.get(accountId) ?? [])].sort((a, b) => a.at.localeCompare(b.at) || a.eventId.localeCompare(b.eventId));
  }

  event(eventId: string): TimelineEvent | undefined {
    return this.byEventId.get(eventId);
  }

  /** Other accounts that shared a device, an IP or a withdrawal destination with this one. */
  linkedAccounts(accountId: string): LinkedAccount[] {
    if (this.linkSource) return this.linkSource.linkedAccounts(accountId);
    const found = new Map<string, LinkedAccount>();
    for (const e of this.byAccount.get(accountId) ?? []) {
      const values: [Exclude<LinkKind, 'destination cluster'>, string | undefined][] = [['device', e.deviceId], ['ip', this.linkedIpOf(e)], ['destination', e.kind === 'withdrawal' ? e.to : undefined]];
      for (const [via, value] of values) {
        if (!value) continue;
        for (const other of this.links[via].get(value) ?? []) {
          const key = `${other}\u0000${via}\u0000${value}`;
          if (other !== accountId && !found.has(key)) found.set(key, { accountId: other, via, value });
        }
      }
    }
    return [...found.values()].sort((a, b) => a.accountId.localeCompare(b.accountId) || a.via.localeCompare(b.via) || a.value.localeCompare(b.value));
  }
}
