/**
 * `npm run bench`: prints figures, asserts nothing. Everything compared is measured in the same
 * run on the same input, because absolute numbers move 2-5x between runs on a shared machine.
 *   1. replay throughput: the whole pipeline with every shipped rule vs a bare read + JSON.parse
 *   2. in-memory graph store: heap bytes per address at 1M and 20M addresses
 */
import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RULES_DIR } from '../config/paths.js';
import { loadRuleSet } from '../engine/loader.js';
import { AddressIndex } from '../graph/address-index.js';
import { UnionFind } from '../graph/union-find.js';
import { DEFAULT_SDN_PATH, loadSdnFile, sdnLabels } from '../intel/ofac.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { readJsonLines } from '../sources/file-source.js';
import { generateStream } from './generate.js';
import { decodeMessage } from '../decode/decode.js';
import { GraphWriter } from '../graph/clustering.js';
import { EntityGraph } from '../graph/entity-graph.js';
import { bitcoinTx, btcAddress, prng } from '../simulate/builders.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const MESSAGES = Number(args.get('messages') ?? 250_000);
const ADDRESSES = (args.get('addresses') ?? '1000000,20000000').split(',').map(Number);

async function writeStream(file: string): Promise<void> {
  const out = createWriteStream(file);
  for (const line of generateStream({ messages: MESSAGES, accounts: 20_000, seed: 7 })) {
    if (!out.write(line + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function bareParse(file: string): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  for await (const line of readJsonLines(file)) { JSON.parse(line.text); n++; }
  return n / ((performance.now() - t0) / 1000);
}

async function pipelineRun(file: string): Promise<{ rate: number; alerts: number }> {
  const pipeline = new Pipeline({ rules: loadRuleSet(DEFAULT_RULES_DIR), labels: sdnLabels(loadSdnFile(DEFAULT_SDN_PATH)) });
  const t0 = performance.now();
  let n = 0;
  let alerts = 0;
  for await (const line of readJsonLines(file)) { alerts += pipeline.process(line.text, { file, line: line.line }).alerts.length; n++; }
  return { rate: n / ((performance.now() - t0) / 1000), alerts };
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function storeBytesPerAddress(count: number): { bytes: number; perAddress: number; seconds: number } {
  gc();
  const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  const index = new AddressIndex();
  const uf = new UnionFind();
  for (let i = 0; i < count; i++) {
    const id = index.intern(`evm:0x${i.toString(16).padStart(40, '0')}`);
    uf.find(id);
    if (i % 3 === 1) uf.union(id, id - 1);
  }
  gc();
  const bytes = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - before;
  const result = { bytes, perAddress: bytes / count, seconds: (performance.now() - t0) / 1000 };
  if (index.size !== count) throw new Error('index lost addresses');
  return result;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Bitcoin transactions with 2-4 inputs from a pool, so co-spends chain clusters together. */
function clusteringThroughput(count: number): { rate: number; merges: number; clusters: number } {
  const rand = prng(11);
  const pool = Array.from({ length: count }, () => btcAddress(rand));
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = 2 + Math.floor(rand() * 3);
    const inputs = Array.from({ length: n }, () => ({ address: pool[Math.floor(rand() * pool.length)]!, sats: 100_000 + Math.floor(rand() * 1e6) }));
    lines.push(bitcoinTx(inputs, [{ address: pool[Math.floor(rand() * pool.length)]!, sats: 50_000 }, { address: btcAddress(rand), sats: 40_000 }], Date.UTC(2025, 0, 1) + i * 1000, rand));
  }
  const graph = new EntityGraph();
  const writer = new GraphWriter(graph);
  let merges = 0;
  const t0 = performance.now();
  for (const line of lines) {
    const r = decodeMessage(line);
    if (r.ok && r.event.type === 'chain') merges += writer.applyChain(r.event).changes.filter((c) => c.kind === 'merge').length;
  }
  const rate = count / ((performance.now() - t0) / 1000);
  return { rate, merges, clusters: graph.index.size - merges };
}

async function main(): Promise<void> {
  const dir = join(tmpdir(), 'tidewatch-bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `stream-${MESSAGES}.jsonl`);
  await writeStream(file);
  console.log(`# replay throughput: ${fmt(MESSAGES)} generated messages (${(statSync(file).size / 1e6).toFixed(1)} MB), every shipped rule on`);
  await bareParse(file); // warm the page cache and the JIT for both
  const bare = await bareParse(file);
  const full = await pipelineRun(file);
  console.log(`bare read + JSON.parse : ${fmt(bare)} msg/s`);
  console.log(`pipeline (all rules)   : ${fmt(full.rate)} msg/s  (${full.alerts} alerts)`);
  console.log(`ratio                  : ${(full.rate / bare).toFixed(2)}  (goal >= 0.5)`);
  const c = clusteringThroughput(Number(args.get('txs') ?? 50_000));
  console.log(`\n# clustering: ${fmt(Number(args.get('txs') ?? 50_000))} generated Bitcoin transactions (decode + txid check + co-spend + CoinJoin guard)`);
  console.log(`throughput             : ${fmt(c.rate)} tx/s  (${fmt(c.merges)} merges)`);
  console.log(`\n# in-memory address store (sharded Map index + Uint32Array union-find)`);
  for (const count of ADDRESSES) {
    const r = storeBytesPerAddress(count);
    console.log(`${fmt(count).padStart(11)} addresses: ${(r.bytes / 1e6).toFixed(0)} MB heap, ${r.perAddress.toFixed(0)} B/address (goal <= 150), ${r.seconds.toFixed(1)} s`);
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
