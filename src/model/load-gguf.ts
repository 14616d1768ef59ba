/**
 * A GGUF file -> ModelWeights: canonical (HF) names and shapes, f32 on demand, Llama's Q/K rows un-permuted.
 * The whole model is validated against its config before any tensor data is read.
 */
import type { ByteSource } from './byte-source';
import { ModelFormatError } from '../errors';
import { type GgufFile, type GgufTensorInfo, SUPPORTED_GGML_TYPES, ggmlTypeName, readGgufHeader, readGgufTensorBytes } from './gguf';
import { ROPE_FREQS_TENSOR, canonicalTensorName, ggufFieldNames, ggufModelConfig, ggufTensorName } from './gguf-config';
import { unpermuteQk } from './gguf-permute';
import { validateTensors } from './load-validate';
import { decodeToF32 } from './quant';
import type { ModelWeights, TensorInfo } from './weights';

function elements(dims: readonly number[]): number {
  return dims.reduce((p, d) => p * d, 1);
}

async function readTensorF32(source: ByteSource, t: GgufTensorInfo): Promise<Float32Array> {
  const bytes = await readGgufTensorBytes(source, t);
  return decodeToF32(t.dtype!, bytes, elements(t.dims));
}

function ggufNameOrSame(canonical: string): string {
  try {
    return ggufTensorName(canonical);
  } catch {
    return canonical;
  }
}

export interface GgufWeights extends ModelWeights {
  /** The parsed header (metadata includes the tokenizer, if the file has one). */
  readonly gguf: GgufFile;
}

/**
 * Reads a GGUF model's header and returns its weights. Throws ModelFormatError: 'model-format' (not GGUF,
 * truncated), 'unsupported-architecture', 'unsupported-dtype' (naming the tensor and ggml type),
 * 'missing-tensor', 'tensor-shape', 'config-mismatch' (metadata disagrees with the tensors).
 */
export async function loadGguf(source: ByteSource): Promise<GgufWeights> {
  const gguf = await readGgufHeader(source);
  for (const t of gguf.tensors) {
    if (!t.dtype) {
      throw new ModelFormatError(
        'unsupported-dtype',
        `${source.name}: tensor ${t.name} has type ${ggmlTypeName(t.ggmlType)}; supported: ${SUPPORTED_GGML_TYPES}`,
      );
    }
  }
  const ropeFreqsInfo = gguf.tensors.find((t) => t.name === ROPE_FREQS_TENSOR);
  const ropeFreqs = ropeFreqsInfo ? await readTensorF32(source, ropeFreqsInfo) : undefined;
  const config = ggufModelConfig(gguf, ropeFreqs);

  const byName = new Map<string, GgufTensorInfo>();
  const tensors = new Map<string, TensorInfo>();
  for (const t of gguf.tensors) {
    if (t.name === ROPE_FREQS_TENSOR) continue;
    const name = canonicalTensorName(t.name);
    if (tensors.has(name)) throw new ModelFormatError('model-format', `${source.name}: tensor ${t.name} appears twice`);
    byName.set(name, t);
    tensors.set(name, { name, shape: [...t.dims].reverse(), dtype: t.dtype!, file: source.name });
  }
  validateTensors(config, tensors, `${source.name} metadata`, ggufFieldNames(gguf.metadata.get('general.architecture') as string), (n) =>
    byName.get(n)?.name ?? ggufNameOrSame(n),
  );

  const permuted = config.architecture === 'llama';
  return {
    gguf,
    config,
    tensors,
    async readF32(name: string): Promise<Float32Array> {
      const t = byName.get(name);
      if (!t) throw new ModelFormatError('missing-tensor', `tensor ${name} is missing from ${source.name}`);
      const data = await readTensorF32(source, t);
      if (permuted && name.endsWith('self_attn.q_proj.weight')) return unpermuteQk(data, config.numHeads, config.hiddenSize);
      if (permuted && name.endsWith('self_attn.k_proj.weight')) return unpermuteQk(data, config.numKvHeads, config.hiddenSize);
      return data;
    },
  };
}
