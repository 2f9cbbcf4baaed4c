/**
 * The scanning implementations of `sequence`, `cadence`, `fresh`, `payer-risk` and `distinct-payers` as they were
 * before they were made incremental: the reference the property tests hold the incremental
 * signals to. They re-read the account's history per trigger and are kept simple on purpose.
 */
import { displayAddress } from '../../src/chain/address.js';
import type { TransferEvent } from '../../src/decode/events.js';
import type { EntityGraph } from '../../src/graph/entity-graph.js';
import type { SignalSpec } from '../../src/engine/rule-schema.js';
import type { HistoryItem } from '../../src/engine/state.js';
import { coefficientOfVariation, makeSelector, type Signal, type SignalResult } from '../../src/engine/signals.js';
import { counterpartyIds } from '../../src/engine/counterparty-ids.js';
import { Decimal, sumOf } from '../../src/money/decimal.js';
import { getPath } from '../../src/engine/conditions.js';
import { medianUsdOf } from '../../src/engine/cadence.js';
import { runPeriod } from '../../src/engine/learned-period.js';
import { dealtSinceOf } from '../../src/engine/dealt-since.js';
import { compileAll } from '../../src/engine/conditions.js';
import { itemContext } from '../../src/engine/signals.js';
import { LARGEST_PICK_GROUPS, WINDOW_READ_LIMIT } from '../../src/engine/read-limits.js';

const DAY = 86_400_000;
const ZERO = Decimal.ZERO;
const none = (facts: Record<string, unknown> = {}): SignalResult => ({ ok: false, eventIds: [], facts });
const round = (n: number, places = 2): number => Math.round(n * 10 ** places) / 10 ** places;
const usdOrZero = (e: TransferEvent): Decimal => e.usd ?? ZERO;

export function scanningSequence(spec: Extract<SignalSpec, { op: 'sequence' }>, siblings: Readonly<Record<string, SignalSpec>> = {}): Signal {
  const first = makeSelector(spec.first);
  const then = makeSelector(spec.then);
  const minRatio = Decimal.fromNumber(spec.minRatio);
  const maxRatio = Decimal.fromNumber(spec.maxRatio);
  const named = spec.exceptRegularPay === undefined ? undefined : siblings[spec.exceptRegularPay];
  const regular = named?.op === 'cadence' ? named : undefined;
  return ({ trigger, state }) => {
    if (trigger.type !== 'transfer' || !then(trigger)) return none();
    const history = state.historyBetween(trigger.msg.accountId, trigger.time - spec.within - spec.groupWithin, trigger.time);
    const firsts = history.filter((e) => e.type === 'transfer' && e.time >= trigger.time - spec.within && e.eventId !== trigger.eventId && first(e)) as TransferEvent[];
    const isRegular = (e: TransferEvent): boolean => regular !== undefined && scanningRegularPay(regular, state, e, trigger.time);
    const anchors = firsts.filter((e) => !isRegular(e));
    const apart = firsts.filter(isRegular);
    const largest = spec.pick === 'largest';
    const tried = largest ? anchors.slice(Math.max(0, anchors.length - (spec.maxGroups ?? LARGEST_PICK_GROUPS))) : anchors;
    let best: SignalResult | undefined;
    let bestLeft: Decimal | undefined;
    // `othersTakeFirst`: events of the `then` kinds that are neither follow-ups nor `first` events.
    const isOther = (e: HistoryItem): boolean => spec.othersTakeFirst && e.type === 'transfer' && spec.then.kinds.includes(e.msg.kind) && !then(e) && !first(e);
    for (let i = anchors.length - 1; i >= anchors.length - tried.length; i--) {
      const anchor = anchors[i]!;
      const group = anchors.slice(0, i + 1).filter((a) => a.time >= anchor.time - spec.groupWithin);
      const later = anchors.slice(i + 1);
      const inflow = sumOf(group.map(usdOrZero));
      const laterUsd = sumOf(later.map(usdOrZero));
      const apartUsd = sumOf(apart.filter((a) => a.time >= anchor.time - spec.groupWithin).map(usdOrZero));
      if (inflow.sign() <= 0) continue;
      const since = group[0]!.time;
      const differs = (e: TransferEvent): boolean => spec.differ.length === 0 || spec.differ.some((f) => e.msg[f] !== anchor.msg[f]);
      if (!differs(trigger)) continue;
      // `largest` reads an older inflow with every inflow after it: none of them is a follow-up.
      const inflows = largest ? [...group, ...later] : group;
      const carried = largest ? inflow.plus(laterUsd) : inflow;
      const follow = history.filter((e): e is TransferEvent => e.type === 'transfer' && e.time >= since && e.time <= trigger.time && !inflows.includes(e as TransferEvent) && then(e) && differs(e));
      const moved = sumOf(follow.map(usdOrZero));
      const ratio = moved.toNumber() / inflow.toNumber();
      const othersUsd = sumOf(history.filter((e) => e.time >= since && e.time <= trigger.time && isOther(e)).map((e) => usdOrZero(e as TransferEvent)));
      const left = inflow.minus(othersUsd);
      if (left.sign() <= 0) continue;
      if (moved.compare(carried.times(minRatio)) < 0 || moved.compare(carried.plus(apartUsd).times(maxRatio)) > 0) continue;
      const after = largest ? history.filter((e) => later.includes(e as TransferEvent) || follow.includes(e as TransferEvent)) : follow;
      const result: SignalResult = {
        ok: true,
        value: round(ratio, 4),
        eventIds: [...group.map((a) => a.eventId), ...after.map((e) => e.eventId)],
        facts: { ratio: round(ratio, 4), percent: Math.round(ratio * 100), firstEventId: anchor.eventId, firstAsset: anchor.msg.asset, firstChain: anchor.msg.chain, firstUsd: inflow, laterUsd, receivedUsd: inflow.plus(laterUsd), leftUsd: left, othersUsd, movedUsd: moved, hours: round((trigger.time - since) / 3_600_000, 1), ...counterpartyFacts(follow) },
      };
      if (!largest) return result;
      if (bestLeft === undefined || left.compare(bestLeft) > 0) { best = result; bestLeft = left; }
    }
    if (best !== undefined) return best;
    return none();
  };
}

