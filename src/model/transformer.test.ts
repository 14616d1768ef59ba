// The WebGPU Transformer against the CPU reference transformer (src/model/reference.ts) on random-weight
// models of each family (test/utils/random-model.ts), on Dawn with SwiftShader; f16 weights on lavapipe.
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors';
import type { GpuContext } from '../gpu/context';
import { f16BitsToF32, f32ToF16Bits } from '../gpu/f16';
import { expectClose, lavapipeContext, testContext } from '../kernels/testing';
import { inMemoryWeights, randomModel, SHAPES, type RandomModel } from '../../test/utils/random-model';
import { ReferenceModel } from './reference';
import { Transformer } from './transformer';

const TOL = { atol: 2e-4, rtol: 2e-4 };

function tokens(n: number, vocab: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => (seed * 7919 + i * 104729) % vocab);
}

function argmaxRows(logits: Float32Array, vocab: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < logits.length / vocab; r++) {
    let best = 0;
    for (let j = 1; j < vocab; j++) if (logits[r * vocab + j] > logits[r * vocab + best]) best = j;
    out.push(best);
  }
  return out;
}

describe('Transformer vs the CPU reference (SwiftShader)', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await testContext();
  });

  for (const [name, spec] of Object.entries(SHAPES)) {
    it(`${name}: prefill (all rows), decode steps, and a cut-back verify block agree`, async () => {
      const model = randomModel(spec, 42);
      const weights = inMemoryWeights(model);
      const gpu = await Transformer.load(ctx, weights, { maxLength: 32 });
      const ref = await ReferenceModel.load(weights, { maxLength: 32 });
      const V = model.config.vocabSize;
      const prompt = tokens(7, V, 1);

      const label = (what: string) => `${name} ${what}`;
      expectClose(await gpu.forward(prompt, 0, { all: true }), await ref.forward(prompt, 0, { all: true }), { ...TOL, label: label('prefill') });
      for (let step = 0; step < 3; step++) {
        const t = [(step * 31 + 5) % V];
        expectClose(await gpu.forward(t, 7 + step), await ref.forward(t, 7 + step), { ...TOL, label: label(`decode ${step}`) });
      }
      expect(gpu.length).toBe(10);
      // Speculative verification: drop 2 tokens, then score 4 drafted ones in one pass.
      const draft = tokens(4, V, 9);
      expectClose(await gpu.forward(draft, 8, { all: true }), await ref.forward(draft, 8, { all: true }), { ...TOL, label: label('verify') });
      expect(gpu.length).toBe(12);
      gpu.dispose();
    });
  }

  it('forwardArgmax equals the argmax of forward, for all rows and for the last', async () => {
    const model = randomModel(SHAPES.qwen2, 7);
    const gpu = await Transformer.load(ctx, inMemoryWeights(model), { maxLength: 16 });
    const V = model.config.vocabSize;
    const prompt = tokens(6, V, 3);
    const logits = await gpu.forward(prompt, 0, { all: true });
    expect(Array.from(await gpu.forwardArgmax(prompt, 0, { all: true }))).toEqual(argmaxRows(logits, V));
    expect(Array.from(await gpu.forwardArgmax(prompt, 0))).toEqual(argmaxRows(logits, V).slice(-1));
    gpu.dispose();
  });

  it('draftGreedy equals k chained forwardArgmax calls and leaves the same KV cache (k = 1, 3, 5)', async () => {
    const model = randomModel(SHAPES.qwen2, 13);
    const weights = inMemoryWeights(model);
    // maxBatch 2 splits the 3-token first pass into chunks, as a long catch-up would be.
    const chained = await Transformer.load(ctx, weights, { maxLength: 24, maxBatch: 2 });
    const stepped = await Transformer.load(ctx, weights, { maxLength: 24, maxBatch: 2 });
    const V = model.config.vocabSize;
    const prompt = tokens(12, V, 4);
    for (const [k, start, fed] of [[1, 5, 2], [3, 7, 1], [5, 9, 3]]) {
      const context = prompt.slice(0, start + fed);
      await chained.forward(context.slice(0, start), 0);
      await stepped.forward(context.slice(0, start), 0);
      const got = Array.from(await chained.draftGreedy(context.slice(start), start, k));
      const want: number[] = [];
      let [next] = await stepped.forwardArgmax(context.slice(start), start);
      want.push(next);
      for (let i = 1; i < k; i++) {
        [next] = await stepped.forwardArgmax([next], start + fed + i - 1);
        want.push(next);
      }
      expect(got, `k = ${k}`).toEqual(want);
      expect(chained.length, `k = ${k}`).toBe(start + fed + k - 1);
      expect(chained.length).toBe(stepped.length);
      // The cached keys and values agree: feeding the last proposal gives the same logits.
      const at = chained.length;
      expectClose(await chained.forward([got[k - 1]], at), await stepped.forward([want[k - 1]], at), { atol: 1e-6, rtol: 1e-6, label: `k = ${k}` });
    }
    await expect(chained.draftGreedy([1], 0, 0)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(chained.length).toBe(17);
    await expect(chained.draftGreedy([1, 2], 17, 7)).rejects.toMatchObject({ code: 'context-length' }); // 17 + 2 + 6 > 24
    expect(Array.from(await chained.draftGreedy([1, 2], 17, 6))).toHaveLength(6); // 17 + 2 + 5 = 24 fits
    expect(chained.length).toBe(24);
    chained.dispose();
    stepped.dispose();
  });

  it('splitting a pass into chunks (maxBatch) changes nothing', async () => {
    const model = randomModel(SHAPES.llama, 11);
    const weights = inMemoryWeights(model);
    const whole = await Transformer.load(ctx, weights, { maxLength: 16 });
    const chunked = await Transformer.load(ctx, weights, { maxLength: 16, maxBatch: 3 });
    const prompt = tokens(8, model.config.vocabSize, 5);
    expectClose(await chunked.forward(prompt, 0, { all: true }), await whole.forward(prompt, 0, { all: true }), { atol: 1e-6, rtol: 1e-6 });
    expectClose(await chunked.forward(prompt, 0), await whole.forward(prompt, 0), { atol: 1e-6, rtol: 1e-6 });
    whole.dispose();
    chunked.dispose();
  });

  it('traces the residual stream per layer, and the trace matches the reference', async () => {
    const model = randomModel(SHAPES.qwen3, 5);
    const weights = inMemoryWeights(model);
    const seen: Record<string, Float32Array> = {};
    const gpu = await Transformer.load(ctx, weights, { maxLength: 8, trace: (n, pos, v) => (seen[`${n}@${pos}`] = v) });
    const want: Record<string, Float32Array> = {};
    const ref = await ReferenceModel.load(weights, { maxLength: 8, trace: (n, pos, v) => (want[`${n}@${pos}`] = v.slice()) });
    await gpu.forward([3, 4], 0);
    await ref.forward([3, 4], 0);
    expect(Object.keys(seen).sort()).toEqual(Object.keys(want).sort());
    for (const k of Object.keys(want)) expectClose(seen[k], want[k], { ...TOL, label: k });
    gpu.dispose();
  });

  it('rejects a config the kernels cannot run, naming the field', async () => {
    const model = randomModel({ ...SHAPES.llama, headDim: 6 }, 1);
    await expect(Transformer.load(ctx, inMemoryWeights(model))).rejects.toMatchObject({ code: 'config-mismatch', message: /headDim \(6\)/ });
  });

  it('rejects bad tokens, positions past the cache, and a full cache with typed errors', async () => {
    const model = randomModel(SHAPES.llama, 1);
    const gpu = await Transformer.load(ctx, inMemoryWeights(model), { maxLength: 4 });
    await expect(gpu.forward([model.config.vocabSize], 0)).rejects.toThrow(/outside the vocabulary/);
    await expect(gpu.forward([1.5], 0)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(gpu.forward([1], 1)).rejects.toThrow(/holds 0 tokens/);
    await expect(gpu.forward([1, 2, 3, 4, 5], 0)).rejects.toMatchObject({ code: 'context-length' });
    await gpu.forward([1, 2], 0); // still usable after the rejections
    expect(() => gpu.truncate(3)).toThrow(InvalidArgumentError);
    gpu.truncate(1);
    expect(gpu.length).toBe(1);
    gpu.dispose();
    await expect(gpu.forward([1], 0)).rejects.toThrow(/disposed/);
  });
});

