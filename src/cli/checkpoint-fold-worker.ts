/**
 * A worker thread's entry: folds one journal chain into a whole checkpoint (checkpoint/fold.ts)
 * while the monitor's own thread goes on processing. It wires its own store (a second writer
 * beside the monitor's: see DirectoryStoreOptions) and its own pipeline, both from the monitor's
 * configuration, and answers with what it wrote or why it could not.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { foldChain, type FoldOutcome, type FoldRequest } from '../checkpoint/fold.js';
import type { Config } from '../config/config.js';
import type { LoadedRule } from '../engine/loader.js';
import { checkpointStoreFor, monitorPipelines } from './monitor-wiring.js';

export interface FoldWorkerData {
  config: Config;
  instanceId: string;
  request: FoldRequest;
  rules: LoadedRule[];
}

export type FoldWorkerReply = { ok: true; outcome: FoldOutcome } | { ok: false; error: string };

async function fold(data: FoldWorkerData): Promise<FoldOutcome> {
  const wiring = checkpointStoreFor(data.config, data.instanceId, { background: true });
  try {
    if (!wiring.store) throw new Error('checkpoints are off: there is no store to fold in');
    const build = monitorPipelines(data.config, []);
    return await foldChain(wiring.store, data.request, { build: () => build(data.rules, true), rules: data.rules });
  } finally {
    await wiring.close();
  }
}

fold(workerData as FoldWorkerData).then(
  (outcome) => parentPort!.postMessage({ ok: true, outcome } satisfies FoldWorkerReply),
  (err: unknown) => parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies FoldWorkerReply),
);
