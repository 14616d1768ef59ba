/**
 * A Hugging Face model folder -> ModelWeights: `config.json`, optional `generation_config.json`, and
 * `model.safetensors` or the shards listed in `model.safetensors.index.json`. HF names and layouts are already
 * canonical, so tensors are only decoded to f32.
 */
import type { ByteSource } from './byte-source';
import { ModelFormatError } from '../errors';
import { parseHfConfig } from './hf-config';
import { validateTensors } from './load-validate';
import { decodeToF32 } from './quant';
import { type SafetensorsTensorInfo, parseSafetensorsIndex, readSafetensorsBytes, readSafetensorsHeader } from './safetensors';
import type { ModelWeights, TensorInfo } from './weights';

/** Opens a file of the model folder by name; resolves undefined when it does not exist. */
export type OpenModelFile = (name: string) => Promise<ByteSource | undefined>;

export async function readText(source: ByteSource): Promise<string> {
  return new TextDecoder('utf-8').decode(await source.read(0, source.size));
}

/** Tensors HF checkpoints may carry that the model does not use. */
function ignored(name: string, tied: boolean): boolean {
  return name.endsWith('rotary_emb.inv_freq') || (tied && name === 'lm_head.weight');
}

const HF_FIELDS = {
  vocabSize: 'vocab_size',
  hiddenSize: 'hidden_size',
  intermediateSize: 'intermediate_size',
  numLayers: 'num_hidden_layers',
  numHeads: 'num_attention_heads',
  numKvHeads: 'num_key_value_heads',
  headDim: 'head_dim',
} as const;

/**
 * Loads a Hugging Face model folder through `open`. `folder` names it in error messages.
 * Throws ModelFormatError like loadGguf, plus 'model-format' when config.json or the weights are absent.
 */
export async function loadHfModel(open: OpenModelFile, folder = 'model folder'): Promise<ModelWeights> {
  const configSource = await open('config.json');
  if (!configSource) throw new ModelFormatError('model-format', `${folder}: config.json not found`);
  const generationSource = await open('generation_config.json');
  const config = parseHfConfig(
    { name: `${folder}/config.json`, text: await readText(configSource) },
    generationSource ? { name: `${folder}/generation_config.json`, text: await readText(generationSource) } : undefined,
  );

  // Which shard holds which tensor.
  let shardNames: string[];
  let indexMap: Map<string, string> | undefined;
  const indexSource = await open('model.safetensors.index.json');
  if (indexSource) {
    indexMap = parseSafetensorsIndex(`${folder}/model.safetensors.index.json`, await readText(indexSource));
    shardNames = [...new Set(indexMap.values())];
  } else {
    shardNames = ['model.safetensors'];
  }

  const located = new Map<string, { shard: string; source: ByteSource; info: SafetensorsTensorInfo }>();
  for (const shard of shardNames) {
    const source = await open(shard);
    if (!source) throw new ModelFormatError('model-format', `${folder}: weights file ${shard} not found`);
    const header = await readSafetensorsHeader(source);
    for (const info of header.tensors.values()) {
      if (ignored(info.name, config.tieWordEmbeddings)) continue;
      if (located.has(info.name)) throw new ModelFormatError('model-format', `${folder}: tensor ${info.name} appears in two shards`);
      located.set(info.name, { shard, source, info });
    }
  }
  if (indexMap) {
    for (const [name, shard] of indexMap) {
      if (!ignored(name, config.tieWordEmbeddings) && located.get(name)?.shard !== shard) {
        throw new ModelFormatError('missing-tensor', `tensor ${name} is listed in model.safetensors.index.json but missing from ${shard}`);
      }
    }
  }

  const tensors = new Map<string, TensorInfo>();
  for (const [name, { source, info }] of located) {
    if (!info.dtype) {
      throw new ModelFormatError('unsupported-dtype', `${source.name}: tensor ${name} has dtype ${info.storedDtype}; supported: F32, F16, BF16`);
    }
    tensors.set(name, { name, shape: info.shape, dtype: info.dtype, file: source.name });
  }
  validateTensors(config, tensors, `${folder}/config.json`, HF_FIELDS);

  return {
    config,
    tensors,
    async readF32(name: string): Promise<Float32Array> {
      const t = located.get(name);
      if (!t) throw new ModelFormatError('missing-tensor', `tensor ${name} is missing from ${folder}`);
      const bytes = await readSafetensorsBytes(t.source, t.info);
      return decodeToF32(t.info.dtype!, bytes, t.info.shape.reduce((p, d) => p * d, 1));
    },
  };
}
