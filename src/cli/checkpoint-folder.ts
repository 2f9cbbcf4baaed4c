/**
 * Folds run in a worker thread (checkpoint-fold-worker.ts): the monitor's thread starts one and
 * goes on processing; the worker restores the chain, applies it and writes the whole state. A
 * fold cut short (the monitor stops, or its chain ends) is terminated, and its unfinished file
 * removed (a Redis upload expires by itself).
 */
import { rm } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { DirectoryStore } from '../checkpoint/directory-store.js';
import type { FoldOutcome, FoldRequest } from '../checkpoint/fold.js';
import type { Config } from '../config/config.js';
import type { LoadedRule } from '../engine/loader.js';
import type { RunningFold, StartFold } from '../monitor/checkpoints.js';
import type { FoldWorkerData, FoldWorkerReply } from './checkpoint-fold-worker.js';
import { checkpointDirectory } from './monitor-wiring.js';

/** The worker's module beside this one: `.js` when built; `.ts` when run from the sources under tsx (the tests). */
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER = new URL(`./checkpoint-fold-worker${FROM_SOURCES ? '.ts' : '.js'}`, import.meta.url);

/** A worker thread does not inherit tsx's loader: from the sources, it registers tsx before loading the module. */
function startWorker(data: FoldWorkerData, heapMb: number): Worker {
  // CHECKPOINT_FOLD_HEAP_MB bounds the worker's old generation: past it the worker alone ends
  // (ERR_WORKER_OUT_OF_MEMORY) and the fold fails; 0 leaves the process's own heap limit.
  const resourceLimits = heapMb > 0 ? { maxOldGenerationSizeMb: heapMb } : undefined;
  if (!FROM_SOURCES) return new Worker(WORKER, { workerData: data, ...(resourceLimits ? { resourceLimits } : {}) });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data, ...(resourceLimits ? { resourceLimits } : {}) });
}

export function workerFolds(config: Config, instanceId: string): StartFold {
  return (request: FoldRequest, rules: readonly LoadedRule[]): RunningFold => {
    const data: FoldWorkerData = { config, instanceId, request, rules: [...rules] };
    const worker = startWorker(data, config.CHECKPOINT_FOLD_HEAP_MB);
    let cancelled = false;
    const done = new Promise<FoldOutcome>((resolve, reject) => {
      worker.once('message', (reply: FoldWorkerReply) => (reply.ok ? resolve(reply.outcome) : reject(new Error(reply.error))));
      worker.once('error', (err: Error & { code?: string }) => reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new Error(`the fold's worker thread ran out of its heap (CHECKPOINT_FOLD_HEAP_MB=${config.CHECKPOINT_FOLD_HEAP_MB}): ${err.message}`) : err));
      // After a reply this changes nothing (a settled promise stays settled).
      worker.once('exit', (code) => reject(new Error(cancelled ? 'the fold was cut short' : `the fold's worker thread exited with code ${code} before answering`)));
    });
    done.then(() => worker.terminate(), () => undefined);
    return {
      done,
      cancel: async () => {
        cancelled = true;
        await worker.terminate();
        const dir = config.CHECKPOINT_STORE === 'directory' ? checkpointDirectory(config, instanceId) : undefined;
        if (dir) await rm(new DirectoryStore(dir).temporary(request.name), { force: true });
      },
    };
  };
}
