/**
 * GGUF metadata -> ModelConfig, and GGUF tensor names <-> canonical (Hugging Face) names,
 * for `general.architecture` llama, qwen2 and qwen3 as written by llama.cpp's convert_hf_to_gguf.py.
 */
import { ModelFormatError } from '../errors';
import type { Architecture, ModelConfig } from './config';
import { type GgufFile, type GgufValue, ggufNumber, ggufString } from './gguf';
import type { FieldNames } from './load-validate';
import { fitLlama3Scaling } from './reference-rope';

const ARCHITECTURES: Record<string, Architecture> = { llama: 'llama', qwen2: 'qwen2', qwen3: 'qwen3' };

/** Per-layer GGUF suffix -> HF suffix. */
const LAYER_NAMES: Record<string, string> = {
  'attn_norm.weight': 'input_layernorm.weight',
  'attn_q.weight': 'self_attn.q_proj.weight',
  'attn_k.weight': 'self_attn.k_proj.weight',
  'attn_v.weight': 'self_attn.v_proj.weight',
  'attn_output.weight': 'self_attn.o_proj.weight',
  'attn_q.bias': 'self_attn.q_proj.bias',
  'attn_k.bias': 'self_attn.k_proj.bias',
  'attn_v.bias': 'self_attn.v_proj.bias',
  'attn_q_norm.weight': 'self_attn.q_norm.weight',
  'attn_k_norm.weight': 'self_attn.k_norm.weight',
  'ffn_norm.weight': 'post_attention_layernorm.weight',
  'ffn_gate.weight': 'mlp.gate_proj.weight',
  'ffn_up.weight': 'mlp.up_proj.weight',
  'ffn_down.weight': 'mlp.down_proj.weight',
};
const GLOBAL_NAMES: Record<string, string> = {
  'token_embd.weight': 'model.embed_tokens.weight',
  'output_norm.weight': 'model.norm.weight',
  'output.weight': 'lm_head.weight',
};
const HF_TO_GGUF_LAYER = Object.fromEntries(Object.entries(LAYER_NAMES).map(([g, h]) => [h, g]));
const HF_TO_GGUF_GLOBAL = Object.fromEntries(Object.entries(GLOBAL_NAMES).map(([g, h]) => [h, g]));

/** llama.cpp's Llama-3 RoPE scaling tensor: per-frequency divisors, consumed into the config. */
export const ROPE_FREQS_TENSOR = 'rope_freqs.weight';

/** GGUF tensor name -> canonical name; the GGUF name itself when it is not one we know (validation rejects it). */
export function canonicalTensorName(ggufName: string): string {
  if (GLOBAL_NAMES[ggufName]) return GLOBAL_NAMES[ggufName];
  const m = /^blk\.(\d+)\.(.+)$/.exec(ggufName);
  if (m && LAYER_NAMES[m[2]]) return `model.layers.${m[1]}.${LAYER_NAMES[m[2]]}`;
  return ggufName;
}

/** Canonical name -> GGUF tensor name (used by the test writer). */
export function ggufTensorName(canonical: string): string {
  if (HF_TO_GGUF_GLOBAL[canonical]) return HF_TO_GGUF_GLOBAL[canonical];
  const m = /^model\.layers\.(\d+)\.(.+)$/.exec(canonical);
  if (m && HF_TO_GGUF_LAYER[m[2]]) return `blk.${m[1]}.${HF_TO_GGUF_LAYER[m[2]]}`;
  throw new Error(`no GGUF name for ${canonical}`);
}

/** The GGUF metadata keys behind each config field, for error messages. */
export function ggufFieldNames(arch: string): FieldNames {
  return {
    vocabSize: 'tokenizer.ggml.tokens',
    hiddenSize: `${arch}.embedding_length`,
    intermediateSize: `${arch}.feed_forward_length`,
    numLayers: `${arch}.block_count`,
    numHeads: `${arch}.attention.head_count`,
    numKvHeads: `${arch}.attention.head_count_kv`,
    headDim: `${arch}.attention.key_length`,
  };
}

/** A per-layer value may be stored as one number or an array; we need it to be the same in every layer. */
function uniform(f: GgufFile, key: string, fallback?: number): number {
  const v: GgufValue | undefined = f.metadata.get(key);
  if (Array.isArray(v)) {
    if (v.length === 0 || !v.every((x) => x === v[0]) || typeof v[0] !== 'number') {
      throw new ModelFormatError('unsupported-architecture', `${f.name}: ${key} differs between layers, which is not supported`);
    }
    return v[0];
  }
  return fallback === undefined ? ggufNumber(f, key) : ggufNumber(f, key, fallback)!;
}

function positive(f: GgufFile, key: string, v: number): number {
  if (!Number.isSafeInteger(v) || v <= 0) throw new ModelFormatError('config-mismatch', `${f.name}: metadata ${key} must be a positive integer, got ${v}`);
  return v;
}

