/**
 * `payer-risk`: how many of the accounts another signal names (a fan-in's payers) carry risk of
 * their own, and what they paid. It tells a laundering hub, whose few payers share risk (VPN or
 * Astrill sessions, a session country other than the KYC country, young accounts, shared
 * devices, payroll-like inflows) and send it salary-sized sums, from a service used by ordinary
 * customers, whose payers are clean and pay small amounts. Reads only the rule state: each
 * account's history within the window, what its logins showed (login-signs.ts: a risk that shows
 * only when the account signs in counts too), and the device index.
 */
import { validatedTimeMs } from '../contract/primitives.js';
import { Decimal, sumOf } from '../money/decimal.js';
import { pathReader } from './conditions.js';
import { NO_RESULT } from './no-result.js';
import { alignByIdentity } from './identity-align.js';
import type { SignalSpec } from './rule-schema.js';
import type { Env, Signal, SignalResult } from './signals.js';
import type { DerivedValue, HistoryItem } from './state.js';
import type { AccountSigns } from './login-signs.js';
import { lowerBound, upperBound } from '../state/sorted-by-time.js';
import { anyWindow, withinValidity, type WindowValidity } from './window-validity.js';

type PayerRiskSpec = Extract<SignalSpec, { op: 'payer-risk' }>;
export type RiskFactor = PayerRiskSpec['factors'][number];

const DAY = 86_400_000;
const round = (n: number, places = 2): number => Math.round(n * 10 ** places) / 10 ** places;

interface Session { ip?: string; ipCountry?: string; vpn?: boolean; vpnProvider?: string | undefined; deviceId?: string | undefined }

function sessionOf(item: HistoryItem): Session | undefined {
  return item.type === 'login' ? item.msg : item.msg.session;
}

/**
 * What an account's history shows from some item on, kept as the newest time each sign was seen
 * (a witness) rather than as flags: a sign holds in a window [from, to] that covers the folded
 * items up to `to` exactly when its witness is at or after `from`. So one fold answers for every
 * later window start without reading the items again (a hot cluster's payers are judged at every
 * sweep into it, over a 30-day window whose start passes one of their items most times), and it
 * is extended over the items that join the window's end.
 *
 * A session over a VPN shows where the VPN lets out, not where the account holder is: it counts
 * as `vpn`, never also as a country mismatch (a privacy VPN's foreign exit was two kinds of risk
 * from one session, QA session 42). Any other session's country is compared with the KYC
 * country the account had declared by then: the
 * newest KYC record among the window's transfers up to that one. Such a mismatch stays in the
 * window as long as that record does (once the record has left, no record before the mismatch is
 * left either), so its witness is the record's time, not the mismatch's.
 */
interface WitnessFold {
  /** The fold holds every item of the history dated after this (the time of the item before its first; -Infinity: all). */
  coversAfter: number;
  vpnAt: number;
  mismatchAt: number;
  /** The newest second salary-sized deposit from one sender (the pair's older one; a window from it on holds both). */
  payrollAt: number;
  /** The newest KYC record among the transfers folded, and the newest time a transfer carried it. */
  customer: { type?: string; createdAt: string; kycCountry?: string } | undefined;
  customerAt: number;
  /** Distinct device ids, in order of first use, and the newest use of each. */
  devices: string[];
  deviceAt: number[];
  /** The newest salary-sized deposit from each sender (undefined while there is none). */
  salarySenders: Map<string, number> | undefined;
  /** The time of the last item folded (-Infinity when none was). */
  lastTime: number;
}

const NONE = Number.NEGATIVE_INFINITY;

function emptyFold(coversAfter: number): WitnessFold {
  return { coversAfter, vpnAt: NONE, mismatchAt: NONE, payrollAt: NONE, customer: undefined, customerAt: NONE, devices: [], deviceAt: [], salarySenders: undefined, lastTime: NONE };
}

/**
 * Folds items [lo, hi) (all after `base.lastTime`) into `base` and returns the result: `base`
 * itself when it is `owned` (a new scan's), else a copy, so a fold that other memos' scans still
 * hold is never changed under them. A copy leaves out the devices and senders last seen before
 * `from` (the window start it is extended for) and then answers only for windows from `from`
 * on: a fold extended for years would otherwise hold every device and sender of the account's life.
 */
