import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../gpu/context';
import { Attention } from './attention';
import { attentionRef } from './cpu-reference';
import { expectClose, randomArray, readTensor, testContext } from './testing';

// (n, heads, kvHeads, dim, start, maxLen): decode at a later position, prefill from 0, a verify block in the
// middle (causal mask inside the block), multi-head (kv = heads), and a head_dim at the 256 limit.
const CASES: [number, number, number, number, number, number][] = [
  [1, 4, 2, 8, 5, 8],
  [2, 2, 1, 36, 150, 152],
  [3, 2, 2, 4, 0, 3],
  [5, 6, 2, 16, 7, 20],
  [2, 3, 1, 12, 0, 5],
  [1, 2, 1, 256, 3, 4],
];

describe('attention', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await testContext();
  });

  for (const [i, [n, heads, kvHeads, dim, start, maxLen]] of CASES.entries()) {
    // Every case for `online`; `split` (barriers: slow on SwiftShader) on all but the largest, plus a
    // context longer than its 64 threads.
    const variants = i === CASES.length - 1 ? (['online'] as const) : (['online', 'split'] as const);
    for (const variant of variants) {
      it(`${variant} matches softmax attention: n=${n} heads=${heads}/${kvHeads} dim=${dim} start=${start}`, async () => {
        const op = await Attention.create(ctx, { variant });
        const q = randomArray(n * heads * dim, 1 + n * dim, 2);
        const k = randomArray(maxLen * kvHeads * dim, 2 + dim, 2);
        const v = randomArray(maxLen * kvHeads * dim, 3 + dim);
        const qt = ctx.uploadTensor('q', [n, heads, dim], 'f32', q);
        const kt = ctx.uploadTensor('k', [maxLen, kvHeads, dim], 'f32', k);
        const vt = ctx.uploadTensor('v', [maxLen, kvHeads, dim], 'f32', v);
        const out = ctx.createTensor('out', [n, heads, dim], 'f32');
        const rec = ctx.recorder('attention test');
        op.encode(rec, qt, kt, vt, out, start);
        rec.submit();
        expectClose(await readTensor(ctx, out), attentionRef(q, k, v, n, heads, kvHeads, dim, start), { atol: 2e-6, rtol: 1e-5 });
      });
    }
  }

  for (const variant of ['online', 'split'] as const) {
    it(`${variant}: keys past the causal limit do not matter`, async () => {
      // Garbage in cache rows beyond start + n - 1 must not change the result.
      const op = await Attention.create(ctx, { variant });
      const [n, heads, dim, start, maxLen] = [2, 2, 8, 1, 6];
      const q = randomArray(n * heads * dim, 5);
      const k = randomArray(maxLen * heads * dim, 6);
      const v = randomArray(maxLen * heads * dim, 7);
      const k2 = k.slice();
      const v2 = v.slice();
      for (let i = (start + n) * heads * dim; i < k.length; i++) k2[i] = v2[i] = 1e6;
      const run = async (kk: Float32Array<ArrayBuffer>, vv: Float32Array<ArrayBuffer>) => {
        const out = ctx.createTensor('out', [n, heads, dim], 'f32');
        const rec = ctx.recorder('attention mask');
        op.encode(
          rec,
          ctx.uploadTensor('q', [n, heads, dim], 'f32', q),
          ctx.uploadTensor('k', [maxLen, heads, dim], 'f32', kk),
          ctx.uploadTensor('v', [maxLen, heads, dim], 'f32', vv),
          out,
          start,
        );
        rec.submit();
        return readTensor(ctx, out);
      };
      expect(await run(k2, v2)).toEqual(await run(k, v));
    });
  }
});
