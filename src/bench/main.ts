/**
 * `npm run bench`: prints figures, asserts nothing. Everything compared is measured in the same
 * run on the same input, because absolute numbers move 2-5x between runs on a shared machine.
 *
 *   ratio       replay vs bare read + JSON.parse, issue-shaped stream (~210 k messages)
 *   long        the same traffic 10x longer (2.1 M messages, 10x the event-time span), and the drop
 *   hot         customers paying popular services that sweep, with vs without the sweeps
 *   shapes      one hot key of each kind (an account, a device, a payer, a sink, a labelled hub, a
 *               growing Bitcoin cluster): pipeline CPU per message in each tenth of its stream
 *   clustering  co-spend clustering throughput on generated Bitcoin transactions
 *   store       heap bytes per address of the in-memory address store
 *   memory      the address memory on traffic over 600 days: the index with and without compactions
 *   fold        a whole checkpoint from the live state against one folded from the journal in a worker thread
 *   soak        17.5 M messages over 300 days, memory as it goes, planted events (`npm run bench:soak`)
 *
 * `--only=ratio,hot` selects; `--scale=0.05` shrinks every stream for a quick check. Sizes:
 * `--messages --accounts --customers --services --txs --addresses --soak-messages --soak-accounts
 * --soak-days --memory-messages --memory-days --<shape>-messages`; time limits in seconds: `--limit` (ratio, long), `--hot-limit`, `--shape-limit`, `--soak-limit`.
 */
import { addressMemoryBenchmark } from './address-memory.js';
import { BenchArgs } from './args.js';
import { clusteringBenchmark } from './clustering.js';
import { foldBenchmark } from './fold.js';
import { hotKeyBenchmark } from './hot-key.js';
import { hotShapesBenchmark } from './hot-shapes.js';
import { ratioBenchmarks } from './ratio.js';
import { closeBareParser } from './replay-run.js';
import { soakBenchmark } from './soak.js';
import { storeBytesBenchmark } from './store-bytes.js';

async function main(): Promise<void> {
  const args = new BenchArgs(process.argv.slice(2));
  const selected = new Set(args.selection);
  console.log(`tidewatch bench ${new Date().toISOString()}  node ${process.version}  --only=${[...selected].join(',')}  --scale=${args.scale}`);
  if (selected.has('ratio') || selected.has('long')) await ratioBenchmarks(args, { short: selected.has('ratio'), long: selected.has('long') });
  if (selected.has('hot')) await hotKeyBenchmark(args);
  if (selected.has('shapes')) await hotShapesBenchmark(args);
  if (selected.has('clustering')) clusteringBenchmark(args);
  if (selected.has('store')) storeBytesBenchmark(args);
  if (selected.has('memory')) addressMemoryBenchmark(args);
  if (selected.has('fold')) await foldBenchmark(args);
  if (selected.has('soak')) await soakBenchmark(args);
  closeBareParser();
}

main().catch((err) => { console.error(err); process.exit(1); });