function foldItems(base: WitnessFold, items: readonly HistoryItem[], lo: number, hi: number, spec: PayerRiskSpec, owned = false, from = NONE): WitnessFold {
  if (lo >= hi) return base;
  const fold = owned ? base : copiedFrom(base, from);
  const [low, high] = salaryBand(spec);
  for (let i = lo; i < hi; i++) {
    const item = items[i]!;
    const time = item.time;
    fold.lastTime = time;
    const session = sessionOf(item);
    if (session?.vpn) fold.vpnAt = time;
    const device = session?.deviceId;
    if (device) {
      const at = fold.devices.indexOf(device);
      if (at < 0) { fold.devices.push(device); fold.deviceAt.push(time); } else fold.deviceAt[at] = time;
    }
    if (item.type !== 'transfer') continue;
    const customer = item.msg.customer;
    if (customer) {
      fold.customer = customer;
      fold.customerAt = time;
    }
    const kycCountry = fold.customer?.kycCountry;
    if (kycCountry && session?.ipCountry && !session.vpn && session.ipCountry !== kycCountry && session.ipCountry.toUpperCase() !== kycCountry.toUpperCase()) fold.mismatchAt = fold.customerAt;
    const usd = item.usd;
    const sender = item.from[0];
    if (item.msg.kind === 'deposit' && usd !== null && usd.compare(low) >= 0 && usd.compare(high) <= 0 && sender !== undefined) {
      const senders = (fold.salarySenders ??= new Map());
      const before = senders.get(sender);
      // A second salary-sized deposit from one sender is a payroll-like inflow.
      if (before !== undefined && before > fold.payrollAt) fold.payrollAt = before;
      senders.set(sender, time);
    }
  }
  return fold;
}

/** A copy of the fold without the devices and senders last seen before `from`, answering for windows from `from` on. */
function copiedFrom(base: WitnessFold, from: number): WitnessFold {
  const devices: string[] = [];
  const deviceAt: number[] = [];
  for (let i = 0; i < base.devices.length; i++) {
    if (base.deviceAt[i]! < from) continue;
    devices.push(base.devices[i]!);
    deviceAt.push(base.deviceAt[i]!);
  }
  let salarySenders: Map<string, number> | undefined;
  if (base.salarySenders) for (const [sender, at] of base.salarySenders) if (at >= from) (salarySenders ??= new Map()).set(sender, at);
  // Event times are whole milliseconds: a start after `from - 1` is one at or after `from`.
  const coversAfter = devices.length < base.devices.length || (salarySenders?.size ?? 0) < (base.salarySenders?.size ?? 0) ? Math.max(base.coversAfter, from - 1) : base.coversAfter;
  return { ...base, coversAfter, devices, deviceAt, salarySenders };
}

/** What an account's login signs witness for a window ending at `to` (see loginWitnesses). */
interface LoginWitnesses {
  vpnAt: number;
  mismatchAt: number;
  /** Each sign's witness, by its index. */
  at: number[];
}

/**
 * The witnesses an account's login signs (login-signs.ts) give a window ending at `to`, to be
 * taken with the fold's: a VPN sign's, a sign without a VPN whose country differs from the KYC country of the
 * window's newest KYC record (both must lie in the window: the older of the two times), and each
 * sign's own, for its device: the newest sighting kept at or before `to`, with `v` ending at or
 * after it and before the next one. Logins noted later, and entries let go of, mark the scan stale (the state does so).
 */
function loginWitnesses(signs: AccountSigns, count: number, to: number, v: WindowValidity, fold: WitnessFold): LoginWitnesses {
  const out: LoginWitnesses = { vpnAt: NONE, mismatchAt: NONE, at: new Array<number>(count) };
  const kycCountry = fold.customer?.kycCountry;
  for (let i = 0; i < count; i++) {
    const [at, next] = signs.sightingAtOrBefore(i, to);
    // The same sighting is read by windows ending from it up to the next one.
    if (at > v.toAtLeast) v.toAtLeast = at;
    if (next < v.toBefore) v.toBefore = next;
    out.at[i] = at;
    if (at === NONE) continue;
    const vpn = signs.vpnOf(i);
    const ipCountry = signs.countryOf(i);
    if (vpn && at > out.vpnAt) out.vpnAt = at;
    if (kycCountry && !vpn && ipCountry !== kycCountry && ipCountry.toUpperCase() !== kycCountry.toUpperCase()) {
      const both = Math.min(at, fold.customerAt);
      if (both > out.mismatchAt) out.mismatchAt = both;
    }
  }
  return out;
}

/** Whether a sign whose witness is `at` holds for a window from `from`, narrowing `v` to the starts that agree. */
function witnessed(at: number, from: number, v: WindowValidity): boolean {
  if (at >= from) {
    if (at < v.fromAtMost) v.fromAtMost = at;
    return true;
  }
  if (at > v.fromAfter) v.fromAfter = at;
  return false;
}

/**
 * An account's factors that its window's history and its devices' links decide (all but
 * young-account, which moves with the window's end alone), and the windows they hold for. Flat:
 * a judgement reads one object per payer, the one the state keeps (its bits, its age and the
 * windows it holds for), not the fold and bounds it was made from.
 */
interface AccountScan extends WindowValidity, DerivedValue {
  /** Those factors that hold, as FACTOR_BIT bits. */
  held: number;
  /** The account's `customer.createdAt` (epoch ms) as the window's newest KYC record gives it; NaN when none does. */
  createdAt: number;
  /** Whether the window's newest KYC record says a business account (none in the window: not one). */
  business: boolean;
  /** What the history showed, for other windows and for extending it over items that join the window's end. */
  fold: WitnessFold;
  /** The state's `historyRewrites` when the items were read. */
  rewrites: number;
}

/** One bit per factor, so a judgement tells a clean payer (no bit) without a check per factor. */
const FACTOR_BIT: Record<RiskFactor, number> = { vpn: 1, 'country-mismatch': 2, 'payroll-inflow': 4, 'shared-device': 8, 'young-account': 16 };

