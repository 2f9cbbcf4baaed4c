/**
 * Per-key state for the rules, in event time: each account's recent transfers and logins, the
 * transfers by eventId, and which accounts used a device or an IP. Every structure is bounded:
 * - by time: `retention` is the longest window among the rules that read it (see
 *   `historyRetention`), and each transfer kind keeps only what the rules read of it
 *   (`kindRetention`, see kind-retention.ts: withdrawals about 104 days, deposits 203 with the
 *   shipped rules); older items are dropped when their key is next written and by a rolling
 *   trim that visits one account per event, keys with nothing newer are evicted by that trim and
 *   by a sweep of two keys per new key (so dormant keys can at most double a map), and the
 *   transfer indexes (one per kind) expire in insertion order;
 * - by count per key: a hot account keeps its newest `maxHistory` items, a device or IP its
 *   newest `maxSightings` sightings, so one key never makes an event cost more than that;
 * - by the 2²⁴ limit of one Map: every index is a ShardedMap.
 */
import { linkedIpKey } from './ip-address.js';
import type { SharedIpRanges } from './shared-ip-ranges.js';
import type { TransferMessage } from '../contract/schemas.js';
import type { LoginEvent, TransferEvent } from '../decode/events.js';
import { ExpiringIndex } from '../state/expiring-index.js';
import { LinkIndex } from './link-index.js';
import { LoginSigns, type AccountSigns } from './login-signs.js';
import { SubnetSightings, subnetOf } from './subnet-sightings.js';
import type { WindowValidity } from './window-validity.js';
import { PaidCounterparties } from './paid-counterparties.js';
import { PayerIndex, type PayerGroup } from './payer-index.js';
import { isKeptMessage, messageSlimmer, transferKeeper } from './retained-fields.js';
import { SlidingAggregate, type WindowAgg } from './sliding-aggregate.js';
import { requestSettledBy, historyAsOf, resettleFrom, repairingMaySettle } from './withdrawal-settlement.js';

/** A `window` signal over one account's history, kept incrementally (see SlidingAggregate). */
export interface AggregatorSpec {
  within: number;
  select: (item: HistoryItem) => boolean;
  valueOf: (item: HistoryItem) => unknown;
  /** The aggregate the signal asks for (its live aggregate keeps only what that one reads). */
  agg: WindowAgg;
}
import { soleCounterparty } from './dealt-since.js';
import { ShardedMap } from '../state/sharded-map.js';
import { KycRecordCounts } from './kyc-record-counts.js';
import { appended, takeFront } from '../state/tight-list.js';
import { insertAllAfterEqual, lowerBound, removeAll, upperBound } from '../state/sorted-by-time.js';

export type HistoryItem = TransferEvent | LoginEvent;

/** A value a reader derives from one account's state (see `derivedValue`); the state sets `stale` when it lets go of it. */
export interface DerivedValue {
  stale: boolean;
}

function markStale(values: readonly (DerivedValue | undefined)[]): void {
  for (const value of values) if (value !== undefined) value.stale = true;
}

export interface RuleStateOptions {
  /** ms of event time kept behind the newest event. @defaultValue 200 days */
  retention: number;
  /** Items kept per account. @defaultValue 5000 */
  maxHistory: number;
  /** Accounts kept per device or IP. @defaultValue 256 */
  maxSightings: number;
  /**
   * ms of event time device links are kept, and IP links unless `ipLinkRetention` says otherwise:
   * the longest window that reads them plus the reach of a late trigger (engine.ts
   * `linkRetention`). @defaultValue retention
   */
  linkRetention?: number;
  /** ms of event time IP links are kept. @defaultValue linkRetention, else retention */
  ipLinkRetention?: number;
  /**
   * Whether logins go into the account history. Only signals that select logins read them there
   * (device and IP links are kept apart), and at most exchanges logins are most of the traffic.
   * @defaultValue true
   */
  keepLogins: boolean;
  /**
   * ms of event time each kind of transfer is kept, in the history and the transfer index, when
   * shorter than `retention` (see transferRetentionByKind). @defaultValue retention for both
   */
  kindRetention?: Partial<Record<TransferKind, number>>;
  /** The operator's shared IP ranges (SHARED_IP_RANGES), whose addresses link no accounts. @defaultValue none */
  sharedIpRanges?: SharedIpRanges;
  /**
   * The message fields a retained transfer keeps (see retained-fields.ts); the rest are dropped
   * when the transfer enters the state. @defaultValue every field
   */
  transferFields?: ReadonlySet<string> | undefined;
  /**
   * Transfers kept at most, each kind apart: past it the oldest kept goes from the index and its
   * account's history, as if its retention had passed. The bound on memory that a retention in
   * days is not: at a high rate, days of transfers outgrow any heap.
   * @defaultValue 1,000,000 (DEFAULT_MAX_TRANSFERS), a fixed number so that every instance and
   * every replay decides alike whatever its heap
   */
  maxTransfers?: number;
  /**
   * Histories longer than this get a counterparty index; shorter ones are scanned (see
   * paid-counterparties.ts). @defaultValue 32; tests set 0 to index every history
   */
  counterpartyIndexFrom?: number;
  /**
   * ms of event time each account's login signs are kept (see login-signs.ts): the longest
   * `payer-risk` window that reads what logins show. @defaultValue 0, none kept
   */
  loginSignsRetention?: number;
  /**
   * Whether accounts are indexed by the IP block they were seen on lately (see
   * subnet-sightings.ts): a `predecessor` signal that links `by: subnet` reads it. @defaultValue false
   */
  subnetLinks?: boolean;
  /**
   * ms of event time IP block sightings are kept and read behind the newest event (see
   * subnet-sightings.ts; engine.ts `subnetLinkRetention`). @defaultValue linkRetention, else retention
   */
  subnetRetention?: number;
}

export type TransferKind = 'deposit' | 'withdrawal';

const DAY = 86_400_000;
/** Transfers of each kind kept at most by default (STATE_MAX_TRANSFERS): see RuleStateOptions.maxTransfers. */
export const DEFAULT_MAX_TRANSFERS = 1_000_000;

