/**
 * `foresight/worker`: for writing your own worker script (a custom loader or model builder).
 *
 *   import { Engine, exposeEngine, modelPairLoader } from 'foresight/worker';
 *   exposeEngine(new Engine(myPairLoader));
 */
export { exposeEngine } from './host';
export { hostDefaultEngine, defaultModelBuilder } from './default-host';
export { Engine } from '../engine/engine';
export { fromCache, modelPairLoader, type ModelBuilder, type ModelFiles, type OpenModelFiles, type PairLoaderOptions } from '../engine/load-pair';
export { cpuModelBuilder, deviceModelBuilder } from '../engine/model-builders';
export type { LoadedPair, LoadedModel, PairLoader, LoadContext } from '../engine/pair';
export type { WorkerApi, GenerationHandle } from './protocol';