/**
 * Whether a transfer continues its first sender's regular run as the cadence reads one: that
 * sender's transfers of its kind in the cadence's window up to `to`, merged into payments, and a
 * run of them ending with the payment that holds the transfer; none when that sender also sent,
 * within mergeWithin of it, a transfer the cadence does not select (receiver-side v14).
 */
function scanningRegularPay(spec: Extract<SignalSpec, { op: 'cadence' }>, state: Parameters<Signal>[0]['state'], e: TransferEvent, to: number): boolean {
  const select = makeSelector(spec.of);
  const payer = e.from[0];
  if (payer === undefined || !select(e)) return false;
  const band = spec.usdRange ? ([Decimal.fromNumber(spec.usdRange[0]), Decimal.fromNumber(spec.usdRange[1])] as const) : undefined;
  const ofPayer = state.historyBetween(e.msg.accountId, to - spec.within, to).filter((x): x is TransferEvent => x.type === 'transfer' && x.msg.kind === e.msg.kind && x.from[0] === payer);
  // v14: a transfer the cadence does not select, sent by the payer beside this one, makes it part of a larger payment.
  if (ofPayer.some((x) => !select(x) && Math.abs(x.time - e.time) <= spec.mergeWithin)) return false;
  const events = ofPayer.filter((x) => select(x));
  const payments = mergedPayments(events, spec.mergeWithin);
  const at = payments.findIndex((p) => p.eventIds.includes(e.eventId));
  return at >= 0 && regularRun(payments.slice(0, at + 1), spec, band) !== undefined;
}

/** A payer's transfers as payments: each takes the transfers up to `mergeWithin` after its first. */
function mergedPayments(events: readonly TransferEvent[], mergeWithin: number): Payment[] {
  const payments: Payment[] = [];
  for (const e of events) {
    const last = payments[payments.length - 1];
    if (last && e.time - last.time <= mergeWithin) { last.usd = last.usd.plus(usdOrZero(e)); last.eventIds.push(e.eventId); }
    else payments.push({ time: e.time, usd: usdOrZero(e), eventIds: [e.eventId] });
  }
  return payments;
}

/** The followers' distinct counterparties (a withdrawal's destination, a deposit's senders), in order of first appearance. */
function counterpartyFacts(follow: readonly TransferEvent[]): { counterparties: number; counterpartyAddresses: string[] } {
  const keys = [...new Set(follow.flatMap((e) => (e.msg.kind === 'withdrawal' ? [e.to] : e.from)))];
  return { counterparties: keys.length, counterpartyAddresses: keys.map(displayAddress) };
}

