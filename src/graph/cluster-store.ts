/**
 * The cluster and label store behind one interface, with an in-memory implementation (the
 * embedded default; it backs the replay pipeline's graph) and a Redis one (src/graph/redis-cluster-store.ts).
 * Both pass test/conformance/cluster-store-suite.ts.
 */
import type { LabelRecord } from './labels.js';
import { AddressIndex } from './address-index.js';
import { LabelHistory } from './labels.js';
import { UnionFind } from './union-find.js';

export interface MergeOutcome {
  /** `merged`, `same` (already one cluster) or `held` (a guard refused it). */
  status: 'merged' | 'same' | 'held';
  cluster: string;
  absorbed?: string;
  reason?: string;
}

export interface ClusterStore {
  /** The stable cluster id of an address (interning it on first sight). */
  clusterOf(address: string): Promise<string>;
  merge(a: string, b: string, cause: { heuristic: string; ref: string; time: number }): Promise<MergeOutcome>;
  size(address: string): Promise<number>;
  addLabel(address: string, record: LabelRecord, removed?: boolean): Promise<boolean>;
  /** Labels in force at `asOf` on any member of the address's cluster. */
  clusterLabels(address: string, asOf: number): Promise<{ address: string; record: LabelRecord }[]>;
  addressCount(): Promise<number>;
}

export interface ClusterStoreOptions {
  /** @defaultValue 100000 */
  maxClusterSize: number;
}

/** The guard both stores apply: a labelled exchange never merges with another labelled entity. */
export function exchangeGuard(a: LabelRecord[], b: LabelRecord[]): string | undefined {
  const entities = (xs: LabelRecord[]) => new Set(xs.map((r) => r.entity ?? r.label));
  const ea = entities(a);
  const eb = entities(b);
  const exchange = [...a, ...b].some((r) => r.label === 'exchange');
  if (exchange && ea.size > 0 && eb.size > 0 && ![...ea].every((e) => eb.has(e))) return `would join labelled entities ${[...ea, ...eb].join(' + ')}`;
  return undefined;
}

export class MemoryClusterStore implements ClusterStore {
  private readonly index = new AddressIndex();
  private readonly uf = new UnionFind();
  private readonly labels = new LabelHistory();
  private readonly labelled = new Map<number, number[]>();

  constructor(private readonly options: ClusterStoreOptions = { maxClusterSize: 100_000 }) {}

  private id(address: string): number {
    const id = this.index.intern(address);
    this.uf.find(id);
    return id;
  }

  async clusterOf(address: string): Promise<string> {
    return `cl-${this.uf.find(this.id(address))}`;
  }

  private labelsOfRoot(root: number, asOf: number): { address: string; record: LabelRecord }[] {
    return (this.labelled.get(root) ?? []).flatMap((m) => this.labels.labelsAt(m, asOf).map((record) => ({ address: this.index.keyOf(m), record })));
  }

  async merge(a: string, b: string, cause: { heuristic: string; ref: string; time: number }): Promise<MergeOutcome> {
    const ra = this.uf.find(this.id(a));
    const rb = this.uf.find(this.id(b));
    if (ra === rb) return { status: 'same', cluster: `cl-${ra}` };
    const guard = exchangeGuard(this.labelsOfRoot(ra, cause.time).map((l) => l.record), this.labelsOfRoot(rb, cause.time).map((l) => l.record));
    const total = this.uf.size(ra) + this.uf.size(rb);
    const reason = guard ?? (total > this.options.maxClusterSize ? `merged size ${total} exceeds ${this.options.maxClusterSize}` : undefined);
    if (reason) return { status: 'held', cluster: `cl-${Math.min(ra, rb)}`, absorbed: `cl-${Math.max(ra, rb)}`, reason };
    const [survivor, absorbed] = this.uf.union(ra, rb)!;
    const moved = this.labelled.get(absorbed);
    if (moved) {
      this.labelled.set(survivor, [...(this.labelled.get(survivor) ?? []), ...moved]);
      this.labelled.delete(absorbed);
    }
    return { status: 'merged', cluster: `cl-${survivor}`, absorbed: `cl-${absorbed}` };
  }

  async size(address: string): Promise<number> {
    return this.uf.size(this.id(address));
  }

  async addLabel(address: string, record: LabelRecord, removed = false): Promise<boolean> {
    const id = this.id(address);
    if (!this.labels.apply(id, { ...record }, removed)) return false;
    const root = this.uf.find(id);
    const list = this.labelled.get(root) ?? [];
    if (!list.includes(id)) list.push(id);
    this.labelled.set(root, list);
    return true;
  }

  async clusterLabels(address: string, asOf: number): Promise<{ address: string; record: LabelRecord }[]> {
    return this.labelsOfRoot(this.uf.find(this.id(address)), asOf);
  }

  async addressCount(): Promise<number> {
    return this.index.size;
  }
}