export const DEFAULT_RULE_STATE: RuleStateOptions = { retention: 200 * DAY, maxHistory: 5000, maxSightings: 256, keepLogins: true, maxTransfers: DEFAULT_MAX_TRANSFERS };
/** Keys a sweep visits per new key: more than one, so dormant keys go faster than new ones come. */
const SWEEP_PER_NEW_KEY = 2;
/** Accounts the rolling trim visits per event (a full pass every accounts / events-a-day days). */
const TRIM_PER_EVENT = 1;
/** Accounts whose derived values (see `derivedValue`) are kept; past it they start afresh. */
const DERIVED_KEPT = 1 << 18;
/**
 * How long (event time) and how many logins are kept to be judged again when an earlier login
 * of another account on their device or IP arrives after them: beyond the monitor's hold
 * (MONITOR_HOLD_MS, 2 s by default) and a replayed file's local disorder, at about 500 bytes a
 * login (50 MB at the cap).
 */
const RECENT_LOGINS_MS = 10 * 60_000;
const RECENT_LOGINS_MAX = 100_000;

export class RuleState {
  private readonly accounts = new ShardedMap<string, HistoryItem[]>();
  /** Per account, the live aggregate of each registered window signal (by its index). */
  private aggs = new ShardedMap<string, (SlidingAggregate | undefined)[]>();
  private aggregators = new Map<AggregatorSpec, number>();
  /** Per account, its transfers by counterparty address (a cache of the history, see paid-counterparties.ts). */
  private readonly paid: PaidCounterparties;
  /** Per account, its transfers by kind and first sender (a cache of the history, see payer-index.ts). */
  private readonly payers = new PayerIndex((accountId) => this.history(accountId));
  /** Per account, how many KYC records its history holds (kyc-record-counts.ts): none is known without a read. */
  private readonly kycRecords = new KycRecordCounts();
  /** The transfers by eventId, one index per kind, each expiring after its kind's retention. */
  private readonly byEventId: Record<TransferKind, ExpiringIndex<TransferEvent>>;
  private readonly devices: LinkIndex;
  private readonly ips: LinkIndex;
  /**
   * The newest logins by eventId, for a while of event time, whether or not a history keeps
   * logins: a login read after other accounts' later logins on its device or IP judges them
   * again (`linkedLater`), and they are found here.
   */
  private readonly recentLogins = new ExpiringIndex<LoginEvent>(RECENT_LOGINS_MS, undefined, RECENT_LOGINS_MAX);
  /** What each account's logins showed (device, country, VPN), whether or not its history keeps logins. */
  private readonly loginSigns: LoginSigns;
  /** Which accounts were seen on an IP block within `subnetRetention` (subnet-sightings.ts); fed only while `subnetLinks`. */
  private readonly subnets: SubnetSightings;
  private newest = Number.NEGATIVE_INFINITY;
  /** Bumped on every change, so a memo of what the state held (payer-risk) knows it is still true. */
  private changes = 0;
  /**
   * Per account, values a reader derived from its history and from the device links of the
   * devices in it (payer-risk's window scans), by slot. Marked stale whenever either changes
   * (kept, so the reader may extend it over the items that joined since), dropped when items
   * leave the history. A cache: never checkpointed. A value marked stale is so for every reader
   * that kept it elsewhere too, so it knows without asking.
   */
  private derived = new Map<string, (DerivedValue | undefined)[]>();
  /** Bumped when the transfer indexes are filled from a checkpoint (see `transferRemovals`). */
  private transfersRestored = 0;
  /**
   * Moves when an item joins a history at or before that history's newest time (out of order, or
   * at an equal time), the state is restored or the rules change: a verdict read from a history up to some time
   * (see gates.ts) stands only while this does and `historyDroppedUpTo` stays short of its span.
   */
  historyRewrites = 0;
  /**
   * The newest settlement: a completed withdrawal's event id and the requested one's it settled.
   * Read only by the completion's first judgement, in the step that settled it (the engine then
   * carries the request's novelty to it, in its checkpointed memory), so one entry serves and it
   * is not checkpointed.
   */
  private lastSettlement: { completed: string; requested: string } | undefined;
  /** The request a completion judged as of its time (withHistoryAsOf) settled then, when event order's pairing differed. */
  private settledAsOf: { completed: string; requested: string } | undefined;
  /** The newest time of any item a history let go of (retention, caps, kind expiry, dormancy). */
  historyDroppedUpTo = Number.NEGATIVE_INFINITY;
  private derivedSlots = 0;
  /** Makes the message a retained transfer keeps (undefined: it keeps its whole message). */
  private keep: ((transfer: TransferEvent) => TransferMessage) | undefined;
  options: RuleStateOptions;

  constructor(options: Partial<RuleStateOptions> = {}) {
    this.options = { ...DEFAULT_RULE_STATE, ...options };
    this.keep = this.options.transferFields && retainedMessageKeeper(this.options.transferFields);
    this.paid = new PaidCounterparties((accountId) => this.history(accountId), this.options.counterpartyIndexFrom);
    const cap = this.options.maxTransfers ?? Number.POSITIVE_INFINITY;
    this.byEventId = { deposit: new ExpiringIndex(this.kindRetention('deposit'), this.dropExpired, cap), withdrawal: new ExpiringIndex(this.kindRetention('withdrawal'), this.dropExpired, cap) };
    const deviceDormant = (lastTime: number): boolean => lastTime < this.newest - (this.options.linkRetention ?? this.options.retention);
    const ipDormant = (lastTime: number): boolean => lastTime < this.newest - (this.options.ipLinkRetention ?? this.options.linkRetention ?? this.options.retention);
    this.devices = new LinkIndex(this.options.maxSightings, deviceDormant, this.staleDerivedValues);
    this.ips = new LinkIndex(this.options.maxSightings, ipDormant);
    this.loginSigns = new LoginSigns(this.options.loginSignsRetention ?? 0, this.staleDerivedValues);
    this.subnets = new SubnetSightings(this.options.maxSightings, () => this.newest, this.subnetRetention());
  }

  get retention(): number {
    return this.options.retention;
  }

  /**
   * New bounds for a new rule set (hot reload). A longer retention or logins newly kept apply to
   * events from now on: history already dropped is not recovered (replay for that).
   */
  reconfigure(options: Partial<Pick<RuleStateOptions, 'retention' | 'keepLogins' | 'linkRetention' | 'ipLinkRetention' | 'kindRetention' | 'transferFields' | 'loginSignsRetention' | 'subnetLinks' | 'subnetRetention'>>): void {
    this.changes++;
    this.historyRewrites++; // a new rule set: gate notes of the old one's rules (see gates.ts) no longer apply
    this.letGoOfDerivedValues();
    this.options = { ...this.options, ...options };
    this.keep = this.options.transferFields && retainedMessageKeeper(this.options.transferFields);
    this.slim = undefined;
    this.byEventId.deposit.setRetention(this.kindRetention('deposit'));
    this.byEventId.withdrawal.setRetention(this.kindRetention('withdrawal'));
    this.loginSigns.setRetention(this.options.loginSignsRetention ?? 0);
    this.subnets.setRetention(this.subnetRetention());
  }