const factorMasks = new WeakMap<PayerRiskSpec, number>();

/** The bits of the spec's factors (made once per spec). */
function factorMask(spec: PayerRiskSpec): number {
  let mask = factorMasks.get(spec);
  if (mask === undefined) factorMasks.set(spec, (mask = spec.factors.reduce((m, f) => m | FACTOR_BIT[f], 0)));
  return mask;
}

/**
 * The scan of a fold for the window [from, to] of `list` (the account's history; the fold holds
 * its items from before `from` up to `to`): the signs witnessed since `from`, and its devices'
 * links read now, with the windows that give the same.
 */
function scanOfFold(env: Env, accountId: string, spec: PayerRiskSpec, list: readonly HistoryItem[], from: number, to: number, fold: WitnessFold, before?: AccountScan): AccountScan {
  const v = anyWindow();
  // The window must start within the fold and end at or after its last item, before the next one.
  v.fromAfter = fold.coversAfter;
  v.toAtLeast = fold.lastTime;
  const next = upperBound(list, to);
  if (next < list.length) v.toBefore = list[next]!.time;
  const signs = env.state.loginSignsOf(accountId);
  const signCount = signs.signCount;
  const login = signCount > 0 ? loginWitnesses(signs, signCount, to, v, fold) : undefined;
  const vpn = witnessed(login && login.vpnAt > fold.vpnAt ? login.vpnAt : fold.vpnAt, from, v);
  const countryMismatch = witnessed(login && login.mismatchAt > fold.mismatchAt ? login.mismatchAt : fold.mismatchAt, from, v);
  const payrollInflow = witnessed(fold.payrollAt, from, v);
  const customer = witnessed(fold.customerAt, from, v) ? fold.customer : undefined;
  let shares = false;
  if (spec.factors.includes('shared-device')) {
    for (let i = 0; i < fold.devices.length && !shares; i++) {
      if (witnessed(fold.deviceAt[i]!, from, v)) shares = env.state.linkedToAnotherBounded('device', fold.devices[i]!, accountId, from, to, v);
    }
    for (let i = 0; i < signCount && !shares; i++) {
      const device = signs.deviceOf(i);
      if (device !== undefined && witnessed(login!.at[i]!, from, v)) shares = env.state.linkedToAnotherBounded('device', device, accountId, from, to, v);
    }
  }
  const held = (vpn ? FACTOR_BIT.vpn : 0) | (countryMismatch ? FACTOR_BIT['country-mismatch'] : 0) | (payrollInflow ? FACTOR_BIT['payroll-inflow'] : 0) | (shares ? FACTOR_BIT['shared-device'] : 0);
  // The same KYC record as the scan this one follows: its age read once.
  const createdAt = customer === undefined ? Number.NaN : before !== undefined && before.fold.customer === customer && !Number.isNaN(before.createdAt) ? before.createdAt : validatedTimeMs(customer.createdAt);
  const business = customer?.type === 'business';
  return { stale: false, held, createdAt, business, fold, rewrites: env.state.historyRewrites, fromAfter: v.fromAfter, fromAtMost: v.fromAtMost, toAtLeast: v.toAtLeast, toBefore: v.toBefore };
}

function scanAccount(env: Env, accountId: string, spec: PayerRiskSpec, from: number, to: number): AccountScan {
  const list = env.state.history(accountId);
  const lo = lowerBound(list, from);
  const hi = upperBound(list, to);
  const fold = foldItems(emptyFold(lo > 0 ? list[lo - 1]!.time : NONE), list, lo, hi, spec, true);
  return scanOfFold(env, accountId, spec, list, from, to, fold);
}

/**
 * The scan for [from, to] made from `kept`'s fold, extended over the items that joined the
 * window's end since, or undefined when that would not give what a new scan gives. It does when
 * the fold holds every item of the window up to its last one: the window starts within it, ends
 * at or after its last item, and every change to the histories since was an item added after the
 * newest of its history (`historyRewrites` unmoved) or a drop of items older than `from`
 * (`historyDroppedUpTo`). The device links are read again.
 */
function extendScan(env: Env, kept: AccountScan, accountId: string, spec: PayerRiskSpec, from: number, to: number): AccountScan | undefined {
  const state = env.state;
  const fold = kept.fold;
  if (kept.rewrites !== state.historyRewrites || state.historyDroppedUpTo >= from) return undefined;
  if (!(from > fold.coversAfter) || to < fold.lastTime) return undefined;
  const list = state.history(accountId);
  // The items after the last one folded (after the fold's start when it folded none).
  const start = upperBound(list, Math.max(fold.lastTime, fold.coversAfter));
  const hi = upperBound(list, to);
  return scanOfFold(env, accountId, spec, list, from, to, foldItems(fold, list, start, hi, spec, false, from), kept);
}

/**
 * The account's scan for [from, to]: the one kept in the state's derived values (`slot`) when
 * it is current (the state marks it stale when the account's history or one of its devices'
 * links changes) and holds for the window, else one extended from `prior` (the cluster memo's,
 * stale or not) or from the slot's, stale or not, else a new one; kept.
 */
