/**
 * Random-weight draft/target pairs of the CPU reference transformer (src/model/reference.ts) built
 * from the shared random-model generator (test/utils/random-model.ts).
 *
 * Draft kinds: 'layers' keeps the target's first layer(s), with the later layers' residual branches
 * scaled down in the target so the two agree often (self-speculation by layer skipping, a realistic
 * draft); 'independent' has unrelated weights (frequent rejections); 'same' has the target's weights.
 */
import { inMemoryWeights, randomModel, type RandomModel, type RandomModelSpec } from '../../../test/utils/random-model';
import { ReferenceModel } from '../../model/reference';
import { instrument, type Instrumented } from './instrumented';

export interface Pair {
  target: Instrumented;
  draft: Instrumented;
  /** A fresh model with the target's weights and an empty cache (for exact probabilities). */
  freshTarget(): Promise<ReferenceModel>;
}

export interface PairOptions {
  spec?: Partial<RandomModelSpec>;
  seed?: number;
  draftKind?: 'layers' | 'independent' | 'same';
  draftLayers?: number;
  /** Residual scale of target layers at and past draftLayers (for 'layers'). */
  laterLayerScale?: number;
  maxLength?: number;
  argmax?: boolean; // models offer forwardArgmax
  /** Multiplies both output heads: < 1 flattens next-token distributions (the generator aims at logit std ≈ 3). */
  logitScale?: number;
}

export const PAIR_SPEC: RandomModelSpec = {
  architecture: 'llama',
  vocabSize: 96,
  hiddenSize: 32,
  intermediateSize: 64,
  numLayers: 3,
  numHeads: 4,
  numKvHeads: 2,
};

/** A 16-token pair for the sampling losslessness tests: an unrelated draft, so rejections are frequent. */
export const SMALL_SPEC: RandomModelSpec = {
  architecture: 'qwen2', // biases too, so every code path of the reference is on the sampled path
  vocabSize: 16,
  hiddenSize: 16,
  intermediateSize: 32,
  numLayers: 2,
  numHeads: 2,
  numKvHeads: 1,
};

/** The target and draft weights of a pair (see PairOptions), for any LanguageModel implementation. */
export function pairModels(opts: PairOptions = {}): { target: RandomModel; draft: RandomModel } {
  const { seed = 1, draftKind = 'layers', draftLayers = 1, laterLayerScale = 0.3, maxLength = 160 } = opts;
  const spec = { ...PAIR_SPEC, ...opts.spec, maxPositionEmbeddings: maxLength };
  const t = randomModel(spec, seed);
  let d = t;
  if (draftKind === 'layers') {
    for (let i = draftLayers; i < spec.numLayers; i++) {
      for (const w of ['self_attn.o_proj.weight', 'mlp.down_proj.weight']) scale(t.tensors.get(`model.layers.${i}.${w}`)!, laterLayerScale);
    }
    const kept = [...t.tensors].filter(([name]) => !/^model\.layers\.(\d+)\./.test(name) || Number(name.split('.')[2]) < draftLayers);
    d = { config: { ...t.config, numLayers: draftLayers }, tensors: new Map(kept) };
  } else if (draftKind === 'independent') {
    d = randomModel({ ...spec, numLayers: Math.max(1, spec.numLayers - 1) }, seed + 1000);
  }
  if (opts.logitScale !== undefined) {
    for (const m of draftKind === 'independent' ? [t, d] : [t]) scale(m.tensors.get(m.config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight')!, opts.logitScale);
  }
  return { target: t, draft: d };
}

/** A pair on the CPU reference transformer. */
export async function referencePair(opts: PairOptions = {}): Promise<Pair> {
  const { maxLength = 160, argmax = false } = opts;
  const { target, draft } = pairModels(opts);
  const load = (m: RandomModel) => ReferenceModel.load(inMemoryWeights(m), { maxLength });
  return {
    target: instrument(await load(target), { argmax }),
    draft: instrument(await load(draft), { argmax }),
    freshTarget: () => load(target),
  };
}

export const smallPair = (): Promise<Pair> =>
  referencePair({ spec: SMALL_SPEC, seed: 21, draftKind: 'independent', maxLength: 64, logitScale: 0.4 });

function scale(x: Float32Array, s: number) {
  for (let i = 0; i < x.length; i++) x[i] *= s;
}
