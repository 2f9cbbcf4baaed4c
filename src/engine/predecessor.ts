/**
 * `predecessor` (typologies.md T11, persona rotation): the trigger's account is young, and an
 * older account that shares its device, a payer cluster, a withdrawal destination cluster or (`by:
 * subnet`) an IP block seen within 7 days went silent before the young one began. The contract
 * carries no account-status event, so a frozen or closed account is observed as one that
 * stopped: no event of its own from the successor's first activity on, and none for at least
 * `silentFor` at the trigger.
 *
 * Bounded per event: the successor's own short history (it is young), at most
 * `maxSightings` accounts per device, and per payer or destination cluster a walk back over its
 * touches that stops past `maxSharing` accounts (a cluster many accounts pay is a service, not a
 * link between two personas), and per IP block at most `maxSightings` accounts, none linked when
 * more than `maxSharing` others were seen on it (an office or carrier block, not one desk).
 *
 * The IP block link (T11's "IP /24 within 7 days"): the young account's sessions (in its history
 * and the trigger's) and another account's sightings on the same IPv4 /24 or IPv6 /64 no more
 * than 7 days apart, as subnet-sightings.ts keeps them: long enough, since session 50, for any
 * trigger within the reach of a late re-examination, so the answer depends on the two sightings'
 * times and not on how far other events ran ahead. A silent predecessor is seen there by its
 * logins (the history holds no login of it with the shipped rules, so a login does not end its
 * silence): a frozen account's owner who still signs in from the office the new persona works from.
 */
import { validatedTimeMs } from '../contract/primitives.js';
import type { EntityGraph } from '../graph/entity-graph.js';
import { recentAccounts } from '../graph/touches.js';
import { upperBound } from '../state/sorted-by-time.js';
import { clusterExcluded } from './label-exclusion.js';
import { conduitFunder, fundsMany } from './payer-conduit.js';
import { SUBNET_WITHIN } from './subnet-sightings.js';
import type { SignalSpec } from './rule-schema.js';
import type { Env, Signal, SignalResult } from './signals.js';
import type { HistoryItem } from './state.js';

type PredecessorSpec = Extract<SignalSpec, { op: 'predecessor' }>;
type LinkKind = PredecessorSpec['by'][number];

const DAY = 86_400_000;
/** Devices, payers and destinations of the successor looked at, each. */
const PER_KIND = 8;

interface Candidate {
  accountId: string;
  links: Map<LinkKind, string>;
  eventIds: Set<string>;
}

interface Successor {
  accountId: string;
  createdAt: number;
  firstActive: number;
  devices: string[];
  payers: number[];
  destinations: number[];
  /** The IP blocks the successor's sessions used, each with its first and last time. */
  subnets: Map<string, { first: number; last: number }>;
}

function successorOf(spec: PredecessorSpec, env: Env, createdAt: number, to: number): Successor {
  const { trigger, graph, state } = env;
  const accountId = trigger.msg.accountId;
  const items = state.historyBetween(accountId, createdAt, to);
  const devices = new Set<string>();
  const payers = new Set<number>();
  const destinations = new Set<number>();
  const subnets = new Map<string, { first: number; last: number }>();
  for (const item of [...items, trigger]) {
    const session = item.type === 'login' ? item.msg : item.msg.session;
    if (session?.deviceId && devices.size < PER_KIND) devices.add(session.deviceId);
    if (session) noteSubnet(subnets, state.subnetOf(session), item.time);
    if (item.type !== 'transfer') continue;
    if (item.msg.kind === 'deposit' && item.from[0] !== undefined && payers.size < PER_KIND) payers.add(graph.id(item.from[0]));
    if (item.msg.kind === 'withdrawal' && destinations.size < PER_KIND) destinations.add(graph.id(item.to));
  }
  const firstActive = Math.min(trigger.time, items[0]?.time ?? trigger.time);
  return { accountId, createdAt, firstActive, devices: [...devices].sort(), payers: withTreasuries(spec, graph, [...payers], firstActive - spec.lookback, to, trigger.time), destinations: [...destinations], subnets };
}

function noteSubnet(subnets: Successor['subnets'], subnet: string | undefined, time: number): void {
  if (subnet === undefined) return;
  const seen = subnets.get(subnet);
  if (seen) { seen.first = Math.min(seen.first, time); seen.last = Math.max(seen.last, time); } else if (subnets.size < PER_KIND) subnets.set(subnet, { first: time, last: time });
}

