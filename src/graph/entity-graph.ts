/**
 * The address graph: interned addresses, clusters (union-find with stable ids), labels with
 * history, the value-flow edges that exposure search walks, and an index from each cluster to
 * the exchange transfers that touched it (bounded by a retention window and a count), which is
 * what lets late evidence re-evaluate earlier transfers.
 *
 * A cluster's name derives from content, never from arrival order: `cl-` and a hash of its
 * smallest member key. Two runs that see the same messages in another order, or two instances,
 * name the same cluster the same way.
 */
import { fingerprint } from '../state/fingerprint.js';
import { ShardedSet } from '../state/sharded-map.js';
import { IdTable } from '../state/id-table.js';
import { lowerBound } from '../state/sorted-by-time.js';
import { appended, dropFront, insertedByTime, NO_ENTRIES, ownOrNone } from '../state/tight-list.js';
import { AddressIndex } from './address-index.js';
import { remapClusterMeta, remapFlowEdges, renumber } from './address-memory.js';
import { EdgeExpiry } from './edge-expiry.js';
import { LabelReach, MAX_DEPTH } from './label-reach.js';
import { clusterLabelsFor, type ClusterLabel, type LabelScopeGraph } from './label-scope.js';
import { LabelHistory, type LabelRecord } from './labels.js';
import { absorbTouches, mergeTouches, recentAccounts } from './touches.js';
import { UnionFind } from './union-find.js';
import { compareStoredRefs, distinctTransactions, storeRef, type StoredRef } from './tx-ref.js';
import { Decimal } from '../money/decimal.js';

export type { ClusterLabel } from './label-scope.js';

/** Two records of one transfer differ by at most this share of its amount (fees, rounding). */
const SAME_TRANSFER_TOLERANCE = Decimal.parse('0.001');

/**
 * One value transfer between two addresses. The same object sits in the sender's out-list and
 * the receiver's in-list (one object and one boxed time per edge, not two); nothing changes it
 * once it is made.
 */
export interface FlowEdge {
  readonly from: number;
  readonly to: number;
  readonly asset: string;
  /** Whole units of the asset, exact. */
  readonly amount: Decimal;
  readonly usd: Decimal | null;
  readonly time: number;
  /** The txid / event id that carries the transfer, as the graph keeps it (read it with shownRef). */
  readonly ref: StoredRef;
  /**
   * A co-spend link, no transfer: `from` was spent beside `to` (the largest input, the sender of
   * every edge the decoder gives the transaction) as an input of transaction `ref`, so one owner
   * paid what `to`'s edges of `ref` pay. An exposure walk downstream reads `to`'s edges of `ref`
   * as `from`'s own, at no extra hop (exposure.ts); nothing else counts a link as a flow.
   */
  readonly coSpend?: true;
}

/** Whether the edge is a co-spend link (FlowEdge.coSpend), not a value transfer. */
export const isCoSpendLink = (e: FlowEdge): boolean => e.coSpend === true;

export interface Touch {
  eventId: string;
  accountId: string;
  kind: 'deposit' | 'withdrawal';
  time: number;
  address: number;
}

export interface MergeCause {
  heuristic: 'co-spend' | 'forwarding';
  ref: string;
  time: number;
}

/** A merge cause as a cluster keeps it: its ref stored (tx-ref.ts; read it with shownRef). */
export interface StoredCause {
  readonly heuristic: MergeCause['heuristic'];
  readonly ref: StoredRef;
  readonly time: number;
}

export interface GraphChange {
  kind: 'merge' | 'label' | 'held-merge' | 'flow';
  /** Stable id of the resulting cluster. */
  cluster: string;
  absorbed?: string;
  time: number;
  cause: MergeCause | { label: string; address: string; source: string; removed: boolean } | { flow: string; from: string; to: string };
  /** For a held merge: why it was not applied. */
  reason?: string;
  /** The chain or intel event that caused it (evidence for any alert it triggers). */
  eventId: string;
  /** For a merge: what it can change, measured before the two sides joined (not serialised). */
  impact?: MergeImpact;
}

/**
 * Which earlier transfers a merge can change the verdict of. The smaller side's transfers now
 * see a larger counterparty; the larger side's only when the smaller brings labels, or when the
 * larger side is not yet saturated (fewer distinct recent accounts than any fan-in threshold
 * needs). A payment service with a million payers absorbs a fresh deposit address at O(1).
 */
export interface MergeImpact {
  /** Event ids of transfers to re-examine, bounded to the newest of each side. */
  eventIds: string[];
  /** Whether all the larger side's transfers are included (a real change for them), or only its newest. */
  both: boolean;
  /** Whether either side had a member with a cluster-wide label: else the merge changes membership only. */
  labelled: boolean;
  /**
   * Whether `eventIds` hold every transfer of the merged cluster whose verdict the merge can
   * change: the smaller side brings the larger no label (of any scope) and no flow edge that
   * leaves the two sides or the exchange's own addresses, so no new path either, and the larger
   * side's transfers change by membership alone (which `both` already weighs). A labelled
   * service's hot wallet absorbing a fresh deposit address then re-examines that address's
   * transfers, not the newest thousands of the service's (session 44: 10,000 customers of
   * labelled services ran at 1/100 of the unlabelled speed).
   */
  coversCluster: boolean;
  /**
   * The members of the side with fewer members, when it has at most SMALL_SIDE_READ (else
   * undefined): which side of the merge each of the merged cluster's touches came from, so a
   * reader can tell whether the merge brought the cluster accounts it did not have (FactorCrossings).
   */
  fewerMembers?: readonly number[];
}

export interface ClusterMeta {
  /**
   * The members with a cluster-wide label: NO_ENTRIES (tight-list.ts, shared and frozen) while
   * none has one (most clusters), else an array of the record's own (withLabelledMember, merge).
   */
  labelled: readonly number[];
  /** Sorted by time; the newest `maxTouches` within `touchRetention`. */
  touches: Touch[];
  /** NO_ENTRIES (shared) until the cluster merges; replaced whole on each merge, never written (withCause). */
  causes: readonly StoredCause[];
  /**
   * Changes whenever a touch leaves `touches` (a trim, a cap, retention), and differs from every
   * other cluster's: while it stays the same, the cluster's touches only grow (see touchStamp).
   * Never checkpointed; a restored cluster gets a fresh one.
   */
  stamp: number;
  /**
   * The stamp under which the touches were found to name `settledAccounts` distinct accounts or
   * more (0: never). While the stamp stands the touches only gain, so the count still holds: a
   * hot cluster's merges do not walk its touches again to learn that it is settled. A cache,
   * never checkpointed.
   */
  settledStamp: number;
  settledAccounts: number;
}

let stampSequence = 0;

/** A stamp no cluster has had before (see ClusterMeta.stamp). */
export function freshTouchStamp(): number {
  return ++stampSequence;
}

/** A cluster record with a fresh stamp and nothing cached (empty lists shared: see NO_ENTRIES). */
export function newClusterMeta(labelled: readonly number[], touches: Touch[], causes: readonly StoredCause[]): ClusterMeta {
  return { labelled: ownOrNone(labelled), touches, causes: ownOrNone(causes), stamp: freshTouchStamp(), settledStamp: 0, settledAccounts: 0 };
}

/** Adds `member` to the record's labelled members (once): the first gets an array of the record's own. */
function withLabelledMember(m: ClusterMeta, member: number): void {
  if (m.labelled.length === 0) m.labelled = [member];
  else if (!m.labelled.includes(member)) (m.labelled as number[]).push(member);
}

