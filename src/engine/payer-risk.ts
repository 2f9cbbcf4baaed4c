/**
 * `payer-risk`: how many of the accounts another signal names (a fan-in's payers) carry risk of
 * their own, and what they paid. It tells a laundering hub, whose few payers share risk (VPN or
 * Astrill sessions, a session country other than the KYC country, young accounts, shared
 * devices, payroll-like inflows) and send it salary-sized sums, from a service used by ordinary
 * customers, whose payers are clean and pay small amounts. Reads only the rule state: each
 * account's history within the window, and the device index.
 */
import { validatedTimeMs } from '../contract/primitives.js';
import { Decimal, sumOf } from '../money/decimal.js';
import { getPath } from './conditions.js';
import { alignByIdentity } from './identity-align.js';
import type { SignalSpec } from './rule-schema.js';
import type { Env, Signal, SignalResult } from './signals.js';
import type { DerivedValue, HistoryItem } from './state.js';
import { upperBound } from '../state/sorted-by-time.js';
import { anyWindow, rangeWithValidity, withinValidity, type WindowValidity } from './window-validity.js';

type PayerRiskSpec = Extract<SignalSpec, { op: 'payer-risk' }>;
export type RiskFactor = PayerRiskSpec['factors'][number];

const DAY = 86_400_000;
const round = (n: number, places = 2): number => Math.round(n * 10 ** places) / 10 ** places;

interface Session { ip?: string; ipCountry?: string; vpn?: boolean; vpnProvider?: string | undefined; deviceId?: string | undefined }

function sessionOf(item: HistoryItem): Session | undefined {
  return item.type === 'login' ? item.msg : item.msg.session;
}

/**
 * What a pass over an account's history within the window has seen so far, in item order: a
 * left fold, so the items that join the window's end later extend it (see extendScan) and give
 * what one pass over the whole window gives.
 */
interface ScanFold {
  vpn: boolean;
  countryMismatch: boolean;
  payrollInflow: boolean;
  /** The newest KYC record among the window's transfers so far (its `createdAt` ages the account). */
  customer: { createdAt: string; kycCountry?: string } | undefined;
  /** The KYC country the account had declared by the last item folded (the newest record's). */
  kycCountry: string | undefined;
  /** Distinct device ids, in order of first use within the window. */
  devices: string[];
  /** Senders of salary-sized deposits so far (undefined while there is none). */
  salarySenders: Set<string> | undefined;
}

function emptyFold(): ScanFold {
  return { vpn: false, countryMismatch: false, payrollInflow: false, customer: undefined, kycCountry: undefined, devices: [], salarySenders: undefined };
}

/**
 * Folds items [lo, hi) into `base` and returns the result: `base` itself when it is `owned` (a
 * new scan's) or the items change nothing (the usual login from a known device), else a copy,
 * so a fold that other memos' scans still hold is never changed under them. The KYC country is
 * the newest seen so far at each item, as a session country is compared with what the account
 * had declared by then. Allocates only for what it finds (most payers have no device in a
 * transfer session and no salary-sized deposits).
 */
function foldItems(base: ScanFold, items: readonly HistoryItem[], lo: number, hi: number, spec: PayerRiskSpec, owned = false): ScanFold {
  let fold = base;
  let own = owned;
  const writable = (): ScanFold => {
    if (own) return fold;
    own = true;
    return (fold = { vpn: base.vpn, countryMismatch: base.countryMismatch, payrollInflow: base.payrollInflow, customer: base.customer, kycCountry: base.kycCountry, devices: base.devices.slice(), salarySenders: base.salarySenders && new Set(base.salarySenders) });
  };
  const [low, high] = salaryBand(spec);
  for (let i = lo; i < hi; i++) {
    const item = items[i]!;
    const session = sessionOf(item);
    if (session?.vpn && !fold.vpn) writable().vpn = true;
    if (session?.deviceId && !fold.devices.includes(session.deviceId)) writable().devices.push(session.deviceId);
    if (item.type !== 'transfer') continue;
    const customer = item.msg.customer;
    if (customer && customer !== fold.customer) {
      const f = writable();
      f.kycCountry = customer.kycCountry;
      f.customer = customer;
    }
    const kycCountry = fold.kycCountry;
    if (!fold.countryMismatch && kycCountry && session?.ipCountry && session.ipCountry !== kycCountry && session.ipCountry.toUpperCase() !== kycCountry.toUpperCase()) writable().countryMismatch = true;
    const usd = item.usd;
    const sender = item.from[0];
    if (item.msg.kind === 'deposit' && usd !== null && usd.compare(low) >= 0 && usd.compare(high) <= 0 && sender !== undefined) {
      // A second salary-sized deposit from one sender is a payroll-like inflow.
      if (fold.salarySenders?.has(sender)) {
        if (!fold.payrollInflow) writable().payrollInflow = true;
      } else (writable().salarySenders ??= new Set()).add(sender);
    }
  }
  return fold;
}

