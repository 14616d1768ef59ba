import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../gpu/context';
import { rmsnormRef, ropeRef } from './cpu-reference';
import { QkvSplit } from './qkv';
import { ropeInvFreq, ropeTable } from './rope';
import { expectClose, randomArray, readTensor, testContext } from './testing';

/** The head block [h0, h0 + count) of every token of qkv (n, width, dim), as (n, count, dim). */
function heads(qkv: Float32Array, n: number, width: number, dim: number, h0: number, count: number): Float32Array {
  const out = new Float32Array(n * count * dim);
  for (let t = 0; t < n; t++) out.set(qkv.subarray((t * width + h0) * dim, (t * width + h0 + count) * dim), t * count * dim);
  return out;
}

describe('qkv split (per-head norm + RoPE + KV-cache store)', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await testContext();
  });

  // (n, heads, kvHeads, dim, start, norm)
  for (const [n, nh, nkv, dim, start, norm] of [
    [1, 4, 2, 8, 3, false],
    [5, 6, 2, 16, 0, true],
    [3, 3, 3, 6, 9, true],
  ] as const) {
    it(`matches norm → rope → store: n=${n} heads=${nh}/${nkv} dim=${dim} start=${start} norm=${norm}`, async () => {
      const op = await QkvSplit.create(ctx);
      const width = nh + 2 * nkv;
      const maxLen = start + n + 2;
      const params = { headDim: dim, ropeTheta: 10000 };
      const qkv = randomArray(n * width * dim, n + width + dim, 2);
      const qw = randomArray(dim, 1, 1);
      const kw = randomArray(dim, 2, 1);
      const eps = 1e-6;

      let q = heads(qkv, n, width, dim, 0, nh);
      let k = heads(qkv, n, width, dim, nh, nkv);
      const v = heads(qkv, n, width, dim, nh + nkv, nkv);
      if (norm) {
        q = rmsnormRef(q, qw, n * nh, dim, eps);
        k = rmsnormRef(k, kw, n * nkv, dim, eps);
      }
      const inv = ropeInvFreq(params);
      q = ropeRef(q, n, nh, dim, start, inv);
      k = ropeRef(k, n, nkv, dim, start, inv);

      const qt = ctx.createTensor('q', [n, nh, dim], 'f32');
      const kc = ctx.createTensor('k cache', [maxLen, nkv, dim], 'f32');
      const vc = ctx.createTensor('v cache', [maxLen, nkv, dim], 'f32');
      const rec = ctx.recorder('qkv test');
      op.encode(rec, {
        qkv: ctx.uploadTensor('qkv', [n, width, dim], 'f32', qkv),
        table: ctx.uploadTensor('table', [maxLen, dim / 2, 2], 'f32', ropeTable(params, maxLen)),
        q: qt,
        kCache: kc,
        vCache: vc,
        start,
        norm: norm ? { q: ctx.uploadTensor('qn', [dim], 'f32', qw), k: ctx.uploadTensor('kn', [dim], 'f32', kw), eps } : undefined,
      });
      rec.submit();
      const tol = { atol: 2e-6, rtol: 1e-5 };
      expectClose(await readTensor(ctx, qt), q, { ...tol, label: 'q' });
      const row = nkv * dim;
      const kAll = await readTensor(ctx, kc);
      const vAll = await readTensor(ctx, vc);
      expectClose(kAll.subarray(start * row, (start + n) * row), k, { ...tol, label: 'k cache rows' });
      expectClose(vAll.subarray(start * row, (start + n) * row), v, { atol: 0, rtol: 0, label: 'v cache rows' });
      // Rows outside start .. start+n-1 untouched.
      expect([...kAll.subarray(0, start * row), ...kAll.subarray((start + n) * row)].every((x) => x === 0)).toBe(true);
    });
  }
});
