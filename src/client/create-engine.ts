/**
 * `createEngine()`: the page's way in. Starts the engine's worker (or takes yours), waits until it is
 * ready, and returns a WorkerEngine.
 */
import { ForesightError } from '../errors';
import { startWorker, whenReady } from './spawn';
import { WorkerEngine } from './worker-engine';

export interface CreateEngineOptions {
  /**
   * A worker that runs Foresight's worker script, or your own script that calls `exposeEngine()` from
   * `foresight/worker`. Default: the worker that ships with the library. dispose() terminates it.
   */
  worker?: Worker;
  /** How long to wait for the worker to start. Default 30 s. */
  startTimeoutMs?: number;
}

/** How the default worker is started; set by the build's entry point (index.ts or script-tag.ts). */
let defaultWorker: (() => Worker) | undefined;

export function setDefaultWorker(spawn: () => Worker): void {
  defaultWorker = spawn;
}

export async function createEngine(options: CreateEngineOptions = {}): Promise<WorkerEngine> {
  const worker = options.worker ?? startWorker(requireDefault());
  try {
    await whenReady(worker, options.startTimeoutMs ?? 30_000);
  } catch (err) {
    worker.terminate();
    throw err;
  }
  return new WorkerEngine(worker);
}

function requireDefault(): () => Worker {
  if (!defaultWorker) throw new ForesightError('internal', 'this build has no default worker: pass createEngine({ worker })');
  return defaultWorker;
}
