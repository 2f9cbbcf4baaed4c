/**
 * How the graph forgets addresses (issue #9: every structure bounded). Without it the address
 * index, the union-find and the per-address arrays keep every address ever seen: an exchange
 * meets millions of one-off counterparties a year, each about 130 bytes for as long as the
 * process lives.
 *
 * An address is forgotten once it holds nothing the rules read and was first seen longer ago than
 * the address memory (at least the edge and touch retentions): it is not the exchange's own, carries
 * no label, shares its cluster with no other address, and has no flow edge or touch inside the
 * retentions. Its first sighting is then the only thing lost, and the graph treats such an
 * address as new when it is seen again whether or not it was physically dropped yet
 * (EntityGraph.markSeen), so when a compaction runs does not change what is new. The rest a
 * compaction drops is past its retention, as the graph's sweeps would drop it.
 *
 * A compaction renumbers the kept addresses densely in their old order (`remap`: old id → new
 * id, -1 for a forgotten one), so every decision that orders by id (a union's survivor, a
 * funder list's first few) orders as before. This module moves the id-keyed maps; the graph
 * moves its arrays, the union-find, the labels and the hop bounds.
 */
import type { KeyedTable } from '../state/sharded-map.js';
import type { ClusterMeta, FlowEdge, Touch } from './entity-graph.js';
import { ownOrNone } from '../state/tight-list.js';

/** An edge's ends, writable here only: everywhere else an edge is read-only. */
type Ends = { from: number; to: number };
const ends = (list: readonly FlowEdge[]): Ends[] => list as unknown as Ends[];

/** Which ids a compaction keeps, and where each goes. */
export interface Renumbering {
  /** Old id → new id; -1 for a forgotten address. */
  remap: Int32Array;
  /** How many are kept (new ids are 0 … live − 1). */
  live: number;
}

/** The renumbering that keeps the ids `keep` accepts, in order. */
export function renumber(count: number, keep: (id: number) => boolean): Renumbering {
  const remap = new Int32Array(count);
  let live = 0;
  for (let id = 0; id < count; id++) remap[id] = keep(id) ? live++ : -1;
  return { remap, live };
}

/**
 * Cluster records under their roots' new ids, their touches' and labelled members' ids moved. A
 * record of a forgotten root goes (it held nothing inside the retentions), and so does a touch
 * whose address was forgotten (a touch past the retention that a trim had not reached yet).
 */
export function remapClusterMeta(meta: KeyedTable<number, ClusterMeta>, remap: Int32Array): void {
  meta.rekey((root) => {
    const to = remap[root]!;
    return to >= 0 ? to : undefined;
  });
  // A touch object may be read through more than one list (a memo of the last walk keeps its
  // own): each address is first marked as not yet moved (-1 - old), then moved once.
  for (const [, m] of meta.entries()) for (const t of m.touches) if (t.address >= 0) t.address = -1 - t.address;
  for (const [, m] of meta.entries()) {
    let dropped = false;
    for (const t of m.touches) {
      if (t.address < 0) t.address = remap[-1 - t.address]!;
      if (t.address < 0) dropped = true;
    }
    if (dropped) m.touches = m.touches.filter((t: Touch) => t.address >= 0);
    if (m.labelled.length > 0) m.labelled = ownOrNone(m.labelled.map((id) => remap[id]!).filter((id) => id >= 0));
  }
}

/**
 * Flow-edge lists under their addresses' new ids, each edge's ends moved once (an edge object
 * is shared by the sender's out-list and the receiver's in-list, or sits in one of them only
 * when the other dropped it at its cap). The lists of a forgotten address go, and so does every
 * edge to or from one: such an edge is older than the retention, since the address it names was
 * last seen before that, so no walk inside the retention reads it.
 */
export function remapFlowEdges(outEdges: KeyedTable<number, FlowEdge[]>, inEdges: KeyedTable<number, FlowEdge[]>, remap: Int32Array): void {
  // The far end of every edge, marked as not yet moved (-1 - old): once per field, as an
  // out-list names an edge's receiver and an in-list its sender.
  for (const [, list] of outEdges.entries()) for (const e of ends(list)) e.to = -1 - e.to;
  for (const [, list] of inEdges.entries()) for (const e of ends(list)) e.from = -1 - e.from;
  // The near end is the list's owner.
  outEdges.rekey((id, list) => {
    const to = remap[id]!;
    if (to < 0) return undefined;
    for (const e of ends(list)) e.from = to;
    return to;
  });
  inEdges.rekey((id, list) => {
    const to = remap[id]!;
    if (to < 0) return undefined;
    for (const e of ends(list)) e.to = to;
    return to;
  });
  // A far end still marked belongs to an edge its other end's list does not hold: moved here.
  settleFarEnds(outEdges, remap, 'to');
  settleFarEnds(inEdges, remap, 'from');
}

function settleFarEnds(edges: KeyedTable<number, FlowEdge[]>, remap: Int32Array, end: 'from' | 'to'): void {
  const emptied: number[] = [];
  for (const [id, list] of edges.entries()) {
    let dropped = false;
    for (const e of ends(list)) {
      if (e[end] < 0) e[end] = remap[-1 - e[end]]!;
      if (e[end] < 0) dropped = true;
    }
    if (!dropped) continue;
    const kept = list.filter((e) => e[end] >= 0);
    if (kept.length === 0) emptied.push(id);
    else edges.set(id, kept);
  }
  for (const id of emptied) edges.delete(id);
}
