/**
 * Random-weight draft/target pairs for decoding tests. One place to switch the model implementation.
 */
import type { LanguageModel } from '../language-model';
import { firstLayers, randomTinyLmWeights, TinyLm, TinyLmWithArgmax, type TinyLmSpec } from './tiny-lm';

export interface Pair {
  target: TinyLm;
  draft: TinyLm;
  /** A fresh model with the target's weights and an empty cache (for exact probabilities). */
  freshTarget(): LanguageModel;
}

export interface PairOptions extends Partial<TinyLmSpec> {
  /** 'layers': the draft is the target's first block (agrees often); 'independent': unrelated weights; 'same': the target's weights. */
  draftKind?: 'layers' | 'independent' | 'same';
  argmax?: boolean; // models offer forwardArgmax
}

export function tinyPair({ draftKind = 'layers', argmax = false, ...partial }: PairOptions = {}): Pair {
  const spec: TinyLmSpec = { vocabSize: 64, dim: 16, hidden: 32, layers: 3, maxLength: 128, seed: 1, logitScale: 3, layerScale: 0.4, ...partial };
  const Model = argmax ? TinyLmWithArgmax : TinyLm;
  const tw = randomTinyLmWeights(spec);
  const dw =
    draftKind === 'layers' ? firstLayers(tw, 1) : draftKind === 'same' ? tw : randomTinyLmWeights({ ...spec, layers: 1, seed: spec.seed + 1000 });
  return { target: new Model(tw), draft: new Model(dw), freshTarget: () => new TinyLm(tw) };
}

/** The 16-token pair of the sampling losslessness tests: an unrelated draft, so rejections are frequent. */
export const smallPair = (): Pair =>
  tinyPair({ vocabSize: 16, dim: 8, hidden: 16, layers: 2, seed: 21, logitScale: 2, draftKind: 'independent' });
