import { beforeAll, describe, it } from 'vitest';
import type { GpuContext } from '../gpu/context';
import { rmsnormRef } from './cpu-reference';
import { RmsNorm } from './rmsnorm';
import { expectClose, randomArray, readTensor, testContext } from './testing';

// (rows, dim): decode, a per-head view (many short rows), a row longer than the workgroup.
const SHAPES: [number, number][] = [
  [1, 5],
  [7, 67],
  [24, 8],
  [3, 300],
];

describe('rmsnorm', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await testContext();
  });

  for (const variant of ['row', 'workgroup'] as const) {
    it(`${variant}: matches the CPU reference`, async () => {
      const op = await RmsNorm.create(ctx, { variant });
      for (const [rows, dim] of SHAPES) {
        const x = randomArray(rows * dim, rows + dim, 3);
        const w = randomArray(dim, dim, 2);
        const eps = 1e-5;
        const xt = ctx.uploadTensor('x', [rows, dim], 'f32', x);
        const wt = ctx.uploadTensor('w', [dim], 'f32', w);
        const out = ctx.createTensor('out', [rows, dim], 'f32');
        const rec = ctx.recorder('rmsnorm test');
        op.encode(rec, xt, wt, out, eps);
        rec.submit();
        expectClose(await readTensor(ctx, out), rmsnormRef(x, w, rows, dim, eps), { atol: 1e-5, rtol: 1e-5, label: `${variant} (${rows}, ${dim})` });
      }
    });
  }
});