/**
 * Points the touch at its neighbour's copy of the account id when they name one account (a
 * deposit address's cluster is mostly one customer's): each event parses its own copy, which a
 * touch would otherwise keep for the touch retention (32 bytes each).
 */
function shareAccountText(touch: Touch, list: readonly Touch[], at: number): void {
  const before = at > 0 ? list[at - 1]! : undefined;
  if (before !== undefined && before.accountId === touch.accountId) touch.accountId = before.accountId;
  else if (at < list.length && list[at]!.accountId === touch.accountId) touch.accountId = list[at]!.accountId;
}

/** Whether the cluster's touches name at least `n` distinct accounts; remembered while its stamp stands. */
function namesAtLeast(m: ClusterMeta, n: number): boolean {
  if (m.settledStamp === m.stamp && m.settledAccounts >= n) return true;
  if (recentAccounts(m.touches, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, n).accounts.size < n) return false;
  m.settledStamp = m.stamp;
  m.settledAccounts = n;
  return true;
}

export interface GraphOptions {
  /** A merge whose result would exceed this many addresses is held back and flagged. @defaultValue 100000 */
  maxClusterSize: number;
  /** Touches older than this (ms, event time) are dropped from the cluster index. @defaultValue 90 days */
  touchRetention: number;
  /** Flow edges kept per address and direction (hot wallets see millions). @defaultValue 500 */
  maxEdgesPerAddress: number;
  /** Touches kept per cluster, newest first (a payment service's cluster sees millions). @defaultValue 4096 */
  maxTouches: number;
  /** Distinct accounts a fan-in counts before it stops (its evidence lists at most this many). @defaultValue 64 */
  saturation: number;
  /**
   * Distinct accounts past which more payers flip no rule's fan-in verdict or score (the rules'
   * largest fan-in threshold + 1; see fanInVerdictLimit). A merge into a cluster past it
   * re-examines that side's newest transfer only. @defaultValue 64
   */
  verdictLimit: number;
  /** Flow edges older than this behind the clock (see `clock`) are dropped (exposure walks never reach them). @defaultValue 180 days */
  edgeRetention: number;
  /**
   * The labels exposure walks look for (the rules' exposure signals): the graph keeps per address
   * a lower bound on the hops to one (label-reach.ts), so a walk that cannot meet one is skipped.
   * @defaultValue none (every walk runs)
   */
  tracedLabels: readonly string[];
  /**
   * How long (ms, event time) after its first sighting an address that holds nothing else is
   * remembered (see address-memory.ts); never less than the edge and touch retentions. @defaultValue 400 days
   */
  addressMemory: number;
  /** How often (ms of event time) the graph checks whether enough addresses can be forgotten to compact. @defaultValue 7 days */
  compactEvery: number;
  /**
   * Addresses the index holds at most (STATE_MAX_ADDRESSES), checked each hour of event time:
   * past it, the addresses that hold nothing a label, an own mark or a cluster gives them are
   * forgotten oldest first-sighting first, their flow edges and touches with them, down to 7/8 of
   * it (forgetAtCap). A bound in bytes where the address memory is one in days. @defaultValue 8,000,000
   */
  maxAddresses: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
/**
 * Edges taken off the expiry ring per event at most: the usual event finds one or none due; after
 * a leap of the clock the backlog goes this many at a time, not all at once.
 */
const EDGES_EXPIRED_PER_EVENT = 64;
export const DEFAULT_GRAPH_OPTIONS: GraphOptions = { maxClusterSize: 100_000, touchRetention: 90 * DAY, maxEdgesPerAddress: 500, maxTouches: 4096, saturation: 64, verdictLimit: 64, edgeRetention: 180 * DAY, tracedLabels: [], addressMemory: 400 * DAY, compactEvery: 7 * DAY, maxAddresses: 8_000_000 };
/** A compaction runs when at least this share of the address index can be forgotten (its cost is the whole graph's). */
const COMPACT_AT_SHARE = 1 / 8;
/** Ids a compaction check reads at most (evenly spaced). */
const COMPACT_SAMPLE = 1 << 16;
const MAX_CAUSES = 64;
/** Members of a merge's smaller side read to tell whether it brings the larger side anything (MergeImpact.coversCluster). */
const SMALL_SIDE_READ = 16;
/** Bits of an address's marks: the exchange's own (exposure stops there). */
const MARK_OWN = 1;
/** Bits of an address's marks: it joined its cluster as a forwarder (its labels hold for it alone). */
const MARK_FORWARDER = 2;
/** What an address without edges reads: one shared, frozen list, not a new one per read (walks read thousands). */
const NO_EDGES: readonly FlowEdge[] = Object.freeze([]);
const NAME_CACHE = 100_000;
/** What clusterLabels answers for an address without labels (shared: never written). */
const NO_LABELS: readonly ClusterLabel[] = Object.freeze([]);
/** What an unlabelled cluster's labelled members read (shared: never written). */
const NO_MEMBERS: readonly number[] = Object.freeze([]);

/** How far apart an exchange event and the chain event of one transfer may be (see addEdge). */
const SAME_TRANSFER_WITHIN = 6 * 3_600_000;
/** Edges read on each side of a new edge's time for an earlier copy of its transfer (see addEdge). */
const SAME_TRANSFER_LOOK = 8;

export class EntityGraph {
  readonly index = new AddressIndex();
  readonly uf = new UnionFind();
  readonly labels = new LabelHistory();
  private readonly meta = new IdTable<ClusterMeta>();
  private readonly outEdges = new IdTable<FlowEdge[]>();
  /** Lower-cased key → the labels of a listing that lost its letter case (see watchIgnoringCase). */
  private caseInsensitiveLabels: Map<string, LabelRecord[]> | undefined;
  private readonly inEdges = new IdTable<FlowEdge[]>();
  /** Per address id: its MARK_OWN and MARK_FORWARDER bits. */
  private marks = new Uint8Array(1024);
  /** Per address id: the address it swept into when it joined its cluster as a forwarder, -1 when none (see noteForwardParent). */
  private forwardParents = new Int32Array(1024).fill(-1);
  /** Per address id: first event time seen, NaN when never. */
  private firstSeen = new Float64Array(1024).fill(Number.NaN);
  /** Addresses forgotten at the cap (`maxAddresses`) before their time, by this process (for metrics; not checkpointed). */
  cappedAway = 0;
  /** Addresses forgotten by this process's compactions (for metrics; not checkpointed). */
  forgotten = 0;
  /** This process's compactions and the checks for them: how many, and their CPU-bound time in ms (for the benchmark). */
  readonly compactions = { runs: 0, ms: 0, checks: 0, checkMs: 0 };
  /**
   * Changes whenever a compaction renumbers the ids: a reader that keeps an id across messages
   * (a memo of the last trigger's counterparty ids) checks it.
   */
  generation = 0;
  /**
   * Per address id: 1 when it carries an address-scoped label (LabelRecord.scope). Derived from
   * the labels; rebuilt on first use after a checkpoint restore. Such addresses are not listed
   * in their cluster's labelled members, so a cluster that absorbs many stays O(1) to read.
   */
  private scoped: Uint8Array | undefined = new Uint8Array(1024);
  private newest = Number.NEGATIVE_INFINITY;
  /** Recently used cluster names by naming member. */
  private readonly names = new Map<number, string>();
  /**
   * Roots of the clusters whose meta lists a labelled member: a few thousand at most, so a
   * lookup stays in cache, while `meta` holds every touched cluster. Most label reads (exposure
   * walks, forwarding, the rules' counterparty view) are of unlabelled clusters and end here.
   * Derived from `meta`; rebuilt on first use after a checkpoint hands out the maps.
   */
  /** Roots of clusters with a labelled member: as many as labelled addresses, which intelligence alone bounds (sharded past 2²⁴). */
  private labelledRoots: ShardedSet<number> | undefined = new ShardedSet();
  /**
   * Hops to a traced label, per address (label-reach.ts). Derived: dropped on a restore or a new
   * rule set and rebuilt from the labels on first use; it then answers only for walks that read
   * no edge dated up to the newest edge held at the rebuild (`reachExactAfter`): chain data read
   * ahead of the clock dates edges after it, and edges added while no bounds exist are unseen.
   */
  private reach: LabelReach | undefined;
  private reachExactAfter = Number.NEGATIVE_INFINITY;
  /** The latest time of any flow edge added (NaN after a restore: read from the lists when needed). */
  private newestEdge = Number.NEGATIVE_INFINITY;
  /** Each edge's time and ends, in the order added: its lists are trimmed when it passes the retention. */
  private readonly expiry = new EdgeExpiry();