/**
 * Accounts seen on one of the successor's IP blocks within 7 days of its own use of it, unless
 * more than maxSharing others were (an office or carrier block, like a payer of many).
 */
function subnetLinks(spec: PredecessorSpec, state: Env['state'], succ: Successor, to: number, found: Map<string, Candidate>): void {
  for (const [subnet, seen] of succ.subnets) {
    const others = state.linkedBySubnet(subnet, seen.first - SUBNET_WITHIN, Math.min(to, seen.last + SUBNET_WITHIN)).filter((s) => s.accountId !== succ.accountId);
    if (others.length > spec.maxSharing) continue;
    for (const s of others) addLink(found, s.accountId, 'subnet', subnet, s.eventId);
  }
}

/**
 * The payers, each followed by the treasury behind it when it is a conduit (payer-conduit.ts): an
 * employer that pays the new persona from a fresh address it funded is the payer cluster that
 * paid the old one, as `cadence` reads T3's employer treasury (session 49; session 47 QA: such a
 * successor had only its device link, medium where S10 asks high). Not a funder that sent to more
 * than maxSharing addresses in the window [from, to]: T11's payer is an employer cluster, and an
 * unlabelled exchange hot wallet or busy service that funded the young account's own wallet
 * (the customer moving money from another exchange) is no employer, and made a household
 * member's new account on the predecessor's device share its payer (session 50).
 */
function withTreasuries(spec: PredecessorSpec, graph: EntityGraph, direct: readonly number[], from: number, to: number, asOf: number): number[] {
  const payers = new Set<number>();
  for (const payer of direct) {
    if (payers.size >= PER_KIND) break;
    payers.add(payer);
    const funder = conduitFunder(graph, payer, asOf);
    if (funder !== undefined && payers.size < PER_KIND && !fundsMany(graph, funder, from, to, spec.maxSharing)) payers.add(funder);
  }
  return [...payers];
}

function addLink(found: Map<string, Candidate>, accountId: string, kind: LinkKind, via: string, eventId: string): void {
  let c = found.get(accountId);
  if (!c) found.set(accountId, (c = { accountId, links: new Map(), eventIds: new Set() }));
  if (!c.links.has(kind)) c.links.set(kind, via);
  c.eventIds.add(eventId);
}

/**
 * Accounts that paid or were paid by the cluster, unless more than maxSharing did (a service).
 * Returns the clusters passed over as paying or paid by too many (see payerOfMany).
 */
function clusterLinks(spec: PredecessorSpec, graph: EntityGraph, ids: readonly number[], kind: 'payer' | 'destination', self: string, from: number, to: number, asOf: number, found: Map<string, Candidate>): number[] {
  const many: number[] = [];
  for (const id of ids) {
    if (graph.isOwn(id) || clusterExcluded(graph, id, asOf, spec.excludeLabels)) continue;
    const recent = recentAccounts(graph.touches(id), to, from, spec.maxSharing + 2, [kind === 'payer' ? 'deposit' : 'withdrawal']);
    recent.accounts.delete(self);
    if (recent.saturated || recent.accounts.size > spec.maxSharing) { many.push(id); continue; }
    const name = graph.clusterName(id);
    for (const t of recent.touches) if (t.accountId !== self) addLink(found, t.accountId, kind, name, t.eventId);
  }
  return many;
}

/** Deposits of a candidate read for a payer of many (its newest within the window). */
const CANDIDATE_DEPOSITS_READ = 64;

/**
 * A payer that pays many accounts (a payroll platform) links no one by itself: too many share
 * it. Yet T11's employer is often one, and a candidate already linked by a device or a
 * destination that this very payer also paid shares the payer as T11 has it (session 42 QA: a
 * new persona sharing device, PayFlow and consolidation address with a silent one was missed
 * whenever PayFlow paid more than ten accounts). Each candidate's newest deposits are read.
 */
