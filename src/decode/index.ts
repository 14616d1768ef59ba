/**
 * The token-level decoding layer: sampling, speculative decoding, drafting strategies, statistics.
 */
export type { LanguageModel } from './language-model';
export { createRng, Xoshiro128, type Rng } from './prng';
export { GREEDY, samplingSettings, isGreedy, type SamplingSettings } from './sampling-settings';
export { toProbabilities } from './probabilities';
export { sample, probability, residual, acceptProbability, pointMass, type Distribution } from './distribution';
export { nextTokenDistributions } from './next-token';
export { noDrafting, type Draft, type Drafter, type Provenance } from './drafter';
export { modelDrafter } from './draft-model';
export { promptLookupDrafter, lookupContinuation, type PromptLookupOptions } from './prompt-lookup';
export { speculativeStep, type StepInput, type StepOutput } from './speculative-step';
export { AdaptiveK, fixedK, type AdaptiveKOptions, type KPolicy, type StepObservation } from './k-policy';
export { expectedSpeedup, expectedTokensPerStep, estimateAlpha } from './speedup';
export type { GenerationStats, StepStats } from './stats';
export { generate, generateAll, type GenerateChunk, type GenerateOptions, type GenerateResult, type StopReason } from './generate';
export { checkPairing, type PairingSide } from './pairing';