  constructor(public options: GraphOptions = DEFAULT_GRAPH_OPTIONS) {
    this.reach = new LabelReach(this, options.tracedLabels);
  }

  /** New bounds for a new rule set (hot reload); data already dropped is not recovered. */
  reconfigure(options: Partial<GraphOptions>): void {
    const before = this.options;
    this.options = { ...this.options, ...options };
    if (before.edgeRetention !== this.options.edgeRetention || before.maxEdgesPerAddress !== this.options.maxEdgesPerAddress || before.tracedLabels.join('\n') !== this.options.tracedLabels.join('\n')) this.dropReach();
  }

  private dropReach(): void {
    this.reach = undefined;
  }

  private labelReach(): LabelReach {
    if (this.reach) return this.reach;
    this.reachExactAfter = Math.max(this.newest, this.newestEdgeHeld());
    const reach = new LabelReach(this, this.options.tracedLabels);
    // No find() here: a lookup compresses paths, and the union-find is state a checkpoint writes.
    for (const [id, records] of this.labels.entries()) {
      for (const r of records) {
        if (!reach.tracesLabel(r.label)) continue; // a closed label still counts: a bound too low only costs a walk
        if (r.scope === 'address') reach.labelAddress(id);
        else if (!reach.clusterLabelled(id)) reach.labelCluster(this.uf.members(id));
      }
    }
    return (this.reach = reach);
  }

  /** The latest edge time held, read from the out-lists (each sorted by time) once after a restore. */
  private newestEdgeHeld(): number {
    if (Number.isNaN(this.newestEdge)) {
      let newest = Number.NEGATIVE_INFINITY;
      for (const [, list] of this.outEdges.entries()) if (list.length > 0) newest = Math.max(newest, list[list.length - 1]!.time);
      this.newestEdge = newest;
    }
    return this.newestEdge;
  }

  /**
   * Whether an exposure walk could meet one of `labels` (false: it cannot, and need not run).
   * True whenever the bounds do not answer for it: labels not traced, deeper than they reach, or
   * a walk that may read edges older than the retention (a list may have dropped its copy of
   * such an edge while the other end's list keeps it) or from before the bounds were rebuilt.
   */
  mayReachLabel(starts: readonly number[], q: { direction: 'upstream' | 'downstream'; labels: readonly string[]; maxHops: number; hopWithin: number; from: number }): boolean {
    if (q.maxHops > MAX_DEPTH) return true;
    const earliest = q.direction === 'downstream' ? q.from : q.from - q.maxHops * q.hopWithin;
    if (earliest < this.newest - this.options.edgeRetention) return true;
    const reach = this.labelReach();
    if (earliest <= this.reachExactAfter) return true;
    if (!reach.traces(q.labels)) return true;
    for (const id of starts) if (reach.mayReach(id, q.direction, q.maxHops)) return true;
    return false;
  }

  /**
   * Moves the graph's clock to an event's time. Each new cluster record sweeps two others, and
   * records with nothing inside their retention are dropped; each event takes the edges that
   * have passed the retention off the expiry ring and trims their two lists (a list left with
   * none goes), so dormant addresses and clusters cost nothing per event and can at most double
   * an index. At each `compactEvery` boundary the clock crosses, addresses that hold nothing may
   * be forgotten (compactIfWorthIt).
   */
  /**
   * The newest time the clock has reached (-Infinity before the first tick). The pipeline ticks
   * it with exchange events' times, and chain data's less a lead (pipeline.ts graphClockOf).
   */
  get clock(): number {
    return this.newest;
  }

  tick(time: number): void {
    this.advance(time);
    if (this.expiry.size > 0) this.expiry.expire(this.newest - this.options.edgeRetention, EDGES_EXPIRED_PER_EVENT, this.trimEnds);
  }

  private advance(time: number): void {
    if (!(time > this.newest)) return;
    const every = this.options.compactEvery;
    const crossed = Number.isFinite(this.newest) && Math.floor(time / every) > Math.floor(this.newest / every);
    const hour = Number.isFinite(this.newest) && Math.floor(time / HOUR) > Math.floor(this.newest / HOUR);
    this.newest = time;
    // Checked at event-time boundaries, so a replay, a restart and every instance compact at
    // the very same messages.
    if (crossed) this.compactIfWorthIt();
    if (hour && this.index.size > this.options.maxAddresses) this.forgetAtCap();
  }

  /**
   * The index is past `maxAddresses`: forgets, besides what has lapsed, the addresses that hold
   * nothing but their sighting, flow edges and touches (not own, no label, alone in their
   * cluster), oldest first sighting first (ties by id), until 7/8 of the cap is left or none such
   * remains. What they held goes with them: a walk no longer passes through them, and one seen
   * again is new. Decided on checkpointed state at an hour boundary of event time, so every run
   * forgets the same addresses at the same message. Returns how many went.
   */
  forgetAtCap(): number {
    const count = this.index.size;
    const target = Math.floor(this.options.maxAddresses * 7 / 8);
    const candidates: number[] = [];
    let lapsed = 0;
    for (let id = 0; id < count; id++) {
      if (this.lapsed(id, this.newest)) lapsed++;
      else if (this.holdsOnlyFlows(id)) candidates.push(id);
    }
    const need = count - lapsed - target;
    if (need <= 0 && lapsed === 0) return 0;
    const seen = (id: number): number => (id < this.firstSeen.length && !Number.isNaN(this.firstSeen[id]!) ? this.firstSeen[id]! : Number.NEGATIVE_INFINITY);
    candidates.sort((a, b) => seen(a) - seen(b) || a - b);
    const forget = new Uint8Array(count);
    for (let i = 0; i < Math.min(Math.max(need, 0), candidates.length); i++) forget[candidates[i]!] = 1;
    this.cappedAway += Math.min(Math.max(need, 0), candidates.length);
    return this.compact((id) => forget[id] === 1 || this.lapsed(id, this.newest));
  }

  /** Whether nothing but its sighting, flow edges and touches keeps the address: not own, no label, alone in its cluster. */
  private holdsOnlyFlows(id: number): boolean {
    if (this.isOwn(id) || this.labels.has(id) || !this.uf.isSingleton(id)) return false;
    const m = this.meta.get(id);
    return m === undefined || m.labelled.length === 0;
  }

  /** How long an address holding nothing else is remembered: never shorter than what the retentions keep of it. */
  private get memory(): number {
    return Math.max(this.options.addressMemory, this.options.edgeRetention, this.options.touchRetention);
  }

