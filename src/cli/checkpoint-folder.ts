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
function startWorker(data: FoldWorkerData): Worker {
  if (!FROM_SOURCES) return new Worker(WORKER, { workerData: data });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

export function workerFolds(config: Config, instanceId: string): StartFold {
  return (request: FoldRequest, rules: readonly LoadedRule[]): RunningFold => {
    const data: FoldWorkerData = { config, instanceId, request, rules: [...rules] };
    const worker = startWorker(data);
    let cancelled = false;
    const done = new Promise<FoldOutcome>((resolve, reject) => {
      worker.once('message', (reply: FoldWorkerReply) => (reply.ok ? resolve(reply.outcome) : reject(new Error(reply.error))));
      worker.once('error', reject);
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
