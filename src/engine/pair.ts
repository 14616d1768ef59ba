/**
 * The seam between the engine (text, options, queueing, streaming) and everything model-specific
 * (finding files, caching, parsing weights, building models on a device).
 *
 * A `PairLoader` turns `load()`'s options into a `LoadedPair`: a tokenizer and one or two
 * `LanguageModel`s. The engine drives them with the decoding loop (src/decode/generate.ts). The browser
 * worker and Node each construct their Engine with the loader that fits them (WebGPU in a worker, Dawn
 * in Node); tests use small CPU models.
 */
import type { LanguageModel } from '../decode/language-model';
import type { TextTokenizer } from '../tokenizer/tokenizer';
import type { Device, Drafting, LoadOptions } from './types';

export interface LoadedModel {
  /** Source id for messages and ModelInfo (URL, hf: name, file name). */
  name: string;
  model: LanguageModel;
}

export interface LoadedPair {
  /** The target's tokenizer (the draft must share its vocabulary; the loader checks, see checkPairing). */
  tokenizer: TextTokenizer;
  /** Where the models run (for ModelInfo). */
  device: Device;
  target: LoadedModel;
  draft?: LoadedModel;
  /** Frees both models (GPU memory). Called on unload(), on a new load(), and on dispose(). */
  dispose(): void;
}

export interface LoadContext {
  onProgress?: LoadOptions['onProgress'];
  /** Aborted when the engine is disposed during the load. */
  signal: AbortSignal;
}

export type PairLoader = (options: LoadOptions, context: LoadContext) => Promise<LoadedPair>;

/** Default drafting when neither load() nor generate() says: the draft model if there is one. */
export function defaultDrafting(pair: LoadedPair, requested?: Drafting): Drafting {
  return requested ?? (pair.draft ? 'model' : 'none');
}
