/**
 * modelDrafter over the WebGPU Transformer (Dawn in Node, SwiftShader): at greedy without a penalty a
 * step's k draft tokens come from one draftGreedy call, i.e. one GPU submission and one readback,
 * with the same tokens and acceptances as the k-pass loop; sampled or penalised steps keep the loop.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { inMemoryWeights, type RandomModel } from '../../test/utils/random-model';
import type { GpuContext } from '../gpu/context';
import { CommandRecorder } from '../gpu/recorder';
import { testContext } from '../kernels/testing';
import { Transformer } from '../model/transformer';
import { modelDrafter } from './draft-model';
import { generateAll, type GenerateOptions } from './generate';
import type { LanguageModel } from './language-model';
import { pairModels } from './testing/reference-pairs';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await testContext();
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function gpuPair(): Promise<{ target: Transformer; draft: Transformer }> {
  const { target, draft } = pairModels();
  const load = (m: RandomModel, label: string) => Transformer.load(ctx, inMemoryWeights(m), { maxLength: 64, label });
  return { target: await load(target, 'target'), draft: await load(draft, 'draft') };
}

/** The draft model without draftGreedy: modelDrafter must fall back to one pass per token. */
function withoutDraftGreedy(m: Transformer): LanguageModel {
  return {
    vocabSize: m.vocabSize,
    maxLength: m.maxLength,
    get length() {
      return m.length;
    },
    truncate: (n) => m.truncate(n),
    dispose: () => m.dispose(),
    forward: (t, s, o) => m.forward(t, s, o),
    forwardArgmax: (t, s, o) => m.forwardArgmax(t, s, o),
  };
}

/** Runs a generation and counts the draft model's GPU submissions (its recorders are labelled 'draft ...'). */
async function run(draft: LanguageModel, opts: Omit<GenerateOptions, 'drafter'>) {
  const submit = vi.spyOn(CommandRecorder.prototype, 'submit');
  const result = await generateAll(prompt, { ...opts, drafter: modelDrafter(draft) });
  const draftSubmits = submit.mock.contexts.filter((r) => (r as CommandRecorder).label.startsWith('draft ')).length;
  submit.mockRestore();
  return { ...result, draftSubmits };
}

const prompt = [3, 17, 42, 5, 9, 33, 3, 17];

describe('modelDrafter with draftGreedy', () => {
  it('greedy: one draftGreedy call and one GPU submission per step, same tokens as the k-pass loop', async () => {
    const { target, draft } = await gpuPair();
    const opts = { target, k: 4, maxTokens: 24 };
    const plain = await generateAll(prompt, { target, maxTokens: 24 });

    const chained = vi.spyOn(draft, 'draftGreedy');
    const single = vi.spyOn(draft, 'forwardArgmax');
    const fast = await run(draft, opts);
    expect(fast.tokens).toEqual(plain.tokens);
    expect(fast.stats.accepted).toBeGreaterThan(0);
    expect(chained).toHaveBeenCalledTimes(fast.stats.draftingSteps);
    expect(chained.mock.calls.reduce((sum, [, , k]) => sum + k, 0)).toBe(fast.stats.drafted); // k = 4, less near maxTokens
    expect(single).toHaveBeenCalledTimes(1); // the prompt prefill only
    expect(fast.draftSubmits).toBe(fast.stats.draftingSteps + 1);

    chained.mockClear();
    const loop = await run(withoutDraftGreedy(draft), opts);
    expect(chained).not.toHaveBeenCalled();
    expect(loop.tokens).toEqual(fast.tokens);
    expect(loop.stats.accepted).toBe(fast.stats.accepted);
    expect(loop.stats.drafted).toBe(fast.stats.drafted);
    expect(loop.draftSubmits).toBe(loop.stats.drafted + 1); // one pass per drafted token, plus the prefill
    target.dispose();
    draft.dispose();
  });

  it('sampled or penalised steps keep the one-pass-per-token loop', async () => {
    const { target, draft } = await gpuPair();
    const chained = vi.spyOn(draft, 'draftGreedy');
    for (const sampling of [{ temperature: 1, topK: 20 }, { repetitionPenalty: 1.2 }]) {
      const got = await run(draft, { target, k: 3, maxTokens: 12, sampling, seed: 5 });
      expect(got.stats.drafted).toBeGreaterThan(0);
      expect(got.draftSubmits).toBe(got.stats.drafted + 1);
    }
    expect(chained).not.toHaveBeenCalled();
    target.dispose();
    draft.dispose();
  });
});