  /** How long IP block sightings are kept (RuleStateOptions.subnetRetention). */
  private subnetRetention(): number {
    return this.options.subnetRetention ?? this.options.linkRetention ?? this.options.retention;
  }

  /** How long transfers of `kind` are kept: their own retention, never longer than the history's. */
  kindRetention(kind: TransferKind): number {
    return Math.min(this.options.kindRetention?.[kind] ?? this.options.retention, this.options.retention);
  }

  /** Whether the account's history holds a transfer carrying `customer.kycCountry` (one map read). */
  holdsKycRecord(accountId: string): boolean {
    return this.kycRecords.holds(accountId);
  }

  history(accountId: string): readonly HistoryItem[] {
    return this.accounts.get(accountId) ?? [];
  }

  /** The account's login signs (see login-signs.ts); none unless a rule reads them. */
  loginSignsOf(accountId: string): AccountSigns {
    return this.loginSigns.signsOf(accountId);
  }

  /** Whether the last event `add` put in a history went before, or at the time of, an item already there (it arrived late, or tied). */
  insertedBehind = false;

  /** The account's items dated at or after `event`'s time other than `event`, the nearest first, at most `limit`. */
  itemsFrom(accountId: string, event: HistoryItem, limit: number): readonly HistoryItem[] {
    const list = this.accounts.get(accountId);
    if (!list) return [];
    const out: HistoryItem[] = [];
    for (let i = lowerBound(list, event.time); i < list.length && out.length < limit; i++) if (list[i] !== event) out.push(list[i]!);
    return out;
  }

  /**
   * Other accounts' newest events on the event's device and IP that are dated after it, at most
   * `limit` per key, nearest first: judged by linkage before this event existed (it arrived
   * late). Events in order find none and cost one comparison per key.
   */
  /**
   * The latest times of other accounts seen on the event's device or IP after it whose events
   * the state no longer keeps (a login past the recent logins' 10 minutes), nearest first, at
   * most `limit` per key: they were judged without this event, and cannot be judged again.
   */
  unkeptLaterSightings(event: HistoryItem, limit: number): number[] {
    const session = event.type === 'login' ? event.msg : event.msg.session;
    const times: number[] = [];
    const add = (sightings: { accountId: string; eventId: string; time: number }[]): void => {
      for (const s of sightings) if (!this.itemAt(s.accountId, s.eventId, s.time)) times.push(s.time);
    };
    if (session?.deviceId) add(this.devices.laterSightings(session.deviceId, event.msg.accountId, event.time, limit));
    const ip = this.linkedIpOf(session);
    if (ip) add(this.ips.laterSightings(ip, event.msg.accountId, event.time, limit));
    return times;
  }

  /**
   * The latest times of other accounts seen on the event's device or IP after it, kept or not,
   * at most `limit` per key (a login's linkage judged again as of them: kyc-rejudgement.ts).
   */
  laterSightingTimes(event: HistoryItem, limit: number): number[] {
    const session = event.type === 'login' ? event.msg : event.msg.session;
    const times: number[] = [];
    if (session?.deviceId) for (const s of this.devices.laterSightings(session.deviceId, event.msg.accountId, event.time, limit)) times.push(s.time);
    const ip = this.linkedIpOf(session);
    if (ip) for (const s of this.ips.laterSightings(ip, event.msg.accountId, event.time, limit)) times.push(s.time);
    return times;
  }

  linkedLater(event: HistoryItem, limit: number): HistoryItem[] {
    const session = event.type === 'login' ? event.msg : event.msg.session;
    const found: HistoryItem[] = [];
    const add = (sightings: { accountId: string; eventId: string; time: number }[]): void => {
      for (const s of sightings) {
        const item = this.itemAt(s.accountId, s.eventId, s.time);
        if (item && !found.includes(item)) found.push(item);
      }
    };
    if (session?.deviceId) add(this.devices.laterSightings(session.deviceId, event.msg.accountId, event.time, limit));
    const ip = this.linkedIpOf(session);
    if (ip) add(this.ips.laterSightings(ip, event.msg.accountId, event.time, limit));
    return found;
  }

  /** The items still kept for these sightings (account, eventId, time), each once, in the order given. */
  itemsAt(sightings: readonly { accountId: string; eventId: string; time: number }[]): HistoryItem[] {
    const found: HistoryItem[] = [];
    for (const s of sightings) {
      const item = this.itemAt(s.accountId, s.eventId, s.time);
      if (item && !found.includes(item)) found.push(item);
    }
    return found;
  }

  /** The account's kept item with this id at this time, if the history (or, for a login, the recent logins) still holds it. */
  private itemAt(accountId: string, eventId: string, time: number): HistoryItem | undefined {
    const list = this.accounts.get(accountId);
    if (list) for (let i = lowerBound(list, time); i < list.length && list[i]!.time === time; i++) if (list[i]!.eventId === eventId) return list[i];
    const login = this.recentLogins.get(eventId);
    return login !== undefined && login.time === time && login.msg.accountId === accountId ? login : undefined;
  }

  /** The account's items with `from <= time <= to`, oldest first (a binary search, not a scan). */
  historyBetween(accountId: string, from: number, to: number): readonly HistoryItem[] {
    const list = this.accounts.get(accountId);
    if (!list) return [];
    return list.slice(lowerBound(list, from), upperBound(list, to));
  }

  /**
   * The oldest `limit` of the account's items with `from <= time <= to`, oldest first: what
   * follows a transfer, read without copying a hot account's whole window (FactorCrossings).
   */
  earliestBetween(accountId: string, from: number, to: number, limit: number): readonly HistoryItem[] {
    const list = this.accounts.get(accountId);
    if (!list) return [];
    const start = lowerBound(list, from);
    return list.slice(start, Math.min(upperBound(list, to), start + limit));
  }

