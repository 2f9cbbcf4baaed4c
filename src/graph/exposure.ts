/**
 * Exposure: is there a cluster carrying one of `labels` within N hops of an address, upstream
 * (who funded it) or downstream (where its funds went), and by which path? Each hop must follow
 * the previous one in time (downstream: later; upstream: earlier) within `hopWithin`. Traversal
 * stops at the exchange's own addresses and at clusters carrying a `stopAt` label.
 */
import { displayAddress, displayTxRef } from '../chain/address.js';
import { isUnregisteredToken } from '../chain/evm.js';
import type { EntityGraph, FlowEdge } from './entity-graph.js';
import { shownRef } from './tx-ref.js';
import type { LabelRecord } from './labels.js';
import type { Decimal } from '../money/decimal.js';
import { VisitMarks } from './visit-marks.js';
import { lowerBound } from '../state/sorted-by-time.js';

export interface ExposureQuery {
  direction: 'upstream' | 'downstream';
  labels: readonly string[];
  maxHops: number;
  hopWithin: number;
  stopAt: readonly string[];
  /** Event time the search starts from (the transfer's time). */
  from: number;
  /** Labels are read as of this time. */
  asOf: number;
  /** Upper bound on nodes expanded, to keep a hot-wallet neighbourhood cheap. @defaultValue 5000 */
  budget?: number;
  /**
   * A hop is not followed when the USD it traces from the trigger is below this (see the exposure
   * op's minTracedUsd and tracedUsd). @defaultValue 0
   */
  minHopUsd?: number;
  /**
   * The trigger's USD value, which the walk traces along its path when `minHopUsd` is set: each
   * hop carries the traced value's share of what flowed into the node (within the hop window, up
   * to the hop's own time) times the hop's value (a haircut). A busy unlabelled hub that received a customer's $3,000 among $3 M and paid a
   * listed address $2,000 traces $2 of the customer's funds to it, not $2,000 (QA: every customer
   * of such a hub alerted high). Unknown (undefined): each hop is judged by its own value alone.
   */
  tracedUsd?: number;
  /**
   * Instead of `labels`: an address this accepts is the hit (its label reads `matchLabel`), as
   * the reverse-link signal asks for "an address this account dealt with before".
   */
  match?: { accepts: (id: number) => boolean; label: string; source: string };
}

export interface PathStep {
  address: string;
  cluster: string;
  /** The transfer that reached this address from the previous one (absent at hop 0). */
  via?: { ref: string; asset: string; amount: Decimal; usd: Decimal | null; time: string };
  /**
   * On the last step, when the label is on another member of its cluster: that member, and the
   * merges that made the cluster (heuristic, transaction, time; its newest 8), so the alert
   * shows why the two addresses are taken for one owner.
   */
  sameClusterAs?: { address: string; mergedBy: { heuristic: string; ref: string; time: string }[] };
}

export interface ExposureHit {
  hops: number;
  /** True only when the counterparty address itself carries the label. */
  direct: boolean;
  label: string;
  labelledAddress: string;
  entity?: string;
  source: string;
  detail?: Record<string, unknown>;
  path: PathStep[];
  /** Epoch ms from which the matched label holds (its observedAt). */
  labelledSince: number;
  /** The label's confidence, as its source gave it (1 when it gave none). */
  confidence: number;
}

/**
 * The nodes a walk reaches, in the order it reaches them, in arrays reused by every walk: a
 * breadth-first walk appends each hop's nodes after the previous hop's, so a hop is a range of
 * indexes and nothing is allocated per node. `prev` is the index of the node it was reached
 * from (-1 at a start), `edges` the flow edge that reached it.
 */
class WalkNodes {
  ids = new Int32Array(256);
  times = new Float64Array(256);
  /** USD traced from the trigger to the node (NaN: not traced). */
  traced = new Float64Array(256);
  prev = new Int32Array(256);
  edges: (FlowEdge | undefined)[] = [];
  length = 0;

