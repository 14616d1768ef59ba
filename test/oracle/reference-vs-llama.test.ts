/**
 * The CPU reference transformer against llama.cpp on random-weight models of each family, through our GGUF
 * loader, and the same weights through the safetensors loader. This pins down our reading of the formats
 * (names, layouts, the Llama Q/K permutation, dequantization) and the forward pass (RoPE convention and scaling,
 * GQA, q/k norm, biases, tied embeddings).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/model/byte-source';
import { permuteQk } from '../../src/model/gguf-permute';
import { loadGguf } from '../../src/model/load-gguf';
import { loadHfModel } from '../../src/model/load-safetensors';
import { ReferenceModel } from '../../src/model/reference';
import { maxAbsDiff } from '../utils/compare';
import { runOracle } from '../utils/llama-oracle';
import { type GgufExportOptions, memoryFolder, modelToGguf, modelToHf } from '../utils/model-files';
import { MAX_DP, ORACLE_CASES, cleanupCases, prepareCase, promptFor, writeTempGguf } from '../utils/oracle-cases';
import { compareWithOracle } from '../utils/oracle-check';
import { SHAPES, randomModel } from '../utils/random-model';

afterAll(cleanupCases);

describe('CPU reference vs llama.cpp on random models', () => {
  for (const c of ORACLE_CASES) {
    it(c.name, async () => {
      const { model, gguf, prompt, oracle } = await prepareCase(c);

      const fromGguf = await ReferenceModel.load(await loadGguf(bytesSource('model.gguf', gguf)), { maxLength: 64 });
      const r = await compareWithOracle(fromGguf, prompt, oracle);
      console.info(`${c.name}: max |Δp| ${r.maxDp.toExponential(2)} at ${JSON.stringify(r.at)}`);
      expect(r.maxDp, `max |Δp| at ${JSON.stringify(r.at)}`).toBeLessThanOrEqual(MAX_DP);
      expect(r.greedy).toEqual(oracle.greedy);
      expect(new Set(oracle.greedy).size, 'greedy output should not be one repeated token').toBeGreaterThan(3);

      // The same weights as a Hugging Face folder give the same logits.
      const hf = await loadHfModel(memoryFolder(modelToHf(model, { dtype: c.dtype })), 'hf');
      const fromHf = await ReferenceModel.load(hf, { maxLength: 64 });
      const hfLogits = await fromHf.forward(prompt, 0, { all: true });
      expect(maxAbsDiff(hfLogits, r.logits).max).toBeLessThanOrEqual(1e-5);
    });
  }
});

describe('the comparison has teeth: layout mistakes fail it', () => {
  const model = randomModel(SHAPES.llama, 1);
  const prompt = promptFor(1, model.config.vocabSize);

  async function maxDpAgainst(ggufOpts: Partial<GgufExportOptions>, repermuteAfterLoad: boolean) {
    const bytes = modelToGguf(model, { dtype: 'f32', ...ggufOpts });
    const oracle = await runOracle(await writeTempGguf(bytes), prompt, 8, model.config.vocabSize);
    const weights = await loadGguf(bytesSource('model.gguf', modelToGguf(model, { dtype: 'f32' })));
    const c = weights.config;
    // A loader that forgot to undo the permutation hands out the GGUF row order.
    const broken = repermuteAfterLoad
      ? {
          ...weights,
          readF32: async (n: string) => {
            const x = await weights.readF32(n);
            if (n.endsWith('q_proj.weight')) return permuteQk(x, c.numHeads, c.hiddenSize);
            if (n.endsWith('k_proj.weight')) return permuteQk(x, c.numKvHeads, c.hiddenSize);
            return x;
          },
        }
      : weights;
    const r = await compareWithOracle(await ReferenceModel.load(broken, { maxLength: 64 }), prompt, oracle);
    return { maxDp: r.maxDp, greedyMatches: r.greedy.every((t, i) => t === oracle.greedy[i]) };
  }

  it('a GGUF written without the Llama Q/K permutation disagrees with llama.cpp', async () => {
    const r = await maxDpAgainst({ skipPermutation: true }, false);
    expect(r.maxDp).toBeGreaterThan(50 * MAX_DP);
  });

  it('a loader that does not undo the permutation disagrees with llama.cpp', async () => {
    const r = await maxDpAgainst({}, true);
    expect(r.maxDp).toBeGreaterThan(50 * MAX_DP);
  });
});
