/**
 * Writes a RandomModel (canonical names, HF layout) as the files real tools produce:
 *  - GGUF as llama.cpp's convert_hf_to_gguf.py would (GGUF names, ne[] order, Llama Q/K rows permuted,
 *    1-D tensors in f32, `rope_freqs.weight` for Llama 3 scaling, a minimal SentencePiece-style vocabulary
 *    that llama.cpp accepts: <unk> <s> </s>, the 256 byte tokens, then filler pieces);
 *  - a Hugging Face folder: config.json, generation_config.json, model.safetensors (or shards + index).
 * Files come back in memory (ByteSources for our loaders) and can be written to a temp dir for llama.cpp.
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesSource } from '../../src/model/byte-source';
import type { ModelConfig } from '../../src/model/config';
import { GGML_TYPE_IDS, GgufType } from '../../src/model/gguf';
import { ggufTensorName } from '../../src/model/gguf-config';
import { permuteQk } from '../../src/model/gguf-permute';
import type { OpenModelFile } from '../../src/model/load-safetensors';
import { decodeToF32 } from '../../src/model/quant';
import { llama3FreqDivisors } from '../../src/model/reference-rope';
import type { TensorDtype } from '../../src/model/weights';
import { type GgufMetaEntry, type GgufTensorEntry, meta, writeGguf } from './gguf-writer';
import { encodeBF16, encodeF16, encodeF32, quantizeQ4_0, quantizeQ4_1, quantizeQ5_0, quantizeQ5_1, quantizeQ8_0 } from './quantize';
import { quantizeQ4_K, quantizeQ5_K, quantizeQ6_K, quantizeQ8_K } from './quantize-k';
import type { RandomModel } from './random-model';
import { type SafetensorsEntry, writeSafetensors } from './safetensors-writer';

export function encode(dtype: TensorDtype, x: Float32Array): Uint8Array {
  switch (dtype) {
    case 'f32': return encodeF32(x);
    case 'f16': return encodeF16(x);
    case 'bf16': return encodeBF16(x);
    case 'q8_0': return quantizeQ8_0(x);
    case 'q4_0': return quantizeQ4_0(x);
    case 'q4_1': return quantizeQ4_1(x);
    case 'q5_0': return quantizeQ5_0(x);
    case 'q5_1': return quantizeQ5_1(x);
    case 'q4_k': return quantizeQ4_K(x);
    case 'q5_k': return quantizeQ5_K(x);
    case 'q6_k': return quantizeQ6_K(x);
    case 'q8_k': return quantizeQ8_K(x);
  }
}

/** The values a tensor holds after being stored as `dtype` (what a correct reader must return). */
export function storedValues(dtype: TensorDtype, x: Float32Array): Float32Array {
  return decodeToF32(dtype, encode(dtype, x), x.length);
}

/** The same model with every tensor rounded through `dtype` (so exports in different formats hold equal values). */
export function roundModel(model: RandomModel, dtype: TensorDtype, only?: (name: string) => boolean): RandomModel {
  const tensors = new Map<string, Float32Array>();
  for (const [name, x] of model.tensors) tensors.set(name, !only || only(name) ? storedValues(dtype, x) : x);
  return { config: model.config, tensors };
}

const shapeOf = (config: ModelConfig, name: string, n: number): number[] => {
  if (name.endsWith('norm.weight') || name.endsWith('.bias')) return [n];
  if (name === 'model.embed_tokens.weight' || name === 'lm_head.weight') return [config.vocabSize, config.hiddenSize];
  const cols = name.endsWith('o_proj.weight') ? config.numHeads * config.headDim : name.endsWith('down_proj.weight') ? config.intermediateSize : config.hiddenSize;
  return [n / cols, cols];
};

/** A vocabulary llama.cpp's SPM loader accepts: specials, byte tokens <0xNN>, then unique filler pieces. */
export function tinyVocab(size: number): { tokens: string[]; scores: number[]; types: number[] } {
  if (size < 259) throw new Error('tinyVocab needs at least 259 entries (3 specials + 256 bytes)');
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3]; // UNKNOWN, CONTROL, CONTROL
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6); // BYTE
  }
  for (let i = tokens.length; i < size; i++) {
    tokens.push(`\u2581t${i}`);
    types.push(1); // NORMAL
  }
  return { tokens, scores: tokens.map((_, i) => -i), types };
}