  /**
   * The newest `limit` of the account's items with `from <= time <= to`, oldest first: what a
   * scanning signal reads (see read-limits.ts), so a hot account costs `limit` items, not its window.
   */
  recentBetween(accountId: string, from: number, to: number, limit: number): readonly HistoryItem[] {
    const list = this.accounts.get(accountId);
    if (!list) return [];
    const end = upperBound(list, to);
    return list.slice(Math.max(lowerBound(list, from), end - limit), end);
  }

  /** Whether the account's history holds a transfer with one of these counterparty addresses before `time`. */
  dealtWithBefore(accountId: string, keys: Iterable<string>, time: number): boolean {
    return this.paid.dealtWithBefore(accountId, keys, time);
  }

  /** The time of the account's oldest retained transfer with one of these counterparty addresses; undefined when none. */
  firstDealtAt(accountId: string, keys: Iterable<string>): number | undefined {
    return this.paid.firstDealtAt(accountId, keys);
  }

  /** The account's transfers by kind and first sending address, each group oldest first. */
  payerGroups(accountId: string): Iterable<PayerGroup> {
    return this.payers.groups(accountId);
  }

  /** Transfers the payer index has put into groups by building an account's from its whole history (flat while indexes stand). */
  get payerItemsRebuilt(): number {
    return this.payers.rebuiltItems;
  }

  /** The account's transfers of one kind whose first sending address is `payer`, oldest first; undefined when none. */
  payerGroup(accountId: string, kind: PayerGroup['kind'], payer: string): PayerGroup | undefined {
    return this.payers.group(accountId, kind, payer);
  }

  /**
   * The retained transfer with this event id. An id is in at most one kind's index (see add), so
   * the kind the last look-up found is asked first: evidence lists are runs of one kind (a
   * fan-in's withdrawals), and each look-up then costs one hash probe, not a miss and a hit.
   */
  transfer(eventId: string): TransferEvent | undefined {
    const found = this.byEventId[this.lastFoundKind].get(eventId);
    if (found !== undefined) return found;
    const other: TransferKind = this.lastFoundKind === 'deposit' ? 'withdrawal' : 'deposit';
    const elsewhere = this.byEventId[other].get(eventId);
    if (elsewhere !== undefined) this.lastFoundKind = other;
    return elsewhere;
  }

  private lastFoundKind: TransferKind = 'deposit';

  /** The window signals the rules in force keep incrementally; a new set starts every aggregate afresh. */
  setAggregators(specs: readonly AggregatorSpec[]): void {
    this.aggregators = new Map(specs.map((spec, i) => [spec, i]));
    this.aggs = new ShardedMap();
  }

  /**
   * The account's aggregate for a window signal, brought to `now` (entries before now − within
   * dropped). Built from the history on first use, then kept as events arrive. Undefined when
   * `now` is older than what the aggregate has already seen: the caller scans the history.
   */
  aggregate(accountId: string, spec: AggregatorSpec, now: number): SlidingAggregate | undefined {
    const index = this.aggregators.get(spec);
    if (index === undefined) return undefined;
    const history = this.accounts.get(accountId);
    // An account with no history (one that only logs in, its logins not kept, or a trigger its
    // own late add evicted): an empty window, kept nowhere. Kept, it would stay for good, since
    // only a history's removal forgets an account's aggregates (one per login-only account).
    if (history === undefined || history.length === 0) return emptyAggregate(spec, now);
    let list = this.aggs.get(accountId);
    if (!list) this.aggs.set(accountId, (list = []));
    let agg = list[index];
    if (!agg) {
      // Built only at the account's newest time: one built behind it (a trigger that arrived
      // late, or judged again) would miss the items after `now` once later triggers advanced it.
      if (history[history.length - 1]!.time > now) return undefined;
      agg = new SlidingAggregate(spec.agg);
      for (const item of this.historyBetween(accountId, now - spec.within, now)) if (spec.select(item)) agg.push(item.time, item.eventId, spec.valueOf(item));
      list[index] = agg;
    }
    if (now < agg.newest) return undefined;
    agg.newest = now;
    agg.expire(now - spec.within);
    return agg;
  }

  /** Feeds an event to the account's live aggregates; one that arrives behind an aggregate's time invalidates it. */
  private feedAggregates(accountId: string, event: HistoryItem): void {
    const list = this.aggs.get(accountId);
    if (!list) return;
    for (const [spec, i] of this.aggregators) {
      const agg = list[i];
      if (!agg || !spec.select(event)) continue;
      if (event.time < agg.newest) list[i] = undefined; // rebuilt from the history on next use
      else {
        agg.push(event.time, event.eventId, spec.valueOf(event));
        // What a read at this time or later would let go of: an account written often and read
        // seldom (its rule gated off) would otherwise hold every entry until the next read.
        agg.expire(event.time - spec.within);
      }
    }
  }

  /** The key a session's IP links accounts by (ip-address.ts), or undefined when it links none (a VPN, a NAT, a shared range). */
  linkedIpOf(session: Parameters<typeof linkedIpKey>[0]): string | undefined {
    return linkedIpKey(session, this.options.sharedIpRanges);
  }

  /** The IP block a session's address links accounts by (subnet-sightings.ts), or undefined when it links none. */
  subnetOf(session: Parameters<typeof linkedIpKey>[0]): string | undefined {
    return subnetOf(session, this.options.sharedIpRanges);
  }

  /** Accounts seen on the IP block within [from, to] and its retention, with an evidencing event each (none unless `subnetLinks`). */
  linkedBySubnet(subnet: string, from: number, to: number): { accountId: string; eventId: string }[] {
    return this.subnets.within(subnet, from, to);
  }

  /** Accounts that used the device or IP within [from, to], with an evidencing event each. */
  linked(by: 'device' | 'ip', value: string, from: number, to: number): { accountId: string; eventId: string }[] {
    return (by === 'device' ? this.devices : this.ips).within(value, from, to);
  }

  /** How many accounts `linked` would list (no list built). */
  linkedCount(by: 'device' | 'ip', value: string, from: number, to: number): number {
    return (by === 'device' ? this.devices : this.ips).countWithin(value, from, to);
  }

  /** Whether an account other than `accountId` used the device or IP within [from, to] (no list built). */
  linkedToAnother(by: 'device' | 'ip', value: string, accountId: string, from: number, to: number): boolean {
    return (by === 'device' ? this.devices : this.ips).anotherWithin(value, accountId, from, to);
  }

