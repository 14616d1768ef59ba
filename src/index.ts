/**
 * Foresight for the page (ESM build): `createEngine()` starts the engine in a Web Worker.
 *
 *   import { createEngine } from 'foresight';
 *   const engine = await createEngine();
 *   await engine.load({ target: 'hf:owner/model', draft: 'hf:owner/small-model' });
 *   for await (const chunk of engine.generate({ prompt: 'Once upon a time', maxNewTokens: 64 })) {
 *     console.log(chunk.text);
 *   }
 */
import { setDefaultWorker } from './client/create-engine';

// The literal `new Worker(new URL('…', import.meta.url), { type: 'module' })` is what bundlers look for
// to bundle the worker with an app; served unbundled, the URL is the worker file next to this one.
setDefaultWorker(() => new Worker(new URL('./worker/worker.ts', import.meta.url), { type: 'module', name: 'foresight' }));

export * from './client/api';
