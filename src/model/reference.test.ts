import { describe, expect, it } from 'vitest';
import { expectSameValues, maxAbsDiff } from '../../test/utils/compare';
import { type RandomModel, SHAPES, inMemoryWeights, randomModel } from '../../test/utils/random-model';
import type { RopeScalingLlama3 } from './config';
import { ReferenceModel } from './reference';
import { fitLlama3Scaling, llama3FreqDivisors, ropeInverseFrequencies } from './reference-rope';

const model = randomModel(SHAPES.qwen2, 31);
const V = model.config.vocabSize;
const prompt = [1, 17, 250, 3, 99, 380, 42, 7];

describe('ReferenceModel as a LanguageModel', () => {
  it('all-position logits of one pass equal token-by-token decoding, and `all: false` gives the last row', async () => {
    const a = await ReferenceModel.load(inMemoryWeights(model), { maxLength: 32 });
    const all = await a.forward(prompt, 0, { all: true });
    expect(all.length).toBe(prompt.length * V);
    expect(a.length).toBe(prompt.length);
    const b = await ReferenceModel.load(inMemoryWeights(model), { maxLength: 32 });
    for (let i = 0; i < prompt.length; i++) {
      const row = await b.forward([prompt[i]], i);
      expect(row.length).toBe(V);
      expectSameValues(row, all.subarray(i * V, (i + 1) * V), `position ${i}`);
    }
    const last = await a.forward(prompt, 0);
    expectSameValues(last, all.subarray((prompt.length - 1) * V), 'last');
  });

  it('cuts the KV cache back: forward at an earlier start replaces the rejected tail', async () => {
    const m = await ReferenceModel.load(inMemoryWeights(model), { maxLength: 32 });
    await m.forward(prompt, 0);
    const resumed = await m.forward([5, 6, 7], 3, { all: true });
    expect(m.length).toBe(6);
    const fresh = await ReferenceModel.load(inMemoryWeights(model), { maxLength: 32 });
    const want = await fresh.forward([...prompt.slice(0, 3), 5, 6, 7], 0, { all: true });
    expectSameValues(resumed, want.subarray(3 * V), 'resumed');
    m.truncate(2);
    expect(m.length).toBe(2);
  });

  it('grouped-query attention equals multi-head attention with each KV head repeated for its group', async () => {
    const c = model.config; // 6 query heads share 2 KV heads: heads 0-2 read KV head 0, heads 3-5 read KV head 1
    const group = c.numHeads / c.numKvHeads;
    const repeat = (x: Float32Array, rowLen: number) => {
      const out = new Float32Array(x.length * group);
      for (let h = 0; h < c.numHeads; h++) {
        const src = Math.floor(h / group) * c.headDim * rowLen;
        out.set(x.subarray(src, src + c.headDim * rowLen), h * c.headDim * rowLen);
      }
      return out;
    };
    const mha: RandomModel = { config: { ...c, numKvHeads: c.numHeads }, tensors: new Map(model.tensors) };
    for (let l = 0; l < c.numLayers; l++) {
      for (const p of ['k_proj', 'v_proj']) {
        const w = `model.layers.${l}.self_attn.${p}.weight`, b = `model.layers.${l}.self_attn.${p}.bias`;
        mha.tensors.set(w, repeat(model.tensors.get(w)!, c.hiddenSize));
        mha.tensors.set(b, repeat(model.tensors.get(b)!, 1));
      }
    }
    const gqa = await (await ReferenceModel.load(inMemoryWeights(model))).forward(prompt, 0, { all: true });
    const full = await (await ReferenceModel.load(inMemoryWeights(mha))).forward(prompt, 0, { all: true });
    expect(maxAbsDiff(gqa, full).max).toBeLessThan(1e-5);
  });

  it('rejects bad arguments with typed errors', async () => {
    const m = await ReferenceModel.load(inMemoryWeights(model), { maxLength: 8 });
    await expect(m.forward([V], 0)).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringMatching(/token 384 at index 0/) });
    await expect(m.forward([1.5], 0)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(m.forward([1], 1)).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringMatching(/holds 0 tokens/) });
    await expect(m.forward(new Array(9).fill(1), 0)).rejects.toMatchObject({ code: 'context-length' });
    await expect(m.forward([], 0)).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(() => m.truncate(3)).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    m.dispose();
    await expect(m.forward([1], 0)).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});

describe('RoPE frequencies', () => {
  it('follow theta^(-2i/d), and Llama 3 scaling slows only the low frequencies', () => {
    const base = { ...model.config, headDim: 64, ropeTheta: 500000 };
    const plain = ropeInverseFrequencies(base);
    expect(plain[0]).toBe(1);
    expect(plain[16]).toBeCloseTo(500000 ** -0.5, 12);
    const llama32: RopeScalingLlama3 = { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 };
    const scaled = ropeInverseFrequencies({ ...base, ropeScaling: llama32 });
    expect(scaled[0]).toBe(plain[0]); // wavelength 2*pi < 8192/4: unchanged
    expect(scaled[31]).toBeCloseTo(plain[31] / 32, 15); // wavelength > 8192: slowed by factor
    const mid = Array.from(scaled).findIndex((f, i) => f !== plain[i] && Math.abs(f - plain[i] / 32) > 1e-12 * plain[i]);
    expect(scaled[mid]).toBeLessThan(plain[mid]);
    expect(scaled[mid]).toBeGreaterThan(plain[mid] / 32);
  });

  it('Llama 3 parameters are recovered from llama.cpp-style per-frequency divisors', () => {
    const cases: [RopeScalingLlama3, number, number][] = [
      [{ type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 }, 64, 500000],
      [{ type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 64 }, 16, 10000],
      [{ type: 'llama3', factor: 4, lowFreqFactor: 2, highFreqFactor: 2.5, originalMaxPositionEmbeddings: 100 }, 8, 10000],
    ];
    for (const [s, d, theta] of cases) {
      const div = Float32Array.from(llama3FreqDivisors(s, d, theta));
      const fit = fitLlama3Scaling(div, d, theta);
      expect(fit, JSON.stringify(s)).toBeDefined();
      const again = llama3FreqDivisors(fit!, d, theta);
      for (let i = 0; i < div.length; i++) expect(again[i]).toBeCloseTo(div[i], 4);
    }
    expect(fitLlama3Scaling(Float32Array.of(1, 3, 1, 8), 8, 10000)).toBeUndefined();
  });
});
