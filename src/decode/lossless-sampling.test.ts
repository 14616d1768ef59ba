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
import { smallPair } from './testing/reference-pairs';

const settingsCases = [
  { temperature: 1 },
  { temperature: 1.2, topK: 10, topP: 0.95, minP: 0.02, repetitionPenalty: 1.3, repetitionWindow: 4 },
];

describe('speculative sampling is lossless (χ², p ≥ 1e-3)', () => {
  for (const sampling of settingsCases) {
    for (const k of [1, 4]) {
      it(`draft model, k = ${k}, ${JSON.stringify(sampling)}`, async () => {
        const { target, draft, freshTarget } = await smallPair();
        const opts: Omit<GenerateOptions, 'seed' | 'maxTokens'> = { target, drafter: modelDrafter(draft), k, sampling };
        const r = await losslessCheck(generate, await freshTarget(), CONTEXT, opts, SAMPLES, 1000);
        expect(r.pValue, JSON.stringify(r)).toBeGreaterThanOrEqual(LOSSLESS_P_MIN);
        expect(r.cells).toBeGreaterThan(15); // enough outcomes for the test to mean something
        expect(r.accepted).toBeGreaterThan(SAMPLES / 5); // both branches, accept and residual, ran often
        expect(r.accepted).toBeLessThan(r.drafted / 2);
      });
    }
  }

  it('prompt lookup (point-mass drafts), k = 3, temperature 1', async () => {
    const { target, freshTarget } = await smallPair();
    // a context whose lookup proposal (what followed the earlier "7 3") is a token the target likes,
    // so lookups are often accepted, and often not
    const exact = await freshTarget();
    const contextFor = (a: number) => [1, 7, 3, a, 5, 7, 3];
    const likes = async (a: number) => (await exact.forward(contextFor(a), 0))[a];
    let best = 0;
    for (let a = 1; a < 16; a++) if ((await likes(a)) > (await likes(best))) best = a;
    const opts: Omit<GenerateOptions, 'seed' | 'maxTokens'> = { target, drafter: promptLookupDrafter(), k: 3, sampling: { temperature: 1 } };
    const r = await losslessCheck(generate, exact, contextFor(best), opts, SAMPLES, 2000);
    expect(r.pValue, JSON.stringify(r)).toBeGreaterThanOrEqual(LOSSLESS_P_MIN);
    expect(r.accepted).toBeGreaterThan(SAMPLES / 5);
    expect(r.accepted).toBeLessThan(r.drafted / 2);
  });

  it('plain sampling through the same harness (the baseline the others are held to)', async () => {
    const { target, freshTarget } = await smallPair();
    const r = await losslessCheck(generate, await freshTarget(), CONTEXT, { target, sampling: { temperature: 1 } }, SAMPLES, 3000);
        expect(r.pValue, JSON.stringify(r)).toBeGreaterThanOrEqual(LOSSLESS_P_MIN);
  });
});
