/**
 * A model's tensors uploaded to the GPU for the Transformer, one tensor at a time (the model never sits in
 * memory whole). Matrices go up as f32, or as f16 on adapters with `shader-f16`; norms and biases stay f32.
 */
import { GpuError, ModelFormatError } from '../errors';
import type { GpuContext } from '../gpu/context';
import { toF16Bits } from '../gpu/f16';
import type { Tensor } from '../gpu/tensor';
import type { ModelConfig } from './config';
import type { ModelWeights } from './weights';

export interface LayerTensors {
  inputNorm: Tensor; // (H)
  wq: Tensor; // (nh*hd, H)
  wk: Tensor; // (nkv*hd, H)
  wv: Tensor; // (nkv*hd, H)
  wo: Tensor; // (H, nh*hd)
  bq?: Tensor; // (nh*hd)     qwen2
  bk?: Tensor; // (nkv*hd)    qwen2
  bv?: Tensor; // (nkv*hd)    qwen2
  qNorm?: Tensor; // (hd)     qwen3
  kNorm?: Tensor; // (hd)     qwen3
  postNorm: Tensor; // (H)
  wGate: Tensor; // (I, H)
  wUp: Tensor; // (I, H)
  wDown: Tensor; // (H, I)
}

export interface GpuWeights {
  embed: Tensor; // (V, H)
  layers: LayerTensors[];
  finalNorm: Tensor; // (H)
  lmHead: Tensor; // (V, H): the embedding itself when tied
  matrixDtype: 'f32' | 'f16';
  all: Tensor[];
}

export type WeightDtypeOption = 'auto' | 'f32' | 'f16';

/**
 * f16 when asked, or with 'auto' when the adapter has shader-f16 and every matrix is stored as f16 in its file
 * (so nothing is lost); f32 otherwise.
 */
export function chooseMatrixDtype(ctx: GpuContext, weights: ModelWeights, option: WeightDtypeOption): 'f32' | 'f16' {
  if (option === 'f16') {
    if (!ctx.profile.f16) throw new GpuError('unsupported-dtype', 'f16 weights need an adapter with shader-f16');
    return 'f16';
  }
  if (option === 'f32' || !ctx.profile.f16) return 'f32';
  const matrices = [...weights.tensors.values()].filter((t) => t.shape.length === 2);
  return matrices.length > 0 && matrices.every((t) => t.dtype === 'f16') ? 'f16' : 'f32';
}

export async function uploadWeights(ctx: GpuContext, weights: ModelWeights, matrixDtype: 'f32' | 'f16', label: string): Promise<GpuWeights> {
  const c = weights.config;
  const all: Tensor[] = [];
  const H = c.hiddenSize, hd = c.headDim, nh = c.numHeads, nkv = c.numKvHeads, I = c.intermediateSize, V = c.vocabSize;

  const upload = async (name: string, shape: number[]): Promise<Tensor> => {
    const values = await weights.readF32(name);
    const want = shape.reduce((a, b) => a * b, 1);
    if (values.length !== want) {
      const file = weights.tensors.get(name)?.file ?? 'model';
      throw new ModelFormatError('tensor-shape', `${file}: tensor ${name} has ${values.length} values, expected (${shape.join(', ')}) = ${want}`);
    }
    const matrix = shape.length === 2;
    const dtype = matrix ? matrixDtype : 'f32';
    ctx.checkBindingSize(`${label}: tensor ${name}`, want * (dtype === 'f16' ? 2 : 4));
    const data = dtype === 'f16' ? toF16Bits(values) : new Float32Array(values);
    const t = ctx.uploadTensor(`${label} ${name}`, shape, dtype, data);
    all.push(t);
    return t;
  };

  const layers: LayerTensors[] = [];
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}.`;
    const layer: LayerTensors = {
      inputNorm: await upload(`${p}input_layernorm.weight`, [H]),
      wq: await upload(`${p}self_attn.q_proj.weight`, [nh * hd, H]),
      wk: await upload(`${p}self_attn.k_proj.weight`, [nkv * hd, H]),
      wv: await upload(`${p}self_attn.v_proj.weight`, [nkv * hd, H]),
      wo: await upload(`${p}self_attn.o_proj.weight`, [H, nh * hd]),
      postNorm: await upload(`${p}post_attention_layernorm.weight`, [H]),
      wGate: await upload(`${p}mlp.gate_proj.weight`, [I, H]),
      wUp: await upload(`${p}mlp.up_proj.weight`, [I, H]),
      wDown: await upload(`${p}mlp.down_proj.weight`, [H, I]),
    };
    if (c.attentionBias) {
      layer.bq = await upload(`${p}self_attn.q_proj.bias`, [nh * hd]);
      layer.bk = await upload(`${p}self_attn.k_proj.bias`, [nkv * hd]);
      layer.bv = await upload(`${p}self_attn.v_proj.bias`, [nkv * hd]);
    }
    if (c.qkNorm) {
      layer.qNorm = await upload(`${p}self_attn.q_norm.weight`, [hd]);
      layer.kNorm = await upload(`${p}self_attn.k_norm.weight`, [hd]);
    }
    layers.push(layer);
  }
  const embed = await upload('model.embed_tokens.weight', [V, H]);
  const finalNorm = await upload('model.norm.weight', [H]);
  const lmHead = c.tieWordEmbeddings ? embed : await upload('lm_head.weight', [V, H]);
  return { embed, layers, finalNorm, lmHead, matrixDtype, all };
}

/** Checks the config describes a model the kernels can run, naming the offending field. */
export function checkConfig(c: ModelConfig, file = 'config'): void {
  const bad = (field: string, why: string) => new ModelFormatError('config-mismatch', `${file}: ${field} ${why}`);
  if (c.numHeads % c.numKvHeads !== 0) throw bad('numKvHeads', `(${c.numKvHeads}) must divide numHeads (${c.numHeads})`);
  if (c.headDim % 4 !== 0 || c.headDim > 256) throw bad('headDim', `(${c.headDim}) must be a multiple of 4, at most 256`);
  if (c.hiddenSize % 4 !== 0) throw bad('hiddenSize', `(${c.hiddenSize}) must be a multiple of 4`);
  if (c.intermediateSize % 4 !== 0) throw bad('intermediateSize', `(${c.intermediateSize}) must be a multiple of 4`);
}
