/**
 * Model loading entry points: a single GGUF file, or a Hugging Face folder (config.json + safetensors),
 * each through ByteSources so the bytes may come from memory, IndexedDB, HTTP or disk.
 */
import type { ByteSource } from './byte-source';
import { ModelFormatError } from '../errors';
import { loadGguf } from './load-gguf';
import type { ModelWeights } from './weights';

export { loadGguf } from './load-gguf';
export { loadHfModel, type OpenModelFile } from './load-safetensors';

/**
 * Loads a single-file model. Only GGUF carries its config inside; a safetensors file needs its folder
 * (config.json), and anything else is rejected with ModelFormatError('model-format') naming the file.
 */
export async function loadModelFile(source: ByteSource): Promise<ModelWeights> {
  const head = await source.read(0, Math.min(9, source.size));
  const magic = String.fromCharCode(...head.subarray(0, 4));
  if (magic === 'GGUF') return loadGguf(source);
  if (head.length >= 9 && head[8] === 0x7b /* '{' after the u64 header length */) {
    throw new ModelFormatError('model-format', `${source.name}: a safetensors file needs its config.json; load the model folder instead`);
  }
  throw new ModelFormatError('model-format', `${source.name}: not a GGUF or safetensors model file`);
}