function accountScan(env: Env, accountId: string, spec: PayerRiskSpec, from: number, to: number, slot: number, prior?: AccountScan): AccountScan {
  const inSlot = env.state.derivedValue(accountId, slot) as AccountScan | undefined;
  if (inSlot && !inSlot.stale && withinValidity(inSlot, from, to)) return inSlot;
  const fresh = (prior && extendScan(env, prior, accountId, spec, from, to)) || (inSlot && extendScan(env, inSlot, accountId, spec, from, to)) || scanAccount(env, accountId, spec, from, to);
  env.state.keepDerivedValue(accountId, slot, fresh);
  return fresh;
}

/** The spec's factors (`mask`: factorMask) that hold for the account at the window's end `to`, as FACTOR_BIT bits. */
function heldAt(a: AccountScan, spec: PayerRiskSpec, to: number, mask: number): number {
  // NaN (no KYC record in the window, or one that cannot be read) is never young.
  const young = to - a.createdAt <= spec.youngWithin ? FACTOR_BIT['young-account'] : 0;
  return (a.held | young) & mask;
}

const salaryBands = new WeakMap<PayerRiskSpec, [Decimal, Decimal]>();

/** The salary band as exact decimals (made once per spec: every scan and judgement reads it). */
function salaryBand(spec: PayerRiskSpec): [Decimal, Decimal] {
  let band = salaryBands.get(spec);
  if (!band) salaryBands.set(spec, (band = [Decimal.fromNumber(spec.salaryUsd[0]), Decimal.fromNumber(spec.salaryUsd[1])]));
  return band;
}

/**
 * The evidence transfers a judgement found, in the order given, with what it read of each: kept
 * in a cluster's memo, in columns, so the next judgement reads them without a look-up while the
 * state surely still holds them.
 */
interface EvidenceColumns {
  eventIds: string[];
  accountIds: string[];
  /** The account's index in the judgement's `accounts`, -1 when it names no such account. */
  accountAt: number[];
  usd: Decimal[];
  /** `usd` as a double: sums and the median are ordered by it, the decimals read only where it cannot tell. */
  approx: number[];
  time: number[];
  withdrawal: boolean[];
}

/** Columns for up to `capacity` rows, cut to the rows filled by `usdPerAccount` (no growth by push). */
function evidenceColumns(capacity: number): EvidenceColumns {
  return { eventIds: new Array<string>(capacity), accountIds: new Array<string>(capacity), accountAt: new Array<number>(capacity), usd: new Array<Decimal>(capacity), approx: new Array<number>(capacity), time: new Array<number>(capacity), withdrawal: new Array<boolean>(capacity) };
}

/**
 * The USD each of `accounts` (sorted, distinct) sent among the evidence events, summed exactly,
 * by the account's index (undefined: it sent none). An evidence transfer is read from `prior`
 * (the cluster's last judgement, with `accountsNow` mapping its account indexes to this one's)
 * while the state surely still holds it, else from the state; what was read fills `found`
 * (made with a row per evidence id, cut to those found).
 */
function usdPerAccount(env: Env, accounts: readonly string[], eventIds: readonly string[], prior: { columns: EvidenceColumns; accountsNow: readonly number[] } | undefined, found: EvidenceColumns): Sums {
  const sums = new Array<Decimal | undefined>(accounts.length).fill(undefined);
  const approx = new Array<number>(accounts.length).fill(0);
  const at = prior ? alignByIdentity(eventIds, prior.columns.eventIds) : undefined;
  const keptFrom = [env.state.transferKeptFrom('deposit'), env.state.transferKeptFrom('withdrawal')];
  let rows = 0;
  let repeated = false;
  for (let k = 0; k < eventIds.length; k++) {
    const p = at ? at[k]! : -1;
    let accountId: string;
    let accountAt: number;
    let usd: Decimal;
    let usdApprox: number;
    let time: number;
    let withdrawal: boolean;
    if (p >= 0 && prior!.columns.time[p]! >= keptFrom[prior!.columns.withdrawal[p] ? 1 : 0]!) {
      const c = prior!.columns;
      accountId = c.accountIds[p]!;
      const before = c.accountAt[p]!;
      accountAt = before >= 0 ? prior!.accountsNow[before]! : -1;
      // An account the alignment did not place (or one not named before) is looked for by name.
      if (accountAt < 0) accountAt = indexOfSorted(accounts, accountId);
      usd = c.usd[p]!;
      usdApprox = c.approx[p]!;
      time = c.time[p]!;
      withdrawal = c.withdrawal[p]!;
    } else {
      const t = env.state.transfer(eventIds[k]!);
      if (!t) continue;
      accountId = t.msg.accountId;
      accountAt = indexOfSorted(accounts, accountId);
      usd = t.usd ?? Decimal.ZERO;
      usdApprox = usd.toNumber();
      time = t.time;
      withdrawal = t.msg.kind === 'withdrawal';
    }
    found.eventIds[rows] = eventIds[k]!;
    found.accountIds[rows] = accountId;
    found.accountAt[rows] = accountAt;
    found.usd[rows] = usd;
    found.approx[rows] = usdApprox;
    found.time[rows] = time;
    found.withdrawal[rows++] = withdrawal;
    // Most payers sent one evidence event: their sum is that value, with no addition to make.
    if (accountAt < 0) continue;
    if (sums[accountAt] === undefined) sums[accountAt] = usd;
    else {
      sums[accountAt] = sums[accountAt]!.plus(usd);
      repeated = true;
    }
    approx[accountAt] = approx[accountAt]! + usdApprox;
  }
  // Cut only when some evidence was not found (a transfer let go of): most judgements fill every row.
  if (rows < eventIds.length) for (const column of [found.eventIds, found.accountIds, found.accountAt, found.usd, found.approx, found.time, found.withdrawal]) column.length = rows;
  return { exact: sums, approx, repeated };
}

