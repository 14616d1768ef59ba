/**
 * Test worker for transformer.browser.test.ts: in a module Web Worker of headless Chromium, loads a model
 * folder over HTTP, runs the WebGPU Transformer on navigator.gpu and greedy-decodes. Posts
 * { tokens, adapter } or { error: { name, code, message } }.
 */
import { createGpuContext } from '../gpu/context';
import { bytesSource } from './byte-source';
import { loadHfModel } from './load-safetensors';
import { Transformer } from './transformer';

interface Job {
  folder: string; // URL of the model folder
  promptIds: number[];
  steps: number;
}

self.onmessage = async (ev: MessageEvent<Job>) => {
  const { folder, promptIds, steps } = ev.data;
  try {
    const ctx = await createGpuContext(navigator.gpu);
    const weights = await loadHfModel(async (name) => {
      const r = await fetch(`${folder}/${name}`);
      return r.ok ? bytesSource(name, await r.arrayBuffer()) : undefined;
    }, folder);
    const model = await Transformer.load(ctx, weights, { maxLength: promptIds.length + steps });
    const tokens: number[] = [];
    let [next] = await model.forwardArgmax(promptIds, 0);
    tokens.push(next);
    for (let i = 1; i < steps; i++) {
      [next] = await model.forwardArgmax([next], promptIds.length + i - 1);
      tokens.push(next);
    }
    const logits = await model.forward([next], promptIds.length + steps - 1);
    model.dispose();
    postMessage({ tokens, lastLogits: Array.from(logits.subarray(0, 8)), adapter: ctx.profile });
    ctx.destroy();
  } catch (e) {
    const err = e as Error & { code?: string };
    postMessage({ error: { name: err.name, code: err.code, message: err.message } });
  }
};
