import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../gpu/context';
import { Argmax } from './argmax';
import { argmaxRef } from './cpu-reference';
import { randomArray, readTensor, testContext } from './testing';

describe('argmax', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await testContext();
  });

  for (const [rows, cols] of [
    [1, 1],
    [1, 1000],
    [5, 257],
    [3, 8192],
  ]) {
    it(`matches the first maximum per row: (${rows}, ${cols})`, async () => {
      const op = await Argmax.create(ctx);
      const x = randomArray(rows * cols, rows * cols);
      if (cols > 600) {
        // A tie across chunks (the lower index must win) and a NaN (must never win) in row 0.
        x[100] = 5;
        x[cols - 3] = 5;
        x[7] = NaN;
      }
      const xt = ctx.uploadTensor('x', [rows, cols], 'f32', x);
      const out = ctx.createTensor('ids', [rows], 'u32');
      const scratch = ctx.createTensor('scratch', [Argmax.scratchBytes(rows, cols) / 4], 'u32');
      const rec = ctx.recorder('argmax test');
      op.encode(rec, xt, out, scratch.buffer);
      rec.submit();
      const got = Array.from(await readTensor(ctx, out));
      const want = Array.from(argmaxRef(x, rows, cols));
      expect(got).toEqual(want);
      if (cols > 600) expect(got[0]).toBe(100);
    });
  }
});
