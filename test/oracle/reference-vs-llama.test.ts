/**
 * The CPU reference transformer against llama.cpp on random-weight models of each family, through our GGUF
 * loader, and the same weights through the safetensors loader. This pins down our reading of the formats
 * (names, layouts, the Llama Q/K permutation, dequantization) and the forward pass (RoPE convention and scaling,
 * GQA, q/k norm, biases, tied embeddings).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/model/byte-source';
import { permuteQk } from '../../src/model/gguf-permute';
import { loadGguf } from '../../src/model/load-gguf';
import { loadHfModel } from '../../src/model/load-safetensors';
import { ReferenceModel } from '../../src/model/reference';
import type { TensorDtype } from '../../src/model/weights';
import { maxAbsDiff } from '../utils/compare';
import { runOracle } from '../utils/llama-oracle';
import { type GgufExportOptions, memoryFolder, modelToGguf, modelToHf, roundModel, writeTempFiles } from '../utils/model-files';
import { compareWithOracle } from '../utils/oracle-check';
import { type RandomModelSpec, SHAPES, randomModel } from '../utils/random-model';
import { Rng } from '../utils/rng';

const PROMPT_LENGTH = 16;
const GREEDY_TOKENS = 32;
const MAX_DP = 1e-3;

interface Case {
  name: string;
  spec: RandomModelSpec;
  seed: number;
  /** GGUF storage of 2-D tensors; the HF export stores the same (rounded) values. */
  dtype: 'f32' | 'f16';
  /** Quantized tensors (GGUF only; the HF export holds their dequantized values in f32). */
  quantized?: Record<string, TensorDtype>;
}

const CASES: Case[] = [
  { name: 'llama f32', spec: SHAPES.llama, seed: 1, dtype: 'f32' },
  { name: 'llama f16', spec: SHAPES.llama, seed: 2, dtype: 'f16' },
  { name: 'qwen2 f32', spec: SHAPES.qwen2, seed: 3, dtype: 'f32' },
  { name: 'qwen2 f16', spec: SHAPES.qwen2, seed: 4, dtype: 'f16' },
  { name: 'qwen3 f32', spec: SHAPES.qwen3, seed: 5, dtype: 'f32' },
  { name: 'qwen3 f16', spec: SHAPES.qwen3, seed: 6, dtype: 'f16' },
  { name: 'llama, Llama 3 rope scaling, tied, 4:1 GQA, f32', spec: SHAPES.llama3Scaled, seed: 7, dtype: 'f32' },
  // Only the (untied) embeddings are quantized: llama.cpp dequantizes them exactly (get_rows), while quantized
  // matmul weights make it quantize the activations too (to Q8_0), which alone moves p by ~1e-2.
  { name: 'llama, Q8_0 embeddings, f32', spec: SHAPES.llama, seed: 8, dtype: 'f32', quantized: { 'model.embed_tokens.weight': 'q8_0' } },
  { name: 'qwen2, Q4_0 embeddings, f32', spec: SHAPES.qwen2, seed: 9, dtype: 'f32', quantized: { 'model.embed_tokens.weight': 'q4_0' } },
];

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function ggufOnDisk(bytes: Uint8Array): Promise<string> {
  const dir = await writeTempFiles(new Map([['model.gguf', bytes]]));
  dirs.push(dir);
  return join(dir, 'model.gguf');
}

function promptFor(seed: number, vocab: number): number[] {
  return [1, ...new Rng(1000 + seed).ints(PROMPT_LENGTH - 1, vocab)];
}

describe('CPU reference vs llama.cpp on random models', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      let model = randomModel(c.spec, c.seed);
      if (c.dtype === 'f16') model = roundModel(model, 'f16');
      for (const [name, q] of Object.entries(c.quantized ?? {})) model = roundModel(model, q, (n) => n === name);
      const gguf = modelToGguf(model, { dtype: c.dtype, overrides: c.quantized });
      const prompt = promptFor(c.seed, model.config.vocabSize);
      const oracle = await runOracle(await ggufOnDisk(gguf), prompt, GREEDY_TOKENS, model.config.vocabSize);

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
    const oracle = await runOracle(await ggufOnDisk(bytes), prompt, 8, model.config.vocabSize);
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