  clear(): void {
    // Edges are let go so a walk keeps no flow edge alive after it ends; the array keeps its
    // length (at most one walk's budget), as emptying it would free its storage every walk.
    this.edges.fill(undefined, 0, this.length);
    this.length = 0;
  }

  push(id: number, time: number, prev: number, edge: FlowEdge | undefined, traced: number): void {
    if (this.length === this.ids.length) this.grow();
    const i = this.length++;
    this.ids[i] = id;
    this.times[i] = time;
    this.traced[i] = traced;
    this.prev[i] = prev;
    this.edges[i] = edge;
  }

  private grow(): void {
    const n = this.ids.length * 2;
    const ids = new Int32Array(n); ids.set(this.ids); this.ids = ids;
    const times = new Float64Array(n); times.set(this.times); this.times = times;
    const traced = new Float64Array(n); traced.set(this.traced); this.traced = traced;
    const prev = new Int32Array(n); prev.set(this.prev); this.prev = prev;
  }
}

function matchLabel(graph: EntityGraph, id: number, q: ExposureQuery, labels: readonly string[]): { address: string; record: LabelRecord } | undefined {
  const all = graph.clusterLabels(id, q.asOf);
  if (all.length === 0) return undefined; // most clusters a walk meets carry no label: no copy for them
  const hits = all.filter((l) => labels.includes(l.record.label));
  if (hits.length === 0) return undefined;
  const own = graph.key(id);
  // Prefer the address's own label, then the most confident, then a stable order.
  hits.sort((a, b) => Number(b.address === own) - Number(a.address === own) || b.record.confidence - a.record.confidence || a.address.localeCompare(b.address) || a.record.label.localeCompare(b.record.label));
  return hits[0];
}

/** A hit by the query's own test instead of a label. */
function matchedBy(graph: EntityGraph, id: number, match: NonNullable<ExposureQuery['match']>, from: number): { address: string; record: LabelRecord } | undefined {
  if (!match.accepts(id)) return undefined;
  return { address: graph.key(id), record: { label: match.label, source: match.source, confidence: 1, from } };
}

function toPath(graph: EntityGraph, nodes: WalkNodes, node: number): PathStep[] {
  const steps: PathStep[] = [];
  for (let n = node; n >= 0; n = nodes.prev[n]!) {
    const id = nodes.ids[n]!;
    const edge = nodes.edges[n];
    const step: PathStep = { address: displayAddress(graph.key(id)), cluster: graph.clusterName(id) };
    if (edge) step.via = { ref: displayTxRef(shownRef(edge.ref), graph.key(id)), asset: edge.asset, amount: edge.amount, usd: edge.usd, time: new Date(edge.time).toISOString() };
    steps.push(step);
  }
  return steps.reverse();
}

/** The addresses a walk has reached, and its nodes (walks are synchronous and never nest, so one of each serves all). */
const visited = new VisitMarks();
const nodes = new WalkNodes();

/**
 * Whether the edge moved less than `usd`. A zero amount always does. A token no registry knows
 * (its asset is the contract's address key, never a symbol) does too: anyone can deploy one and
 * emit a Transfer from a listed address to poison its victims, so it carries no value that can
 * be traced. A known asset without a price (no price feed yet) never does.
 */
function carriesLess(edge: FlowEdge, usd: number): boolean {
  if (edge.amount.isZero()) return true;
  if (edge.usd === null) return isUnregisteredToken(edge.asset);
  return edge.usd.toNumber() < usd;
}

/**
 * The USD that flowed into a node from `from` on, read up to one time after another: what the
 * traced funds were mixed with before the hop being judged left the node. Only inflows dated up to
 * that hop count (a later one cannot have diluted it, and counting it would make the verdict
 * depend on whether it had been read yet). Edge lists are sorted by time, so a walk over a node's
 * outflows in time order reads its inflows once. NaN once an edge has no USD value (an asset
 * without a price): the share is then unknown.
 */
