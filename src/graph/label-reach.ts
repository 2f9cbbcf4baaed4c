/**
 * A lower bound, per address, on how many flow-edge hops separate it from an address that
 * carries a traced label (the labels the rules' exposure signals look for), downstream and
 * upstream, ignoring the walks' time windows. An exposure walk whose starts all lie further away
 * than its hops cannot find a label, so it need not run: on a busy flow graph most walks expand
 * their whole budget and find nothing.
 *
 * Exactness rests on one invariant per direction. Downstream: for every edge r→p in p's in-list,
 * down[r] ≤ 1 + (labelled(p) ? 0 : down[p]), capped at MAX_DEPTH + 1. Values only fall: a new
 * edge or a newly labelled address lowers its neighbours and the fall runs on through the
 * in-lists, at most MAX_DEPTH levels. A co-spend link (FlowEdge.coSpend) counts 0 hops, not 1: a
 * walk reads the payer's edges as the input's own. A node falls at most MAX_DEPTH + 1 times in its life, so
 * the total work is linear in the edges. Labels are never taken back here (a removed or expired
 * label still counts): a bound that is too low costs a walk, never a missed hit.
 *
 * A walk reads out-lists downstream and in-lists upstream, and the two copies of an edge can
 * part: when a list past its cap drops an edge, the other end's list may keep it. The caller
 * reports such a drop (`edgeDropped`), and the edge's far end is lowered as if its near end were
 * labelled. Edges dropped past the retention are never read by a walk that starts inside it (see
 * EntityGraph.mayReachLabel).
 *
 * The exchange's own addresses end a walk past its first hop, so a fall does not run on through
 * them, and a list drop at one needs no bound (its hot wallet drops thousands): only its own
 * label would matter. Labelling an own address turns the bounds off for good (`ownLabelled`):
 * senders its lists dropped were never bounded. (An address labelled before it became own needs
 * nothing: every edge into it was bounded as it arrived.)
 */
import type { FlowEdge } from './entity-graph.js';

/** The deepest walk the bounds answer for; a deeper one always runs. */
export const MAX_DEPTH = 4;
const FAR = MAX_DEPTH + 1;
/** Bits of `labelled`: the whole cluster carries a traced label; the address alone does. */
const CLUSTER = 1;
const ADDRESS = 2;

export interface ReachGraph {
  edgesIn(id: number): readonly FlowEdge[];
  edgesOut(id: number): readonly FlowEdge[];
  isOwn(id: number): boolean;
}

export class LabelReach {
  private labelled = new Uint8Array(1024);
  private down = new Uint8Array(1024).fill(FAR);
  private up = new Uint8Array(1024).fill(FAR);
  private readonly traced: ReadonlySet<string>;
  /** An own address carries a traced label: every walk runs from then on. */
  private ownLabelled = false;

  constructor(private readonly graph: ReachGraph, traced: readonly string[]) {
    this.traced = new Set(traced);
  }

  /** Whether every label in `labels` is traced (only then do the bounds answer for a walk). */
  traces(labels: readonly string[]): boolean {
    // Asked before each exposure walk, of a few lists a rule set holds for its life (a signal's
    // labels, the rules' exposure labels: four walks per chain transfer): answered once per list.
    if (labels.length === 0) return true; // a walk by a test of its own (reverse-link.ts) makes a new empty list each time
    let answer = this.tracedLists.get(labels);
    if (answer === undefined) {
      answer = true;
      for (const l of labels) if (!this.traced.has(l)) { answer = false; break; }
      this.tracedLists.set(labels, answer);
    }
    return answer;
  }

  /** Lists `traces` has answered for (their contents never change: rule specs and what is derived from them). */
  private readonly tracedLists = new WeakMap<readonly string[], boolean>();

  tracesLabel(label: string): boolean {
    return this.traced.has(label);
  }

  /** Whether a walk of `maxHops` from `id` in `direction` could meet a traced label (hop 0 included). */
  mayReach(id: number, direction: 'upstream' | 'downstream', maxHops: number): boolean {
    if (this.ownLabelled) return true;
    if (id >= this.labelled.length) return false; // never on an edge nor labelled
    if (this.labelled[id] !== 0) return true;
    return (direction === 'downstream' ? this.down[id]! : this.up[id]!) <= maxHops;
  }

  /** Whether the address's whole cluster carries a traced label (a merge passes it on). */
  clusterLabelled(id: number): boolean {
    return id < this.labelled.length && (this.labelled[id]! & CLUSTER) !== 0;
  }

