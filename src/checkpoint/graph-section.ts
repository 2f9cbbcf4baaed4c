/**
 * The EntityGraph: address keys in id order (re-interning them in that order gives every address
 * its old id), the union-find arrays and the per-address arrays (marks, first sightings, forward
 * parents) as raw bytes, then labels, cluster meta and flow edges as JSON entries in map order.
 * Cluster names are a cache derived from keys and are not written.
 */
import { newClusterMeta, type ClusterMeta, type EntityGraph, type FlowEdge, type MergeCause, type StoredCause, type Touch } from '../graph/entity-graph.js';
import type { LabelRecord } from '../graph/labels.js';
import { shownRef, storeRef } from '../graph/tx-ref.js';
import { Decimal } from '../money/decimal.js';
import type { FrameReader } from './frame-reader.js';
import type { FrameWriter } from './frame-writer.js';
import { decodeClock, encodeClock, expectSection, openSection, readBatches, readShardedMap, writeBatches, writeShardedMap } from './sections.js';

type TouchRow = [eventId: string, accountId: string, kind: Touch['kind'], time: number, address: number];
type MetaRow = [root: number, labelled: readonly number[], touches: TouchRow[], causes: MergeCause[]];
/** Amounts as decimal strings: exact, and the same text a replay prints. */
type EdgeRow = [peer: number, asset: string, amount: string, usd: string | null, time: number, ref: string, coSpend?: 1];

function* keysInIdOrder(graph: EntityGraph): Generator<string> {
  for (let id = 0; id < graph.index.size; id++) yield graph.key(id);
}

const touchRow = (t: Touch): TouchRow => [t.eventId, t.accountId, t.kind, t.time, t.address];
const touchOf = ([eventId, accountId, kind, time, address]: TouchRow): Touch => ({ eventId, accountId, kind, time, address });
/** A merge cause as written: its ref's text, the keys in the order they always had. */
const causeRow = (c: StoredCause): MergeCause => ({ heuristic: c.heuristic, ref: shownRef(c.ref), time: c.time });
const causeOf = (c: MergeCause): StoredCause => ({ heuristic: c.heuristic, ref: storeRef(c.ref), time: c.time });
/**
 * An edge list in time order, equal times as they were (a stable sort, linear on a list already
 * sorted): the graph keeps its lists so, and a checkpoint of an earlier build may hold a list in
 * the order its edges arrived.
 */
const byTime = (list: FlowEdge[]): FlowEdge[] => list.sort((a, b) => a.time - b.time);

/** A row names the edge's other end: the receiver in an out-list, the sender in an in-list. */
/** A co-spend link (FlowEdge.coSpend) ends its row with a 1; a transfer's row is as before. */
const edgeRow = (e: FlowEdge, peer: number): EdgeRow => (e.coSpend === true ? [peer, e.asset, e.amount.toString(), e.usd === null ? null : e.usd.toString(), e.time, shownRef(e.ref), 1] : [peer, e.asset, e.amount.toString(), e.usd === null ? null : e.usd.toString(), e.time, shownRef(e.ref)]);
const edgeOf = (from: number, to: number, [, asset, amount, usd, time, text, coSpend]: EdgeRow): FlowEdge => {
  const ref = storeRef(text);
  return coSpend === 1 ? { from, to, asset, amount: Decimal.parse(amount), usd: usd === null ? null : Decimal.parse(usd), time, ref, coSpend: true } : { from, to, asset, amount: Decimal.parse(amount), usd: usd === null ? null : Decimal.parse(usd), time, ref };
};

/**
 * An in-list row's edge: the very object of the sender's out-list when it is still there (so
 * the restored graph shares one object per edge as the live one does), else a new one (the
 * out-list dropped it at its cap).
 */
function sharedEdgeOf(outEdges: { get(id: number): FlowEdge[] | undefined }, to: number, row: EdgeRow): FlowEdge {
  const [from, asset, amount, usd, time, text, coSpend] = row;
  const outs = outEdges.get(from);
  if (outs) {
    const ref = storeRef(text);
    for (let i = outs.length - 1; i >= 0; i--) {
      const e = outs[i]!;
      if (e.to === to && e.time === time && e.ref === ref && (e.coSpend === true) === (coSpend === 1) && e.asset === asset && e.amount.toString() === amount && (e.usd === null ? null : e.usd.toString()) === usd) return e;
    }
  }
  return edgeOf(from, to, row);
}