class InflowUpTo {
  private edges: readonly FlowEdge[] = [];
  private next = 0;
  private sum = 0;

  start(graph: EntityGraph, id: number, from: number): void {
    this.edges = graph.edgesIn(id);
    this.sum = 0;
    let i = 0;
    while (i < this.edges.length && this.edges[i]!.time < from) i++;
    this.next = i;
  }

  upTo(time: number): number {
    const edges = this.edges;
    while (this.next < edges.length && edges[this.next]!.time <= time) {
      const edge = edges[this.next++]!;
      if (edge.amount.isZero() || edge.coSpend === true) continue; // a co-spend link is no inflow
      this.sum += edge.usd === null ? Number.NaN : edge.usd.toNumber();
    }
    return this.sum;
  }

  clear(): void {
    this.edges = [];
  }
}

const inflows = new InflowUpTo();

/**
 * What a hop traces: the traced value's share of the node's inflow, times the hop's value (the
 * proportional, or haircut, rule), at most the traced value; the hop's own value where the share
 * is unknown. NaN stays NaN (nothing traced: each hop judged alone, as before).
 */
function tracedThrough(traced: number, inflow: number, edge: FlowEdge): number {
  if (Number.isNaN(traced) || edge.usd === null) return traced;
  const hop = edge.usd.toNumber();
  if (Number.isNaN(inflow)) return Math.min(traced, hop);
  return Math.min(traced, (hop * traced) / Math.max(inflow, traced));
}

type LabelHit = { address: string; record: LabelRecord };

/**
 * The hit among one hop's nodes: the first whose own address carries the label, else the first
 * whose cluster does. A deposit from [co-spent input, listed input] reaches both at hop 0: the
 * listed input's own label is direct, whatever the order of `from` (QA: the first input's
 * cluster label made it indirect and high instead of direct and critical).
 */
function hitInHop(graph: EntityGraph, q: ExposureQuery, start: number, end: number): { node: number; hit: LabelHit } | undefined {
  let first: { node: number; hit: LabelHit } | undefined;
  for (let n = start; n < end; n++) {
    const id = nodes.ids[n]!;
    const hit = q.match === undefined ? matchLabel(graph, id, q, q.labels) : matchedBy(graph, id, q.match, q.from);
    if (!hit) continue;
    if (hit.address === graph.key(id)) return { node: n, hit };
    first ??= { node: n, hit };
  }
  return first;
}

function exposureHit(graph: EntityGraph, hops: number, n: number, hit: LabelHit): ExposureHit {
  const id = nodes.ids[n]!;
  const path = toPath(graph, nodes, n);
  if (hit.address !== graph.key(id)) path[path.length - 1]!.sameClusterAs = { address: displayAddress(hit.address), mergedBy: graph.mergeCauses(id).slice(-8).map((c) => ({ heuristic: c.heuristic, ref: displayTxRef(shownRef(c.ref), hit.address), time: new Date(c.time).toISOString() })) };
  return {
    hops,
    direct: hops === 0 && hit.address === graph.key(id),
    label: hit.record.label,
    labelledAddress: displayAddress(hit.address),
    ...(hit.record.entity !== undefined ? { entity: hit.record.entity } : {}),
    source: hit.record.source,
    ...(hit.record.detail ? { detail: hit.record.detail } : {}),
    path,
    labelledSince: hit.record.from,
    confidence: hit.record.confidence,
  };
}

const NO_EDGES: readonly FlowEdge[] = Object.freeze([]);

/**
 * The index, from `i` on, of the next edge in `paid` (a payer's out-list, sorted by time) of the
 * co-spend link's transaction: at the link's time, of its ref, no link itself; -1 when none is
 * left (a negative index reads undefined).
 */
function paidBy(paid: readonly FlowEdge[], i: number, link: FlowEdge): number {
  for (; i < paid.length && paid[i]!.time === link.time; i++) if (paid[i]!.ref === link.ref && paid[i]!.coSpend !== true) return i;
  return -1;
}