interface Payment { time: number; usd: Decimal; eventIds: string[] }

function payerOf(graph: EntityGraph, e: TransferEvent): string | undefined {
  const first = e.from[0];
  return first === undefined ? undefined : graph.clusterName(graph.id(first));
}

export function scanningCadence(spec: Extract<SignalSpec, { op: 'cadence' }>): Signal {
  const select = makeSelector(spec.of);
  const band = spec.usdRange ? ([Decimal.fromNumber(spec.usdRange[0]), Decimal.fromNumber(spec.usdRange[1])] as const) : undefined;
  return ({ trigger, graph, state }) => {
    const items = state.historyBetween(trigger.msg.accountId, trigger.time - spec.within, trigger.time).filter((e): e is TransferEvent => e.type === 'transfer' && select(e));
    const byPayer = new Map<string, TransferEvent[]>();
    for (const e of items) {
      const payer = payerOf(graph, e);
      if (payer) byPayer.set(payer, [...(byPayer.get(payer) ?? []), e]);
    }
    let best: SignalResult = none();
    const runEventIds: string[] = [];
    const runFirsts: number[] = [];
    for (const [payer, events] of [...byPayer].sort(([a], [b]) => a.localeCompare(b))) {
      const result = regularRun(mergedPayments(events, spec.mergeWithin), spec, band);
      if (result) runEventIds.push(...result.run.flatMap((p) => p.eventIds));
      if (result) runFirsts.push(events[0]!.time);
      if (result && (!best.ok || result.count > ((best.value as number | undefined) ?? 0))) {
        best = {
          ok: true,
          value: result.count,
          eventIds: result.run.flatMap((p) => p.eventIds),
          facts: { payer, payerAddress: displayAddress(events[0]!.from[0]!), count: result.count, periodDays: result.period / DAY, cv: round(result.cv, 3), meanUsd: round(result.mean), sinceDays: (trigger.time - result.run[0]!.time) / DAY, salariesSinceDays: 0, gapPeriods: round((trigger.time - result.run[result.run.length - 1]!.time) / result.learned, 2), lastPaidDaysBefore: (trigger.time - result.run[result.run.length - 1]!.time) / DAY, medianUsd: round(medianUsdOf(result.run)), runEventIds },
        };
      }
    }
    if (best.ok) best.facts.salariesSinceDays = (trigger.time - Math.min(...runFirsts)) / DAY;
    return best;
  };
}

function regularRun(payments: Payment[], spec: Extract<SignalSpec, { op: 'cadence' }>, band: readonly [Decimal, Decimal] | undefined): { run: Payment[]; count: number; period: number; learned: number; cv: number; mean: number } | undefined {
  const inBand = (p: Payment): boolean => !band || (p.usd.compare(band[0]) >= 0 && p.usd.compare(band[1]) <= 0);
  for (const { every, tolerance } of spec.periods) {
    const run: Payment[] = [];
    for (let i = payments.length - 1; i >= 0; i--) {
      const p = payments[i]!;
      if (!inBand(p)) break;
      const next = run[0];
      if (next) {
        const gap = next.time - p.time;
        const fits = [1, 2].some((k) => Math.abs(gap - k * every) <= tolerance * k);
        if (!fits) break;
      }
      run.unshift(p);
    }
    if (run.length >= spec.minCount) {
      const usd = run.map((p) => p.usd.toNumber());
      const cv = coefficientOfVariation(usd);
      if (cv <= spec.maxCv) return { run, count: run.length, ...runPeriod(run.map((p) => p.time), every, tolerance), cv, mean: usd.reduce((s, v) => s + v, 0) / usd.length };
    }
  }
  return undefined;
}

