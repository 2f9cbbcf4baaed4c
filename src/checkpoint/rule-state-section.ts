/**
 * The RuleState: the retained events once each, as [time, message] (see event-table.ts), then the per-account
 * histories and the transfer indexes (deposits, then withdrawals) as event numbers, then the
 * device and IP links, the clock, the login signs, (since format 8) the IP block sightings and
 * (since format 9) the requests the completed withdrawals in the histories settled.
 */
import type { DecodeResult } from '../decode/decode.js';
import type { TransferEvent } from '../decode/events.js';
import { accountSighting, linkedOf, sightingsOf, type AccountSighting, type LinkedSightings } from '../engine/link-index.js';
import { carryDealtSince } from '../engine/dealt-since.js';
import type { HistoryItem, RuleState, TransferKind } from '../engine/state.js';
import { AccountSigns, SIGHTINGS_KEPT, type LoginSign, type LoginSigns } from '../engine/login-signs.js';
import type { ExpiringIndex } from '../state/expiring-index.js';
import { EventList, IdentityNumbering, redecode, storedEvent } from './event-table.js';
import { Decimal } from '../money/decimal.js';
import { MARKET_SOURCE } from '../money/valuation.js';
import type { FrameReader } from './frame-reader.js';
import type { FrameWriter } from './frame-writer.js';
import { decodeClock, encodeClock, expectSection, openSection, readBatches, readShardedMap, writeBatches, writeShardedMap } from './sections.js';

type SightingRow = [accountId: string, firstTime: number, firstEventId: string, lastTime: number, lastEventId: string];
const sightingRow = (s: AccountSighting): SightingRow => [s.accountId, s.firstTime, s.firstEventId, s.lastTime, s.lastEventId];
const sightingOf = ([accountId, firstTime, firstEventId, lastTime, lastEventId]: SightingRow): AccountSighting => accountSighting(accountId, firstTime, firstEventId, lastTime, lastEventId);
/** A value's accounts as rows, a list whether the index holds one account or more (the format is unchanged). */
const sightingRows = (linked: LinkedSightings): SightingRow[] => sightingsOf(linked).map(sightingRow);
/** A value's accounts from its rows, held as the index holds them (one account as its entry alone). */
const linkedOfRows = (rows: SightingRow[]): LinkedSightings => linkedOf(rows.map(sightingOf));

/** Every retained event in a fixed walk order (histories by account, then the transfer index), each once. */
function* distinctEvents(state: RuleState, numbering: IdentityNumbering<HistoryItem>): Generator<HistoryItem> {
  const { accounts, byEventId, recentLogins } = state.checkpointParts();
  for (const [, list] of accounts.entries()) {
    for (const item of list) {
      // A request a completion settled is out of the history, perhaps out of its index too.
      if (item.type === 'transfer' && item.settles && numbering.assign(item.settles).fresh) yield item.settles;
      if (numbering.assign(item).fresh) yield item;
    }
  }
  for (const kind of KINDS) for (const [, item] of byEventId[kind].entriesInOrder()) if (numbering.assign(item).fresh) yield item;
  for (const [, item] of recentLogins.entriesInOrder()) if (numbering.assign(item).fresh) yield item;
}

/**
 * The recent logins (see RuleState), in the clock section's head: their event numbers in
 * insertion order and the index's newest time. A checkpoint written before they were kept has
 * none, and restores with none (a login read late after the restore then judges no earlier
 * login again); one of this build read by an older build leaves them out the same way.
 */
interface RecentLoginsHead {
  recentLogins?: number[];
  recentLoginsNewest?: number | string;
  /** Written since format 5: the retained transfers carry their first dealings (dealt-since.ts). */
  dealtSince?: boolean;
  /** Written since format 6: the login signs' newest time; a `state.loginSigns` section follows (login-signs.ts). */
  loginSigns?: number | string;
  /** Written since format 8: a `state.subnets` section follows the login signs (subnet-sightings.ts). */
  subnets?: boolean;
  /** Written since format 9: a `state.settlements` section follows the IP block sightings (withdrawal-settlement.ts). */
  settlements?: boolean;
}

/** A completed withdrawal in a history and the requested one it settled, as event numbers. */
type SettlementRow = [completion: number, request: number];

/** The completions in the histories that settled a request, with it. */
function* settlementsOf(accounts: ReturnType<RuleState['checkpointParts']>['accounts']): Generator<[TransferEvent, TransferEvent]> {
  for (const [, list] of accounts.entries()) for (const item of list) if (item.type === 'transfer' && item.settles) yield [item, item.settles];
}

async function readSettlements(r: FrameReader, eventAt: (n: number) => HistoryItem): Promise<void> {
  await expectSection(r, 'state.settlements');
  for await (const [c, q] of readBatches<SettlementRow>(r)) {
    const completion = eventAt(c);
    const request = eventAt(q);
    if (completion.type !== 'transfer' || completion.msg.status !== 'completed' || request.type !== 'transfer' || request.msg.status !== 'requested') r.fail(`settlement #${c} of #${q} is not a completed withdrawal of a requested one`);
    completion.settles = request;
  }
}