/**
 * Each account's USD sum (by its index; undefined: it sent none), exact, and as a double. The
 * doubles order the sums wherever they differ by more than their rounding can (non-negative
 * values summed: a relative error far below SLACK), so the decimals, cold in memory, are read
 * only to break near-ties; a negative value turns the shortcut off.
 */
interface Sums {
  exact: (Decimal | undefined)[];
  approx: number[];
  /** Whether some account sent more than one evidence event (else each sum is that account's one payment). */
  repeated: boolean;
}

const SLACK = 1e-9;

/** How sums i and j order (as Decimal.compare would), reading their decimals only when the doubles cannot tell. */
function compareSums(s: Pick<Sums, 'exact' | 'approx'>, i: number, j: number): number {
  const x = s.approx[i]!;
  const y = s.approx[j]!;
  const slack = SLACK * Math.max(x, y);
  if (x >= 0 && y >= 0) {
    if (x < y - slack) return -1;
    if (x > y + slack) return 1;
  }
  return s.exact[i]!.compare(s.exact[j]!);
}

/** Whether sum i is at least `floor` (whose double is `floorApprox`), reading the decimal only near it. */
function atLeast(s: Sums, i: number, floor: Decimal, floorApprox: number): boolean {
  const sum = s.exact[i];
  if (sum === undefined) return false;
  const x = s.approx[i]!;
  if (x >= 0 && floorApprox >= 0) {
    const slack = SLACK * Math.max(x, floorApprox);
    if (x > floorApprox + slack) return true;
    if (x < floorApprox - slack) return false;
  }
  return sum.compare(floor) >= 0;
}

/** The exact median of the sums present (as `median` gives it), ordered by compareSums. */
function medianOfSums(s: Pick<Sums, 'exact' | 'approx'>): Decimal {
  const present: number[] = [];
  for (let i = 0; i < s.exact.length; i++) if (s.exact[i] !== undefined) present.push(i);
  if (present.length === 0) return Decimal.ZERO;
  present.sort((i, j) => compareSums(s, i, j));
  const mid = present.length >> 1;
  if (present.length % 2) return s.exact[present[mid]!]!;
  const pair = sumOf([s.exact[present[mid - 1]!]!, s.exact[present[mid]!]!]);
  return pair.dividedBy(2, pair.scale + 1);
}

/**
 * The median, over the accounts that sent any evidence, of each one's median evidence payment
 * (ZERO when none did). T4 asks for salary-sized withdrawals: an account's 30-day sum reaches a
 * salary's size from many small card top-ups too (session 42 QA: 30 of 30 customers of a card
 * top-up service were high), its typical payment does not. An account's payments within
 * `groupWithin` of the first of them are one payment (a salary split across own wallets that
 * sweep into one cluster; session 46 QA). Accounts marked in `left` are left out.
 */
function medianPayment(found: EvidenceColumns, groupWithin: number, left?: readonly boolean[]): Decimal {
  const byAccount: number[][] = [];
  for (let r = 0; r < found.usd.length; r++) {
    const at = found.accountAt[r]!;
    if (at >= 0 && !left?.[at]) (byAccount[at] ??= []).push(r);
  }
  const medians: Decimal[] = [];
  for (const rows of byAccount) {
    if (rows === undefined) continue;
    const payments = groupWithin > 0 && rows.length > 1 ? groupedPayments(found, rows, groupWithin) : rows.map((r) => found.usd[r]!);
    medians.push(payments.length === 1 ? payments[0]! : median(payments));
  }
  return median(medians);
}

/** One account's evidence payments (its rows), those within `groupWithin` of the first of a group summed as one, in time order. */
function groupedPayments(found: Pick<EvidenceColumns, 'usd' | 'time'>, rows: readonly number[], groupWithin: number): Decimal[] {
  const byTime = [...rows].sort((a, b) => found.time[a]! - found.time[b]! || a - b);
  const payments: Decimal[] = [];
  let groupStart = Number.NEGATIVE_INFINITY;
  for (const r of byTime) {
    const time = found.time[r]!;
    if (payments.length > 0 && time - groupStart < groupWithin) payments[payments.length - 1] = payments[payments.length - 1]!.plus(found.usd[r]!);
    else { payments.push(found.usd[r]!); groupStart = time; }
  }
  return payments;
}

