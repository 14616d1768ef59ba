/**
 * A model's tensors uploaded to the GPU for the Transformer, one layer at a time (the model never sits in
 * memory whole). Matrices go up as f32, or as f16: native f16 on adapters with `shader-f16`, else IEEE halves
 * packed in u32 words (src/kernels/matmul-packed.ts, read with unpack2x16float); norms and biases stay f32,
 * and so does the embedding table under packed-f16 (the lookup kernel reads f32 or native f16 only), the
 * tied LM head then getting its own packed copy.
 * Projections that read the same input are stacked into one matrix so each takes one dispatch:
 * W_q, W_k, W_v -> W_qkv and W_gate, W_up -> W_gate_up (rows in that order).
 */
import { ModelFormatError } from '../errors';
import type { GpuContext } from '../gpu/context';
import { toF16Bits } from '../gpu/f16';
import type { Tensor } from '../gpu/tensor';
import type { MatmulWeightDtype } from '../kernels/matmul';
import { packedF16Words, packF16Rows } from '../kernels/matmul-packed';
import type { ModelConfig } from './config';
import type { ModelWeights } from './weights';

export interface LayerTensors {
  inputNorm: Tensor; // (H)
  wqkv: Tensor; // ((nh + 2·nkv)·hd, H): rows of W_q, then W_k, then W_v
  bqkv?: Tensor; // ((nh + 2·nkv)·hd)   qwen2
  qNorm?: Tensor; // (hd)               qwen3
  kNorm?: Tensor; // (hd)               qwen3
  wo: Tensor; // (H, nh·hd)   (packed-f16: every matrix (N, K) is (N, 4·ceil(K/8)) u32)
  postNorm: Tensor; // (H)
  wGateUp: Tensor; // (2·I, H): rows of W_gate, then W_up
  wDown: Tensor; // (H, I)
}

export interface GpuWeights {
  embed: Tensor; // (V, H)
  layers: LayerTensors[];
  finalNorm: Tensor; // (H)
  lmHead: Tensor; // (V, H): the embedding itself when tied (except under packed-f16)
  matrixDtype: MatmulWeightDtype;
  all: Tensor[];
}

export type WeightDtypeOption = 'auto' | 'f32' | 'f16';

/**
 * 'f16' gives native f16 where the adapter has shader-f16 and packed halves elsewhere (every matrix rounded to
 * f16). 'auto' gives f16 when the adapter has shader-f16 and every matrix is stored as f16 in its file (so
 * nothing is lost), f32 otherwise: packed halves halve the memory but were no faster than f32 on SwiftShader
 * (bench/kernels.ts), so they are never chosen unasked.
 */
export function chooseMatrixDtype(ctx: GpuContext, weights: ModelWeights, option: WeightDtypeOption): MatmulWeightDtype {
  if (option === 'f16') return ctx.profile.f16 ? 'f16' : 'packed-f16';
  if (option === 'f32' || !ctx.profile.f16) return 'f32';
  const matrices = [...weights.tensors.values()].filter((t) => t.shape.length === 2);
  return matrices.length > 0 && matrices.every((t) => t.dtype === 'f16') ? 'f16' : 'f32';
}

export async function uploadWeights(ctx: GpuContext, weights: ModelWeights, matrixDtype: MatmulWeightDtype, label: string): Promise<GpuWeights> {
  const c = weights.config;
  const all: Tensor[] = [];
  const { hiddenSize: H, headDim: hd, numHeads: nh, numKvHeads: nkv, intermediateSize: I, vocabSize: V } = c;

  /** Reads tensors (checking their sizes), stacks them in order, and uploads the result as one tensor. */
  const upload = async (parts: [name: string, shape: number[]][], tensorName = parts[0][0], dtype2d = matrixDtype): Promise<Tensor> => {
    const arrays: Float32Array[] = [];
    for (const [name, shape] of parts) {
      const values = await weights.readF32(name);
      const want = shape.reduce((a, b) => a * b, 1);
      if (values.length !== want) {
        const file = weights.tensors.get(name)?.file ?? 'model';
        throw new ModelFormatError('tensor-shape', `${file}: tensor ${name} has ${values.length} values, expected (${shape.join(', ')}) = ${want}`);
      }
      arrays.push(values);
    }
    const shape = [parts.reduce((a, [, s]) => a + s[0], 0), ...parts[0][1].slice(1)];
    const total = arrays.reduce((a, v) => a + v.length, 0);
    const dtype = shape.length === 2 ? dtype2d : 'f32';
    const [rows, cols] = shape;
    const bytes = dtype === 'packed-f16' ? rows * packedF16Words(cols) * 4 : total * (dtype === 'f16' ? 2 : 4);
    ctx.checkBindingSize(`${label}: tensor ${tensorName}`, bytes);
    const stacked = new Float32Array(total);
    let at = 0;
    for (const v of arrays) {
      stacked.set(v, at);
      at += v.length;
    }
    const name = `${label} ${tensorName}`;
    const t =
      dtype === 'packed-f16'
        ? ctx.uploadTensor(name, [rows, packedF16Words(cols)], 'u32', packF16Rows(stacked, rows, cols))
        : ctx.uploadTensor(name, shape, dtype, dtype === 'f16' ? toF16Bits(stacked) : stacked);
    all.push(t);
    return t;
  };
  const one = (name: string, shape: number[]) => upload([[name, shape]]);

  const layers: LayerTensors[] = [];
  const qw = nh * hd, kvw = nkv * hd;
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}.`;
    const layer: LayerTensors = {
      inputNorm: await one(`${p}input_layernorm.weight`, [H]),
      wqkv: await upload(
        [[`${p}self_attn.q_proj.weight`, [qw, H]], [`${p}self_attn.k_proj.weight`, [kvw, H]], [`${p}self_attn.v_proj.weight`, [kvw, H]]],
        `${p}self_attn.qkv_proj.weight`,
      ),
      wo: await one(`${p}self_attn.o_proj.weight`, [H, qw]),
      postNorm: await one(`${p}post_attention_layernorm.weight`, [H]),
      wGateUp: await upload([[`${p}mlp.gate_proj.weight`, [I, H]], [`${p}mlp.up_proj.weight`, [I, H]]], `${p}mlp.gate_up_proj.weight`),
      wDown: await one(`${p}mlp.down_proj.weight`, [H, I]),
    };
    if (c.attentionBias) {
      layer.bqkv = await upload(
        [[`${p}self_attn.q_proj.bias`, [qw]], [`${p}self_attn.k_proj.bias`, [kvw]], [`${p}self_attn.v_proj.bias`, [kvw]]],
        `${p}self_attn.qkv_proj.bias`,
      );
    }
    if (c.qkNorm) {
      layer.qNorm = await one(`${p}self_attn.q_norm.weight`, [hd]);
      layer.kNorm = await one(`${p}self_attn.k_norm.weight`, [hd]);
    }
    layers.push(layer);
  }
  const packed = matrixDtype === 'packed-f16';
  const embed = await upload([['model.embed_tokens.weight', [V, H]]], undefined, packed ? 'f32' : matrixDtype);
  const finalNorm = await one('model.norm.weight', [H]);
  const lmHeadName = c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
  const lmHead = c.tieWordEmbeddings && !packed ? embed : await one(lmHeadName, [V, H]);
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