export interface GgufExportOptions {
  /** Storage type of 2-D tensors (1-D tensors are always f32, as llama.cpp's converter does). */
  dtype: 'f32' | 'f16' | 'bf16' | 'q8_0' | 'q4_0';
  /** Per-tensor overrides by canonical name. */
  overrides?: Record<string, TensorDtype>;
  /** Skip the Llama Q/K permutation (to show that tests catch the mistake). */
  skipPermutation?: boolean;
  /** Edit the metadata / tensor list before writing (to make broken files). */
  editMeta?: (entries: GgufMetaEntry[]) => GgufMetaEntry[];
  editTensors?: (tensors: GgufTensorEntry[]) => GgufTensorEntry[];
}

export function ggufDtypeOf(model: RandomModel, name: string, opts: GgufExportOptions): TensorDtype {
  return opts.overrides?.[name] ?? (shapeOf(model.config, name, model.tensors.get(name)!.length).length === 1 ? 'f32' : opts.dtype);
}

export function modelToGguf(model: RandomModel, opts: GgufExportOptions): Uint8Array {
  const c = model.config;
  const arch = c.architecture;
  const vocab = tinyVocab(c.vocabSize);
  const metadata: GgufMetaEntry[] = [
    meta.str('general.architecture', arch),
    meta.str('general.name', `random-${arch}`),
    meta.u32('general.file_type', opts.dtype === 'f32' ? 0 : 1),
    meta.u32(`${arch}.vocab_size`, c.vocabSize),
    meta.u32(`${arch}.context_length`, c.maxPositionEmbeddings),
    meta.u32(`${arch}.embedding_length`, c.hiddenSize),
    meta.u32(`${arch}.block_count`, c.numLayers),
    meta.u32(`${arch}.feed_forward_length`, c.intermediateSize),
    meta.u32(`${arch}.attention.head_count`, c.numHeads),
    meta.u32(`${arch}.attention.head_count_kv`, c.numKvHeads),
    meta.u32(`${arch}.attention.key_length`, c.headDim),
    meta.u32(`${arch}.attention.value_length`, c.headDim),
    meta.u32(`${arch}.rope.dimension_count`, c.headDim),
    meta.f32(`${arch}.rope.freq_base`, c.ropeTheta),
    meta.f32(`${arch}.attention.layer_norm_rms_epsilon`, c.rmsNormEps),
    meta.str('tokenizer.ggml.model', 'llama'),
    meta.str('tokenizer.ggml.pre', 'default'),
    meta.arr('tokenizer.ggml.tokens', GgufType.STRING, vocab.tokens),
    meta.arr('tokenizer.ggml.scores', GgufType.FLOAT32, vocab.scores),
    meta.arr('tokenizer.ggml.token_type', GgufType.INT32, vocab.types),
    meta.u32('tokenizer.ggml.unknown_token_id', 0),
    meta.u32('tokenizer.ggml.bos_token_id', c.bosTokenId ?? 1),
    meta.u32('tokenizer.ggml.eos_token_id', c.eosTokenIds[0] ?? 2),
    meta.bool('tokenizer.ggml.add_bos_token', true),
    meta.bool('tokenizer.ggml.add_eos_token', false),
  ];
  const tensors: GgufTensorEntry[] = [];
  if (c.ropeScaling) {
    const div = Float32Array.from(llama3FreqDivisors(c.ropeScaling, c.headDim, c.ropeTheta));
    tensors.push({ name: 'rope_freqs.weight', dims: [div.length], ggmlType: GGML_TYPE_IDS.f32, data: encodeF32(div) });
  }
  for (const [name, values] of model.tensors) {
    const shape = shapeOf(c, name, values.length);
    let data = values;
    if (arch === 'llama' && !opts.skipPermutation) {
      if (name.endsWith('q_proj.weight')) data = permuteQk(values, c.numHeads, c.hiddenSize);
      if (name.endsWith('k_proj.weight')) data = permuteQk(values, c.numKvHeads, c.hiddenSize);
    }
    const dtype = ggufDtypeOf(model, name, opts);
    tensors.push({ name: ggufTensorName(name), dims: [...shape].reverse(), ggmlType: GGML_TYPE_IDS[dtype], data: encode(dtype, data) });
  }
  return writeGguf(opts.editMeta ? opts.editMeta(metadata) : metadata, opts.editTensors ? opts.editTensors(tensors) : tensors);
}