type LoginSignRow = [deviceId: string | null, ipCountry: string, vpn: 0 | 1, times: number[]];
const signRow = (s: LoginSign): LoginSignRow => [s.deviceId ?? null, s.ipCountry, s.vpn ? 1 : 0, s.times];

function signOfRow(row: unknown): LoginSign | string {
  if (!Array.isArray(row) || row.length !== 4) return 'it is not a [deviceId, ipCountry, vpn, times] row';
  const [deviceId, ipCountry, vpn, times] = row as unknown[];
  if ((deviceId !== null && typeof deviceId !== 'string') || typeof ipCountry !== 'string' || (vpn !== 0 && vpn !== 1)) return 'its device, country or VPN flag has the wrong type';
  if (!isSightingList(times)) return `its sightings ${JSON.stringify(times)} are not ascending times`;
  return { deviceId: deviceId ?? undefined, ipCountry, vpn: vpn === 1, times };
}

function isSightingList(times: unknown): times is number[] {
  if (!Array.isArray(times) || times.length === 0 || times.length > SIGHTINGS_KEPT + 1) return false;
  return times.every((t, i) => typeof t === 'number' && Number.isFinite(t) && (i === 0 || t > (times[i - 1] as number)));
}

/** The transfer indexes, one section per kind, in this order. */
const KINDS: readonly TransferKind[] = ['deposit', 'withdrawal'];

async function writeTransferIndex(w: FrameWriter, kind: TransferKind, index: ExpiringIndex<TransferEvent>, numbering: IdentityNumbering<HistoryItem>): Promise<void> {
  await openSection(w, `state.transfers.${kind}`, { count: index.size, newest: encodeClock(index.newestTime) });
  await writeBatches(w, index.entriesInOrder(), ([id, item]) => [id, numbering.mustNumber(item)]);
}

async function readTransferIndex(r: FrameReader, kind: TransferKind, index: ExpiringIndex<TransferEvent>, eventAt: (n: number) => HistoryItem): Promise<void> {
  const head = await expectSection<{ count: number; newest: number | string }>(r, `state.transfers.${kind}`);
  for await (const [id, n] of readBatches<[string, number]>(r)) {
    const item = eventAt(n);
    if (item.type !== 'transfer' || item.eventId !== id) r.fail(`transfer index entry ${id} points at event #${n}, ${item.eventId}`);
    if (item.msg.kind !== kind) r.fail(`transfer ${id} is a ${item.msg.kind}, in the ${kind} index`);
    index.restoreEntry(id, item);
  }
  if (index.size !== head.count) r.fail(`state.transfers.${kind} holds ${index.size} entries, ${head.count} declared`);
  index.restoreNewest(decodeClock(head.newest));
}

/**
 * A retained event's row: `[time, message as retained]`; for a transfer valued from a market
 * price (which decoding alone cannot give back), `[time, message, usd, source]`; for a transfer
 * that carries an earlier first dealing with its counterparty (dealt-since.ts, format 5),
 * `[time, message, usd, source, dealtSince]`, usd and source null when not market-valued.
 */
function eventRow(item: HistoryItem): unknown[] {
  const row: unknown[] = storedEvent(item);
  if (item.type !== 'transfer') return row;
  const valued = item.usdSource?.startsWith(MARKET_SOURCE) === true;
  if (valued) row.push(item.usd?.toString() ?? null, item.usdSource);
  if (item.dealtSince !== undefined) {
    if (!valued) row.push(null, null);
    row.push(item.dealtSince);
  }
  return row;
}

function eventOfRow(row: unknown, decode: (raw: string) => DecodeResult): HistoryItem | string {
  if (!Array.isArray(row) || (row.length !== 2 && row.length !== 4 && row.length !== 5)) return 'it is not a [time, message], [time, message, usd, source] or [time, message, usd, source, dealtSince] row';
  const event = redecode(row.slice(0, 2), decode);
  if (row.length === 2 || typeof event === 'string') return event;
  if (event.type !== 'transfer') return 'a valued row that is not a transfer';
  const [, , usd, source, dealtSince] = row as [number, unknown, string | null, string | null, number | undefined];
  if (source !== null) {
    event.usd = usd === null ? null : Decimal.parse(usd);
    event.usdSource = source;
  }
  if (row.length === 5) {
    if (typeof dealtSince !== 'number' || !Number.isFinite(dealtSince) || dealtSince >= event.time) return `its first dealing ${String(dealtSince)} is not a time before the transfer's`;
    event.dealtSince = dealtSince;
  }
  return event;
}

