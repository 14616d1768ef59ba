// weightDtype 'f16' on an adapter without shader-f16 (SwiftShader): matrices stored as packed halves
// (src/kernels/matmul-packed.ts), checked against the CPU reference run on the same f16-rounded weights.
import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../gpu/context';
import { f16BitsToF32, f32ToF16Bits } from '../gpu/f16';
import { expectClose, testContext } from '../kernels/testing';
import { inMemoryWeights, randomModel, SHAPES, type RandomModel, type RandomModelSpec } from '../../test/utils/random-model';
import { ReferenceModel } from './reference';
import { Transformer } from './transformer';

const TOL = { atol: 2e-4, rtol: 2e-4 };

/** The model with every matrix rounded to f16 (norms and biases kept), so packing it loses nothing. */
function f16Matrices(model: RandomModel): RandomModel {
  const round = (n: string, v: Float32Array) =>
    n.endsWith('norm.weight') || n.endsWith('.bias') ? v : v.map((x) => f16BitsToF32(f32ToF16Bits(x)));
  return { config: model.config, tensors: new Map([...model.tensors].map(([n, v]) => [n, round(n, v)])) };
}

// Hidden 36 and FFN 52 are not multiples of 8: their packed rows end in a half-padded chunk.
const ODD: RandomModelSpec = { architecture: 'qwen2', vocabSize: 131, hiddenSize: 36, intermediateSize: 52, numLayers: 2, numHeads: 3, numKvHeads: 1 };

describe('Transformer with packed f16 weights (SwiftShader, no shader-f16)', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await testContext();
  });

  const cases: [string, RandomModelSpec][] = [['qwen3 (tied embeddings)', SHAPES.qwen3], ['qwen2 with odd sizes (untied)', ODD]];
  for (const [name, spec] of cases) {
    it(`${name}: prefill and decode match the reference on f16-rounded weights`, async () => {
      expect(ctx.profile.f16).toBe(false);
      const weights = inMemoryWeights(f16Matrices(randomModel(spec, 5)));
      const gpu = await Transformer.load(ctx, weights, { maxLength: 16, weightDtype: 'f16' });
      expect(gpu.matrixDtype).toBe('packed-f16');
      const ref = await ReferenceModel.load(weights, { maxLength: 16 });
      const V = weights.config.vocabSize;
      const prompt = Array.from({ length: 5 }, (_, i) => (i * 37 + 11) % V);
      expectClose(await gpu.forward(prompt, 0, { all: true }), await ref.forward(prompt, 0, { all: true }), { ...TOL, label: `${name} prefill` });
      expectClose(await gpu.forward([9], 5), await ref.forward([9], 5), { ...TOL, label: `${name} decode` });
      gpu.dispose();
    });
  }

  it("'auto' keeps f32 where the adapter has no shader-f16", async () => {
    const gpu = await Transformer.load(ctx, inMemoryWeights(randomModel(SHAPES.llama, 1)), { maxLength: 4 });
    expect(gpu.matrixDtype).toBe('f32');
    gpu.dispose();
  });
});