  /**
   * Whether the address holds anything but its first sighting: it is the exchange's own, carries
   * a label, shares a cluster, or has a flow edge or a touch inside its retention. A list or
   * record past its retention counts as gone whether or not a sweep has reached it yet, so the
   * answer does not depend on how far the sweeps got.
   */
  private holdsState(id: number): boolean {
    if (this.isOwn(id) || this.labels.has(id) || !this.uf.isSingleton(id)) return true;
    const outs = this.outEdges.get(id);
    if (outs !== undefined && !this.staleEdges(outs)) return true;
    const ins = this.inEdges.get(id);
    if (ins !== undefined && !this.staleEdges(ins)) return true;
    const m = this.meta.get(id);
    if (m === undefined) return false;
    const touches = m.touches;
    return m.labelled.length > 0 || (touches.length > 0 && touches[touches.length - 1]!.time >= this.newest - this.options.touchRetention);
  }

  /**
   * Whether the address is forgotten as of `time`: first seen before the address memory, and
   * holding nothing. (One never seen, only interned by a reader, is kept: the writers mark every
   * address they record.) Everything it reads is state a checkpoint keeps, so a restored graph
   * forgets exactly what the original would.
   */
  private lapsed(id: number, time: number): boolean {
    const first = id < this.firstSeen.length ? this.firstSeen[id]! : Number.NaN;
    return first < time - this.memory && !this.holdsState(id);
  }

  /** Whether the address counts as seen before at `time` (a forgotten one does not). */
  seenBefore(id: number, time: number): boolean {
    return this.firstSeenAt(id) !== undefined && !this.lapsed(id, time);
  }

  /**
   * Compacts when at least COMPACT_AT_SHARE of the addresses can be forgotten, as estimated from
   * evenly spaced ids (at most COMPACT_SAMPLE of them: the check is cheap however large the index
   * grows). It reads only state a checkpoint keeps, so every run decides alike. Each compaction
   * frees at least that share of what it walks, so its cost is a bounded multiple per address freed.
   */
  private compactIfWorthIt(): void {
    const started = performance.now();
    const count = this.index.size;
    const step = Math.max(1, Math.floor(count / COMPACT_SAMPLE));
    let sampled = 0;
    let forgettable = 0;
    for (let id = 0; id < count; id += step, sampled++) if (this.lapsed(id, this.newest)) forgettable++;
    this.compactions.checks++;
    this.compactions.checkMs += performance.now() - started;
    if (forgettable > 0 && forgettable >= sampled * COMPACT_AT_SHARE) this.compact();
  }

  /**
   * Forgets every address that holds nothing and was first seen before the address memory, and
   * renumbers the rest densely in their old order (address-memory.ts). Returns how many went.
   */
  compact(forgets: (id: number) => boolean = (id) => this.lapsed(id, this.newest)): number {
    const started = performance.now();
    const { remap, live } = renumber(this.index.size, (id) => !forgets(id));
    const dropped = this.index.size - live;
    if (dropped === 0) return 0;
    this.labels.remap(remap); // first: it checks that every labelled address is kept before anything moves
    this.index.remap(remap, live);
    this.uf.remap(remap, live);
    remapClusterMeta(this.meta, remap);
    remapFlowEdges(this.outEdges, this.inEdges, remap);
    this.expiry.renumber(remap);
    this.reach?.remap(remap, live);
    this.remapArrays(remap, live);
    this.names.clear();
    this.labelledRoots = undefined;
    this.scoped = undefined;
    this.forgotten += dropped;
    this.generation++;
    this.compactions.runs++;
    this.compactions.ms += performance.now() - started;
    return dropped;
  }

  /** The per-address arrays at the kept ids' new places. */
  private remapArrays(remap: Int32Array, live: number): void {
    let n = 1024;
    while (n < live) n *= 2;
    const marks = new Uint8Array(n);
    const firstSeen = new Float64Array(n).fill(Number.NaN);
    const forwardParents = new Int32Array(n).fill(-1);
    const known = Math.min(remap.length, this.marks.length);
    for (let id = 0; id < known; id++) {
      const to = remap[id]!;
      if (to < 0) continue;
      marks[to] = this.marks[id]!;
      firstSeen[to] = this.firstSeen[id]!;
      forwardParents[to] = renumbered(this.forwardParents[id]!, remap);
    }
    this.marks = marks;
    this.firstSeen = firstSeen;
    this.forwardParents = forwardParents;
  }

  /** The expiry ring's visit to an edge's two lists (an end of -1 was forgotten). */
  private readonly trimEnds = (from: number, to: number): void => {
    if (from >= 0) this.trimList(this.outEdges, from);
    if (to >= 0) this.trimList(this.inEdges, to);
  };

  /** Drops the list's edges past the retention, and the list when none is left inside it. */
  private trimList(edges: IdTable<FlowEdge[]>, id: number): void {
    const list = edges.get(id);
    if (list === undefined) return;
    if (this.staleEdges(list)) edges.delete(id);
    else if (list[0]!.time < this.newest - this.options.edgeRetention) this.dropStaleEdges(list);
  }

  /** Whether nothing in the list is inside the retention. */
  private staleEdges(list: readonly FlowEdge[]): boolean {
    return list.length === 0 || list[list.length - 1]!.time < this.newest - this.options.edgeRetention;
  }

  private readonly staleMeta = (m: ClusterMeta): boolean => {
    if (m.touches.length > 0 && m.touches[m.touches.length - 1]!.time < this.newest - this.options.touchRetention) {
      m.touches = [];
      m.stamp = freshTouchStamp();
    }
    if (m.touches.length > 0 || m.labelled.length > 0) return false;
    // Merge causes explain how the cluster came to hold its members (an alert's `mergedBy`): kept
    // as long as the flows an exposure walk reads (session 42 QA: a co-spend cluster's record
    // was swept with its causes, and alerts named none of the transactions that merged it).
    const causes = m.causes;
    return causes.length === 0 || causes[causes.length - 1]!.time < this.newest - this.options.edgeRetention;
  };

  /** Sizes of each index, for metrics and the soak benchmark. */
  get sizes(): { addresses: number; addressesForgotten: number; addressesForgottenAtCap: number; clusterMeta: number; edgeLists: number; edgesAwaitingExpiry: number; labelledAddresses: number } {
    return { addresses: this.index.size, addressesForgotten: this.forgotten, addressesForgottenAtCap: this.cappedAway, clusterMeta: this.meta.size, edgeLists: this.outEdges.size + this.inEdges.size, edgesAwaitingExpiry: this.expiry.size, labelledAddresses: this.labels.addressCount };
  }

  /** Grows the per-address arrays to hold `id`. */
  private ensure(id: number): void {
    if (id < this.marks.length) return;
    let n = this.marks.length;
    while (n <= id) n *= 2;
    const marks = new Uint8Array(n);
    marks.set(this.marks);
    this.marks = marks;
    const firstSeen = new Float64Array(n).fill(Number.NaN);
    firstSeen.set(this.firstSeen);
    this.firstSeen = firstSeen;
    const forwardParents = new Int32Array(n).fill(-1);
    forwardParents.set(this.forwardParents);
    this.forwardParents = forwardParents;
    if (this.scoped) {
      const scoped = new Uint8Array(n);
      scoped.set(this.scoped);
      this.scoped = scoped;
    }
  }

