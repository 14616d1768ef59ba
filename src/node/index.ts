/**
 * Foresight for Node (`import … from 'foresight/node'`): the same Engine as in the page, in-process,
 * on WebGPU through Dawn (npm `webgpu`, an optional peer dependency that needs a Vulkan driver) or on
 * the CPU reference (`device: 'cpu'`). Downloads are cached in a directory (~/.cache/foresight by default).
 *
 *   import { createNodeEngine } from 'foresight/node';
 *   const engine = createNodeEngine();
 *   await engine.load({ target: './models/tiny-target', draft: './models/tiny-draft' });
 *   for await (const chunk of engine.generate({ prompt: 'It was', maxNewTokens: 32 })) process.stdout.write(chunk.text);
 */
export { createNodeEngine, type NodeEngineOptions } from '../engine/node-engine';
export { Engine } from '../engine/engine';
export { createNodeGpuContext } from '../gpu/node-gpu';
export { openDirectoryCache, defaultCacheDir } from './cache-dir';
export { loadModelPath } from '../model/load-node';
export * from '../errors';
export type * from '../engine/types';
