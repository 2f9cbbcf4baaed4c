/**
 * What one structure of the state holds alone in a V8 heap snapshot: the bytes that would be
 * freed if every instance of a class (`LoginSigns`), or what a field of it points to
 * (`RuleState.subnets`), were gone, with those bytes by kind of node. The soak writes snapshots
 * with `--soak-snapshot-days`; two builds' snapshots at the same day say which structure grew
 * (session 53 found the login signs and IP-block sightings this way).
 *
 *   NODE_OPTIONS=--max-old-space-size=8000 npx tsx scripts/heap-retained.ts \
 *     soak-day-206.heapsnapshot LoginSigns RuleState.subnets EntityGraph
 *
 * Retained means "reachable from the roots only through those instances" (a class) or "only
 * through their edges of that name" (a field): the nodes reached from the roots with and without
 * them, compared. Weak edges do not retain.
 */
import { readFileSync } from 'node:fs';

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface Retained {
  spec: string;
  instances: number;
  bytes: number;
  /** Bytes by node type and name (strings by type only), largest first. */
  byKind: [kind: string, count: number, bytes: number][];
}

/** A parsed snapshot with per-node edge ranges, for walks. */
export class HeapGraph {
  readonly count: number;
  private readonly firstEdge: Uint32Array;
  private readonly nf: number;
  private readonly ef: number;
  private readonly f: Record<'type' | 'name' | 'size' | 'edges' | 'edgeType' | 'edgeName' | 'edgeTo', number>;

  constructor(private readonly raw: RawSnapshot) {
    const meta = raw.snapshot.meta;
    this.nf = meta.node_fields.length;
    this.ef = meta.edge_fields.length;
    this.f = {
      type: meta.node_fields.indexOf('type'), name: meta.node_fields.indexOf('name'), size: meta.node_fields.indexOf('self_size'), edges: meta.node_fields.indexOf('edge_count'),
      edgeType: meta.edge_fields.indexOf('type'), edgeName: meta.edge_fields.indexOf('name_or_index'), edgeTo: meta.edge_fields.indexOf('to_node'),
    };
    this.count = raw.nodes.length / this.nf;
    this.firstEdge = new Uint32Array(this.count + 1);
    for (let i = 0, e = 0; i < this.count; i++) {
      this.firstEdge[i] = e;
      e += raw.nodes[i * this.nf + this.f.edges]! * this.ef;
    }
    this.firstEdge[this.count] = raw.edges.length;
  }

  static read(path: string): HeapGraph {
    return new HeapGraph(JSON.parse(readFileSync(path, 'utf8')) as RawSnapshot);
  }

  type(node: number): string {
    return this.raw.snapshot.meta.node_types[0][this.raw.nodes[node * this.nf + this.f.type]!]!;
  }

  name(node: number): string {
    return this.raw.strings[this.raw.nodes[node * this.nf + this.f.name]!]!;
  }

  size(node: number): number {
    return this.raw.nodes[node * this.nf + this.f.size]!;
  }

  /** The node's edges as [type, name (a property's) or '', target]. */
  *edgesOf(node: number): Generator<[type: string, name: string, to: number]> {
    const { edges, strings } = this.raw;
    const types = this.raw.snapshot.meta.edge_types[0];
    for (let e = this.firstEdge[node]!; e < this.firstEdge[node + 1]!; e += this.ef) {
      const type = types[edges[e + this.f.edgeType]!]!;
      const name = type === 'element' || type === 'hidden' ? '' : strings[edges[e + this.f.edgeName]!]!;
      yield [type, name, edges[e + this.f.edgeTo]! / this.nf];
    }
  }

  /**
   * Nodes reached from the root (node 0) by strong edges, never entering a blocked node, nor
   * following a property `field` out of a node in `cut` (a field's target may have other holders).
   */
  reached(blocked: Uint8Array, cut?: Uint8Array, field?: string): Uint8Array {
    const seen = new Uint8Array(this.count);
    const stack = [0];
    seen[0] = 1;
    while (stack.length > 0) {
      const node = stack.pop()!;
      const cutHere = cut !== undefined && cut[node] === 1;
      for (const [type, name, to] of this.edgesOf(node)) {
        if (type === 'weak' || type === 'shortcut' || seen[to] || blocked[to]) continue;
        if (cutHere && type === 'property' && name === field) continue;
        seen[to] = 1;
        stack.push(to);
      }
    }
    return seen;
  }

  /** The instances of a class (by constructor name). */
  instancesOf(cls: string): Uint8Array {
    const chosen = new Uint8Array(this.count);
    for (let node = 0; node < this.count; node++) if (this.type(node) === 'object' && this.name(node) === cls) chosen[node] = 1;
    return chosen;
  }
}

/** The bytes each spec's nodes retain alone (see the header). */
export function retained(graph: HeapGraph, specs: readonly string[]): Retained[] {
  const all = graph.reached(new Uint8Array(graph.count));
  return specs.map((spec) => {
    const [cls = '', field] = spec.split('.');
    const instances = graph.instancesOf(cls);
    // A class: its instances go. A field: only the instances' edges of that name are cut.
    const without = field === undefined ? graph.reached(instances) : graph.reached(new Uint8Array(graph.count), instances, field);
    const byKind = new Map<string, [number, number]>();
    let bytes = 0;
    for (let node = 0; node < graph.count; node++) {
      if (!all[node] || without[node]) continue;
      const size = graph.size(node);
      bytes += size;
      const type = graph.type(node);
      const kind = type.includes('string') ? type : `${type} ${graph.name(node).slice(0, 40)}`;
      const k = byKind.get(kind) ?? [0, 0];
      k[0]++;
      k[1] += size;
      byKind.set(kind, k);
    }
    let count = 0;
    for (let node = 0; node < graph.count; node++) count += instances[node]!;
    return { spec, instances: count, bytes, byKind: [...byKind].map(([kind, [count, b]]): [string, number, number] => [kind, count, b]).sort((a, b) => b[2] - a[2]) };
  });
}

/** The bytes of every node reached from the roots by strong edges: the heap a snapshot says is live. */
export function reachableBytes(graph: HeapGraph): number {
  const all = graph.reached(new Uint8Array(graph.count));
  let bytes = 0;
  for (let node = 0; node < graph.count; node++) if (all[node]) bytes += graph.size(node);
  return bytes;
}

function main(argv: string[]): void {
  const [path, ...specs] = argv;
  if (!path || specs.length === 0) {
    process.stderr.write('usage: heap-retained.ts SNAPSHOT Class[.field] ...\n');
    process.exit(2);
  }
  const graph = HeapGraph.read(path);
  console.log(`reachable: ${(reachableBytes(graph) / 1e6).toFixed(2)} MB (every node reached from the roots by strong edges)`);
  for (const r of retained(graph, specs)) {
    console.log(`${r.spec}: ${r.instances} node(s) retain ${r.bytes.toLocaleString('en-US')} bytes`);
    for (const [kind, count, bytes] of r.byKind.slice(0, 8)) console.log(`  ${bytes.toLocaleString('en-US').padStart(12)} ${String(count).padStart(8)}  ${kind}`);
  }
}

if (process.argv[1]?.endsWith('heap-retained.ts')) main(process.argv.slice(2));
