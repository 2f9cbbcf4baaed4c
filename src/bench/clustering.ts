/** Clustering throughput: generated Bitcoin transactions through decode, txid check, co-spend and the CoinJoin guard. */
import { decodeMessage } from '../decode/decode.js';
import { GraphWriter } from '../graph/clustering.js';
import { EntityGraph } from '../graph/entity-graph.js';
import { bitcoinTx, btcAddress, prng } from '../simulate/builders.js';
import type { BenchArgs } from './args.js';
import { fmt, heading } from './report.js';

/** Transactions with 2-4 inputs drawn from one pool, so co-spends chain clusters together. */
function generatedTransactions(count: number): string[] {
  const rand = prng(11);
  const pool = Array.from({ length: count }, () => btcAddress(rand));
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = 2 + Math.floor(rand() * 3);
    const inputs = Array.from({ length: n }, () => ({ address: pool[Math.floor(rand() * pool.length)]!, sats: 100_000 + Math.floor(rand() * 1e6) }));
    lines.push(bitcoinTx(inputs, [{ address: pool[Math.floor(rand() * pool.length)]!, sats: 50_000 }, { address: btcAddress(rand), sats: 40_000 }], Date.UTC(2025, 0, 1) + i * 1000, rand));
  }
  return lines;
}

export function clusteringBenchmark(args: BenchArgs): void {
  const count = args.scaled('txs', 50_000);
  const lines = generatedTransactions(count);
  const graph = new EntityGraph();
  const writer = new GraphWriter(graph);
  let merges = 0;
  const t0 = performance.now();
  for (const line of lines) {
    const r = decodeMessage(line);
    if (r.ok && r.event.type === 'chain') merges += writer.applyChain(r.event).changes.filter((c) => c.kind === 'merge').length;
  }
  const rate = count / ((performance.now() - t0) / 1000);
  heading(`clustering: ${fmt(count)} generated Bitcoin transactions (decode + txid check + co-spend + CoinJoin guard)`);
  console.log(`throughput: ${fmt(rate)} tx/s  (${fmt(merges)} merges)`);
}