/**
 * An account's factors that its window's history and its devices' links decide (all but
 * young-account, which moves with the window's end alone), and the windows they hold for. Flat:
 * a judgement reads one object per payer, the one the state keeps (its bits, its age and the
 * windows it holds for), not the scan and bounds it was made from.
 */
interface AccountScan extends WindowValidity, DerivedValue {
  /** Those factors that hold, as FACTOR_BIT bits. */
  held: number;
  /** The account's `customer.createdAt` (epoch ms) as the window's newest KYC record gives it; NaN when none does. */
  createdAt: number;
  /** What the pass saw, for extending it over items that join the window's end. */
  fold: ScanFold;
  /** The time of the last item folded (-Infinity when the window held none). */
  lastTime: number;
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

/** The scan of a fold over the window's items: its devices' links read now, narrowing `validity` further. */
function scanOfFold(env: Env, accountId: string, spec: PayerRiskSpec, from: number, to: number, fold: ScanFold, lastTime: number, validity: WindowValidity, before?: AccountScan): AccountScan {
  let shares = false;
  if (spec.factors.includes('shared-device')) {
    for (const device of fold.devices) if ((shares = env.state.linkedToAnotherBounded('device', device, accountId, from, to, validity))) break;
  }
  const held = (fold.vpn ? FACTOR_BIT.vpn : 0) | (fold.countryMismatch ? FACTOR_BIT['country-mismatch'] : 0) | (fold.payrollInflow ? FACTOR_BIT['payroll-inflow'] : 0) | (shares ? FACTOR_BIT['shared-device'] : 0);
  // The same KYC record as the scan extended: its age read once.
  const createdAt = before !== undefined && before.fold.customer === fold.customer ? before.createdAt : fold.customer ? validatedTimeMs(fold.customer.createdAt) : Number.NaN;
  return { stale: false, held, createdAt, fold, lastTime, rewrites: env.state.historyRewrites, fromAfter: validity.fromAfter, fromAtMost: validity.fromAtMost, toAtLeast: validity.toAtLeast, toBefore: validity.toBefore };
}

function scanAccount(env: Env, accountId: string, spec: PayerRiskSpec, from: number, to: number): AccountScan {
  const validity = anyWindow();
  const list = env.state.history(accountId);
  const [lo, hi] = rangeWithValidity(list, from, to, validity);
  const fold = foldItems(emptyFold(), list, lo, hi, spec, true);
  return scanOfFold(env, accountId, spec, from, to, fold, hi > lo ? list[hi - 1]!.time : Number.NEGATIVE_INFINITY, validity);
}

/**
 * The scan for [from, to] made by extending `kept` over the items that joined the window's end
 * since, or undefined when that would not give what a new scan gives. It does when the window
 * starts at the same item as kept's did (from within its start bounds) and every change to the
 * histories since was an item added after the newest of its history (`historyRewrites` unmoved)
 * or a drop of items older than `from` (`historyDroppedUpTo`): then the items kept folded are the
 * new window's up to its last one, and the rest come after. The device links are read again.
 * A hot cluster's payers are judged at every sweep into it, each time after a login or two of theirs.
 */
function extendScan(env: Env, kept: AccountScan, accountId: string, spec: PayerRiskSpec, from: number, to: number): AccountScan | undefined {
  const state = env.state;
  if (kept.rewrites !== state.historyRewrites || state.historyDroppedUpTo >= from) return undefined;
  if (!(from > kept.fromAfter && from <= kept.fromAtMost) || to < kept.lastTime) return undefined;
  const validity = anyWindow();
  const list = state.history(accountId);
  const [lo, hi] = rangeWithValidity(list, from, to, validity);
  const start = Math.max(lo, upperBound(list, kept.lastTime));
  if (start >= hi) return scanOfFold(env, accountId, spec, from, to, kept.fold, kept.lastTime, validity, kept);
  return scanOfFold(env, accountId, spec, from, to, foldItems(kept.fold, list, start, hi, spec), list[hi - 1]!.time, validity, kept);
}

/**
 * The account's scan for [from, to]: the one kept in the state's derived values (`slot`) when
 * the window still selects what it was computed from (the state drops it when the account's
 * history or one of its devices' links changes), else one extended from `prior` (the cluster
 * memo's, stale or not) or from the slot's, else a new one; kept.
 */
function accountScan(env: Env, accountId: string, spec: PayerRiskSpec, from: number, to: number, slot: number, prior?: AccountScan): AccountScan {
  const inSlot = env.state.derivedValue(accountId, slot) as AccountScan | undefined;
  if (inSlot && withinValidity(inSlot, from, to)) return inSlot;
  const fresh = (prior && extendScan(env, prior, accountId, spec, from, to)) || (inSlot && extendScan(env, inSlot, accountId, spec, from, to)) || scanAccount(env, accountId, spec, from, to);
  env.state.keepDerivedValue(accountId, slot, fresh);
  return fresh;
}

/** The spec's factors that hold for the account at the window's end `to`, as FACTOR_BIT bits. */
function heldAt(a: AccountScan, spec: PayerRiskSpec, to: number): number {
  // NaN (no KYC record in the window, or one that cannot be read) is never young.
  const young = to - a.createdAt <= spec.youngWithin ? FACTOR_BIT['young-account'] : 0;
  return (a.held | young) & factorMask(spec);
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
function usdPerAccount(env: Env, accounts: readonly string[], eventIds: readonly string[], prior: { columns: EvidenceColumns; accountsNow: Int32Array } | undefined, found: EvidenceColumns): Sums {
  const sums = new Array<Decimal | undefined>(accounts.length).fill(undefined);
  const approx = new Float64Array(accounts.length);
  const at = prior ? alignByIdentity(eventIds, prior.columns.eventIds) : undefined;
  const keptFrom = [env.state.transferKeptFrom('deposit'), env.state.transferKeptFrom('withdrawal')];
  let rows = 0;
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
    sums[accountAt] = sums[accountAt] === undefined ? usd : sums[accountAt]!.plus(usd);
    approx[accountAt] = approx[accountAt]! + usdApprox;
  }
  for (const column of [found.eventIds, found.accountIds, found.accountAt, found.usd, found.approx, found.time, found.withdrawal]) column.length = rows;
  return { exact: sums, approx };
}

/**
 * Each account's USD sum (by its index; undefined: it sent none), exact, and as a double. The
 * doubles order the sums wherever they differ by more than their rounding can (non-negative
 * values summed: a relative error far below SLACK), so the decimals, cold in memory, are read
 * only to break near-ties; a negative value turns the shortcut off.
 */
interface Sums {
  exact: (Decimal | undefined)[];
  approx: Float64Array;
}

const SLACK = 1e-9;

/** How sums i and j order (as Decimal.compare would), reading their decimals only when the doubles cannot tell. */
function compareSums(s: Sums, i: number, j: number): number {
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
function medianOfSums(s: Sums): Decimal {
  const present: number[] = [];
  for (let i = 0; i < s.exact.length; i++) if (s.exact[i] !== undefined) present.push(i);
  if (present.length === 0) return Decimal.ZERO;
  present.sort((i, j) => compareSums(s, i, j));
  const mid = present.length >> 1;
  if (present.length % 2) return s.exact[present[mid]!]!;
  const pair = sumOf([s.exact[present[mid - 1]!]!, s.exact[present[mid]!]!]);
  return pair.dividedBy(2, pair.scale + 1);
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
  return medianOfSums({ exact: values.slice(), approx: Float64Array.from(values, (v) => v.toNumber()) });
}

function stringsOf(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
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
  medianUsd: Decimal | undefined;
  /** What the accounts sent in all, through the evidence: T4's "$50,000 aggregate". */
  totalUsd: Decimal | undefined;
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
  const scans: AccountScan[] = new Array<AccountScan>(accounts.length);
  // Where each account stood in the prior judgement's list, and where each of those stands now.
  const before = prior ? alignByIdentity(accounts, prior.accounts) : undefined;
  const accountsNow = prior ? new Int32Array(prior.accounts.length).fill(-1) : undefined;
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
    const held = heldAt(scan, spec, to);
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
  const medianUsd = sent ? medianOfSums(sent) : undefined;
  const totalUsd = sent ? totalOfSums(sent) : undefined;
  const kept = found.eventIds.length <= EVIDENCE_ROWS_KEPT ? found : evidenceColumns(0);
  return { judgement: { accounts, risky, share, byFactor, implicated, medianUsd, totalUsd }, memo: { accounts, scans, evidence: kept, removals } };
}

/** The cluster the accounts' signal names (a fan-in's `cluster` fact), if it names one. */
function clusterNamed(ctx: Env['ctx'], groupPath: string | undefined): string | undefined {
  if (groupPath === undefined) return undefined;
  const group = getPath(ctx, groupPath);
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
  const groupPath = dot > 0 ? spec.accounts.slice(0, dot) : undefined;
  return (env): SignalResult => {
    if (slotOf !== env.state) { slot = env.state.derivedSlot(); slotOf = env.state; clusters = new Map(); }
    const rawAccounts = getPath(env.ctx, spec.accounts);
    const rawValueOf = spec.valueOf ? getPath(env.ctx, spec.valueOf) : undefined;
    // As the fan-in does: late evidence reads the payers as of the change, not only the trigger.
    const to = Math.max(env.trigger.time, env.asOf);
    let j: Judgement;
    if (memo && memo.state === env.state && memo.version === env.state.version && memo.accounts === rawAccounts && memo.valueOf === rawValueOf && memo.to === to) j = memo.judgement;
    else {
      const cluster = clusterNamed(env.ctx, groupPath);
      const prior = cluster === undefined ? undefined : clusters.get(cluster);
      const judged = judge(env, spec, distinctSorted(rawAccounts), spec.valueOf ? stringsOf(rawValueOf) : undefined, to, slot, prior);
      j = judged.judgement;
      if (cluster !== undefined) {
        if (prior) clusters.delete(cluster);
        else if (clusters.size >= CLUSTER_MEMOS_KEPT) clusters.delete(clusters.keys().next().value!);
        clusters.set(cluster, judged.memo);
      }
      // Only lists can be recognised again by identity; a judgement of anything else is not kept.
      memo = Array.isArray(rawAccounts) ? { state: env.state, version: env.state.version, accounts: rawAccounts, valueOf: rawValueOf, to, judgement: j } : undefined;
    }
    const facts: Record<string, unknown> = {
      accounts: j.accounts.length, risky: j.risky.length, riskyAccountIds: j.risky, share: round(j.share, 3), factors: j.byFactor, within: `${spec.within / DAY}d`,
      implicatedAccountIds: j.implicated, implicated: j.implicated.length, triggerImplicated: env.trigger.type === 'transfer' && j.implicated.includes(env.trigger.msg.accountId),
    };
    if (spec.valueOf) {
      facts.medianUsd = j.medianUsd;
      facts.totalUsd = j.totalUsd;
    }
    const n = j.risky.length;
    const t = spec.pass;
    const passes = (t.gte === undefined || n >= t.gte) && (t.gt === undefined || n > t.gt) && (t.lte === undefined || n <= t.lte) && (t.lt === undefined || n < t.lt);
    const ok = j.accounts.length > 0 && passes && j.share >= spec.minShare;
    return { ok, value: n, eventIds: [], facts };
  };
}
