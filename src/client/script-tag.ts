/**
 * Entry point of the script-tag build (dist/foresight.iife.js, `window.Foresight`).
 *
 * The one file is both the library and its worker: on a page it exports the API and starts workers
 * from its own URL (`document.currentScript.src`, read while the script runs); inside a worker it
 * hosts the engine. From a CDN, the browser refuses a cross-origin worker script, and startWorker()
 * falls back to a same-origin Blob worker that `importScripts` this file.
 *
 *   <script src="https://cdn.example/foresight/dist/foresight.iife.js"></script>
 *   <script>
 *     const engine = await Foresight.createEngine();
 *   </script>
 */
import { ForesightError } from '../errors';
import { hostDefaultEngine } from '../worker/default-host';
import { setDefaultWorker } from './create-engine';

declare const WorkerGlobalScope: { new (): unknown } | undefined;

const inWorker = typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope;

if (inWorker) {
  hostDefaultEngine();
} else {
  const script = typeof document === 'undefined' ? null : (document.currentScript as HTMLScriptElement | null);
  const src = script?.src;
  setDefaultWorker(() => {
    if (!src) throw new ForesightError('internal', 'load foresight.iife.js with a classic <script src> tag, or pass createEngine({ worker })');
    return new Worker(src, { name: 'foresight' });
  });
}

export * from './api';
