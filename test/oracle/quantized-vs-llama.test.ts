/**
 * ggml's other block types, as stored in real Hub GGUF files (Q4_K_M / Q5_K_M mix K-quants with Q5_0 / Q5_1 /
 * Q8_0 fallbacks for rows that are not whole 256-weight super-blocks): the CPU reference reading them through
 * our GGUF loader agrees with llama.cpp. In the exact cases only the (untied) embeddings are quantized, because
 * llama.cpp dequantizes embedding rows exactly (get_rows) while quantized matmul weights make it quantize
 * activations too; so the f32 bound holds and any layout mistake in a decoder shows up as a large |Δp|.
 * A Q4_K_M-style file (every matrix Q4_K / Q6_K) is then checked with a bound that allows for that rounding.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/model/byte-source';
import { loadGguf } from '../../src/model/load-gguf';
import type { TensorDtype } from '../../src/model/weights';
import { ReferenceModel } from '../../src/model/reference';
import { runOracle } from '../utils/llama-oracle';
import { modelToGguf } from '../utils/model-files';
import { MAX_DP, type OracleCase, cleanupCases, prepareCase, promptFor, writeTempGguf } from '../utils/oracle-cases';
import { compareWithOracle } from '../utils/oracle-check';
import { type RandomModelSpec, SHAPES, randomModel } from '../utils/random-model';

afterAll(cleanupCases);

/** K-quant rows hold whole 256-weight super-blocks: hidden size 256. */
const WIDE: RandomModelSpec = {
  architecture: 'llama', vocabSize: 300, hiddenSize: 256, intermediateSize: 256, numLayers: 1, numHeads: 4, numKvHeads: 2,
};
const WIDE_QWEN2: RandomModelSpec = { ...WIDE, architecture: 'qwen2', ropeTheta: 1e6 };

const embeddings = (dtype: TensorDtype) => ({ 'model.embed_tokens.weight': dtype });
const GREEDY = 16;

const CASES: OracleCase[] = [
  { name: 'llama, Q4_K embeddings', spec: WIDE, seed: 21, dtype: 'f32', quantized: embeddings('q4_k') },
  { name: 'qwen2, Q5_K embeddings', spec: WIDE_QWEN2, seed: 22, dtype: 'f32', quantized: embeddings('q5_k') },
  { name: 'llama, Q6_K embeddings', spec: WIDE, seed: 23, dtype: 'f32', quantized: embeddings('q6_k') },
  { name: 'llama, Q4_1 embeddings', spec: SHAPES.llama, seed: 24, dtype: 'f32', quantized: embeddings('q4_1') },
  { name: 'qwen2, Q5_0 embeddings', spec: SHAPES.qwen2, seed: 25, dtype: 'f32', quantized: embeddings('q5_0') },
  { name: 'llama, Q5_1 embeddings', spec: SHAPES.llama, seed: 26, dtype: 'f32', quantized: embeddings('q5_1') },
];

describe('CPU reference vs llama.cpp: quantized embeddings', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const { gguf, prompt, oracle } = await prepareCase(c, GREEDY);
      const weights = await loadGguf(bytesSource('model.gguf', gguf));
      expect(weights.tensors.get('model.embed_tokens.weight')?.dtype).toBe(Object.values(c.quantized!)[0]);
      const r = await compareWithOracle(await ReferenceModel.load(weights, { maxLength: 64 }), prompt, oracle);
      console.info(`${c.name}: max |Δp| ${r.maxDp.toExponential(2)} at ${JSON.stringify(r.at)}`);
      expect(r.maxDp, `max |Δp| at ${JSON.stringify(r.at)}`).toBeLessThanOrEqual(MAX_DP);
      expect(r.greedy).toEqual(oracle.greedy);
    });
  }
});

describe('the comparison has teeth', () => {
  it('a Q4_K decoder that swaps the nibble halves of each chunk disagrees with llama.cpp', async () => {
    const model = randomModel(WIDE, 21);
    const bytes = modelToGguf(model, { dtype: 'f32', overrides: embeddings('q4_k') });
    const prompt = promptFor(21, WIDE.vocabSize);
    const oracle = await runOracle(await writeTempGguf(bytes), prompt, 4, WIDE.vocabSize);
    const weights = await loadGguf(bytesSource('model.gguf', bytes));
    const swapped = {
      ...weights,
      readF32: async (name: string) => {
        const x = await weights.readF32(name);
        if (name !== 'model.embed_tokens.weight') return x;
        const y = x.slice(); // a decoder that read high nibbles first: swap x[64c + l] and x[64c + 32 + l]
        for (let o = 0; o < y.length; o += 64) for (let l = 0; l < 32; l++) [y[o + l], y[o + 32 + l]] = [x[o + 32 + l], x[o + l]];
        return y;
      },
    };
    const r = await compareWithOracle(await ReferenceModel.load(swapped, { maxLength: 64 }), prompt, oracle);
    expect(r.maxDp).toBeGreaterThan(50 * MAX_DP);
  });
});

describe('a Q4_K_M-style file: every matrix K-quantized', () => {
  it('loads, and tracks llama.cpp within the error of its Q8_K activation quantization', async () => {
    const spec: RandomModelSpec = { ...WIDE, intermediateSize: 512 };
    const model = randomModel(spec, 27);
    const overrides: Record<string, TensorDtype> = {};
    for (const name of model.tensors.keys()) {
      if (name.endsWith('norm.weight')) continue;
      overrides[name] = /v_proj|down_proj|lm_head/.test(name) ? 'q6_k' : 'q4_k'; // as llama.cpp's Q4_K_M mix
    }
    const bytes = modelToGguf(model, { dtype: 'f32', overrides });
    const prompt = promptFor(27, spec.vocabSize);
    const oracle = await runOracle(await writeTempGguf(bytes), prompt, 1, spec.vocabSize);
    const weights = await loadGguf(bytesSource('model.gguf', bytes));
    expect(new Set([...weights.tensors.values()].map((t) => t.dtype))).toEqual(new Set(['f32', 'q4_k', 'q6_k']));
    const r = await compareWithOracle(await ReferenceModel.load(weights, { maxLength: 64 }), prompt, oracle);
    console.info(`Q4_K_M-style: max |Δp| ${r.maxDp.toExponential(2)} at ${JSON.stringify(r.at)}`);
    expect(r.maxDp).toBeLessThan(0.05);
  });
});
