import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../gpu/context';
import { Matmul, type MatmulVariant, type MatmulWeightDtype } from './matmul';
import { packedF16Words, packF16Rows } from './matmul-packed';
import { expectClose, lavapipeContext, randomArray, readTensor, testContext, testContextWithoutSubgroups, toF16 } from './testing';

/** y (m, n) = x (m, k) · Wᵀ, W (n, k), accumulated in f64 (kept in f64 here to judge f32 rounding). */
function matmulRef(x: Float32Array, w: Float32Array, m: number, n: number, k: number): Float64Array {
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += x[i * k + t] * w[j * k + t];
      y[i * n + j] = s;
    }
  return y;
}

// (m, n, k): decode, verification and prefill sizes; n and m not multiples of 4 or of the workgroup size.
const SHAPES: [number, number, number][] = [
  [1, 1, 4],
  [1, 67, 36],
  [1, 257, 520],
  [3, 33, 64],
  [9, 70, 132],
  [17, 45, 260],
];

async function check(ctx: GpuContext, variant: MatmulVariant, dtype: MatmulWeightDtype, [m, n, k]: [number, number, number], accumulate = false) {
  const mm = await Matmul.create(ctx, { variant, weightDtype: dtype });
  const x = randomArray(m * k, 1000 + m * 7 + k);
  let w = randomArray(n * k, 2000 + n * 3 + k);
  const xt = ctx.uploadTensor('x', [m, k], 'f32', x);
  let wt;
  if (dtype === 'f16') {
    const h = toF16(w);
    w = h.values as Float32Array<ArrayBuffer>;
    wt = ctx.uploadTensor('w', [n, k], 'f16', h.bits);
  } else if (dtype === 'packed-f16') {
    w = toF16(w).values as Float32Array<ArrayBuffer>; // the reference sees the weights as the GPU stores them
    wt = ctx.uploadTensor('w', [n, packedF16Words(k)], 'u32', packF16Rows(randomArray(n * k, 2000 + n * 3 + k), n, k));
  } else {
    wt = ctx.uploadTensor('w', [n, k], 'f32', w);
  }
  const y0 = randomArray(m * n, 3000 + m + n);
  const yt = accumulate ? ctx.uploadTensor('y', [m, n], 'f32', y0) : ctx.createTensor('y', [m, n], 'f32');
  const rec = ctx.recorder('matmul test');
  mm.encode(rec, xt, wt, yt, { accumulate });
  rec.submit();
  const y = await readTensor(ctx, yt);
  const want = matmulRef(x, w, m, n, k);
  if (accumulate) want.forEach((v, i) => (want[i] = v + y0[i]));
  // Sums of k products of values in [-1, 1): f32 rounding grows like sqrt(k).
  expectClose(y, want, { atol: 1e-5 * Math.sqrt(k), rtol: 1e-5, label: `${variant} ${dtype} (${m},${n},${k})` });
  for (const t of [xt, wt, yt]) t.buffer.destroy();
}

describe('matmul on SwiftShader', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await testContext();
  });

  it('rows: matches the CPU reference at several shapes', async () => {
    for (const shape of SHAPES) await check(ctx, 'rows', 'f32', shape);
  });

  it('splitk: matches the CPU reference at several shapes', async () => {
    // SwiftShader runs barriers slowly: the largest shape is left to the lavapipe f16 test.
    for (const shape of SHAPES.filter(([, n]) => n < 200)) await check(ctx, 'splitk', 'f32', shape);
  });

  for (const variant of ['rows', 'splitk'] as const) {
    it(`${variant}: accumulate adds into y (residual connections)`, async () => {
      for (const shape of [SHAPES[1], SHAPES[3]]) await check(ctx, variant, 'f32', shape, true);
    });
  }

  it('rows with packed-f16 weights (no shader-f16 needed): matches the reference on the f16-rounded weights', async () => {
    // K % 8 == 4 in (1,67,36), (9,70,132), (17,45,260): the last 8-weight chunk is half padding.
    for (const shape of SHAPES) await check(ctx, 'rows', 'packed-f16', shape);
    for (const shape of [SHAPES[1], SHAPES[4]]) await check(ctx, 'rows', 'packed-f16', shape, true);
  });

  it('packed-f16: padded row width is checked, and only the rows variant exists', async () => {
    const mm = await Matmul.create(ctx, { weightDtype: 'packed-f16' });
    expect(mm.variantFor(1)).toBe('rows');
    expect(mm.variantFor(64)).toBe('rows');
    const rec = ctx.recorder('bad packed');
    const x = ctx.createTensor('x', [1, 12], 'f32');
    const y = ctx.createTensor('y', [1, 3], 'f32');
    expect(() => mm.encode(rec, x, ctx.createTensor('w', [3, 6], 'u32'), y)).toThrow(/W has shape \(3, 6\), expected \(\*, 8\)/);
    expect(() => mm.encode(rec, x, ctx.createTensor('w', [3, 12], 'f32'), y)).toThrow(/expected \(\*, 8\)/);
    expect(() => mm.encode(rec, x, ctx.createTensor('w', [3, 8], 'f32'), y)).toThrow(/dtype f32, expected u32/);
    rec.submit();
    await expect(Matmul.create(ctx, { weightDtype: 'packed-f16', variant: 'splitk' })).rejects.toThrow(/rows variant only/);
  });

  it('splitk without subgroups (workgroup-memory reduction) matches too', async () => {
    const plain = await testContextWithoutSubgroups();
    expect(plain.profile.subgroups).toBe(false);
    for (const shape of [SHAPES[1], SHAPES[3]]) await check(plain, 'splitk', 'f32', shape);
  });

  it('tiled: matches the CPU reference, across several 64×64 tiles and a K not a multiple of its step', async () => {
    for (const shape of [SHAPES[3], SHAPES[5], [70, 130, 36]] as [number, number, number][]) await check(ctx, 'tiled', 'f32', shape);
    await check(ctx, 'tiled', 'f32', [70, 66, 20], true);
  });

  it('rejects K that is not a multiple of 4 and mismatched shapes', async () => {
    const mm = await Matmul.create(ctx);
    const rec = ctx.recorder('bad shapes');
    const x = ctx.createTensor('x', [2, 6], 'f32');
    const w = ctx.createTensor('w', [3, 6], 'f32');
    const y = ctx.createTensor('y', [2, 3], 'f32');
    expect(() => mm.encode(rec, x, w, y)).toThrow(/multiple of 4/);
    const w2 = ctx.createTensor('w2', [3, 8], 'f32');
    expect(() => mm.encode(rec, x, w2, y)).toThrow(/W has shape \(3, 8\), expected \(\*, 6\)/);
    rec.submit();
  });
});

describe('matmul with f16 weights (lavapipe)', () => {
  let ctx: GpuContext | null;
  beforeAll(async () => {
    ctx = await lavapipeContext();
  });
  afterAll(() => ctx?.destroy());

  for (const variant of ['rows', 'splitk', 'tiled'] as const) {
    it(`${variant}: f16 weights match the reference on the rounded weights`, async (t) => {
      if (!ctx) return t.skip();
      for (const shape of [SHAPES[1], SHAPES[3], SHAPES[5]]) await check(ctx, variant, 'f16', shape);
    });
  }
});
