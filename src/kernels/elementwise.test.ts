// The small elementwise ops: in-place (broadcast) add and SwiGLU.
import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../gpu/context';
import { AddInPlace } from './add';
import { swigluRef } from './cpu-reference';
import { SwiGlu } from './swiglu';
import { expectClose, randomArray, readTensor, testContext } from './testing';

describe('elementwise ops', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await testContext();
  });

  it('add: residual (same shape) and bias (broadcast over rows)', async () => {
    const add = await AddInPlace.create(ctx);
    for (const [rows, cols, period] of [
      [1, 3, 3],
      [5, 67, 5 * 67],
      [9, 33, 33],
    ]) {
      const a = randomArray(rows * cols, rows + cols);
      const b = randomArray(period, period);
      const at = ctx.uploadTensor('a', [rows, cols], 'f32', a);
      const bt = ctx.uploadTensor('b', [period], 'f32', b);
      const rec = ctx.recorder('add test');
      add.encode(rec, at, bt);
      rec.submit();
      const want = a.map((v, i) => v + b[i % period]);
      expectClose(await readTensor(ctx, at), want, { atol: 0, rtol: 0, label: `add (${rows}, ${cols}) + (${period})` });
    }
  });

  it('add: rejects a b that does not tile a', async () => {
    const add = await AddInPlace.create(ctx);
    const rec = ctx.recorder('add bad');
    expect(() => add.encode(rec, ctx.createTensor('a', [2, 5], 'f32'), ctx.createTensor('b', [3], 'f32'))).toThrow(/does not tile/);
    rec.submit();
  });

  it('swiglu: matches silu(gate) * up over the fused [gate | up] rows, including large |gate|', async () => {
    const op = await SwiGlu.create(ctx);
    for (const [n, f] of [
      [1, 7],
      [6, 131],
    ]) {
      const gu = randomArray(n * 2 * f, f, 30);
      const gate = new Float32Array(n * f);
      const up = new Float32Array(n * f);
      for (let t = 0; t < n; t++) {
        gate.set(gu.subarray(t * 2 * f, t * 2 * f + f), t * f);
        up.set(gu.subarray(t * 2 * f + f, (t + 1) * 2 * f), t * f);
      }
      const gut = ctx.uploadTensor('gate_up', [n, 2 * f], 'f32', gu);
      const out = ctx.createTensor('out', [n, f], 'f32');
      const rec = ctx.recorder('swiglu test');
      op.encode(rec, gut, out);
      rec.submit();
      expectClose(await readTensor(ctx, out), swigluRef(gate, up), { atol: 1e-6, rtol: 1e-5, label: `swiglu (${n}, ${f})` });
    }
  });
});