/** The exact sum of the sums present. */
function totalOfSums(s: Sums): Decimal {
  const present: Decimal[] = [];
  for (const sum of s.exact) if (sum !== undefined) present.push(sum);
  return present.length === 0 ? Decimal.ZERO : sumOf(present);
}

/** The index of `key` in the sorted list, or -1 (a binary search: no set built per judgement). */
function indexOfSorted(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const at = sorted[mid]!;
    if (at === key) return mid;
    if (at < key) lo = mid + 1; else hi = mid;
  }
  return -1;
}

/** The median, exact: the mean of the two middle values of an even count needs one more place at most. */
export function median(values: readonly Decimal[]): Decimal {
  return medianOfSums({ exact: values.slice(), approx: values.map((v) => v.toNumber()) });
}

function stringsOf(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The strings of a list, the list itself when it holds nothing else (a fan-in's event ids; judge never writes it). */
function onlyStrings(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return stringsOf(v);
  return v as string[];
}

/** The distinct strings of a value, sorted; a list that already is so (a fan-in's account ids) is taken as it is. */
export function distinctSorted(v: unknown): string[] {
  if (Array.isArray(v) && isStrictlyIncreasing(v)) return v as string[];
  return [...new Set(stringsOf(v))].sort();
}

/** Whether every item is a string and each sorts after the one before (then the list has no repeats either). */
function isStrictlyIncreasing(list: readonly unknown[]): boolean {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (typeof x !== 'string' || (i > 0 && !((list[i - 1] as string) < x))) return false;
  }
  return true;
}

/** What payer-risk concluded for one list of accounts, one evidence list and one window, before the trigger's own part. */
interface Judgement {
  accounts: string[];
  risky: string[];
  share: number;
  byFactor: Record<string, number>;
  implicated: string[];
  /** The accounts whose window's newest KYC record says business (see UsdFigures). */
  business: number;
  /** What the accounts sent, through the evidence (undefined without `valueOf`). */
  usd: LazyUsdFigures | undefined;
}

/** What a judgement's payers sent, through the evidence. */
interface UsdFigures {
  medianUsd: Decimal;
  /** What the accounts sent in all: T4's "$50,000 aggregate". */
  totalUsd: Decimal;
  /** The median of each account's median evidence payment: whether the payments themselves are salary-sized. */
  medianPaymentUsd: Decimal;
  /**
   * `medianUsd` and `medianPaymentUsd` over the accounts that are not businesses alone: a
   * business paying a contractor or supplier is the paying side, not a worker forwarding pay
   * (T4's payers), and must not make a clean cluster's payers look salary-sized (session 48 review).
   */
  individualMedianUsd: Decimal;
  individualMedianPaymentUsd: Decimal;
}

/**
 * A judgement's USD figures, each made on its own first read from the sums and evidence rows the
 * judgement found (which nothing writes afterwards, so a later read gives what an immediate one
 * would). A rule tries its cheapest conditions first: `dprk-consolidation` fails most judgements
 * of a hot cluster on `implicated` before any condition reads a median, and most of the rest on
 * `medianUsd` with no risky payer: the total, the median payment and the individual payers'
 * figures are made only for the judgements a condition or an alert goes on to read them for.
 */
class LazyUsdFigures implements UsdFigures {
  #medianUsd: Decimal | undefined;
  #totalUsd: Decimal | undefined;
  #medianPaymentUsd: Decimal | undefined;
  #individualMedianUsd: Decimal | undefined;
  #individualMedianPaymentUsd: Decimal | undefined;

  constructor(private readonly sent: Sums, private readonly found: EvidenceColumns, private readonly isBusiness: readonly boolean[] | undefined, private readonly groupWithin: number) {}

  get medianUsd(): Decimal {
    return (this.#medianUsd ??= medianOfSums(this.sent));
  }

  get totalUsd(): Decimal {
    return (this.#totalUsd ??= totalOfSums(this.sent));
  }

  /**
   * With one evidence payment per account, each account's median payment is its sum, taken in
   * the same order: the median of medians is the median of the sums, the very same value.
   */
  get medianPaymentUsd(): Decimal {
    return (this.#medianPaymentUsd ??= this.sent.repeated ? medianPayment(this.found, this.groupWithin) : this.medianUsd);
  }

  /** `medianUsd` over the payers that are not businesses (all of them when none is). */
  get individualMedianUsd(): Decimal {
    if (!this.isBusiness) return this.medianUsd;
    return (this.#individualMedianUsd ??= medianOfSums(withoutAccounts(this.sent, this.isBusiness)));
  }

  /** `medianPaymentUsd` over the payers that are not businesses (all of them when none is). */
  get individualMedianPaymentUsd(): Decimal {
    if (!this.isBusiness) return this.medianPaymentUsd;
    return (this.#individualMedianPaymentUsd ??= this.sent.repeated ? medianPayment(this.found, this.groupWithin, this.isBusiness) : this.individualMedianUsd);
  }
}

/**
 * The last judgement and what it was made of. A merge re-examines two transfers of one cluster
 * in a row, whose fan-ins name the very same accounts (the same list, see RecentAccountsMemo) up
 * to the same time: the second reads the first's judgement while the rule state is unchanged.
 */
interface JudgementMemo {
  state: Env['state'];
  version: number;
  accounts: unknown;
  valueOf: unknown;
  to: number;
  judgement: Judgement;
}

/**
 * What one cluster's last judgement read, for its next: a hot cluster is judged again at every
 * sweep into it, over nearly the same payers and evidence. A payer's scan is taken from here
 * while the state has not let go of it (`stale`) and the new window lies within its validity;
 * an evidence transfer while the state surely still holds it (`transferRemovals` unmoved and
 * expiry short of its time). So a judgement reads the rule state's maps only for what changed,
 * and gives what a judgement from the state alone gives.
 */
interface ClusterMemo {
  /** Sorted, distinct. */
  accounts: string[];
  /** Each account's scan, by its index in `accounts`. */
  scans: AccountScan[];
  evidence: EvidenceColumns;
  /** `transferRemovals` when `evidence` was read. */
  removals: number;
}

/** Clusters whose last judgement each payer-risk signal keeps: hot ones are judged over and over, and any past this start afresh. */
const CLUSTER_MEMOS_KEPT = 1024;
/**
 * Evidence rows a cluster memo keeps at most: a judgement over more evidence (payers who paid
 * the cluster many times within the window) keeps none and the next reads the state again, so the
 * memos hold at most about 1,024 x 256 rows (some 16 MB) whatever the clusters' traffic.
 */
const EVIDENCE_ROWS_KEPT = 256;

function judge(env: Env, spec: PayerRiskSpec, accounts: string[], evidence: string[] | undefined, to: number, slot: number, prior: ClusterMemo | undefined): { judgement: Judgement; memo: ClusterMemo } {
  const from = to - spec.within;
  const byFactor: Record<string, number> = {};
  const risky: string[] = [];
  // Whether each account (by its index in `accounts`) is risky: counted without a list per account.
  const isRisky: boolean[] = new Array<boolean>(accounts.length);
  // Whether each account is a business, made only once one is (most judgements have none).
  let isBusiness: boolean[] | undefined;
  let business = 0;
  const scans: AccountScan[] = new Array<AccountScan>(accounts.length);
  // Where each account stood in the prior judgement's list, and where each of those stands now.
  const before = prior ? alignByIdentity(accounts, prior.accounts) : undefined;
  const accountsNow = prior ? new Array<number>(prior.accounts.length).fill(-1) : undefined;
  const mask = factorMask(spec);
  for (let i = 0; i < accounts.length; i++) {
    const p = before ? before[i]! : -1;
    let scan: AccountScan | undefined;
    let kept: AccountScan | undefined;
    if (p >= 0) {
      accountsNow![p] = i;
      kept = prior!.scans[p]!;
      if (!kept.stale && withinValidity(kept, from, to)) scan = kept;
    }
    scans[i] = scan ??= accountScan(env, accounts[i]!, spec, from, to, slot, kept);
    if (scan.business) {
      (isBusiness ??= new Array<boolean>(accounts.length).fill(false))[i] = true;
      business++;
    }
    const held = heldAt(scan, spec, to, mask);
    let count = 0;
    // Most payers hold no factor: only those that hold one are counted factor by factor.
    if (held !== 0) {
      for (const f of spec.factors) {
        if ((held & FACTOR_BIT[f]) === 0) continue;
        byFactor[f] = (byFactor[f] ?? 0) + 1;
        count++;
      }
    }
    if ((isRisky[i] = count >= spec.minFactors)) risky.push(accounts[i]!);
  }
  const share = accounts.length ? risky.length / accounts.length : 0;
  const removals = env.state.transferRemovals;
  const found = evidenceColumns(evidence?.length ?? 0);
  const priorEvidence = prior && prior.removals === removals ? { columns: prior.evidence, accountsNow: accountsNow! } : undefined;
  const sent = evidence ? usdPerAccount(env, accounts, evidence, priorEvidence, found) : undefined;
  const salaryFloor = salaryBand(spec)[0];
  const floorApprox = salaryFloor.toNumber();
  // Implicated: an account with risk of its own, or that sent a salary-sized sum. A clean
  // customer paying a few dollars to a cluster that risky accounts also pay is not.
  const implicated = accounts.filter((_, i) => isRisky[i] || (sent !== undefined && atLeast(sent, i, salaryFloor, floorApprox)));
  const kept = found.eventIds.length <= EVIDENCE_ROWS_KEPT ? found : evidenceColumns(0);
  const usd = sent ? new LazyUsdFigures(sent, found, isBusiness, spec.paymentGroupWithin) : undefined;
  return { judgement: { accounts, risky, share, byFactor, implicated, business, usd }, memo: { accounts, scans, evidence: kept, removals } };
}

/** The sums without those of the accounts marked in `left` (as if they had sent none). */
function withoutAccounts(s: Pick<Sums, 'exact' | 'approx'>, left: readonly boolean[]): Pick<Sums, 'exact' | 'approx'> {
  return { exact: s.exact.map((sum, i) => (left[i] ? undefined : sum)), approx: s.approx };
}

/** The cluster the accounts' signal names (a fan-in's `cluster` fact), if it names one. */
function clusterNamed(ctx: Env['ctx'], readGroup: ((ctx: unknown) => unknown) | undefined): string | undefined {
  if (readGroup === undefined) return undefined;
  const group = readGroup(ctx);
  const cluster = group !== null && typeof group === 'object' ? (group as Record<string, unknown>).cluster : undefined;
  return typeof cluster === 'string' ? cluster : undefined;
}

export function payerRisk(spec: PayerRiskSpec): Signal {
  let memo: JudgementMemo | undefined;
  // Per account, its last window's scan, kept in the state: a hot cluster's payers are judged
  // again at every merge into it, mostly with nothing of theirs changed since.
  let slot = 0;
  let slotOf: Env['state'] | undefined;
  // Per cluster, what its last judgement read (see ClusterMemo), least recently judged first.
  let clusters = new Map<string, ClusterMemo>();
  const dot = spec.accounts.lastIndexOf('.');
  // Each path read by a reader compiled once (conditions.ts), not split and walked per judgement.
  const readGroup = dot > 0 ? pathReader(spec.accounts.slice(0, dot)) : undefined;
  const readAccounts = pathReader(spec.accounts);
  const readValueOf = spec.valueOf ? pathReader(spec.valueOf) : undefined;
  const withinText = `${spec.within / DAY}d`;
  return (env): SignalResult => {
    if (slotOf !== env.state) { slot = env.state.derivedSlot(); slotOf = env.state; clusters = new Map(); }
    const rawAccounts = readAccounts(env.ctx);
    // Nothing named (the signal it reads did not hold, as a fan-in that failed): no judgement,
    // and no facts an alert's evidence would show as a median of 0 over no payers.
    if (rawAccounts === undefined) return NO_RESULT;
    const rawValueOf = readValueOf ? readValueOf(env.ctx) : undefined;
    // As the fan-in does: late evidence reads the payers as of the change, not only the trigger.
    const to = Math.max(env.trigger.time, env.asOf);
    let j: Judgement;
    if (memo && memo.state === env.state && memo.version === env.state.version && memo.accounts === rawAccounts && memo.valueOf === rawValueOf && memo.to === to) j = memo.judgement;
    else {
      const cluster = clusterNamed(env.ctx, readGroup);
      const prior = cluster === undefined ? undefined : clusters.get(cluster);
      const judged = judge(env, spec, distinctSorted(rawAccounts), spec.valueOf ? onlyStrings(rawValueOf) : undefined, to, slot, prior);
      j = judged.judgement;
      if (cluster !== undefined) {
        if (prior) clusters.delete(cluster);
        else if (clusters.size >= CLUSTER_MEMOS_KEPT) clusters.delete(clusters.keys().next().value!);
        clusters.set(cluster, judged.memo);
      }
      // Only lists can be recognised again by identity; a judgement of anything else is not kept.
      memo = Array.isArray(rawAccounts) ? { state: env.state, version: env.state.version, accounts: rawAccounts, valueOf: rawValueOf, to, judgement: j } : undefined;
    }
    const within = withinText;
    const triggerImplicated = env.trigger.type === 'transfer' && j.implicated.includes(env.trigger.msg.accountId);
    const usd = j.usd;
    // The USD figures as getters (copied as such by the engine: see SignalResult.lazyFacts), in
    // the order the facts always listed them: made only when a condition or an alert reads one.
    const facts: Record<string, unknown> = usd === undefined
      ? { accounts: j.accounts.length, risky: j.risky.length, riskyAccountIds: j.risky, share: round(j.share, 3), factors: j.byFactor, within, implicatedAccountIds: j.implicated, implicated: j.implicated.length, triggerImplicated, businessPayers: j.business, individualPayers: j.accounts.length - j.business }
      : {
          accounts: j.accounts.length, risky: j.risky.length, riskyAccountIds: j.risky, share: round(j.share, 3), factors: j.byFactor, within, implicatedAccountIds: j.implicated, implicated: j.implicated.length, triggerImplicated, businessPayers: j.business, individualPayers: j.accounts.length - j.business,
          get medianUsd() { return usd.medianUsd; },
          get totalUsd() { return usd.totalUsd; },
          get medianPaymentUsd() { return usd.medianPaymentUsd; },
          get individualMedianUsd() { return usd.individualMedianUsd; },
          get individualMedianPaymentUsd() { return usd.individualMedianPaymentUsd; },
        };
    const n = j.risky.length;
    const t = spec.pass;
    const passes = (t.gte === undefined || n >= t.gte) && (t.gt === undefined || n > t.gt) && (t.lte === undefined || n <= t.lte) && (t.lt === undefined || n < t.lt);
    const ok = j.accounts.length > 0 && passes && j.share >= spec.minShare;
    return usd === undefined ? { ok, value: n, eventIds: [], facts } : { ok, value: n, eventIds: [], facts, lazyFacts: true };
  };
}