  /** An address-scoped traced label on `id` alone. */
  labelAddress(id: number): void {
    this.mark(id, ADDRESS);
  }

  /** A cluster-wide traced label: every member given (the caller enumerates the cluster). */
  labelCluster(members: Iterable<number>): void {
    for (const id of members) this.mark(id, CLUSTER);
  }

  /** A new flow edge from → to, of `hops` (0 for a co-spend link: FlowEdge.coSpend). */
  edgeAdded(from: number, to: number, hops = 1): void {
    this.ensure(Math.max(from, to));
    this.lowerDown(from, hops + this.beyond(to, this.down));
    this.lowerUp(to, hops + this.beyond(from, this.up));
  }

  /** The bound a walk that has just reached `id` adds: 0 at a label, none at an own address (it stops there). */
  private beyond(id: number, bounds: Uint8Array): number {
    if (this.labelled[id] !== 0) return 0;
    return this.graph.isOwn(id) ? FAR : bounds[id]!;
  }

  /**
   * An edge left one of its lists past the cap while the other end's list may keep it: the end
   * that can no longer be reached through the list is bounded as if the other were labelled.
   */
  edgeDropped(edge: FlowEdge, from: 'in-list' | 'out-list'): void {
    this.ensure(Math.max(edge.from, edge.to));
    if (from === 'in-list') {
      if (!this.graph.isOwn(edge.to)) this.lowerDown(edge.from, 1);
    } else if (!this.graph.isOwn(edge.from)) this.lowerUp(edge.to, 1);
  }

  private mark(id: number, bit: number): void {
    this.ensure(id);
    const was = this.labelled[id]!;
    this.labelled[id] = was | bit;
    if (this.graph.isOwn(id)) this.ownLabelled = true;
    if (was !== 0) return; // already a source: its neighbours are bounded
    for (const e of this.graph.edgesIn(id)) this.lowerDown(e.from, hopOf(e));
    for (const e of this.graph.edgesOut(id)) this.lowerUp(e.to, hopOf(e));
  }

  private lowerDown(id: number, value: number): void {
    if (value >= this.down[id]!) return;
    this.down[id] = value;
    // A labelled node's senders are at 1 already; a walk does not go on past an own address.
    if (value > MAX_DEPTH || this.labelled[id] !== 0 || this.graph.isOwn(id)) return;
    // A co-spend link is no hop (a walk reads the payer's edges as the input's own): at
    // MAX_DEPTH only links can still lower a sender.
    for (const e of this.graph.edgesIn(id)) if (value < MAX_DEPTH || e.coSpend === true) this.lowerDown(e.from, value + hopOf(e));
  }

  private lowerUp(id: number, value: number): void {
    if (value >= this.up[id]!) return;
    this.up[id] = value;
    if (value > MAX_DEPTH || this.labelled[id] !== 0 || this.graph.isOwn(id)) return;
    for (const e of this.graph.edgesOut(id)) if (value < MAX_DEPTH || e.coSpend === true) this.lowerUp(e.to, value + hopOf(e));
  }

  private ensure(id: number): void {
    if (id < this.labelled.length) return;
    let n = this.labelled.length;
    while (n <= id) n *= 2;
    this.labelled = grown(this.labelled, n, 0);
    this.down = grown(this.down, n, FAR);
    this.up = grown(this.up, n, FAR);
  }

  /**
   * Moves each kept address's bounds to its new id. A forgotten address had no edge inside the
   * retention, so no bound a walk relies on came through it; the bounds kept stay lower bounds.
   */
  remap(remap: Int32Array, live: number): void {
    let n = 1024;
    while (n < live) n *= 2;
    const labelled = new Uint8Array(n);
    const down = new Uint8Array(n).fill(FAR);
    const up = new Uint8Array(n).fill(FAR);
    const known = Math.min(remap.length, this.labelled.length);
    for (let id = 0; id < known; id++) {
      const to = remap[id]!;
      if (to < 0) continue;
      labelled[to] = this.labelled[id]!;
      down[to] = this.down[id]!;
      up[to] = this.up[id]!;
    }
    this.labelled = labelled;
    this.down = down;
    this.up = up;
  }

  /** Bytes held (three bytes per address id). */
  get bytes(): number {
    return this.labelled.byteLength + this.down.byteLength + this.up.byteLength;
  }
}

/** The hops an edge adds to a walk: none for a co-spend link (FlowEdge.coSpend). */
const hopOf = (e: FlowEdge): number => (e.coSpend === true ? 0 : 1);

function grown(a: Uint8Array<ArrayBuffer>, n: number, fill: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n).fill(fill);
  b.set(a);
  return b;
}
