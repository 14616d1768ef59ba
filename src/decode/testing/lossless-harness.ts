/**
 * Sampling losslessness, measured: the joint distribution of the first two generated tokens, from
 * many seeded runs, against the target's exact probabilities, by a chi-squared test.
 */
import type { Distribution } from '../distribution';
import type { GenerateChunk, GenerateOptions } from '../generate';
import type { LanguageModel } from '../language-model';
import { toProbabilities } from '../probabilities';
import { samplingSettings, type SamplingSettings } from '../sampling-settings';
import { chiSquaredTest, type ChiSquaredResult } from './chi-squared';

type GenerateFn = (prompt: readonly number[], opts: GenerateOptions) => AsyncGenerator<GenerateChunk, unknown, undefined>;

/** (V·V,) exact P(t1, t2 | context) under the target and the sampling transform. */
export async function exactFirstTwo(target: LanguageModel, context: readonly number[], partial: Partial<SamplingSettings>): Promise<Float64Array> {
  const s = samplingSettings(partial);
  const V = target.vocabSize;
  const dense = (d: Distribution) => (d.kind === 'dense' ? d.probs : Float64Array.from({ length: V }, (_, i) => (i === d.token ? 1 : 0)));
  target.truncate(0);
  const p1 = dense(toProbabilities(await target.forward(context, 0), s, context));
  const joint = new Float64Array(V * V);
  for (let t1 = 0; t1 < V; t1++) {
    if (p1[t1] === 0) continue;
    const ctx = [...context, t1];
    const p2 = dense(toProbabilities(await target.forward([t1], context.length), s, ctx));
    for (let t2 = 0; t2 < V; t2++) joint[t1 * V + t2] = p1[t1] * p2[t2];
  }
  return joint;
}

export interface Sampled {
  counts: Uint32Array; // (V·V,) how often each (t1, t2) came first
  drafted: number; // over all runs, so tests can check both accept and reject branches ran
  accepted: number;
}

/** Counts of (t1, t2) over `samples` generations, run i seeded with baseSeed + i. */
export async function sampledFirstTwo(
  generate: GenerateFn,
  context: readonly number[],
  opts: Omit<GenerateOptions, 'seed' | 'maxTokens'>,
  samples: number,
  baseSeed: number,
): Promise<Sampled> {
  const V = opts.target.vocabSize;
  const out: Sampled = { counts: new Uint32Array(V * V), drafted: 0, accepted: 0 };
  for (let i = 0; i < samples; i++) {
    const got: number[] = [];
    // maxTokens above 2 so a step may draft its full k; only the first two tokens count
    for await (const chunk of generate(context, { ...opts, seed: baseSeed + i, maxTokens: 16 })) {
      got.push(...chunk.tokens);
      out.drafted += chunk.step.drafted;
      out.accepted += chunk.step.accepted;
      if (got.length >= 2) break;
    }
    out.counts[got[0] * V + got[1]]++;
  }
  return out;
}

export async function losslessCheck(
  generate: GenerateFn,
  exactTarget: LanguageModel,
  context: readonly number[],
  opts: Omit<GenerateOptions, 'seed' | 'maxTokens'>,
  samples: number,
  baseSeed: number,
): Promise<ChiSquaredResult & { drafted: number; accepted: number }> {
  const expected = await exactFirstTwo(exactTarget, context, opts.sampling ?? {});
  const { counts, drafted, accepted } = await sampledFirstTwo(generate, context, opts, samples, baseSeed);
  return { ...chiSquaredTest(counts, expected), drafted, accepted };
}

/** The fixed setting shared by lossless-sampling.test.ts and lossless-teeth.test.ts. */
export const LOSSLESS_P_MIN = 1e-3; // a correct sampler passes at the fixed seeds; broken ones land far below
export const SAMPLES = 4_000;
export const CONTEXT = [1, 7, 3, 12, 5, 7, 3];