describe('Transformer with f16 weights (lavapipe)', () => {
  it('matches the reference run on the f16-rounded weights', async (t) => {
    const ctx = await lavapipeContext();
    if (!ctx) return t.skip();
    const model = randomModel(SHAPES.qwen3, 3);
    // Round every matrix to f16, as the GPU stores it; norms stay f32.
    const rounded: RandomModel = {
      config: model.config,
      tensors: new Map(
        [...model.tensors].map(([n, v]) => [n, n.endsWith('norm.weight') || n.endsWith('.bias') ? v : v.map((x) => f16BitsToF32(f32ToF16Bits(x)))]),
      ),
    };
    const gpu = await Transformer.load(ctx, inMemoryWeights(model), { maxLength: 16, weightDtype: 'f16' });
    expect(gpu.matrixDtype).toBe('f16');
    const ref = await ReferenceModel.load(inMemoryWeights(rounded), { maxLength: 16 });
    const prompt = tokens(5, model.config.vocabSize, 2);
    expectClose(await gpu.forward(prompt, 0, { all: true }), await ref.forward(prompt, 0, { all: true }), { ...TOL, label: 'f16 prefill' });
    expectClose(await gpu.forward([9], 5), await ref.forward([9], 5), { ...TOL, label: 'f16 decode' });
    gpu.dispose();
  });
});