export function scanningFresh(spec: Extract<SignalSpec, { op: 'fresh' }>): Signal {
  return ({ trigger, graph, state }) => {
    if (trigger.type !== 'transfer') return none();
    const ids = counterpartyIds(graph, trigger);
    const firstSeen = Math.min(...ids.map((id) => graph.firstSeenAt(id) ?? trigger.time));
    const keys = new Set(trigger.msg.kind === 'deposit' ? trigger.from : [trigger.to]);
    const dealt = state.history(trigger.msg.accountId).filter((e) => e.type === 'transfer' && e.time < trigger.time && e.eventId !== trigger.eventId && (e.msg.kind === 'deposit' ? e.from.some((k) => keys.has(k)) : keys.has(e.to)));
    // Since session 31 a transfer may carry an earlier first dealing with its one counterparty
    // (dealt-since.ts): the oldest and the newest transfer with the address are asked for theirs.
    const all = state.history(trigger.msg.accountId).filter((e): e is TransferEvent => e.type === 'transfer' && (e.msg.kind === 'deposit' ? e.from.some((k) => keys.has(k)) : keys.has(e.to)));
    const carried = all.length === 0 ? Infinity : Math.min(dealtSinceOf(all[0]!), dealtSinceOf(all[all.length - 1]!));
    const first = Math.min(carried, ...dealt.map((e) => e.time));
    const paidBefore = first < trigger.time;
    const ageDays = round((trigger.time - firstSeen) / DAY, 1);
    const ok = !paidBefore && trigger.time - firstSeen <= spec.within;
    const facts: Record<string, unknown> = { firstSeenDaysBefore: ageDays, paidBefore };
    if (paidBefore) facts.firstPaidDaysBefore = (trigger.time - first) / DAY;
    return { ok, value: ageDays, eventIds: [], facts };
  };
}

type PayerRiskSpec = Extract<SignalSpec, { op: 'payer-risk' }>;

/**
 * `payer-risk` as a plain scan: each named account's history within the window read afresh per
 * trigger, and a shared device found by listing every account seen on it. Kept simple on purpose.
 */
export function scanningPayerRisk(spec: PayerRiskSpec): Signal {
  const [low, high] = [Decimal.fromNumber(spec.salaryUsd[0]), Decimal.fromNumber(spec.salaryUsd[1])];
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return (env) => {
    const { trigger, state } = env;
    const to = Math.max(trigger.time, env.asOf);
    const from = to - spec.within;
    const business = new Set<string>();
    const factorsOf = (accountId: string): string[] => {
      let vpn = false, mismatch = false, payroll = false, kyc: string | undefined, customer: { type?: string; createdAt: string; kycCountry?: string } | undefined;
      const devices: string[] = [];
      const salarySenders: string[] = [];
      for (const item of state.historyBetween(accountId, from, to)) {
        const session = item.type === 'login' ? item.msg : item.msg.session;
        if (session?.vpn) vpn = true;
        if (session?.deviceId && !devices.includes(session.deviceId)) devices.push(session.deviceId);
        if (item.type !== 'transfer') continue;
        if (item.msg.customer) { kyc = item.msg.customer.kycCountry; customer = item.msg.customer; }
        if (kyc && session?.ipCountry && !session.vpn && session.ipCountry.toUpperCase() !== kyc.toUpperCase()) mismatch = true;
        const sender = item.from[0];
        if (item.msg.kind === 'deposit' && item.usd !== null && item.usd.compare(low) >= 0 && item.usd.compare(high) <= 0 && sender !== undefined) {
          if (salarySenders.includes(sender)) payroll = true;
          else salarySenders.push(sender);
        }
      }
      // What the account's logins showed (login-signs.ts): each sign with a kept sighting in the window.
      for (const sign of state.loginSignsOf(accountId).list()) {
        if (!sign.times.some((t) => t >= from && t <= to)) continue;
        if (sign.vpn) vpn = true;
        if (sign.deviceId && !devices.includes(sign.deviceId)) devices.push(sign.deviceId);
        const kycCountry = customer?.kycCountry;
        if (kycCountry && !sign.vpn && sign.ipCountry.toUpperCase() !== kycCountry.toUpperCase()) mismatch = true;
      }
      // The window's newest KYC record tells a business account.
      if (customer?.type === 'business') business.add(accountId);
      const holds = {
        vpn, 'country-mismatch': mismatch, 'payroll-inflow': payroll,
        'young-account': customer !== undefined && to - Date.parse(customer.createdAt) <= spec.youngWithin,
        'shared-device': devices.some((d) => state.linked('device', d, from, to).some((s) => s.accountId !== accountId)),
      };
      return spec.factors.filter((f) => holds[f]);
    };
    const accounts = [...new Set(strings(getPath(env.ctx, spec.accounts)))].sort();
    const byFactor: Record<string, number> = {};
    const risky: string[] = [];
    for (const a of accounts) {
      const factors = factorsOf(a);
      for (const f of factors) byFactor[f] = (byFactor[f] ?? 0) + 1;
      if (factors.length >= spec.minFactors) risky.push(a);
    }
    const share = accounts.length ? risky.length / accounts.length : 0;
    const sent = new Map<string, Decimal>();
    const payments = new Map<string, Decimal[]>();
    if (spec.valueOf) {
      for (const id of strings(getPath(env.ctx, spec.valueOf))) {
        const t = state.transfer(id);
        if (t && accounts.includes(t.msg.accountId)) {
          sent.set(t.msg.accountId, (sent.get(t.msg.accountId) ?? ZERO).plus(t.usd ?? ZERO));
          payments.set(t.msg.accountId, [...(payments.get(t.msg.accountId) ?? []), t.usd ?? ZERO]);
        }
      }
    }
    const implicated = accounts.filter((a) => risky.includes(a) || (sent.get(a)?.compare(low) ?? -1) >= 0);
    const facts: Record<string, unknown> = {
      accounts: accounts.length, risky: risky.length, riskyAccountIds: risky, share: round(share, 3), factors: byFactor, within: `${spec.within / DAY}d`,
      implicatedAccountIds: implicated, implicated: implicated.length, triggerImplicated: trigger.type === 'transfer' && implicated.includes(trigger.msg.accountId),
      businessPayers: business.size, individualPayers: accounts.length - business.size,
    };
    if (spec.valueOf) {
      const individual = <T>(m: Map<string, T>): T[] => [...m].filter(([a]) => !business.has(a)).map(([, v]) => v);
      facts.medianUsd = median([...sent.values()]);
      facts.totalUsd = sent.size ? sumOf([...sent.values()]) : ZERO;
      facts.medianPaymentUsd = median([...payments.values()].map(median));
      facts.individualMedianUsd = median(individual(sent));
      facts.individualMedianPaymentUsd = median(individual(payments).map(median));
    }
    const n = risky.length;
    const p = spec.pass;
    const passes = (p.gte === undefined || n >= p.gte) && (p.gt === undefined || n > p.gt) && (p.lte === undefined || n <= p.lte) && (p.lt === undefined || n < p.lt);
    return { ok: accounts.length > 0 && passes && share >= spec.minShare, value: n, eventIds: [], facts };
  };
}

