/** A graph written as a checkpoint's graph section and read back, in memory (no checkpoint files). */
import { FrameReader } from '../../src/checkpoint/frame-reader.js';
import { FrameWriter } from '../../src/checkpoint/frame-writer.js';
import { readGraph, writeGraph } from '../../src/checkpoint/graph-section.js';
import { EntityGraph } from '../../src/graph/entity-graph.js';

/** The bytes of the graph's checkpoint section. */
export async function graphSectionBytes(graph: EntityGraph): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const w = new FrameWriter({ write: async (c) => { chunks.push(Buffer.from(c)); } });
  await writeGraph(w, graph);
  await w.finish();
  return Buffer.concat(chunks);
}

/** A new graph (with `options`) restored from a graph section's bytes. */
export async function graphFromSection(bytes: Buffer, options?: EntityGraph['options']): Promise<EntityGraph> {
  const r = new FrameReader((async function* () { yield bytes; })(), '/ckpt/g.twc');
  await r.start();
  const copy = new EntityGraph(options);
  await readGraph(r, copy);
  return copy;
}

/** The graph through a checkpoint's graph section: a restored copy with the same options. */
export async function graphRoundTrip(graph: EntityGraph): Promise<EntityGraph> {
  return graphFromSection(await graphSectionBytes(graph), graph.options);
}