/**
 * Builds the ModelConfig from GGUF metadata. `ropeFreqs` is the content of `rope_freqs.weight` when the file
 * has one (Llama 3 scaling). The vocabulary size comes from the embedding tensor.
 */
export function ggufModelConfig(f: GgufFile, ropeFreqs?: Float32Array): ModelConfig {
  const archName = ggufString(f, 'general.architecture');
  const architecture = archName ? ARCHITECTURES[archName] : undefined;
  if (!architecture) {
    throw new ModelFormatError(
      'unsupported-architecture',
      `${f.name}: general.architecture ${JSON.stringify(archName)} is not supported (supported: llama, qwen2, qwen3)`,
    );
  }
  const k = (s: string) => `${archName}.${s}`;
  const hiddenSize = positive(f, k('embedding_length'), ggufNumber(f, k('embedding_length')));
  const numHeads = positive(f, k('attention.head_count'), uniform(f, k('attention.head_count')));
  const numKvHeads = positive(f, k('attention.head_count_kv'), uniform(f, k('attention.head_count_kv'), numHeads));
  const headDim = positive(f, k('attention.key_length'), ggufNumber(f, k('attention.key_length'), hiddenSize / numHeads)!);
  if (numHeads % numKvHeads !== 0) {
    throw new ModelFormatError('config-mismatch', `${f.name}: ${k('attention.head_count')} ${numHeads} is not a multiple of head_count_kv ${numKvHeads}`);
  }
  const valueLength = ggufNumber(f, k('attention.value_length'), headDim);
  const ropeDims = ggufNumber(f, k('rope.dimension_count'), headDim);
  if (valueLength !== headDim || ropeDims !== headDim) {
    throw new ModelFormatError(
      'unsupported-architecture',
      `${f.name}: key_length ${headDim}, value_length ${valueLength} and rope.dimension_count ${ropeDims} differ (partial RoPE is not supported)`,
    );
  }
  const scalingType = ggufString(f, k('rope.scaling.type'));
  const scalingFactor = ggufNumber(f, k('rope.scaling.factor'), 1) ?? 1;
  if ((scalingType && scalingType !== 'none') || scalingFactor !== 1) {
    throw new ModelFormatError('unsupported-architecture', `${f.name}: ${k('rope.scaling.type')} ${scalingType ?? 'factor ' + scalingFactor} is not supported`);
  }
  const ropeTheta = ggufNumber(f, k('rope.freq_base'), 10000)!;
  let ropeScaling;
  if (ropeFreqs) {
    ropeScaling = fitLlama3Scaling(ropeFreqs, headDim, ropeTheta);
    if (!ropeScaling && ropeFreqs.some((x) => x !== 1)) {
      throw new ModelFormatError('unsupported-architecture', `${f.name}: tensor ${ROPE_FREQS_TENSOR} does not match Llama 3 RoPE scaling`);
    }
  }

  const embd = f.tensors.find((t) => t.name === 'token_embd.weight');
  if (!embd) throw new ModelFormatError('missing-tensor', `tensor token_embd.weight is missing from ${f.name}`);
  const vocabSize = embd.dims[1] ?? 0;
  const tokens = f.metadata.get('tokenizer.ggml.tokens');
  if (Array.isArray(tokens) && tokens.length !== vocabSize) {
    throw new ModelFormatError(
      'config-mismatch',
      `${f.name}: tokenizer.ggml.tokens has ${tokens.length} tokens but token_embd.weight has ${vocabSize} rows`,
    );
  }
  const eos = ['tokenizer.ggml.eos_token_id', 'tokenizer.ggml.eot_token_id', 'tokenizer.ggml.eom_token_id']
    .map((key) => ggufNumber(f, key, undefined))
    .filter((x): x is number => x !== undefined && x >= 0 && x < vocabSize);
  const bos = ggufNumber(f, 'tokenizer.ggml.bos_token_id', undefined);

  return {
    architecture,
    vocabSize,
    hiddenSize,
    intermediateSize: positive(f, k('feed_forward_length'), uniform(f, k('feed_forward_length'))),
    numLayers: positive(f, k('block_count'), ggufNumber(f, k('block_count'))),
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: ggufNumber(f, k('attention.layer_norm_rms_epsilon')),
    ropeTheta,
    ...(ropeScaling ? { ropeScaling } : {}),
    maxPositionEmbeddings: positive(f, k('context_length'), ggufNumber(f, k('context_length'))),
    tieWordEmbeddings: !f.tensors.some((t) => t.name === 'output.weight'),
    attentionBias: architecture === 'qwen2',
    qkNorm: architecture === 'qwen3',
    ...(bos !== undefined ? { bosTokenId: bos } : {}),
    eosTokenIds: [...new Set(eos)],
  };
}