  private scopedFlags(): Uint8Array {
    if (this.scoped) return this.scoped;
    const flags = new Uint8Array(this.marks.length);
    for (const [id, records] of this.labels.entries()) if (id < flags.length && records.some((r) => r.scope === 'address')) flags[id] = 1;
    return (this.scoped = flags);
  }

  id(key: string): number {
    if (this.caseInsensitiveLabels === undefined) return this.index.intern(key);
    const known = this.index.size;
    const id = this.index.intern(key);
    if (this.index.size !== known) this.labelIgnoringCase(id, key);
    return id;
  }

  /**
   * Labels, from the epoch on, the address whose key matches `loweredKey` ignoring case, when the
   * graph first meets it: for listings whose source lost the letter case of a base58 address
   * (src/intel/ofac.ts). Configuration, not state: given to every pipeline, a restored one too.
   */
  watchIgnoringCase(loweredKey: string, record: LabelRecord): void {
    const watched = (this.caseInsensitiveLabels ??= new Map());
    const list = watched.get(loweredKey);
    if (list) list.push(record);
    else watched.set(loweredKey, [record]);
  }

  private labelIgnoringCase(id: number, key: string): void {
    const records = this.caseInsensitiveLabels!.get(key.toLowerCase());
    if (records) for (const record of records) this.addLabel(id, record, false, `label:${key}:${record.label}:${record.source}`);
  }

  key(id: number): string {
    return this.index.keyOf(id);
  }

  root(id: number): number {
    return this.uf.find(id);
  }

  /** `cl-` and a 64-bit hash of the smallest member key: the same in any arrival order. */
  clusterName(id: number): string {
    const repr = this.uf.repr(id);
    let name = this.names.get(repr);
    if (name === undefined) {
      // A bounded cache: cleared whole when full, so it never holds more than NAME_CACHE names.
      if (this.names.size >= NAME_CACHE) this.names.clear();
      this.names.set(repr, (name = nameOfKey(this.key(repr))));
    }
    return name;
  }

  clusterSize(id: number): number {
    return this.uf.size(id);
  }

  markSeen(id: number, time: number): void {
    this.ensure(id);
    let prev = this.firstSeen[id]!;
    // Forgotten (see lapsed, judged on the graph's clock as a compaction is): new again, as it
    // would be had a compaction already dropped it, so when compactions run does not change what
    // is new.
    if (prev < Math.max(time, this.newest) - this.memory && !this.holdsState(id)) prev = this.firstSeen[id] = Number.NaN;
    if (!(time >= prev)) this.firstSeen[id] = time; // NaN (never seen) compares false
  }

  firstSeenAt(id: number): number | undefined {
    const t = id < this.firstSeen.length ? this.firstSeen[id]! : Number.NaN;
    return Number.isNaN(t) ? undefined : t;
  }

  /** Marks an address as the exchange's own (deposit address, hot wallet): exposure stops there. */
  markOwn(id: number): void {
    this.ensure(id);
    this.marks[id] = this.marks[id]! | MARK_OWN;
  }

  isOwn(id: number): boolean {
    return id < this.marks.length && (this.marks[id]! & MARK_OWN) !== 0;
  }

  /**
   * Marks an address as having joined its cluster as a forwarder (it swept its funds into
   * another member; clustering.ts): its labels then hold for it alone (label-scope.ts).
   */
  markForwarder(id: number): void {
    this.ensure(id);
    this.marks[id] = this.marks[id]! | MARK_FORWARDER;
  }

  isForwarder(id: number): boolean {
    return id < this.marks.length && (this.marks[id]! & MARK_FORWARDER) !== 0;
  }

  /** The address `id` swept into when it joined its cluster as a forwarder, -1 when none. */
  forwardParent(id: number): number {
    return id >= 0 && id < this.forwardParents.length ? this.forwardParents[id]! : -1;
  }

  /**
   * Notes that `forwarder` swept into `receiver` (label-scope.ts reads a forwarder's label as
   * holding for what joined through it). An address that forwarded into several keeps the one
   * with the smallest key: the same parent whatever order the forwards are read in.
   */
  private noteForwardParent(forwarder: number, receiver: number): void {
    this.ensure(Math.max(forwarder, receiver));
    const known = this.forwardParents[forwarder]!;
    if (known < 0 || this.key(receiver) < this.key(known)) this.forwardParents[forwarder] = receiver;
  }

  private metaOf(root: number): ClusterMeta {
    let m = this.meta.get(root);
    if (!m) {
      this.meta.sweepSome(2, this.staleMeta);
      this.meta.set(root, (m = newClusterMeta(NO_ENTRIES, [], NO_ENTRIES)));
    }
    return m;
  }

  /** Every label record of the address, in force or not. */
  labelRecords(addressId: number): readonly LabelRecord[] {
    return this.labels.recordsOf(addressId);
  }

  addLabel(addressId: number, record: LabelRecord, removed: boolean, eventId: string): GraphChange | undefined {
    if (!this.labels.apply(addressId, record, removed)) return undefined;
    if (!removed) this.traceLabel(addressId, record);
    if (record.scope === 'address') {
      this.ensure(addressId);
      this.scopedFlags()[addressId] = 1;
    } else {
      const root = this.root(addressId);
      const m = this.metaOf(root);
      withLabelledMember(m, addressId);
      this.labelledRootSet().add(root);
    }
    return {
      kind: 'label',
      cluster: this.clusterName(addressId),
      time: record.from,
      cause: { label: record.label, address: this.key(addressId), source: record.source, removed },
      eventId,
    };
  }

  /** A traced label lowers the hop bounds around the address, or around its whole cluster. */
  private traceLabel(addressId: number, record: LabelRecord): void {
    const reach = this.reach;
    if (!reach || !reach.tracesLabel(record.label)) return;
    if (record.scope === 'address') reach.labelAddress(addressId);
    else if (!reach.clusterLabelled(addressId)) reach.labelCluster(this.uf.members(addressId));
  }

  /**
   * Forgets the address's label records that `forget` selects (a derived label past its
   * retention). An address left with no label leaves its cluster's labelled members.
   */
  forgetLabels(addressId: number, forget: (r: LabelRecord) => boolean): void {
    const left = this.labels.drop(addressId, forget);
    const flags = this.scopedFlags();
    if (addressId < flags.length && flags[addressId] === 1) flags[addressId] = this.labels.recordsOf(addressId).some((r) => r.scope === 'address') ? 1 : 0;
    if (left) return;
    const root = this.root(addressId);
    const m = this.meta.get(root);
    if (!m) return;
    const i = m.labelled.indexOf(addressId);
    if (i >= 0) m.labelled = ownOrNone(m.labelled.filter((_, k) => k !== i));
    if (m.labelled.length === 0) this.labelledRoots?.delete(root);
  }

  private labelledRootSet(): ShardedSet<number> {
    if (this.labelledRoots) return this.labelledRoots;
    const roots = new ShardedSet<number>();
    for (const [root, m] of this.meta.entries()) if (m.labelled.length > 0) roots.add(root);
    return (this.labelledRoots = roots);
  }

  /** Whether any member of the address's cluster has ever carried a label (in force or not). */
  hasLabelledMember(addressId: number): boolean {
    return this.labelledRootSet().has(this.root(addressId));
  }

