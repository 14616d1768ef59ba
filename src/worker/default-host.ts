/**
 * The engine the default worker hosts: models from the IndexedDB cache (src/cache), parsed by
 * src/model, built by `defaultModelBuilder`.
 *
 * INTEGRATION NOTE: `defaultModelBuilder` is the CPU reference transformer until the WebGPU Transformer
 * lands; then it becomes the GPU builder (with the CPU one as the fallback without `navigator.gpu`).
 */
import { openBrowserCache } from '../cache/index';
import { cpuModelBuilder } from '../engine/cpu-builder';
import { Engine } from '../engine/engine';
import { fromCache, modelPairLoader, type ModelBuilder } from '../engine/load-pair';
import { exposeEngine } from './host';

export const defaultModelBuilder: ModelBuilder = cpuModelBuilder;

export function hostDefaultEngine(): void {
  exposeEngine(new Engine(modelPairLoader({ openFiles: fromCache(openBrowserCache()), buildModel: defaultModelBuilder })));
}
