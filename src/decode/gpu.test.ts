/**
 * Speculative decoding over the WebGPU Transformer (Dawn in Node, SwiftShader): random-weight pairs,
 * greedy speculative output token-for-token equal to plain greedy for k = 1, 2, 4, 8, prompt lookup
 * and auto — through the argmax-only pass, and through full logits (a repetition penalty needs them).
 * A draft with the target's own weights must have every token accepted at temperature 1: the
 * GPU KV caches are cut back and caught up exactly as the step expects.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { inMemoryWeights, type RandomModel } from '../../test/utils/random-model';
import type { GpuContext } from '../gpu/context';
import { testContext } from '../kernels/testing';
import { Transformer } from '../model/transformer';
import { modelDrafter } from './draft-model';
import { generateAll } from './generate';
import type { LanguageModel } from './language-model';
import { promptLookupDrafter } from './prompt-lookup';
import { instrument } from './testing/instrumented';
import { pairModels, type PairOptions } from './testing/reference-pairs';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await testContext();
});

async function gpuPair(opts: PairOptions = {}): Promise<{ target: Transformer; draft: Transformer }> {
  const { target, draft } = pairModels(opts);
  const load = (m: RandomModel) => Transformer.load(ctx, inMemoryWeights(m), { maxLength: 96, label: 'decode-test' });
  return { target: await load(target), draft: await load(draft) };
}

const prompt = [3, 17, 42, 5, 9, 33, 3, 17];

describe('speculative decoding on the WebGPU Transformer', () => {
  for (const sampling of [{}, { repetitionPenalty: 1.2 }]) {
    const via = Object.keys(sampling).length ? 'full logits (repetition penalty)' : 'argmax-only pass';
    it(`greedy, ${via}: same tokens as plain greedy for k = 1, 2, 4, 8, prompt lookup and auto`, async () => {
      const { target, draft } = await gpuPair();
      const t = instrument(target); // counts passes; forwardArgmax is Transformer's own when not wrapped
      const run = (m: LanguageModel, extra: object) => generateAll(prompt, { target: m, sampling, maxTokens: 32, ...extra });
      const plain = await run(target, {});
      let accepted = 0;
      for (const k of [1, 2, 4, 8]) {
        const got = await run(target, { drafter: modelDrafter(draft), k });
        expect(got.tokens, `k = ${k}`).toEqual(plain.tokens);
        accepted += got.stats.accepted;
      }
      expect(accepted).toBeGreaterThan(0);
      expect((await run(target, { drafter: promptLookupDrafter(), k: 4 })).tokens).toEqual(plain.tokens);
      expect((await run(target, { drafter: modelDrafter(draft), k: 'auto' })).tokens).toEqual(plain.tokens);
      if (via === 'argmax-only pass') {
        // the wrapper has no forwardArgmax, so this run reads logits: the same tokens either way
        expect((await run(t, { drafter: modelDrafter(draft), k: 3 })).tokens).toEqual(plain.tokens);
        expect(t.calls.logitRowsReturned).toBeGreaterThan(0);
      }
      target.dispose();
      draft.dispose();
    });
  }

  it('a draft with the target’s weights has every token accepted at temperature 1', async () => {
    const { target, draft } = await gpuPair({ draftKind: 'same' });
    const sampling = { temperature: 1, topK: 20 };
    const got = await generateAll(prompt, { target, drafter: modelDrafter(draft), k: 3, sampling, seed: 3, maxTokens: 33 });
    expect(got.tokens).toHaveLength(33);
    expect(got.stats.acceptanceRate).toBe(1);
    target.dispose();
    draft.dispose();
  });
});