export async function writeRuleState(w: FrameWriter, state: RuleState): Promise<void> {
  const numbering = new IdentityNumbering<HistoryItem>();
  await openSection(w, 'state.events');
  await writeBatches(w, distinctEvents(state, numbering), eventRow);

  const parts = state.checkpointParts();
  await writeShardedMap(w, 'state.accounts', parts.accounts, (accountId, list) => [accountId, list.map((item) => numbering.mustNumber(item))]);
  for (const kind of KINDS) await writeTransferIndex(w, kind, parts.byEventId[kind], numbering);
  await writeShardedMap(w, 'state.devices', parts.devices.checkpointMap(), (value, linked) => [value, sightingRows(linked)]);
  await writeShardedMap(w, 'state.ips', parts.ips.checkpointMap(), (value, linked) => [value, sightingRows(linked)]);
  const signs = parts.loginSigns.checkpointParts();
  const logins = [...parts.recentLogins.entriesInOrder()].map(([, item]) => numbering.mustNumber(item));
  await openSection(w, 'state.clock', { newest: encodeClock(parts.newest), recentLogins: logins, recentLoginsNewest: encodeClock(parts.recentLogins.newestTime), dealtSince: true, loginSigns: encodeClock(signs.newest), subnets: true, settlements: true });
  await writeShardedMap(w, 'state.loginSigns', signs.byAccount, (accountId, account) => [accountId, account.list().map(signRow)]);
  await writeShardedMap(w, 'state.subnets', parts.subnets.checkpointMap(), (subnet, linked) => [subnet, sightingRows(linked)]);
  await openSection(w, 'state.settlements');
  await writeBatches(w, settlementsOf(parts.accounts), ([completion, request]): SettlementRow => [numbering.mustNumber(completion), numbering.mustNumber(request)]);
}

async function readLoginSigns(r: FrameReader, signs: LoginSigns, newest: number): Promise<void> {
  await readShardedMap<string, AccountSigns, [string, unknown[]]>(r, 'state.loginSigns', signs.checkpointParts().byAccount, ([accountId, rows]) => {
    if (!Array.isArray(rows)) r.fail(`the login signs of ${accountId} are not a list`);
    const list = rows.map((row) => {
      const sign = signOfRow(row);
      return typeof sign === 'string' ? r.fail(`a login sign of ${accountId} does not restore: ${sign}`) : sign;
    });
    return [accountId, AccountSigns.fromSigns(list)];
  });
  signs.restoreNewest(newest);
}

export async function readRuleState(r: FrameReader, state: RuleState, decode: (raw: string) => DecodeResult): Promise<void> {
  await expectSection(r, 'state.events');
  const events = new EventList();
  for await (const row of readBatches<unknown>(r)) {
    const event = eventOfRow(row, decode);
    if (typeof event === 'string') r.fail(`retained event #${events.size} does not restore: ${event}`);
    if (event.type === 'transfer') state.keepRestored(event);
    events.push(event);
  }
  const eventAt = (n: number): HistoryItem => events.at(n) ?? r.fail(`a reference to event #${n}, of ${events.size}`);

  const parts = state.checkpointParts();
  await readShardedMap<string, HistoryItem[], [string, number[]]>(r, 'state.accounts', parts.accounts, ([accountId, ns]) => [accountId, ns.map(eventAt)]);
  for (const kind of KINDS) await readTransferIndex(r, kind, parts.byEventId[kind], eventAt);
  await readShardedMap<string, LinkedSightings, [string, SightingRow[]]>(r, 'state.devices', parts.devices.checkpointMap(), ([value, rows]) => [value, linkedOfRows(rows)]);
  await readShardedMap<string, LinkedSightings, [string, SightingRow[]]>(r, 'state.ips', parts.ips.checkpointMap(), ([value, rows]) => [value, linkedOfRows(rows)]);
  const clock = await expectSection<{ newest: number | string } & RecentLoginsHead>(r, 'state.clock');
  for (const n of clock.recentLogins ?? []) {
    const item = eventAt(n);
    if (item.type !== 'login') r.fail(`recent login #${n} is a ${item.type}`);
    parts.recentLogins.restoreEntry(item.eventId, item);
  }
  if (clock.recentLoginsNewest !== undefined) parts.recentLogins.restoreNewest(decodeClock(clock.recentLoginsNewest));
  // A checkpoint of a build before format 5 carries no first dealings: each history works them
  // out from what it holds, as it would have taken its transfers in.
  if (clock.dealtSince !== true) for (const [, list] of parts.accounts.entries()) for (let i = 0; i < list.length; i++) carryDealtSince(list, i);
  // One before format 6 has no login signs: they are noted again from the logins read after it.
  if (clock.loginSigns !== undefined) await readLoginSigns(r, parts.loginSigns, decodeClock(clock.loginSigns));
  // One before format 8 has no IP block sightings: the index starts empty and fills from the events read after it.
  if (clock.subnets === true) await readShardedMap<string, LinkedSightings, [string, SightingRow[]]>(r, 'state.subnets', parts.subnets.checkpointMap(), ([subnet, rows]) => [subnet, linkedOfRows(rows)]);
  // One before format 9 has no settlements: its completions keep no request, and a withdrawal
  // read late into their group after the restore pairs them again from the requests the history holds.
  if (clock.settlements === true) await readSettlements(r, eventAt);
  state.restoreNewest(decodeClock(clock.newest));
}
