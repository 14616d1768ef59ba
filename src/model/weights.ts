/**
 * A parsed model: its config and its tensors, in Foresight's canonical layout (Hugging Face names,
 * row-major `[out_features, in_features]` matrices, HF rotate_half RoPE row order for q/k).
 * Parsers (GGUF, safetensors) produce this; the GPU Transformer and the CPU reference consume it.
 * Tensors are read one at a time so a model never sits in memory whole.
 */
import type { ModelConfig } from './config';

/** Storage type of a tensor in its file. */
// ggml block types: q8_0, q4_0, q4_1, q5_0, q5_1 (32 weights per block) and the K-quants (256 per block).
export type TensorDtype = 'f32' | 'f16' | 'bf16' | 'q8_0' | 'q4_0' | 'q4_1' | 'q5_0' | 'q5_1' | 'q4_k' | 'q5_k' | 'q6_k' | 'q8_k';

export interface TensorInfo {
  /** Canonical (HF) name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  name: string;
  /** Canonical shape, outermost first: `[out, in]` for matrices, `[n]` for vectors. */
  shape: number[];
  dtype: TensorDtype;
  /** The file it lives in, for error messages. */
  file: string;
}

export interface ModelWeights {
  readonly config: ModelConfig;
  /** Every tensor, by canonical name. */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  /**
   * One tensor's values as f32, dequantized if needed, in canonical layout (GGUF's Q/K row permutation undone).
   * Throws ModelFormatError('missing-tensor') naming the tensor and file when absent.
   */
  readF32(name: string): Promise<Float32Array>;
}