  /** `linkedToAnother` by device, narrowing `v` to the windows that give the same answer while the device's links are unchanged. */
  linkedToAnotherBounded(by: 'device', value: string, accountId: string, from: number, to: number, v: WindowValidity): boolean {
    return this.devices.anotherWithinBounded(value, accountId, from, to, v);
  }

  /** Sizes of each index, for metrics and the soak benchmark. */
  get sizes(): { accounts: number; transfers: number; transfersDroppedAtCap: number; devices: number; ips: number; paidIndexes: number; paidFilters: number; payerIndexes: number; aggregates: number; loginSigns: number; subnets: number } {
    return {
      accounts: this.accounts.size, transfers: this.byEventId.deposit.size + this.byEventId.withdrawal.size,
      transfersDroppedAtCap: this.byEventId.deposit.capped + this.byEventId.withdrawal.capped,
      devices: this.devices.size, ips: this.ips.size, paidIndexes: this.paid.size, paidFilters: this.paid.filters, payerIndexes: this.payers.size, aggregates: this.aggs.size, loginSigns: this.loginSigns.size, subnets: this.subnets.size,
    };
  }

  /** A slot of its own for one reader's derived values (see `derivedValue`). */
  derivedSlot(): number {
    return this.derivedSlots++;
  }

  /** What the reader of `slot` kept for the account; `stale` once its history or its devices' links changed since. */
  derivedValue(accountId: string, slot: number): DerivedValue | undefined {
    return this.derived.get(accountId)?.[slot];
  }

  keepDerivedValue(accountId: string, slot: number, value: DerivedValue): void {
    let values = this.derived.get(accountId);
    if (!values) {
      if (this.derived.size >= DERIVED_KEPT) this.letGoOfDerivedValues();
      this.derived.set(accountId, (values = []));
    }
    // A value replaced is one the state no longer vouches for: a reader that kept it elsewhere
    // (payer-risk's memo of another cluster) must not take it as current.
    const replaced = values[slot];
    if (replaced !== undefined && replaced !== value) replaced.stale = true;
    values[slot] = value;
  }

  /** Marks the account's derived values stale (its history or a device link changed) and keeps them. */
  private readonly staleDerivedValues = (accountId: string): void => {
    if (this.derived.size === 0) return;
    const values = this.derived.get(accountId);
    if (values !== undefined) markStale(values);
  };

  private readonly dropDerivedValues = (accountId: string): void => {
    if (this.derived.size === 0) return;
    const values = this.derived.get(accountId);
    if (values === undefined) return;
    markStale(values);
    this.derived.delete(accountId);
  };

  /** Lets go of every derived value (a full cache, new rules, a restore), each marked stale. */
  private letGoOfDerivedValues(): void {
    for (const values of this.derived.values()) markStale(values);
    this.derived = new Map();
  }

  /**
   * Moves whenever a transfer leaves its index other than by expiry (a delete, a replacement, a
   * restore): while it stands, a transfer found earlier is still held if its time is at or after `transferKeptFrom`.
   */
  get transferRemovals(): number {
    return this.transfersRestored + this.byEventId.deposit.removals + this.byEventId.withdrawal.removals;
  }

  /**
   * The earliest time at which a transfer of `kind` that `transfer` found is surely still held,
   * as long as `transferRemovals` has not moved since: its index's expiry never reached it.
   */
  transferKeptFrom(kind: TransferKind): number {
    return this.byEventId[kind].neverExpiredFrom;
  }

  /** The requested withdrawal's event id that the completed withdrawal `eventId` settled, when it is the newest settlement. */
  requestSettledBy(eventId: string): string | undefined {
    if (this.settledAsOf?.completed === eventId) return this.settledAsOf.requested;
    return this.lastSettlement?.completed === eventId ? this.lastSettlement.requested : undefined;
  }

  /** The newest event time the state has taken (-Infinity before the first). */
  get newestTime(): number {
    return this.newest;
  }

  /** Changes whenever anything the state holds may have changed. */
  get version(): number {
    return this.changes;
  }

  add(event: HistoryItem): void {
    this.changes++;
    this.insertedBehind = false;
    if (event.time > this.newest) this.newest = event.time;
    const accountId = event.msg.accountId;
    this.staleDerivedValues(accountId);
    if (event.type === 'transfer') this.settleRequest(accountId, event);
    if (event.type === 'transfer' || this.options.keepLogins) {
      // The history as it stands after the event: the indexes below read it without looking it up again.
      const history = this.addToHistory(accountId, event);
      this.feedAggregates(accountId, event);
      if (event.type === 'transfer') this.paid.feed(accountId, event, history);
      this.payers.feed(accountId, event, history);
    }
    if (event.type === 'transfer') {
      const other = this.byEventId[event.msg.kind === 'deposit' ? 'withdrawal' : 'deposit'];
      // One index per id: an id the other kind held (possible only once the dedupe window has
      // forgotten it) now names this transfer, so `transfer` may ask either index first.
      other.delete(event.eventId);
      this.byEventId[event.msg.kind].set(event.eventId, event);
      // The other kind's index expires on the same clock, whether or not its kind keeps coming.
      other.advance(event.time);
      this.recentLogins.advance(event.time);
    } else {
      // ... and so do both on a login's.
      this.byEventId.deposit.advance(event.time);
      this.byEventId.withdrawal.advance(event.time);
      this.recentLogins.set(event.eventId, event);
      this.loginSigns.note(event);
    }
    // Every event moves a rolling trim one account on, so an account that is rarely written
    // does not keep items past the retention until its next write.
    this.accounts.sweepSome(TRIM_PER_EVENT, this.trimOrDormant);
    const session = event.type === 'login' ? event.msg : event.msg.session;
    if (session?.deviceId) this.devices.sight(session.deviceId, accountId, event.time, event.eventId);
    const ip = this.linkedIpOf(session);
    if (ip) this.ips.sight(ip, accountId, event.time, event.eventId);
    const subnet = this.options.subnetLinks === true ? this.subnetOf(session) : undefined;
    if (subnet) this.subnets.sight(subnet, accountId, event.time, event.eventId);
  }

