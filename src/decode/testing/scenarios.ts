/**
 * Decoding scenarios run identically in Node and in headless Chromium (browser.test.ts): greedy
 * losslessness for every drafting mode, and seeded sampling, whose tokens must also match across the
 * two runtimes.
 */
import { modelDrafter } from '../draft-model';
import { generateAll } from '../generate';
import { promptLookupDrafter } from '../prompt-lookup';
import { createRng } from '../prng';
import { referencePair } from './reference-pairs';

export interface ScenarioResults {
  prng: number[]; // first outputs of seed 123
  greedyPlain: number[];
  greedy: Record<string, number[]>; // by drafting mode: 'k=1' … 'k=8', 'lookup', 'auto'
  sampledPlain: number[];
  sampledSpeculative: number[];
}

export async function decodeScenarios(): Promise<ScenarioResults> {
  const rng = createRng(123);
  const prng = Array.from({ length: 8 }, () => rng.nextU32());
  const { target, draft } = await referencePair({ draftKind: 'layers' });
  const prompt = [3, 17, 42, 5, 9, 33, 3, 17];
  const maxTokens = 24;
  const greedyPlain = (await generateAll(prompt, { target, maxTokens })).tokens;
  const greedy: Record<string, number[]> = {};
  for (const k of [1, 2, 4, 8]) greedy[`k=${k}`] = (await generateAll(prompt, { target, drafter: modelDrafter(draft), k, maxTokens })).tokens;
  greedy.lookup = (await generateAll(prompt, { target, drafter: promptLookupDrafter(), k: 4, maxTokens })).tokens;
  greedy.auto = (await generateAll(prompt, { target, drafter: modelDrafter(draft), k: 'auto', maxTokens })).tokens;
  const sampling = { temperature: 0.9, topK: 40, topP: 0.95, minP: 0.01, repetitionPenalty: 1.1 };
  const sampledPlain = (await generateAll(prompt, { target, sampling, seed: 7, maxTokens })).tokens;
  const sampledSpeculative = (await generateAll(prompt, { target, drafter: modelDrafter(draft), k: 3, sampling, seed: 7, maxTokens }))
    .tokens;
  return { prng, greedyPlain, greedy, sampledPlain, sampledSpeculative };
}