  /**
   * Labels in force at `asOf` that hold for the address: its own address-scoped labels and its
   * cluster's labels that reach it (label-scope.ts): not those of a member that joined as a
   * forwarder (a listed payer of a merchant lists neither the merchant nor its other payers),
   * and in a custodial cluster (an `exchange` label's) not the other members' own (a listed
   * deposit address lists neither the exchange nor its other customers).
   */
  clusterLabels(addressId: number, asOf: number): readonly ClusterLabel[] {
    let out: ClusterLabel[] | undefined;
    const flags = this.scopedFlags();
    if (addressId < flags.length && flags[addressId] === 1) {
      out = [];
      for (const record of this.labels.labelsAt(addressId, asOf)) if (record.scope === 'address') out.push({ address: this.key(addressId), record });
    }
    const labelled = this.labelledMembers(addressId);
    // Most addresses asked about (every node of an exposure walk, both ends of each chain
    // transfer) carry no label: they share one empty answer instead of a new list each.
    if (labelled.length === 0) return out ?? NO_LABELS;
    return clusterLabelsFor(this.labelScope, labelled, asOf, addressId, out ?? []);
  }

  /** Labels in force at `asOf` that hold for every member of the address's cluster alike. */
  wholeClusterLabels(addressId: number, asOf: number): ClusterLabel[] {
    const labelled = this.labelledMembers(addressId);
    return labelled.length === 0 ? [] : clusterLabelsFor(this.labelScope, labelled, asOf, -1, []);
  }

  /** The members of the address's cluster that carry a cluster-scoped label (in force or not). */
  private labelledMembers(addressId: number): readonly number[] {
    const root = this.root(addressId);
    if (!this.labelledRootSet().has(root)) return NO_MEMBERS;
    return this.meta.get(root)?.labelled ?? NO_MEMBERS;
  }

  /** What label-scope.ts reads of the graph. */
  private readonly labelScope: LabelScopeGraph = {
    labelsAt: (member, asOf) => this.labels.labelsAt(member, asOf),
    key: (member) => this.key(member),
    isForwarder: (member) => this.isForwarder(member),
    forwardParent: (member) => this.forwardParent(member),
  };

  /** The causes of the merges that made the address's cluster, oldest first (refs stored: read them with shownRef). */
  mergeCauses(addressId: number): readonly StoredCause[] {
    return this.meta.get(this.root(addressId))?.causes ?? NO_ENTRIES;
  }

  private entityOf(root: number, asOf: number): { exchange: boolean; entities: ReadonlySet<string> } {
    const labels = this.wholeClusterLabels(root, asOf);
    // Most merges join unlabelled clusters: nothing to collect.
    if (labels.length === 0) return NO_ENTITY;
    const entities = new Set<string>();
    let exchange = false;
    for (const { record } of labels) {
      entities.add(record.entity ?? record.label);
      if (record.label === 'exchange') exchange = true;
    }
    return { exchange, entities };
  }

  /**
   * Merges the clusters of a and b, unless a guard holds it back: a labelled exchange never
   * merges with another labelled entity, and no merge may grow a cluster past maxClusterSize.
   */
  merge(a: number, b: number, cause: MergeCause, eventId: string): GraphChange | undefined {
    const ra = this.root(a);
    const rb = this.root(b);
    if (ra === rb) return undefined;
    const ea = this.entityOf(ra, cause.time);
    const eb = this.entityOf(rb, cause.time);
    let reason: string | undefined;
    if ((ea.exchange || eb.exchange) && ea.entities.size > 0 && eb.entities.size > 0 && ![...ea.entities].every((e) => eb.entities.has(e))) {
      reason = `would join labelled entities ${[...ea.entities, ...eb.entities].join(' + ')}`;
    } else if (this.uf.size(ra) + this.uf.size(rb) > this.options.maxClusterSize) {
      reason = `merged size ${this.uf.size(ra) + this.uf.size(rb)} exceeds ${this.options.maxClusterSize}`;
    }
    if (reason) {
      const [first, second] = [this.clusterName(ra), this.clusterName(rb)].sort() as [string, string];
      return { kind: 'held-merge', cluster: first, absorbed: second, time: cause.time, cause, reason, eventId };
    }
    const impact = this.impactOf(ra, rb);
    // A traced label on one side now covers the other side's members too.
    const reach = this.reach;
    if (reach && reach.clusterLabelled(ra) !== reach.clusterLabelled(rb)) reach.labelCluster(this.uf.members(reach.clusterLabelled(ra) ? rb : ra));
    const nameA = this.clusterName(ra);
    const nameB = this.clusterName(rb);
    const reprA = this.uf.repr(ra);
    const reprB = this.uf.repr(rb);
    const [survivor, absorbed] = this.uf.union(ra, rb)!;
    // The merged cluster is named by the smaller key of the two names' members.
    const aFirst = this.key(reprA) <= this.key(reprB);
    this.uf.setRepr(survivor, aFirst ? reprA : reprB);
    const into = this.metaOf(survivor);
    const from = this.meta.get(absorbed);
    if (from) {
      if (from.labelled.length > 0) {
        const roots = this.labelledRootSet();
        roots.delete(absorbed);
        roots.add(survivor);
      }
      // The absorbed record goes: its own array, if any, becomes the survivor's when that has none.
      if (into.labelled.length === 0) into.labelled = from.labelled;
      else if (from.labelled.length > 0) (into.labelled as number[]).push(...from.labelled);
      const before = into.touches.length + from.touches.length;
      into.touches = absorbTouches(into.touches, from.touches, this.options.maxTouches);
      if (into.touches.length < before) into.stamp = freshTouchStamp(); // the cap dropped the oldest
      this.meta.delete(absorbed);
    }
    into.causes = withCause(into.causes, from?.causes, { heuristic: cause.heuristic, ref: storeRef(cause.ref), time: cause.time });
    return { kind: 'merge', cluster: aFirst ? nameA : nameB, absorbed: aFirst ? nameB : nameA, time: cause.time, cause, eventId, impact };
  }

  /**
   * The forwarding heuristic's join: `forwarder` swept what it received into `receiver`, so it
   * joins the receiver's cluster (under merge's guards), is marked a forwarder and notes the
   * receiver as its forward parent: its labels hold for it and what joined through it
   * (label-scope.ts). Marked and noted as well when the two already share a cluster, so which of
   * two forwards is read first does not decide them; not when the merge is held back (it has not
   * joined).
   */
  mergeForward(receiver: number, forwarder: number, cause: MergeCause, eventId: string): GraphChange | undefined {
    const change = this.merge(receiver, forwarder, cause, eventId);
    if (change?.kind === 'held-merge' || receiver === forwarder) return change;
    this.markForwarder(forwarder);
    this.noteForwardParent(forwarder, receiver);
    return change;
  }

  /** What a merge of the clusters rooted at a and b can change (see MergeImpact). */
  private impactOf(ra: number, rb: number): MergeImpact {
    const ma = this.meta.get(ra);
    const mb = this.meta.get(rb);
    const ta = ma?.touches ?? [];
    const tb = mb?.touches ?? [];
    const [small, large, smallMeta, largeMeta] = ta.length <= tb.length ? [ta, tb, ma, mb] : [tb, ta, mb, ma];
    const [smallRoot, largeRoot] = ta.length <= tb.length ? [ra, rb] : [rb, ra];
    const smallLabelled = (smallMeta?.labelled.length ?? 0) > 0;
    const labelled = smallLabelled || (largeMeta?.labelled.length ?? 0) > 0;
    const settled = largeMeta !== undefined && namesAtLeast(largeMeta, this.options.verdictLimit);
    const both = smallLabelled || !settled;
    // A settled large side: more payers flip no verdict there, so only its newest transfer is
    // re-examined, which refreshes the account list that a rule's alsoAlert fans out over.
    const representative = large.length > 0 ? [large[large.length - 1]!] : [];
    // Oldest first by event time (ties by eventId), the newest that fit: an order that derives
    // from content, so the alert a re-examination raises is the same in any arrival order.
    const chosen = mergeTouches(small, both ? large : representative, this.options.maxTouches);
    const eventIds = chosen.map((t) => t.eventId);
    const fewer = this.uf.size(ra) <= this.uf.size(rb) ? ra : rb;
    const fewerMembers = this.uf.size(fewer) <= SMALL_SIDE_READ ? [...this.uf.members(fewer)] : undefined;
    return { eventIds, both, labelled, coversCluster: !smallLabelled && this.bringsNothing(smallRoot, largeRoot), ...(fewerMembers ? { fewerMembers } : {}) };
  }