  /**
   * Takes out of the account's history the requested withdrawal a completed one settles (see
   * withdrawal-settlement.ts): the two are one withdrawal. It stays findable by event id (an
   * alert may name it), and the completion keeps it (`settles`). A change inside the history,
   * like an insertion out of order: what was derived from it (aggregates, scans, gate notes) is
   * derived again. A completion read before events dated at or after it pairs its group again
   * around its time, as event order would have (resettle); so does one that finds no free request
   * but one an earlier completion settled (that completion may move to another of its own).
   */
  private settleRequest(accountId: string, event: TransferEvent): void {
    if (event.msg.kind !== 'withdrawal' || event.msg.status !== 'completed') return;
    const list = this.accounts.get(accountId);
    if (!list || list.length === 0) return;
    if (list[list.length - 1]!.time >= event.time) {
      this.resettle(accountId, list, event, event);
      return;
    }
    // In event order, the common case: no completion after it, so it takes the best request before it.
    const at = requestSettledBy(list, event);
    if (at < 0) {
      // None free: an earlier completion may give it one by moving to another of its own.
      if (repairingMaySettle(list, event)) this.resettle(accountId, list, event, event);
      return;
    }
    const [requested] = list.splice(at, 1) as [TransferEvent];
    this.kycRecords.left(accountId, [requested]);
    event.settles = requested;
    this.lastSettlement = { completed: event.eventId, requested: requested.eventId };
    this.historyRewrites++;
    this.aggs.delete(accountId);
    this.paid.release(accountId, [requested]);
    this.payers.forget(accountId);
  }

  /**
   * A retained deposit that had no sender learns it (`from`, the sender's key, found on the chain
   * after the deposit was read): the deposit then holds what a deposit whose sender was found as
   * it arrived holds. Its message keeps the `from` as sent (empty): a kept message that read its
   * senders from the transfer becomes a copy (retained-fields.ts), as one recovered on arrival is.
   * What the account's history derived from its senders (the counterparty and payer indexes,
   * aggregates, derived values, gate notes) is derived again, and the deposit carries its first
   * dealing with the sender as it would have.
   */
  learnSender(deposit: TransferEvent, from: string): void {
    if (deposit.from.length > 0) return;
    const accountId = deposit.msg.accountId;
    this.changes++;
    this.historyRewrites++;
    if (isKeptMessage(deposit.msg)) deposit.msg = (this.slim ??= messageSlimmer(withTxHash(this.options.transferFields!)))(deposit.msg);
    deposit.from = [from];
    this.aggs.delete(accountId);
    this.paid.forget(accountId);
    this.payers.forget(accountId);
    this.staleDerivedValues(accountId);
    // Before the deposit's own instant: the history already holds the deposit itself.
    const since = this.paid.priorDealing(accountId, from, deposit.time - 1);
    if (since !== undefined && since < deposit.time) deposit.dealtSince = since;
  }

  /** Copies a kept message's fields and its txHash (learnSender), compiled on first use for the fields in force. */
  private slim: ((msg: TransferMessage) => TransferMessage) | undefined;

  /**
   * A requested withdrawal read after events of its account dated at or after it: its group is
   * paired again from its time on, as event order would have (a completion read before its
   * request settles it now; see resettleFrom). Called once the request was judged, as event
   * order judges a request before its completion settles it; a request read in order costs
   * nothing here.
   */
  settleLateRequest(event: HistoryItem): void {
    if (!this.insertedBehind || event.type !== 'transfer' || event.msg.kind !== 'withdrawal' || event.msg.status !== 'requested') return;
    const list = this.accounts.get(event.msg.accountId);
    if (list) this.resettle(event.msg.accountId, list, event);
  }

  /**
   * Pairs the group of `pivot` again around its time (resettleFrom): the requests now settled
   * leave the history, those no longer settled return to it (while their index still holds
   * them), and what was derived from the history is derived again.
   */
  private resettle(accountId: string, list: HistoryItem[], pivot: TransferEvent, incoming?: TransferEvent): void {
    const plan = resettleFrom(list, pivot, incoming);
    if (plan === undefined) return;
    for (const { completion, request } of plan.settlements) completion.settles = request;
    if (incoming?.settles) this.lastSettlement = { completed: incoming.eventId, requested: incoming.settles.eventId };
    const returning = plan.returning.filter((r) => this.byEventId.withdrawal.get(r.eventId) === r);
    if (plan.leaving.length === 0 && returning.length === 0) return;
    for (const request of plan.leaving) takeOut(list, request);
    for (const request of returning) list.splice(upperBound(list, request.time), 0, request);
    this.historyReshaped(accountId, list, returning, plan.leaving);
  }

  /**
   * Judges `item` with its account's history as event order had it when `item` came: the
   * requests that the pairing of the completions up to it left pending, and that later
   * completions settle now (historyAsOf; session 53 review F4), are back in the history
   * for the while of `judge` (a requested withdrawal settled by a later completion among them: it
   * is judged as before its completion). For an event read late, and for the account's later
   * events it has judged again (LateJudgement.judgeLaterAgain). What was derived from the history
   * is derived again, with them and after. Costs one read of the items around `item` when no
   * completion after it holds a request before it.
   */
  withHistoryAsOf<T>(item: HistoryItem, judge: () => T): T {
    const accountId = item.msg.accountId;
    const list = this.accounts.get(accountId);
    if (!list) return judge();
    const { pending, settles } = historyAsOf(list, item);
    if (pending.length === 0 && settles === undefined) return judge();
    insertAllAfterEqual(list, pending);
    if (pending.length > 0) this.historyReshaped(accountId, list, pending, []);
    // The completion is the withdrawal it settled then: a rule that alerted on that request is not told of it again.
    if (settles) this.settledAsOf = { completed: item.eventId, requested: settles.eventId };
    try {
      return judge();
    } finally {
      this.settledAsOf = undefined;
      removeAll(list, pending);
      if (pending.length > 0) this.historyReshaped(accountId, list, [], pending);
    }
  }

  /**
   * Requests went into or out of the account's history other than at its end: what was derived
   * from it goes, but the counterparty index, which takes them in and lets them go where they are.
   */
  private historyReshaped(accountId: string, list: readonly HistoryItem[], added: readonly TransferEvent[], removed: readonly TransferEvent[]): void {
    this.changes++;
    this.historyRewrites++;
    this.dropDerivedValues(accountId);
    this.aggs.delete(accountId);
    this.kycRecords.joined(accountId, added);
    this.kycRecords.left(accountId, removed);
    for (const request of added) this.paid.feed(accountId, request, list);
    this.paid.release(accountId, removed);
    this.payers.forget(accountId);
  }

