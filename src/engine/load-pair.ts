/**
 * The real PairLoader: model files (through the cache, src/cache: download, resume, integrity), weights
 * through the parsers (src/model: safetensors / GGUF → ModelWeights), the tokenizer from the model's
 * own files, and a `ModelBuilder` that turns weights into a LanguageModel on some device. The builder
 * is the one platform-specific part: WebGPU in the browser worker, Dawn in Node, the CPU reference
 * where there is no GPU.
 */
import type { ModelCache } from '../cache/index';
import type { LoadedModel as CachedFiles } from '../cache/load';
import { checkPairing } from '../decode/pairing';
import type { LanguageModel } from '../decode/language-model';
import { ModelFormatError } from '../errors';
import type { GgufFile } from '../model/gguf';
import { loadGguf } from '../model/load-gguf';
import { loadHfModel } from '../model/load-safetensors';
import type { ModelWeights } from '../model/weights';
import { ggufTokenizerFiles, hasGgufTokenizer } from '../tokenizer/gguf-tokenizer';
import { TextTokenizer } from '../tokenizer/tokenizer';
import type { LoadContext, LoadedModel, LoadedPair, PairLoader } from './pair';
import type { Device, LoadOptions, LoadProgress, ModelSourceSpec } from './types';

/** Weights → a LanguageModel on a device (uploads tensor by tensor; the weights object can go afterwards). */
export type ModelBuilder = (weights: ModelWeights, name: string, device: Device) => Promise<LanguageModel>;

/** A model's files: through the cache (`cache.load`), or from wherever else they are (Node: a local folder). */
export type ModelFiles = CachedFiles;
export type OpenModelFiles = (source: ModelSourceSpec, context: LoadContext) => Promise<ModelFiles>;

export interface PairLoaderOptions {
  openFiles: OpenModelFiles;
  buildModel: ModelBuilder;
}

/** Files through a model cache (download, resume, integrity checks). */
export function fromCache(cache: ModelCache): OpenModelFiles {
  return (source, context) => cache.load(source, { onProgress: context.onProgress, signal: context.signal });
}

export function modelPairLoader({ openFiles, buildModel }: PairLoaderOptions): PairLoader {
  return async (options: LoadOptions, context: LoadContext): Promise<LoadedPair> => {
    const built: LoadedModel[] = [];
    const loadOne = async (source: ModelSourceSpec, role: 'target' | 'draft') => {
      const onProgress = context.onProgress && ((p: LoadProgress) => context.onProgress?.({ ...p, model: role }));
      const files = await openFiles(source, { ...context, onProgress });
      const gguf = files.format === 'gguf' ? await loadGguf(files.weights[0]) : undefined;
      const weights = gguf ?? (await loadHfModel(async (name) => files.files.get(name), files.id));
      const tokenizer = await tokenizerOf(files, gguf?.gguf);
      if (tokenizer.vocabSize > weights.config.vocabSize) {
        throw new ModelFormatError(
          'config-mismatch',
          `${files.id}: tokenizer.json has ${tokenizer.vocabSize} tokens but the model's vocabulary holds ${weights.config.vocabSize}`,
        );
      }
      const loaded: LoadedModel = { name: files.id, model: await buildModel(weights, files.id, options.device ?? 'webgpu') };
      built.push(loaded);
      return { tokenizer, loaded };
    };
    try {
      const target = await loadOne(options.target, 'target');
      const draft = options.draft === undefined ? undefined : await loadOne(options.draft, 'draft');
      if (draft) {
        checkPairing(pairingSide(target.loaded, target.tokenizer), pairingSide(draft.loaded, draft.tokenizer));
      }
      return {
        tokenizer: target.tokenizer,
        device: options.device ?? 'webgpu',
        target: target.loaded,
        draft: draft?.loaded,
        dispose() {
          for (const m of built) m.model.dispose();
        },
      };
    } catch (err) {
      for (const m of built) m.model.dispose();
      throw err;
    }
  };
}

/** The model's own tokenizer files; for a GGUF without them, the tokenizer in its metadata. */
async function tokenizerOf(files: ModelFiles, gguf: GgufFile | undefined): Promise<TextTokenizer> {
  const json = async (name: string) => {
    const text = await files.text(name);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new ModelFormatError('model-format', `${files.id}/${name}: not valid JSON (${(err as Error).message})`);
    }
  };
  const tokenizerJson = await json('tokenizer.json');
  if (tokenizerJson === undefined) {
    if (gguf && hasGgufTokenizer(gguf)) return new TextTokenizer(ggufTokenizerFiles(gguf));
    throw new ModelFormatError(
      'model-format',
      gguf ? `${files.id}: no tokenizer.json, and the GGUF file has no tokenizer in its metadata` : `${files.id}: tokenizer.json not found`,
    );
  }
  return new TextTokenizer({
    tokenizerJson,
    tokenizerConfig: await json('tokenizer_config.json'),
    generationConfig: await json('generation_config.json'),
    modelConfig: await json('config.json'),
  });
}

function pairingSide(loaded: LoadedModel, tokenizer: TextTokenizer) {
  const tokens = Array.from({ length: tokenizer.vocabSize }, (_, id) => tokenizer.tokenString(id) ?? '');
  return { name: loaded.name, vocabSize: loaded.model.vocabSize, tokens };
}
