/**
 * The worker side: exposes an Engine over Comlink as a WorkerApi (see protocol.ts).
 *
 * The default worker (worker.ts) calls this with the default loader. A custom worker can host an
 * engine of its own making:
 *
 *   // my-worker.ts
 *   import { Engine, exposeEngine } from 'foresight/worker';
 *   exposeEngine(new Engine(myLoader));
 *
 *   // page
 *   const engine = await createEngine({ worker: new Worker(new URL('./my-worker.ts', import.meta.url), { type: 'module' }) });
 */
import { expose, proxy, releaseProxy, type Endpoint, type Remote } from 'comlink';
import type { Engine } from '../engine/engine';
import type { GenerateOptions, LoadProgress } from '../engine/types';
import { isNotice, PROTOCOL_VERSION, type GenerationHandle, type PageNotice, type WorkerApi, type WorkerNotice } from './protocol';
import { installErrorTransfer } from './wire';

export function exposeEngine(engine: Engine, endpoint: Endpoint = self as unknown as Endpoint): WorkerApi {
  installErrorTransfer();
  const api: WorkerApi = {
    load: async (options, onProgress) => {
      const remote = onProgress as Remote<(p: LoadProgress) => void> | undefined;
      // Progress goes back to the page without waiting for it; a page that went away must not break the load.
      const forward = remote && ((p: LoadProgress) => void Promise.resolve().then(() => remote(p)).catch(() => {}));
      try {
        return await engine.load({ ...options, onProgress: forward });
      } finally {
        remote?.[releaseProxy]();
      }
    },
    info: () => engine.info(),
    generate: (options) => proxy(generationHandle(engine, options)),
    unload: () => engine.unload(),
    dispose: () => engine.dispose(),
  };
  expose(api, endpoint);
  const ready: WorkerNotice = { type: 'foresight:ready', protocol: PROTOCOL_VERSION };
  endpoint.addEventListener('message', (event) => {
    if (isNotice<PageNotice>((event as MessageEvent).data, 'foresight:ping')) endpoint.postMessage(ready);
  });
  endpoint.postMessage(ready);
  return api;
}

function generationHandle(engine: Engine, options: Omit<GenerateOptions, 'signal'>): GenerationHandle {
  const controller = new AbortController();
  const chunks = engine.generate({ ...options, signal: controller.signal });
  return {
    pull: () => chunks.next(),
    close: async () => {
      await chunks.return();
    },
    abort: () => controller.abort(),
  };
}
