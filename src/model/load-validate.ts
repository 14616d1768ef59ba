/**
 * Which tensors a ModelConfig needs, with their canonical shapes, and the check that a file's tensors match.
 * Shared by the GGUF and safetensors loaders so both reject bad input the same way:
 *   - a tensor that fixes a config dimension (embeddings, layer 0's q/k/gate) disagrees -> 'config-mismatch'
 *     naming the config field and the tensor
 *   - a needed tensor is absent -> 'missing-tensor'; has another shape -> 'tensor-shape'
 *   - a tensor this config would not use (an extra layer, a bias the architecture lacks) -> 'config-mismatch'
 */
import { ModelFormatError } from '../errors';
import { LAYER_TENSORS, type ModelConfig } from './config';
import type { TensorInfo } from './weights';

/** Canonical name -> canonical shape (outermost first) for every tensor the config needs. */
export function expectedTensors(c: ModelConfig): Map<string, number[]> {
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const m = new Map<string, number[]>();
  m.set('model.embed_tokens.weight', [c.vocabSize, c.hiddenSize]);
  m.set('model.norm.weight', [c.hiddenSize]);
  if (!c.tieWordEmbeddings) m.set('lm_head.weight', [c.vocabSize, c.hiddenSize]);
  const layer: Record<(typeof LAYER_TENSORS)[number], number[]> = {
    'input_layernorm.weight': [c.hiddenSize],
    'self_attn.q_proj.weight': [q, c.hiddenSize],
    'self_attn.k_proj.weight': [kv, c.hiddenSize],
    'self_attn.v_proj.weight': [kv, c.hiddenSize],
    'self_attn.o_proj.weight': [c.hiddenSize, q],
    'post_attention_layernorm.weight': [c.hiddenSize],
    'mlp.gate_proj.weight': [c.intermediateSize, c.hiddenSize],
    'mlp.up_proj.weight': [c.intermediateSize, c.hiddenSize],
    'mlp.down_proj.weight': [c.hiddenSize, c.intermediateSize],
  };
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}.`;
    for (const t of LAYER_TENSORS) m.set(p + t, layer[t]);
    if (c.attentionBias) {
      m.set(p + 'self_attn.q_proj.bias', [q]);
      m.set(p + 'self_attn.k_proj.bias', [kv]);
      m.set(p + 'self_attn.v_proj.bias', [kv]);
    }
    if (c.qkNorm) {
      m.set(p + 'self_attn.q_norm.weight', [c.headDim]);
      m.set(p + 'self_attn.k_norm.weight', [c.headDim]);
    }
  }
  return m;
}

/** How the config's fields are called in the file it came from (for messages). */
export type FieldNames = Partial<Record<keyof ModelConfig, string>>;

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * Checks `tensors` (canonical names) against `config`. `configSource` names where the config came from
 * (`config.json`, `model.gguf metadata`); `fields` maps ModelConfig keys to that source's field names.
 */
export function validateTensors(
  config: ModelConfig,
  tensors: ReadonlyMap<string, TensorInfo>,
  configSource: string,
  fields: FieldNames,
  storedName: (canonical: string) => string = (n) => n,
): void {
  const f = (k: keyof ModelConfig) => fields[k] ?? k;
  const label = (name: string) => (storedName(name) === name ? name : `${name} (${storedName(name)})`);
  const mismatch = (t: TensorInfo, msg: string) =>
    new ModelFormatError('config-mismatch', `${configSource} disagrees with tensor ${label(t.name)} in ${t.file}: ${msg}`);

  // Tensors that fix the config's dimensions: a disagreement there is the config's fault (or the wrong files).
  const defining: [string, number, string, number, string][] = [
    // tensor, axis, described quantity, config value, config field(s)
    ['model.embed_tokens.weight', 0, 'vocabulary size', config.vocabSize, f('vocabSize')],
    ['model.embed_tokens.weight', 1, 'hidden size', config.hiddenSize, f('hiddenSize')],
    ['model.layers.0.self_attn.q_proj.weight', 0, 'query width', config.numHeads * config.headDim, `${f('numHeads')} x ${f('headDim')}`],
    ['model.layers.0.self_attn.k_proj.weight', 0, 'key width', config.numKvHeads * config.headDim, `${f('numKvHeads')} x ${f('headDim')}`],
    ['model.layers.0.mlp.gate_proj.weight', 0, 'MLP width', config.intermediateSize, f('intermediateSize')],
  ];
  for (const [name, axis, what, want, field] of defining) {
    const t = tensors.get(name);
    if (t && t.shape.length === 2 && t.shape[axis] !== want) {
      throw mismatch(t, `${field} gives ${what} ${want}, the tensor has shape ${fmt(t.shape)}`);
    }
  }

  const expected = expectedTensors(config);
  const files = [...new Set([...tensors.values()].map((t) => t.file))].join(', ') || configSource;
  for (const [name, shape] of expected) {
    const t = tensors.get(name);
    if (!t) throw new ModelFormatError('missing-tensor', `tensor ${label(name)} is missing from ${files}`);
    if (!sameShape(t.shape, shape)) {
      throw new ModelFormatError('tensor-shape', `tensor ${label(name)} in ${t.file} has shape ${fmt(t.shape)}, expected ${fmt(shape)} from ${configSource}`);
    }
  }
  for (const t of tensors.values()) {
    if (expected.has(t.name)) continue;
    const layer = /^model\.layers\.(\d+)\./.exec(t.name);
    if (layer && Number(layer[1]) >= config.numLayers) {
      throw mismatch(t, `${f('numLayers')} is ${config.numLayers} but the file has layer ${layer[1]}`);
    }
    throw mismatch(t, `a ${config.architecture} model with this config has no such tensor`);
  }
}
