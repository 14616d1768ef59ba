/**
 * Speculative sampling emits the target's distribution. A 16-token random-weight pair; the first two
 * tokens after a fixed context, sampled N times through the speculative path (seeds fixed, so the
 * test is deterministic), against the target's exact joint probabilities. Threshold: the χ² p-value
 * must be ≥ 1e-3. lossless-teeth.test.ts shows the same check rejects broken acceptance rules.
 */
import { describe, expect, it } from 'vitest';
import { modelDrafter } from './draft-model';
import { generate, type GenerateOptions } from './generate';
import { promptLookupDrafter } from './prompt-lookup';
import { CONTEXT, LOSSLESS_P_MIN, losslessCheck, SAMPLES } from './testing/lossless-harness';
import { smallPair } from './testing/pairs';

const settingsCases = [
  { temperature: 1 },
  { temperature: 0.8, topK: 8, topP: 0.9, minP: 0.05, repetitionPenalty: 1.3, repetitionWindow: 4 },
];

describe('speculative sampling is lossless (χ², p ≥ 1e-3)', () => {
  for (const sampling of settingsCases) {
    for (const k of [1, 4]) {
      it(`draft model, k = ${k}, ${JSON.stringify(sampling)}`, async () => {
        const { target, draft, freshTarget } = smallPair();
        const opts: Omit<GenerateOptions, 'seed' | 'maxTokens'> = { target, drafter: modelDrafter(draft), k, sampling };
        const r = await losslessCheck(generate, freshTarget(), CONTEXT, opts, SAMPLES, 1000);
        expect(r.pValue, JSON.stringify(r)).toBeGreaterThanOrEqual(LOSSLESS_P_MIN);
        expect(r.cells).toBeGreaterThan(20); // enough outcomes for the test to mean something
      });
    }
  }

  it('prompt lookup (point-mass drafts), k = 3, temperature 1', async () => {
    const { target, freshTarget } = smallPair();
    const opts: Omit<GenerateOptions, 'seed' | 'maxTokens'> = { target, drafter: promptLookupDrafter(), k: 3, sampling: { temperature: 1 } };
    const r = await losslessCheck(generate, freshTarget(), CONTEXT, opts, SAMPLES, 2000);
        expect(r.pValue, JSON.stringify(r)).toBeGreaterThanOrEqual(LOSSLESS_P_MIN);
  });

  it('plain sampling through the same harness (the baseline the others are held to)', async () => {
    const { target, freshTarget } = smallPair();
    const r = await losslessCheck(generate, freshTarget(), CONTEXT, { target, sampling: { temperature: 1 } }, SAMPLES, 3000);
        expect(r.pValue, JSON.stringify(r)).toBeGreaterThanOrEqual(LOSSLESS_P_MIN);
  });
});