export async function writeGraph(w: FrameWriter, graph: EntityGraph): Promise<void> {
  await openSection(w, 'graph.addresses', { count: graph.index.size });
  await writeBatches(w, keysInIdOrder(graph), (key) => key);

  const uf = graph.uf.checkpointArrays();
  await openSection(w, 'graph.union-find', { length: uf.parent.length });
  await w.typedArray(uf.parent);
  await w.typedArray(uf.sizes);
  await w.typedArray(uf.reprs);

  const parts = graph.checkpointParts();
  await openSection(w, 'graph.per-address', { length: parts.marks.length, newest: encodeClock(parts.newest), forwardParents: true });
  await w.typedArray(parts.marks);
  await w.typedArray(parts.firstSeen);
  await w.typedArray(parts.forwardParents);

  await openSection(w, 'graph.labels', { count: graph.labels.addressCount });
  await writeBatches(w, graph.labels.entries(), ([id, records]) => [id, records]);
  await writeShardedMap(w, 'graph.meta', parts.meta, (root, m): MetaRow => [root, m.labelled, m.touches.map(touchRow), m.causes.map(causeRow)]);
  await writeShardedMap(w, 'graph.edges-out', parts.outEdges, (id, list) => [id, list.map((e) => edgeRow(e, e.to))]);
  await writeShardedMap(w, 'graph.edges-in', parts.inEdges, (id, list) => [id, list.map((e) => edgeRow(e, e.from))]);
}

/** Restores into an empty graph (one built with no labels). */
export async function readGraph(r: FrameReader, graph: EntityGraph): Promise<void> {
  if (graph.index.size !== 0) throw new Error('restore needs an empty graph: build the pipeline without labels (the checkpoint carries them)');
  const addresses = await expectSection<{ count: number }>(r, 'graph.addresses');
  for await (const key of readBatches<string>(r)) graph.id(key);
  if (graph.index.size !== addresses.count) r.fail(`graph.addresses holds ${graph.index.size} distinct keys, ${addresses.count} declared`);

  const { length } = await expectSection<{ length: number }>(r, 'graph.union-find');
  const parent = new Uint32Array(length);
  const sizes = new Uint32Array(length);
  const reprs = new Uint32Array(length);
  for (const a of [parent, sizes, reprs]) await r.intoTypedArray(a);
  graph.uf.restoreArrays(parent, sizes, reprs);

  // Forward parents are written since format 7; a checkpoint before it restores with none.
  const perAddress = await expectSection<{ length: number; newest: number | string; forwardParents?: boolean }>(r, 'graph.per-address');
  const marks = new Uint8Array(perAddress.length);
  const firstSeen = new Float64Array(perAddress.length);
  await r.intoTypedArray(marks);
  await r.intoTypedArray(firstSeen);
  const forwardParents = perAddress.forwardParents === true ? new Int32Array(perAddress.length) : undefined;
  if (forwardParents) await r.intoTypedArray(forwardParents);
  graph.restoreArrays(marks, firstSeen, decodeClock(perAddress.newest), forwardParents);

  await expectSection(r, 'graph.labels');
  for await (const [id, records] of readBatches<[number, LabelRecord[]]>(r)) graph.labels.restore(id, records);
  const parts = graph.checkpointParts();
  await readShardedMap<number, ClusterMeta, MetaRow>(r, 'graph.meta', parts.meta, ([root, labelled, touches, causes]) => [root, newClusterMeta(labelled, touches.map(touchOf), causes.map(causeOf))]);
  await readShardedMap<number, FlowEdge[], [number, EdgeRow[]]>(r, 'graph.edges-out', parts.outEdges, ([id, rows]) => [id, byTime(rows.map((row) => edgeOf(id, row[0], row)))]);
  await readShardedMap<number, FlowEdge[], [number, EdgeRow[]]>(r, 'graph.edges-in', parts.inEdges, ([id, rows]) => [id, byTime(rows.map((row) => sharedEdgeOf(parts.outEdges, id, row)))]);
  graph.edgesRestored();
}
