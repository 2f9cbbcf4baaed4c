/**
 * The address graph: interned addresses, clusters (union-find with stable ids), labels with
 * history, the value-flow edges that exposure search walks, and an index from each cluster to
 * the exchange transfers that touched it (bounded by a retention window), which is what lets
 * late evidence re-evaluate earlier transfers.
 */
import { AddressIndex } from './address-index.js';
import { LabelHistory, type LabelRecord } from './labels.js';
import { UnionFind } from './union-find.js';

export interface FlowEdge {
  peer: number;
  asset: string;
  amount: number;
  usd: number | null;
  time: number;
  /** The txid / event id that carries the transfer. */
  ref: string;
}

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
}

interface ClusterMeta {
  labelled: number[];
  touches: Touch[];
  causes: MergeCause[];
}

export interface GraphOptions {
  /** A merge whose result would exceed this many addresses is held back and flagged. @defaultValue 100000 */
  maxClusterSize: number;
  /** Touches older than this (ms, event time) are dropped from the cluster index. @defaultValue 90 days */
  touchRetention: number;
  /** Flow edges kept per address and direction (hot wallets see millions). @defaultValue 500 */
  maxEdgesPerAddress: number;
}

const DAY = 86_400_000;
export const DEFAULT_GRAPH_OPTIONS: GraphOptions = { maxClusterSize: 100_000, touchRetention: 90 * DAY, maxEdgesPerAddress: 500 };
const MAX_CAUSES = 64;

export interface ClusterLabel {
  address: string;
  record: LabelRecord;
}

export class EntityGraph {
  readonly index = new AddressIndex();
  readonly uf = new UnionFind();
  readonly labels = new LabelHistory();
  private readonly meta = new Map<number, ClusterMeta>();
  private readonly outEdges = new Map<number, FlowEdge[]>();
  private readonly inEdges = new Map<number, FlowEdge[]>();
  private readonly own = new Set<number>();
  /** Addresses seen at a time: id → first event time. */
  private readonly firstSeen = new Map<number, number>();

  constructor(readonly options: GraphOptions = DEFAULT_GRAPH_OPTIONS) {}

  id(key: string): number {
    return this.index.intern(key);
  }

  key(id: number): string {
    return this.index.keyOf(id);
  }

  root(id: number): number {
    return this.uf.find(id);
  }

  clusterName(id: number): string {
    return `cl-${this.uf.find(id)}`;
  }

  clusterSize(id: number): number {
    return this.uf.size(id);
  }

  markSeen(id: number, time: number): void {
    const prev = this.firstSeen.get(id);
    if (prev === undefined || time < prev) this.firstSeen.set(id, time);
  }

  firstSeenAt(id: number): number | undefined {
    return this.firstSeen.get(id);
  }

  /** Marks an address as the exchange's own (deposit address, hot wallet): exposure stops there. */
  markOwn(id: number): void {
    this.own.add(id);
  }

  isOwn(id: number): boolean {
    return this.own.has(id);
  }

  private metaOf(root: number): ClusterMeta {
    let m = this.meta.get(root);
    if (!m) this.meta.set(root, (m = { labelled: [], touches: [], causes: [] }));
    return m;
  }

  addLabel(addressId: number, record: LabelRecord, removed: boolean, eventId: string): GraphChange | undefined {
    if (!this.labels.apply(addressId, record, removed)) return undefined;
    const m = this.metaOf(this.root(addressId));
    if (!m.labelled.includes(addressId)) m.labelled.push(addressId);
    return {
      kind: 'label',
      cluster: this.clusterName(addressId),
      time: record.from,
      cause: { label: record.label, address: this.key(addressId), source: record.source, removed },
      eventId,
    };
  }

  /** Labels in force at `asOf` on any member of the address's cluster. */
  clusterLabels(addressId: number, asOf: number): ClusterLabel[] {
    const m = this.meta.get(this.root(addressId));
    if (!m) return [];
    const out: ClusterLabel[] = [];
    for (const member of m.labelled) {
      for (const record of this.labels.labelsAt(member, asOf)) out.push({ address: this.key(member), record });
    }
    return out;
  }

  mergeCauses(addressId: number): MergeCause[] {
    return this.meta.get(this.root(addressId))?.causes ?? [];
  }

  private entityOf(root: number, asOf: number): { exchange: boolean; entities: Set<string> } {
    const entities = new Set<string>();
    let exchange = false;
    for (const { record } of this.clusterLabels(root, asOf)) {
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
      return { kind: 'held-merge', cluster: `cl-${Math.min(ra, rb)}`, absorbed: `cl-${Math.max(ra, rb)}`, time: cause.time, cause, reason, eventId };
    }
    const [survivor, absorbed] = this.uf.union(ra, rb)!;
    const into = this.metaOf(survivor);
    const from = this.meta.get(absorbed);
    if (from) {
      into.labelled.push(...from.labelled);
      into.touches.push(...from.touches);
      into.causes.push(...from.causes);
      this.meta.delete(absorbed);
    }
    into.causes.push(cause);
    if (into.causes.length > MAX_CAUSES) into.causes.splice(0, into.causes.length - MAX_CAUSES);
    return { kind: 'merge', cluster: `cl-${survivor}`, absorbed: `cl-${absorbed}`, time: cause.time, cause, eventId };
  }

  addTouch(touch: Touch): void {
    const m = this.metaOf(this.root(touch.address));
    m.touches.push(touch);
    const horizon = touch.time - this.options.touchRetention;
    if (m.touches.length > 64 && m.touches[0]!.time < horizon) m.touches = m.touches.filter((t) => t.time >= horizon);
  }

  touches(addressId: number): Touch[] {
    return this.meta.get(this.root(addressId))?.touches ?? [];
  }

  addEdge(from: number, to: number, edge: Omit<FlowEdge, 'peer'>): boolean {
    const outs = this.outEdges.get(from) ?? [];
    // The same transfer may arrive twice (an exchange event and its chain event).
    for (let i = outs.length - 1; i >= 0 && i >= outs.length - 8; i--) {
      const e = outs[i]!;
      if (e.peer === to && e.asset === edge.asset && Math.abs(e.time - edge.time) < 6 * 3_600_000 && Math.abs(e.amount - edge.amount) <= edge.amount * 0.001) return false;
    }
    const cap = this.options.maxEdgesPerAddress;
    outs.push({ peer: to, asset: edge.asset, amount: edge.amount, usd: edge.usd, time: edge.time, ref: edge.ref });
    if (outs.length > cap) outs.shift();
    this.outEdges.set(from, outs);
    const ins = this.inEdges.get(to) ?? [];
    ins.push({ peer: from, asset: edge.asset, amount: edge.amount, usd: edge.usd, time: edge.time, ref: edge.ref });
    if (ins.length > cap) ins.shift();
    this.inEdges.set(to, ins);
    return true;
  }

  edgesOut(id: number): readonly FlowEdge[] {
    return this.outEdges.get(id) ?? [];
  }

  edgesIn(id: number): readonly FlowEdge[] {
    return this.inEdges.get(id) ?? [];
  }
}