  /**
   * Whether the cluster rooted at `small` (at most SMALL_SIDE_READ members) holds no labelled
   * address and no flow edge to anything but itself, the cluster rooted at `large`, or the
   * exchange's own addresses (where every exposure walk stops).
   */
  private bringsNothing(small: number, large: number): boolean {
    if (this.uf.size(small) > SMALL_SIDE_READ) return false;
    const inside = (peer: number): boolean => this.isOwn(peer) || this.root(peer) === small || this.root(peer) === large;
    for (const member of this.uf.members(small)) {
      if (this.labels.recordsOf(member).length > 0) return false;
      for (const e of this.edgesOut(member)) if (!inside(e.to)) return false;
      for (const e of this.edgesIn(member)) if (!inside(e.from)) return false;
    }
    return true;
  }

  addTouch(touch: Touch): void {
    const m = this.metaOf(this.root(touch.address));
    const list = m.touches;
    let i = list.length;
    // By event time, then eventId: equal times sort the same whatever the arrival order.
    while (i > 0 && (list[i - 1]!.time > touch.time || (list[i - 1]!.time === touch.time && list[i - 1]!.eventId > touch.eventId))) i--;
    shareAccountText(touch, list, i);
    if (i === list.length) m.touches = appended(list, touch);
    else list.splice(i, 0, touch);
    // Trimmed in steps, so a hot cluster does not pay a copy per touch.
    const touches = m.touches;
    const horizon = touches[touches.length - 1]!.time - this.options.touchRetention;
    // A short list is trimmed too: a cluster paid now and then would otherwise keep every touch of its life.
    if (touches.length > this.options.maxTouches * 1.25 || touches[0]!.time < horizon) {
      const keepFrom = Math.max(touches.length - this.options.maxTouches, lowerBound(touches, horizon));
      // In place, by dropFront: once a busy cluster's oldest touches pass the retention, about
      // one leaves per touch, and `splice` copies the rest of the list each time (up to
      // maxTouches: 3 to 5 µs per touch), where `shift` moves the array's start.
      dropFront(touches, keepFrom);
      if (keepFrom > 0) m.stamp = freshTouchStamp();
    }
  }

  /**
   * The stamp of the cluster's touch list (0 when it has none): while a cluster keeps its stamp,
   * its touches only gain members (insertions, merges that drop nothing), never lose one. A walk
   * over them that found enough accounts within a window still finds them in any wider window.
   */
  touchStamp(addressId: number): number {
    return this.meta.get(this.root(addressId))?.stamp ?? 0;
  }

  /** The cluster's touches, oldest first. */
  touches(addressId: number): readonly Touch[] {
    return this.meta.get(this.root(addressId))?.touches ?? [];
  }

  /** An edge from its fields, its ref as text (stored here: pass no ref read from the graph). */
  addEdge(from: number, to: number, edge: Omit<FlowEdge, 'from' | 'to' | 'ref'> & { readonly ref: string }): boolean {
    return this.addFlowEdge({ from, to, asset: edge.asset, amount: edge.amount, usd: edge.usd, time: edge.time, ref: storeRef(edge.ref) });
  }

  /**
   * addEdge of an edge its caller built whole, with its fields in FlowEdge's order and no
   * `coSpend`: the object itself goes into both lists (no second object per edge). The caller
   * changes it no more.
   */
  addFlowEdge(edge: FlowEdge): boolean {
    const from = edge.from;
    let outs = this.outEdges.get(from);
    if (!outs) this.outEdges.set(from, (outs = []));
    // The same transfer may arrive twice (an exchange event and its chain event), within six
    // hours of each other: looked for among the edges nearest its time in the sender's list and
    // in the receiver's. Not among the sender's newest: chain data read weeks late meets a hot
    // wallet whose list has since gained other customers' withdrawals, and a transfer counted
    // twice sweeps nothing (session 45 QA: 27 days late, a DPRK cell's forwards merged none).
    const ins = this.inEdges.get(edge.to);
    if (this.knownTransfer(outs, edge) || this.knownTransfer(ins, edge)) return false;
    this.insertEdge(from, outs, edge, ins);
    return true;
  }

  /**
   * A co-spend link (FlowEdge.coSpend) from input `from` to `payer`, the largest input of
   * transaction `edge.ref`, whose edges carry what the transaction pays. Once per input and
   * transaction (a redelivery adds none).
   */
  addCoSpendLink(from: number, payer: number, edge: Omit<FlowEdge, 'from' | 'to' | 'coSpend'>): boolean {
    let outs = this.outEdges.get(from);
    if (!outs) this.outEdges.set(from, (outs = []));
    for (let i = lowerBound(outs, edge.time); i < outs.length && outs[i]!.time === edge.time; i++) if (outs[i]!.coSpend === true && outs[i]!.ref === edge.ref && outs[i]!.to === payer) return false;
    const link: FlowEdge = { from, to: payer, asset: edge.asset, amount: edge.amount, usd: edge.usd, time: edge.time, ref: edge.ref, coSpend: true };
    this.insertEdge(from, outs, link);
    return true;
  }

  /** `ins`: the receiver's in-list when the caller read it already (undefined: read here). */
  private insertEdge(from: number, outs: FlowEdge[], shared: FlowEdge, ins = this.inEdges.get(shared.to)): void {
    const to = shared.to;
    this.appendEdge(this.outEdges, from, outs, shared);
    if (!ins) this.inEdges.set(to, (ins = []));
    this.appendEdge(this.inEdges, to, ins, shared);
    this.expiry.push(shared.time, from, to);
    if (shared.time > this.newestEdge) this.newestEdge = shared.time; // stays NaN (unknown) after a restore
    this.reach?.edgeAdded(from, to, shared.coSpend === true ? 0 : 1);
  }

  /**
   * Whether `list` (an address's edges, sorted by time) holds an edge of the same transfer as
   * `edge`: same ends, asset and amount, less than SAME_TRANSFER_WITHIN apart. Reads at most
   * SAME_TRANSFER_LOOK edges on each side of `edge.time`, found by binary search, whatever the
   * list's length or the order its edges arrived in.
   */
  private knownTransfer(list: readonly FlowEdge[] | undefined, edge: FlowEdge): boolean {
    if (list === undefined || list.length === 0) return false;
    // Most edges come in time order, after every edge of the list: no search (each step of one
    // reads an edge, a cache miss in a long list).
    const at = list[list.length - 1]!.time < edge.time ? list.length : lowerBound(list, edge.time);
    // Between two addresses neither of which is the exchange's own, both records are the chain's:
    // two different hashes are two transfers (an exchange's record, which may carry another hash
    // than the chain's, always has an own address at one end).
    const chainOnly = !this.isOwn(edge.from) && !this.isOwn(edge.to);
    for (let i = at; i < list.length && i < at + SAME_TRANSFER_LOOK && list[i]!.time - edge.time < SAME_TRANSFER_WITHIN; i++) if (sameTransfer(list[i]!, edge, chainOnly)) return true;
    for (let i = at - 1; i >= 0 && i >= at - SAME_TRANSFER_LOOK && edge.time - list[i]!.time < SAME_TRANSFER_WITHIN; i--) if (sameTransfer(list[i]!, edge, chainOnly)) return true;
    return false;
  }