function payerOfMany(state: Env['state'], graph: EntityGraph, payers: readonly number[], from: number, to: number, found: Map<string, Candidate>): void {
  if (payers.length === 0) return;
  const names = new Set(payers.map((id) => graph.clusterName(id)));
  for (const c of found.values()) {
    if (c.links.has('payer')) continue;
    const deposits = state.recentBetween(c.accountId, from, to, CANDIDATE_DEPOSITS_READ);
    for (let i = deposits.length - 1; i >= 0; i--) {
      const item = deposits[i]!;
      const sender = item.type === 'transfer' && item.msg.kind === 'deposit' ? item.from[0] : undefined;
      if (sender === undefined) continue;
      const name = graph.clusterName(graph.id(sender));
      if (!names.has(name)) continue;
      addLink(found, c.accountId, 'payer', name, item.eventId);
      break;
    }
  }
}

/** The account's newest item at or before `to`, and its creation time from its KYC data. */
function lastSeen(history: readonly HistoryItem[], to: number): { last?: HistoryItem; createdAt?: number } {
  const end = upperBound(history, to);
  const last = history[end - 1];
  for (let i = end - 1; i >= 0 && i >= end - 16; i--) {
    const item = history[i]!;
    if (item.type === 'transfer' && item.msg.customer) return { last, createdAt: validatedTimeMs(item.msg.customer.createdAt) };
  }
  return last ? { last } : {};
}

export function predecessor(spec: PredecessorSpec): Signal {
  const none = (facts: Record<string, unknown> = {}): SignalResult => ({ ok: false, eventIds: [], facts });
  return (env): SignalResult => {
    const { trigger, graph, state, asOf } = env;
    if (trigger.type !== 'transfer' || !trigger.msg.customer) return none();
    const createdAt = validatedTimeMs(trigger.msg.customer.createdAt);
    if (trigger.time - createdAt > spec.youngWithin) return none();
    const to = Math.max(trigger.time, asOf);
    const succ = successorOf(spec, env, createdAt, to);
    const from = succ.firstActive - spec.lookback;
    const found = new Map<string, Candidate>();
    if (spec.by.includes('device')) {
      for (const d of succ.devices) for (const s of state.linked('device', d, from, to)) if (s.accountId !== succ.accountId) addLink(found, s.accountId, 'device', d, s.eventId);
    }
    const payersOfMany = spec.by.includes('payer') ? clusterLinks(spec, graph, succ.payers, 'payer', succ.accountId, from, to, asOf, found) : [];
    if (spec.by.includes('destination')) clusterLinks(spec, graph, succ.destinations, 'destination', succ.accountId, from, to, asOf, found);
    if (spec.by.includes('subnet')) subnetLinks(spec, state, succ, to, found);
    payerOfMany(state, graph, payersOfMany, from, to, found);
    const predecessors: { c: Candidate; last: number }[] = [];
    for (const c of found.values()) {
      const { last, createdAt: theirs } = lastSeen(state.history(c.accountId), to);
      if (!last || last.time >= succ.firstActive || last.time < from || trigger.time - last.time < spec.silentFor) continue;
      if (theirs !== undefined && theirs >= succ.createdAt) continue;
      predecessors.push({ c, last: last.time });
    }
    if (predecessors.length === 0) return none({ candidates: found.size });
    predecessors.sort((a, b) => b.c.links.size - a.c.links.size || (a.c.accountId < b.c.accountId ? -1 : 1));
    const best = predecessors[0]!;
    const links = [...best.c.links.keys()].sort();
    const facts: Record<string, unknown> = {
      predecessor: best.c.accountId, successorIds: [succ.accountId], accountIds: predecessors.map((p) => p.c.accountId).sort(), links, linkKinds: links.length,
      silentDays: Math.round(((trigger.time - best.last) / DAY) * 10) / 10, successorAgeDays: Math.floor((trigger.time - createdAt) / DAY),
      sharedDevice: best.c.links.get('device') ?? null, sharedPayer: best.c.links.get('payer') ?? null, sharedDestination: best.c.links.get('destination') ?? null,
      sharedSubnet: best.c.links.get('subnet') ?? null, candidates: found.size,
    };
    return { ok: true, value: links.length, eventIds: [...best.c.eventIds].sort(), facts };
  };
}

export const PREDECESSOR_FACTS = ['predecessor', 'successorIds', 'accountIds', 'links', 'linkKinds', 'silentDays', 'successorAgeDays', 'sharedDevice', 'sharedPayer', 'sharedDestination', 'sharedSubnet', 'candidates'] as const;