  /** Adds the event to the account's history; returns the history (the list the account holds, or held if a sweep just evicted it). */
  private addToHistory(accountId: string, event: HistoryItem): readonly HistoryItem[] {
    if (event.type === 'transfer') {
      if (this.keep) event.msg = this.keep(event);
      // A kept message holds no address strings of its own (it reads them from the event).
      if (!isKeptMessage(event.msg)) shareAddressStrings(event);
    }
    this.kycRecords.joined(accountId, [event]);
    const list = this.accounts.get(accountId);
    if (list && list.length > 0) shareRepeatedParts(list[list.length - 1]!, event);
    if (list) return this.insertInOrder(accountId, list, event);
    const fresh = [event];
    this.accounts.set(accountId, fresh);
    // A sweep may evict this very account (an event older than the retention): its derived
    // indexes then go too, and feeding them is a no-op, so the list returned is never read.
    this.accounts.sweepSome(SWEEP_PER_NEW_KEY, this.dormantAccount);
    return fresh;
  }

  private readonly dormantAccount = (list: readonly HistoryItem[], accountId: string): boolean => {
    if (!this.dormant(list)) return false;
    if (list.length > 0) this.noteDropped(list[list.length - 1]!.time);
    this.forgetDerived(accountId);
    return true;
  };

  /** Drops the account's items past the retention; true (the account goes) when none is left. */
  private readonly trimOrDormant = (list: HistoryItem[], accountId: string): boolean => {
    const horizon = this.newest - this.options.retention;
    // The oldest item is read first: when it is inside the retention the newest is too, so the
    // usual visit reads one cold item, not two (the sweep visits one account per event).
    const inside = list.length > 0 && list[0]!.time >= horizon;
    if (!inside) {
      if (this.dormantAccount(list, accountId)) return true;
      this.released(accountId, takeFront(list, lowerBound(list, horizon)));
    }
    if (list.length > 0) return false;
    this.forgetDerived(accountId);
    return true;
  };

  /**
   * Tells the history's caches which items it dropped. The counterparty index lets go of them at
   * once: it would otherwise keep a quiet account's old transfers alive long after the history
   * let go (a quarter of all retained transfers in a soak). The payer index takes them out of
   * their groups (forgotten, it was rebuilt from the whole history at its next read, which past
   * the retention came after nearly every transfer).
   */
  private released(accountId: string, dropped: readonly HistoryItem[]): void {
    if (dropped.length === 0) return;
    for (const item of dropped) this.noteDropped(item.time);
    this.kycRecords.left(accountId, dropped);
    this.dropDerivedValues(accountId);
    this.paid.release(accountId, dropped);
    this.payers.release(accountId, dropped);
  }

  private noteDropped(time: number): void {
    if (time > this.historyDroppedUpTo) this.historyDroppedUpTo = time;
  }

  /** Drops what is kept per account beside its history (the history itself is going). */
  private forgetDerived(accountId: string): void {
    this.kycRecords.forget(accountId);
    this.dropDerivedValues(accountId);
    this.aggs.delete(accountId);
    this.paid.forget(accountId);
    this.payers.forget(accountId);
  }

  /**
   * Takes a transfer past its kind's retention out of its account's history, as its kind's index
   * lets it go (withdrawals are kept for less time than deposits with the shipped rules). The
   * indexes expire in insertion order, so this costs a lookup and a binary search per transfer,
   * where a visit of the rolling sweep used to read every item older than the shorter retention,
   * which is most of a long-lived account's deposits. A transfer the history already dropped (by
   * the cap, the history's own retention or dormancy) is not found and changes nothing.
   */
  private readonly dropExpired = (transfer: TransferEvent): void => {
    const accountId = transfer.msg.accountId;
    const list = this.accounts.get(accountId);
    if (!list) return;
    // Usually the oldest item (its kind kept as long as the history): found without reading
    // any item, where a binary search reads several, each a cache miss in a large state.
    if (list[0] === transfer) list.shift();
    else {
      let at = lowerBound(list, transfer.time);
      while (at < list.length && list[at] !== transfer && list[at]!.time === transfer.time) at++;
      if (list[at] !== transfer) return;
      list.splice(at, 1);
    }
    this.released(accountId, [transfer]);
    if (list.length > 0) return;
    this.forgetDerived(accountId);
    this.accounts.delete(accountId);
  };

  /** Keeps the list in event-time order even when events arrive out of order, then trims it; returns the list the account now holds. */
  private insertInOrder(accountId: string, held: HistoryItem[], event: HistoryItem): HistoryItem[] {
    // Asked before the event goes in, so the counterparty index (built on first use) holds only
    // the transfers before it; the history feeds it the event afterwards.
    const since = event.type === 'transfer' ? this.priorDealing(accountId, event) : undefined;
    let list = held;
    let i = list.length;
    if (i > 0 && list[i - 1]!.time >= event.time) this.historyRewrites++;
    // At an equal time too: the items already there were judged without this one, which event
    // order does not fix at an instant (QA: a deposit and its forward in one second, the forward
    // read first, gave no pass-through).
    this.insertedBehind = i > 0 && list[i - 1]!.time >= event.time;
    while (i > 0 && list[i - 1]!.time > event.time) i--;
    if (i < list.length) list.splice(i, 0, event);
    else if ((list = appended(held, event)) !== held) this.accounts.set(accountId, list); // a short list at its exact length
    if (since !== undefined && since < event.time) (event as TransferEvent).dealtSince = since;
    const horizon = this.newest - this.options.retention;
    // Trimmed in steps of a quarter of the cap, so a hot account does not pay a copy per event.
    let drop = list.length > this.options.maxHistory * 1.25 ? list.length - this.options.maxHistory : 0;
    if (list[drop] !== undefined && list[drop]!.time < horizon) drop = Math.max(drop, lowerBound(list, horizon));
    if (drop > 0) this.released(accountId, takeFront(list, drop));
    return list;
  }

  /**
   * When the account first dealt with the transfer's one counterparty, as the newest retained
   * transfer with it knows (see dealt-since.ts): a look-up in the counterparty index, where a
   * scan of the history back to that transfer read hundreds of cold items per transfer in a
   * history of months.
   */
  private priorDealing(accountId: string, event: TransferEvent): number | undefined {
    const key = soleCounterparty(event);
    return key === undefined ? undefined : this.paid.priorDealing(accountId, key, event.time);
  }

