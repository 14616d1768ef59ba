/**
 * Seeded random-weight models for llama / qwen2 / qwen3, in canonical (HF) names and layouts.
 *
 * Scales are chosen so the model is not degenerate: attention logits have a standard deviation of about 1.7
 * (attention is neither uniform nor one-hot), the residual stream stays O(1), and next-token logits have a
 * standard deviation of about 3, so distributions are peaked enough that layout mistakes change them visibly.
 */
import type { Architecture, ModelConfig, RopeScalingLlama3 } from '../../src/model/config';
import { expectedTensors } from '../../src/model/load-validate';
import type { ModelWeights } from '../../src/model/weights';
import { Rng } from './rng';

export interface RandomModelSpec {
  architecture: Architecture;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim?: number;
  tieWordEmbeddings?: boolean;
  ropeTheta?: number;
  ropeScaling?: RopeScalingLlama3;
  maxPositionEmbeddings?: number;
  rmsNormEps?: number;
}

export interface RandomModel {
  config: ModelConfig;
  /** Canonical name -> values (row-major, canonical shape). */
  tensors: Map<string, Float32Array>;
}

export function randomConfig(spec: RandomModelSpec): ModelConfig {
  return {
    architecture: spec.architecture,
    vocabSize: spec.vocabSize,
    hiddenSize: spec.hiddenSize,
    intermediateSize: spec.intermediateSize,
    numLayers: spec.numLayers,
    numHeads: spec.numHeads,
    numKvHeads: spec.numKvHeads,
    headDim: spec.headDim ?? spec.hiddenSize / spec.numHeads,
    rmsNormEps: spec.rmsNormEps ?? 1e-5,
    ropeTheta: spec.ropeTheta ?? 10000,
    ...(spec.ropeScaling ? { ropeScaling: spec.ropeScaling } : {}),
    maxPositionEmbeddings: spec.maxPositionEmbeddings ?? 256,
    tieWordEmbeddings: spec.tieWordEmbeddings ?? false,
    attentionBias: spec.architecture === 'qwen2',
    qkNorm: spec.architecture === 'qwen3',
    bosTokenId: 1,
    eosTokenIds: [2],
  };
}

export function randomModel(spec: RandomModelSpec, seed: number): RandomModel {
  const config = randomConfig(spec);
  const rng = new Rng(seed);
  const H = config.hiddenSize;
  const qWidth = config.numHeads * config.headDim;
  const logitStd = 3 / Math.sqrt(H);
  // With tied embeddings a token's own embedding dominates its logits unless the layers outweigh it in the
  // residual stream; without this, greedy decoding just repeats the input token.
  const gain = config.tieWordEmbeddings ? 3 : 1;
  const std: (name: string) => [number, number] = (name) => {
    // [std, mean]
    if (name.endsWith('norm.weight') || name.endsWith('layernorm.weight')) return [0.1, 1];
    if (name.endsWith('.bias')) return [0.5, 0];
    if (name === 'model.embed_tokens.weight') return [config.tieWordEmbeddings ? logitStd : 1, 0];
    if (name === 'lm_head.weight') return [logitStd, 0];
    if (/(q_proj|k_proj)\.weight$/.test(name)) return [1.3 / Math.sqrt(H), 0];
    if (name.endsWith('o_proj.weight')) return [(0.7 * gain) / Math.sqrt(qWidth), 0];
    if (name.endsWith('down_proj.weight')) return [gain / Math.sqrt(config.intermediateSize), 0];
    return [1 / Math.sqrt(H), 0];
  };
  const tensors = new Map<string, Float32Array>();
  for (const [name, shape] of expectedTensors(config)) {
    const [s, mean] = std(name);
    tensors.set(name, rng.normals(shape.reduce((p, d) => p * d, 1), s, mean));
  }
  return { config, tensors };
}

/** The model as ModelWeights straight from memory (no file format in between). */
export function inMemoryWeights(m: RandomModel): ModelWeights {
  const shapes = expectedTensors(m.config);
  const tensors = new Map([...m.tensors.keys()].map((name) => [name, { name, shape: shapes.get(name) ?? [], dtype: 'f32' as const, file: 'memory' }]));
  return {
    config: m.config,
    tensors,
    readF32: async (name) => {
      const t = m.tensors.get(name);
      if (!t) throw new Error(`no tensor ${name}`);
      return t;
    },
  };
}

/** Shapes used by the oracle tests: small, GQA everywhere, one of each family's features. */
export const SHAPES = {
  llama: { architecture: 'llama', vocabSize: 320, hiddenSize: 64, intermediateSize: 160, numLayers: 2, numHeads: 4, numKvHeads: 2 },
  qwen2: { architecture: 'qwen2', vocabSize: 384, hiddenSize: 96, intermediateSize: 192, numLayers: 2, numHeads: 6, numKvHeads: 2, ropeTheta: 1e6 },
  qwen3: {
    architecture: 'qwen3', vocabSize: 288, hiddenSize: 64, intermediateSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 32,
    tieWordEmbeddings: true, rmsNormEps: 1e-6, ropeTheta: 1e6,
  },
  llama3Scaled: {
    architecture: 'llama', vocabSize: 288, hiddenSize: 64, intermediateSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 1,
    tieWordEmbeddings: true, ropeTheta: 10000, maxPositionEmbeddings: 512,
    ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 64 },
  },
} satisfies Record<string, RandomModelSpec>;