/** config.json as transformers writes it for this config. */
export function hfConfigJson(c: ModelConfig): Record<string, unknown> {
  const cls = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' }[c.architecture];
  return {
    architectures: [cls],
    model_type: c.architecture,
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    head_dim: c.headDim,
    hidden_act: 'silu',
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    rope_scaling: c.ropeScaling
      ? {
          rope_type: 'llama3',
          factor: c.ropeScaling.factor,
          low_freq_factor: c.ropeScaling.lowFreqFactor,
          high_freq_factor: c.ropeScaling.highFreqFactor,
          original_max_position_embeddings: c.ropeScaling.originalMaxPositionEmbeddings,
        }
      : null,
    max_position_embeddings: c.maxPositionEmbeddings,
    tie_word_embeddings: c.tieWordEmbeddings,
    ...(c.architecture !== 'qwen2' ? { attention_bias: false } : {}),
    bos_token_id: c.bosTokenId,
    eos_token_id: c.eosTokenIds.length === 1 ? c.eosTokenIds[0] : c.eosTokenIds,
    torch_dtype: 'float32',
  };
}

export interface HfExportOptions {
  dtype: 'f32' | 'f16' | 'bf16';
  /** Split the tensors over this many shards with an index (default: one model.safetensors). */
  shards?: number;
  /** Edit config.json / the tensor list before writing (to make broken folders). */
  editConfig?: (json: Record<string, unknown>) => Record<string, unknown>;
  editTensors?: (tensors: SafetensorsEntry[]) => SafetensorsEntry[];
}

const ST_DTYPE = { f32: 'F32', f16: 'F16', bf16: 'BF16' } as const;

/** An HF folder's files, by file name. */
export function modelToHf(model: RandomModel, opts: HfExportOptions): Map<string, Uint8Array> {
  const c = model.config;
  const files = new Map<string, Uint8Array>();
  const text = (o: unknown) => new TextEncoder().encode(JSON.stringify(o, null, 2));
  files.set('config.json', text(opts.editConfig ? opts.editConfig(hfConfigJson(c)) : hfConfigJson(c)));
  files.set('generation_config.json', text({ bos_token_id: c.bosTokenId, eos_token_id: c.eosTokenIds, do_sample: false }));
  const all: SafetensorsEntry[] = [...model.tensors].map(([name, values]) => ({
    name,
    dtype: ST_DTYPE[opts.dtype],
    shape: shapeOf(c, name, values.length),
    data: encode(opts.dtype, values),
  }));
  const entries = opts.editTensors ? opts.editTensors(all) : all;
  const shards = opts.shards ?? 1;
  if (shards === 1) {
    files.set('model.safetensors', writeSafetensors(entries));
    return files;
  }
  const weightMap: Record<string, string> = {};
  const per = Math.ceil(entries.length / shards);
  for (let s = 0; s < shards; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const part = entries.slice(s * per, (s + 1) * per);
    for (const e of part) weightMap[e.name] = file;
    files.set(file, writeSafetensors(part));
  }
  files.set('model.safetensors.index.json', text({ metadata: {}, weight_map: weightMap }));
  return files;
}

/** An OpenModelFile over in-memory files. */
export function memoryFolder(files: Map<string, Uint8Array>): OpenModelFile {
  return async (name) => {
    const bytes = files.get(name);
    return bytes ? bytesSource(name, bytes) : undefined;
  };
}

/** Writes files into a fresh temp dir (or `dir`) and returns its path. */
export async function writeTempFiles(files: Map<string, Uint8Array>, prefix = 'foresight-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of files) await writeFile(join(dir, name), bytes);
  return dir;
}
