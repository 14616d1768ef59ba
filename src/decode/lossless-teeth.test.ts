/**
 * The losslessness checks can fail: with a deliberately broken acceptance rule in the speculative
 * step, the same χ² check (same pair, context, sample count and seeds as lossless-sampling.test.ts)
 * must reject, and greedy decoding must diverge from the target's.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as DistributionModule from './distribution';
import { CONTEXT, LOSSLESS_P_MIN, losslessCheck, SAMPLES } from './testing/lossless-harness';
import { smallPair } from './testing/reference-pairs';

type Broken = Partial<typeof DistributionModule>;

const brokenRules: Record<string, Broken> = {
  // keep every draft token: the output follows the draft
  'always accept': { acceptProbability: () => 1 },
  // on rejection, sample q itself instead of normalize(max(0, q − p)): mass where q > p is over-counted
  'accept without the residual': { residual: (q) => q },
};

async function generateWith(broken: Broken) {
  vi.resetModules();
  vi.doMock('./distribution', async (importOriginal) => ({ ...(await importOriginal<typeof DistributionModule>()), ...broken }));
  const { generate, generateAll } = await import('./generate');
  const { modelDrafter } = await import('./draft-model');
  return { generate, generateAll, modelDrafter };
}

afterEach(() => {
  vi.doUnmock('./distribution');
  vi.resetModules();
});

describe('a broken acceptance rule is detected', () => {
  for (const [name, broken] of Object.entries(brokenRules)) {
    it(`${name}: the χ² check rejects it`, async () => {
      const { generate, modelDrafter } = await generateWith(broken);
      const { target, draft, freshTarget } = await smallPair();
      const opts = { target, drafter: modelDrafter(draft), k: 1, sampling: { temperature: 1 } };
      const r = await losslessCheck(generate, await freshTarget(), CONTEXT, opts, SAMPLES, 1000);
      expect(r.pValue, JSON.stringify(r)).toBeLessThan(LOSSLESS_P_MIN);
      expect(r.pValue).toBeLessThan(1e-9); // not a near miss
    });
  }

  it('always accept: greedy output diverges from plain greedy', async () => {
    const { generateAll, modelDrafter } = await generateWith(brokenRules['always accept']);
    const { target, draft } = await smallPair();
    const plain = await generateAll(CONTEXT, { target, maxTokens: 20 });
    const broken = await generateAll(CONTEXT, { target, drafter: modelDrafter(draft), k: 4, maxTokens: 20 });
    expect(broken.tokens).not.toEqual(plain.tokens);
  });
});
