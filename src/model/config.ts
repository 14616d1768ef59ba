/**
 * The one model description every part of Foresight reads. Filled from a Hugging Face `config.json`
 * or from GGUF metadata; the Transformer is driven by it alone (no per-family code paths beyond
 * the three flags below).
 */

export type Architecture = 'llama' | 'qwen2' | 'qwen3';

export interface RopeScalingLlama3 {
  type: 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositionEmbeddings: number;
}

export interface ModelConfig {
  architecture: Architecture;
  vocabSize: number;
  hiddenSize: number; // d_model
  intermediateSize: number; // SwiGLU hidden width
  numLayers: number;
  numHeads: number; // query heads
  numKvHeads: number; // key/value heads (grouped-query attention: numHeads % numKvHeads == 0)
  headDim: number; // usually hiddenSize / numHeads; qwen3 may differ
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling?: RopeScalingLlama3;
  maxPositionEmbeddings: number; // context length
  tieWordEmbeddings: boolean; // lm_head shares the embedding matrix
  attentionBias: boolean; // qwen2: bias on q/k/v projections
  qkNorm: boolean; // qwen3: RMSNorm over each head of q and k before RoPE
  bosTokenId?: number;
  eosTokenIds: number[];
}

/**
 * Canonical tensor names inside Foresight are Hugging Face's (`model.layers.{i}.self_attn.q_proj.weight`, ...)
 * and the canonical RoPE convention is Hugging Face's "rotate_half" (dimension i pairs with i + headDim/2).
 * GGUF's Llama layout interleaves pairs (2i, 2i+1) and permutes Q/K rows to match; the GGUF loader undoes
 * that permutation so every kernel sees one layout.
 */
export const LAYER_TENSORS = [
  'input_layernorm.weight',
  'self_attn.q_proj.weight',
  'self_attn.k_proj.weight',
  'self_attn.v_proj.weight',
  'self_attn.o_proj.weight',
  'post_attention_layernorm.weight',
  'mlp.gate_proj.weight',
  'mlp.up_proj.weight',
  'mlp.down_proj.weight',
] as const;
