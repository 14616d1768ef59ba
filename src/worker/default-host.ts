/**
 * The engine the default worker hosts: models from the IndexedDB cache (src/cache), parsed by
 * src/model, run on WebGPU in this worker (or on the CPU reference with `load({ device: 'cpu' })`).
 */
import { openBrowserCache } from '../cache/index';
import { deviceModelBuilder } from '../engine/model-builders';
import { Engine } from '../engine/engine';
import { fromCache, modelPairLoader, type ModelBuilder } from '../engine/load-pair';
import { exposeEngine } from './host';

export const defaultModelBuilder: ModelBuilder = deviceModelBuilder();

export function hostDefaultEngine(): void {
  exposeEngine(new Engine(modelPairLoader({ openFiles: fromCache(openBrowserCache()), buildModel: defaultModelBuilder })));
}