export function findExposure(graph: EntityGraph, starts: readonly number[], q: ExposureQuery): ExposureHit | undefined {
  if (q.match === undefined && !graph.mayReachLabel(starts, q)) return undefined; // no traced label within reach (label-reach.ts)
  try {
    return walk(graph, starts, q);
  } finally {
    nodes.clear();
    inflows.clear();
  }
}

function walk(graph: EntityGraph, starts: readonly number[], q: ExposureQuery): ExposureHit | undefined {
  const budget = q.budget ?? 5000;
  const minHopUsd = q.minHopUsd ?? 0;
  const seen = visited;
  seen.begin();
  const tracing = minHopUsd > 0 && q.tracedUsd !== undefined && q.tracedUsd > 0;
  for (const id of starts) {
    if (!seen.mark(id)) continue;
    nodes.push(id, q.from, -1, undefined, tracing ? q.tracedUsd! : Number.NaN);
  }
  // The current hop's nodes are nodes[hopStart, hopEnd); the next hop's are appended after them.
  let hopStart = 0;
  let hopEnd = nodes.length;
  let expanded = 0;
  for (let hops = 0; hops <= q.maxHops && hopEnd > hopStart; hops++) {
    const found = hitInHop(graph, q, hopStart, hopEnd);
    if (found) return exposureHit(graph, hops, found.node, found.hit);
    if (hops === q.maxHops) break;
    for (let n = hopStart; n < hopEnd; n++) {
      const id = nodes.ids[n]!;
      if (graph.isOwn(id) || matchLabel(graph, id, q, q.stopAt)) continue;
      const time = nodes.times[n]!;
      const traced = nodes.traced[n]!;
      // Upstream the node paid on at `time` from what reached it within the hop window before;
      // downstream the traced funds reached it at `time` and left with what came in until each hop.
      if (!Number.isNaN(traced)) inflows.start(graph, id, time - q.hopWithin);
      const inflowBefore = Number.isNaN(traced) ? Number.NaN : q.direction === 'upstream' ? inflows.upTo(time) : Number.NaN;
      const edges = q.direction === 'upstream' ? graph.edgesIn(id) : graph.edgesOut(id);
      for (let e = 0; e < edges.length; e++) {
        const first = edges[e]!;
        // A co-spend link: the node was spent beside the largest input, whose edges of the
        // transaction carry what it pays; downstream they are the node's own, at this hop (one
        // owner paid them). Upstream a link is no inflow: the payer's funders are its own.
        const link = first.coSpend === true;
        if (link && q.direction === 'upstream') continue;
        const paid = link ? graph.edgesOut(first.to) : NO_EDGES;
        let p = link ? paidBy(paid, lowerBound(paid, first.time), first) : -1;
        for (let edge = link ? paid[p] : first; edge !== undefined; edge = link ? paid[(p = paidBy(paid, p + 1, first))] : undefined) {
          const inTime = q.direction === 'upstream'
            ? edge.time <= time && edge.time >= time - q.hopWithin
            : edge.time >= time && edge.time <= time + q.hopWithin;
          const peer = q.direction === 'upstream' ? edge.from : edge.to;
          if (!inTime || (minHopUsd > 0 && carriesLess(edge, minHopUsd))) continue;
          const inflow = Number.isNaN(traced) || q.direction === 'upstream' ? inflowBefore : inflows.upTo(edge.time);
          const next = tracedThrough(traced, inflow, edge);
          if (next < minHopUsd || !seen.mark(peer)) continue;
          nodes.push(peer, edge.time, n, edge, next);
          if (++expanded >= budget) break;
        }
        if (expanded >= budget) break;
      }
      if (expanded >= budget) break;
    }
    hopStart = hopEnd;
    hopEnd = nodes.length;
  }
  return undefined;
}
