/**
 * The preset pairs (data in ../presets.json) and whether the runtime can decode their weights today.
 */
import data from '../presets.json';

export interface Preset {
  id: string;
  label: string;
  family: string;
  /** What engine.load() takes; `./…` is resolved against the page. */
  target: string;
  draft?: string;
  format: 'safetensors' | 'gguf';
  /** Main tensor type of the files, lower case (`bf16`, `q8_0`, `q4_k_m`). */
  weights: string;
  /** Approximate download size, target + draft. */
  bytes?: number;
  /** Parameters of target + draft. */
  params: number;
  /** Elements of the largest weight matrix of either model (the embedding). */
  largestTensor: number;
  note?: string;
  /** What the Generate panel offers after loading this pair. */
  example?: Example;
}

export interface Example {
  mode: 'chat' | 'completion';
  prompt: string;
}

export const DEFAULT_EXAMPLE: Example = { mode: 'chat', prompt: 'Tell me a short story about a lighthouse keeper.' };

export const PRESETS: readonly Preset[] = data.presets as Preset[];
const RUNTIME_WEIGHTS = new Set(data.runtimeWeights);

export type Support = { ok: true } | { ok: false; reason: string };

export function presetById(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** Whether the runtime can load this preset today, and if not, why (shown next to it). */
export function presetSupport(preset: Preset): Support {
  if (!RUNTIME_WEIGHTS.has(preset.weights)) {
    return { ok: false, reason: `${preset.weights.toUpperCase()} weights are not supported yet (the runtime decodes ${supportedWeightTypes().join(', ')})` };
  }
  if (preset.format === 'gguf' && !data.runtimeReadsGgufTokenizer) {
    return {
      ok: false,
      reason:
        'a lone .gguf file does not load yet (the runtime reads the tokenizer from tokenizer.json, not from inside the GGUF); ' +
        "the .gguf loads from Local files together with the model's tokenizer.json and tokenizer_config.json",
    };
  }
  return { ok: true };
}

export function supportedWeightTypes(): string[] {
  return data.runtimeWeights.map((w) => w.toUpperCase());
}

/** A preset's source as load() takes it: page-relative paths become absolute http(s) URLs. */
export function resolveSource(source: string, base = document.baseURI): string {
  return source.startsWith('./') || source.startsWith('../') ? new URL(source, base).href : source;
}

export interface GpuEstimate {
  /** Bytes the weights of both models take on the GPU. */
  bytes: number;
  /** Bytes of the largest single tensor (one storage binding). */
  largestBytes: number;
  bytesPerWeight: 2 | 4;
  /** False when the largest tensor exceeds the adapter's storage-binding limit. */
  fits: boolean;
}

/**
 * What the pair will take on this adapter. The runtime keeps f16 weights as f16 when the adapter has
 * shader-f16 and expands every other type to f32 (src/model/transformer-weights.ts, chooseMatrixDtype).
 */
export function gpuEstimate(preset: Preset, adapter: { maxStorageBufferBindingSize: number; shaderF16: boolean }): GpuEstimate {
  const bytesPerWeight = preset.weights === 'f16' && adapter.shaderF16 ? 2 : 4;
  const largestBytes = preset.largestTensor * bytesPerWeight;
  return { bytes: preset.params * bytesPerWeight, largestBytes, bytesPerWeight, fits: largestBytes <= adapter.maxStorageBufferBindingSize };
}
