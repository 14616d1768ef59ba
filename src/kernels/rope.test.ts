import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../gpu/context';
import { ropeRef } from './cpu-reference';
import { Rope, ropeInvFreq, ropeTable } from './rope';
import { expectClose, randomArray, readTensor, testContext } from './testing';

describe('rope', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await testContext();
  });

  it('inv_freq with Llama 3 rope_scaling matches transformers (values from torch)', () => {
    // transformers' _compute_llama3_parameters, theta 500000, dim 64, factor 8, low 1, high 4, original 8192,
    // evaluated with torch 1.13: high frequencies unchanged, medium smoothed, low divided by 8.
    const inv = ropeInvFreq({
      headDim: 64,
      ropeTheta: 500000,
      ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 },
    });
    const torch: [number, number][] = [
      [0, 1.0],
      [14, 0.0032114461064338684],
      [15, 0.0013718936825171113],
      [16, 0.0005248460220173001],
      [17, 0.0001785077911335975],
      [18, 7.784655463183299e-5],
      [31, 3.76732259610435e-7],
    ];
    // Within 1e-6 relative: float32 rounding of the smoothing arithmetic may differ by an ulp.
    for (const [i, want] of torch) expect(Math.abs(inv[i] - want) / want, `inv_freq[${i}]`).toBeLessThan(1e-6);
    const plain = ropeInvFreq({ headDim: 64, ropeTheta: 500000 });
    expect(Math.abs(plain[16] - 0.001414213445968926) / 0.001414213445968926).toBeLessThan(1e-6);
  });

  for (const [n, heads, dim, start] of [
    [1, 1, 2, 0],
    [1, 4, 8, 37],
    [5, 3, 64, 1000],
    [9, 2, 18, 3],
  ]) {
    it(`in place and into a cache match the reference: n=${n} heads=${heads} dim=${dim} start=${start}`, async () => {
      const op = await Rope.create(ctx);
      const params = { headDim: dim, ropeTheta: 10000 };
      const positions = start + n + 2;
      const table = ctx.uploadTensor('rope table', [positions, dim / 2, 2], 'f32', ropeTable(params, positions));
      const x = randomArray(n * heads * dim, n + heads + dim);
      const want = ropeRef(x, n, heads, dim, start, ropeInvFreq(params));

      const xt = ctx.uploadTensor('x', [n, heads, dim], 'f32', x);
      const rows = n + 4;
      const dst = ctx.createTensor('cache', [rows, heads, dim], 'f32');
      const rec = ctx.recorder('rope test');
      op.encodeInto(rec, xt, dst, 3, table, start);
      op.encodeInPlace(rec, xt, table, start);
      rec.submit();
      expectClose(await readTensor(ctx, xt), want, { atol: 2e-6, rtol: 1e-5, label: 'rope in place' });
      const cache = await readTensor(ctx, dst);
      const row = heads * dim;
      expectClose(cache.subarray(3 * row, (3 + n) * row), want, { atol: 2e-6, rtol: 1e-5, label: 'rope into cache' });
      expect([...cache.subarray(0, 3 * row), ...cache.subarray((3 + n) * row)].every((v) => v === 0)).toBe(true);
    });
  }
});