function median(values: Decimal[]): Decimal {
  const sorted = [...values].sort((a, b) => a.compare(b));
  if (sorted.length === 0) return ZERO;
  const mid = sorted.length >> 1;
  if (sorted.length % 2) return sorted[mid]!;
  const pair = sumOf([sorted[mid - 1]!, sorted[mid]!]);
  return pair.dividedBy(2, pair.scale + 1);
}

/** distinct-payers as it was before failing counts were kept by cluster root: every deposit named by its cluster, grouped by name. */
export function scanningDistinctPayers(spec: Extract<SignalSpec, { op: 'distinct-payers' }>): Signal {
  const where = compileAll(spec.where);
  return ({ trigger, graph, state }) => {
    const items = state.recentBetween(trigger.msg.accountId, trigger.time - spec.within, trigger.time, WINDOW_READ_LIMIT)
      .filter((e): e is TransferEvent => e.type === 'transfer' && e.msg.kind === 'deposit' && e.from.length > 0 && where(itemContext(e)));
    const byPayer = new Map<string, string[]>();
    for (const e of items) {
      const payer = graph.clusterName(graph.id(e.from[0]!));
      const ids = byPayer.get(payer);
      if (ids) ids.push(e.eventId); else byPayer.set(payer, [e.eventId]);
    }
    const payers = [...byPayer.keys()].sort();
    const n = payers.length;
    const t = spec.pass;
    const ok = n > 0 && (t.gte === undefined || n >= t.gte) && (t.gt === undefined || n > t.gt) && (t.lte === undefined || n <= t.lte) && (t.lt === undefined || n < t.lt);
    const facts: Record<string, unknown> = { payers: n, payerClusters: payers, deposits: items.length, within: `${spec.within / DAY}d` };
    if (items.length > 0) facts.sinceDays = (trigger.time - Math.min(...items.map((e) => e.time))) / DAY;
    return { ok, value: n, eventIds: ok ? payers.flatMap((p) => byPayer.get(p)!) : [], facts };
  };
}