  /** A key whose newest item is older than the retention. */
  private readonly dormant = (list: readonly { time: number }[]): boolean => list.length === 0 || list[list.length - 1]!.time < this.newest - this.options.retention;
  /** The private indexes, for a checkpoint (by reference; a restore fills them in place). */
  checkpointParts(): { accounts: ShardedMap<string, HistoryItem[]>; byEventId: Record<TransferKind, ExpiringIndex<TransferEvent>>; devices: LinkIndex; ips: LinkIndex; recentLogins: ExpiringIndex<LoginEvent>; loginSigns: LoginSigns; subnets: SubnetSightings; newest: number } {
    this.changes++; // a restore fills the indexes through these references (and ends with restoreNewest)
    return { accounts: this.accounts, byEventId: this.byEventId, devices: this.devices, ips: this.ips, recentLogins: this.recentLogins, loginSigns: this.loginSigns, subnets: this.subnets, newest: this.newest };
  }

  /**
   * A transfer a checkpoint restore decoded again, before it goes into the indexes: its message
   * becomes the one the state keeps for it as if it had just arrived (retained-fields.ts
   * `transferKeeper`), not the plain copy the restore made.
   */
  keepRestored(transfer: TransferEvent): void {
    if (this.keep) transfer.msg = this.keep(transfer);
  }

  /** Puts back the newest event time from a checkpoint, the last step of a restore: values derived before it are dropped. */
  restoreNewest(newest: number): void {
    this.changes++;
    this.transfersRestored++;
    this.historyRewrites++;
    this.letGoOfDerivedValues();
    this.kycRecords.recount(this.accounts.entries());
    this.newest = newest;
  }
}

/**
 * What a retained transfer keeps of its message (retained-fields.ts `transferKeeper`), and for a
 * deposit sent with no sender (`from: []`) its transaction hash too, whatever the rules read: a
 * checkpoint then carries it, and a restore names the deposit's sender again from the chain data
 * the graph holds, or waits for it (Pipeline.restoreSenders). Such deposits are few; the rest
 * keep what they kept.
 */
function retainedMessageKeeper(fields: ReadonlySet<string>): (transfer: TransferEvent) => TransferMessage {
  const keep = transferKeeper(fields);
  if (fields.has('txHash')) return keep;
  const keepWithHash = transferKeeper(withTxHash(fields));
  return (transfer) => (isSentWithoutSender(transfer.msg) ? keepWithHash(transfer) : keep(transfer));
}

/** A deposit whose message names no sender and a transaction hash (its sender may be found on the chain). */
export function isSentWithoutSender(msg: TransferMessage): boolean {
  return msg.kind === 'deposit' && msg.txHash !== undefined && msg.from !== undefined && msg.from.length === 0;
}

function withTxHash(fields: ReadonlySet<string>): ReadonlySet<string> {
  return fields.has('txHash') ? fields : new Set([...fields, 'txHash']);
}

/** The aggregate of an empty window at `now`: what one built from an empty history would hold. */
function emptyAggregate(spec: AggregatorSpec, now: number): SlidingAggregate {
  const agg = new SlidingAggregate(spec.agg);
  agg.newest = now;
  return agg;
}

/** Takes `item` out of the time-sorted `list`, where it is. */
function takeOut(list: HistoryItem[], item: HistoryItem): void {
  for (let at = lowerBound(list, item.time); at < list.length && list[at]!.time === item.time; at++) {
    if (list[at] !== item) continue;
    list.splice(at, 1);
    return;
  }
}

/**
 * A customer's transfers repeat the same session and KYC objects; parsed afresh each time they
 * would be kept once per retained event. When they equal the previous event's, the new event
 * points at the previous objects instead (the values are the same, only the copies go).
 */
function shareRepeatedParts(previous: HistoryItem, event: HistoryItem): void {
  if (event.type !== 'transfer') return;
  const now = event.msg;
  if (previous.type !== 'transfer') {
    if (now.accountId === previous.msg.accountId) now.accountId = previous.msg.accountId;
    return;
  }
  const before = previous.msg;
  if (now.customer && before.customer && sameFields(now.customer, before.customer)) now.customer = before.customer;
  if (now.session && before.session && sameFields(now.session, before.session)) now.session = before.session;
  if (now.accountId === before.accountId) now.accountId = before.accountId; // one copy of the id string
}

/**
 * The message's addresses and eventId, when they equal the event's canonical keys (held by the
 * address index) and eventId, point at those strings, and when a key is the address behind a
 * prefix, at its tail (see tailOfKey): an address is then kept once, not twice, per retained
 * transfer, and when every sender equals its key the event and the message share one array.
 */
function shareAddressStrings(event: TransferEvent): void {
  const msg = event.msg;
  msg.to = tailOfKey(msg.to, event.to);
  const from = msg.from;
  let same = from.length === event.from.length;
  for (let i = 0; i < from.length && i < event.from.length; i++) {
    if (from[i] === event.from[i]) from[i] = event.from[i]!;
    else {
      from[i] = tailOfKey(from[i]!, event.from[i]!);
      same = false;
    }
  }
  // Keys equal to the addresses as sent (lower-case EVM, bech32): one array for both.
  if (same) event.from = from;
  if (msg.eventId === event.eventId) event.eventId = msg.eventId;
}

/**
 * The address as sent, as the key's own characters when the key is the address behind a family
 * prefix (`evm:0x…` for `0x…`): V8 then keeps a 32-byte slice of the key, which the address
 * index holds anyway, instead of a second 64-byte copy of the address in every retained
 * transfer. The characters are the same, so nothing that reads the address can tell.
 */
function tailOfKey(address: string, key: string): string {
  if (address === key) return key;
  return key.length > address.length && key.endsWith(address) ? key.slice(key.length - address.length) : address;
}

/**
 * Whether two plain objects (parsed session or KYC objects) have the same own enumerable keys
 * with identical values. Counted with for-in, which V8 walks from its enum cache, rather than
 * Object.keys, which copies two key arrays per retained transfer. The objects are plain (their
 * prototype is Object.prototype, which has no enumerable keys), so for-in sees own keys only.
 */
export function sameFields(a: object, b: object): boolean {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let count = 0;
  for (const k in ra) {
    if (ra[k] !== rb[k]) return false;
    count++;
  }
  for (const _ in rb) count--;
  return count === 0;
}