  /**
   * Puts an edge into an address's list in event-time order (a short list is stored anew at its
   * exact length), capped and past-retention edges dropped. Lists sorted by time, whatever order
   * the chain events came in, let readers stop at a window's start (common-funder) and keep
   * the oldest edge the one the cap and the retention drop.
   */
  private appendEdge(edges: IdTable<FlowEdge[]>, id: number, list: FlowEdge[], edge: FlowEdge): void {
    const next = insertedByTime(list, edge);
    if (next !== list) edges.set(id, next);
    if (next.length > this.options.maxEdgesPerAddress) this.reach?.edgeDropped(next.shift()!, edges === this.inEdges ? 'in-list' : 'out-list');
    this.dropStaleEdges(next);
  }

  /**
   * Edges past the retention leave from the front of a list that still gets new ones (a busy
   * address would otherwise keep every edge of its life up to the cap). A list is sorted by
   * time, so this stops at the first edge inside the retention.
   */
  private dropStaleEdges(list: FlowEdge[]): void {
    const horizon = this.newest - this.options.edgeRetention;
    let stale = 0;
    while (stale < list.length - 1 && list[stale]!.time < horizon) stale++;
    dropFront(list, stale);
  }

  edgesOut(id: number): readonly FlowEdge[] {
    return this.outEdges.get(id) ?? NO_EDGES;
  }

  edgesIn(id: number): readonly FlowEdge[] {
    return this.inEdges.get(id) ?? NO_EDGES;
  }

  /** The graph's private indexes, for a checkpoint: the maps by reference, the arrays as their used prefix. */
  checkpointParts(): { meta: IdTable<ClusterMeta>; outEdges: IdTable<FlowEdge[]>; inEdges: IdTable<FlowEdge[]>; marks: Uint8Array; firstSeen: Float64Array; forwardParents: Int32Array; newest: number } {
    this.labelledRoots = undefined; // a restore fills `meta` through these references
    this.scoped = undefined; // and the labels: the flags are rebuilt from them
    const used = Math.min(this.index.size, this.marks.length);
    return { meta: this.meta, outEdges: this.outEdges, inEdges: this.inEdges, marks: this.marks.subarray(0, used), firstSeen: this.firstSeen.subarray(0, used), forwardParents: this.forwardParents.subarray(0, used), newest: this.newest };
  }

  /**
   * Refills the expiry ring from the edge lists a restore filled (through checkpointParts): each
   * edge once, whether both its lists hold it or one dropped it at its cap, in time order (ties
   * by sender, receiver), so the restored graph trims the lists as the original did, give or take
   * the order in which equal or out-of-order times came.
   */
  edgesRestored(): void {
    this.expiry.clear();
    const edges = new Set<FlowEdge>();
    for (const [, list] of this.outEdges.entries()) for (const e of list) edges.add(e);
    for (const [, list] of this.inEdges.entries()) for (const e of list) edges.add(e);
    const inOrder = [...edges].sort((a, b) => a.time - b.time || a.from - b.from || a.to - b.to);
    for (const e of inOrder) this.expiry.push(e.time, e.from, e.to);
  }

  /**
   * Puts back the per-address arrays and the clock from a checkpoint (maps are filled through
   * checkpointParts); without `forwardParents` (a checkpoint before format 7) no address has one.
   */
  restoreArrays(marks: Uint8Array, firstSeen: Float64Array, newest: number, forwardParents?: Int32Array): void {
    this.labelledRoots = undefined;
    this.scoped = undefined;
    if (marks.length > 0) this.ensure(marks.length - 1);
    this.marks.set(marks);
    this.firstSeen.set(firstSeen);
    this.forwardParents.fill(-1);
    if (forwardParents) this.forwardParents.set(forwardParents);
    this.newest = newest;
    this.newestEdge = Number.NaN;
    this.dropReach();
  }
}

/** What entityOf finds in an unlabelled cluster (shared: never written). */
const NO_ENTITY: { exchange: boolean; entities: ReadonlySet<string> } = Object.freeze({ exchange: false, entities: new Set<string>() });

/**
 * A cluster's merge causes with the absorbed cluster's and the new one, in event-time order
 * (ties by transaction, then heuristic), the newest MAX_CAUSES, in a new array of exact length:
 * most clusters merge once or twice, and an array grown by push would reserve 16 slots or more
 * for each of them. The order is the content's, not arrival's: the same merges read in another
 * order list the same causes (QA: evidence listed a block's co-spends in the order they arrived).
 */
function withCause(causes: readonly StoredCause[], absorbed: readonly StoredCause[] | undefined, cause: StoredCause): StoredCause[] {
  const all = causes.concat(absorbed ?? [], [cause]);
  // Both lists are kept sorted: in event order, with nothing absorbed, the new cause goes last.
  const inOrder = (absorbed === undefined || absorbed.length === 0) && (causes.length === 0 || byCauseTime(causes[causes.length - 1]!, cause) <= 0);
  if (!inOrder) all.sort(byCauseTime);
  return all.length > MAX_CAUSES ? all.slice(all.length - MAX_CAUSES) : all;
}

/** By time, then by ref's text (compareStoredRefs), then heuristic. */
export function byCauseTime(a: StoredCause, b: StoredCause): number {
  return a.time - b.time || compareStoredRefs(a.ref, b.ref) || (a.heuristic < b.heuristic ? -1 : a.heuristic > b.heuristic ? 1 : 0);
}

/**
 * `cl-` and 16 hex digits of the key's fingerprint. Joined, not concatenated: a concatenation of
 * 13 characters or more is a node over its parts (88 bytes with them), and the name cache keeps
 * up to NAME_CACHE names; joined it is one flat string of 40.
 */
export function nameOfKey(key: string): string {
  const fp = fingerprint(key);
  return ['cl-', fp.hi.toString(16).padStart(8, '0'), fp.lo.toString(16).padStart(8, '0')].join('');
}

/** An id kept across a renumbering (`remap`): its new id, -1 when it was -1 or is forgotten. */
function renumbered(id: number, remap: Int32Array): number {
  return id >= 0 && id < remap.length ? remap[id]! : -1;
}

/**
 * Whether edge `e` (a value transfer already held) records the same transfer as `edge` (see
 * EntityGraph.knownTransfer). With `chainOnly` (no own address at either end: both are chain
 * records), two hashes that differ are two transfers (session 65: a wallet sweeping its pay in
 * two equal parts an hour apart kept one part, and made no split sweep).
 */
function sameTransfer(e: FlowEdge, edge: FlowEdge, chainOnly: boolean): boolean {
  return e.from === edge.from && e.to === edge.to && e.asset === edge.asset && e.coSpend !== true && sameAmount(e.amount, edge.amount) && !(chainOnly && distinctTransactions(e.ref, edge.ref));
}

/** Whether two amounts are one transfer's: they differ by at most 0.1% of the second, exactly. */
export function sameAmount(a: Decimal, b: Decimal): boolean {
  const gap = a.minus(b);
  return (gap.sign() < 0 ? gap.negated() : gap).compare(b.times(SAME_TRANSFER_TOLERANCE)) <= 0;
}
