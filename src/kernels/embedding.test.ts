import { beforeAll, describe, it } from 'vitest';
import type { GpuContext } from '../gpu/context';
import { embeddingRef } from './cpu-reference';
import { Embedding } from './embedding';
import { expectClose, lavapipeContext, randomArray, readTensor, rng, testContext, toF16 } from './testing';

async function check(ctx: GpuContext, dtype: 'f32' | 'f16', n: number, vocab: number, dim: number) {
  const emb = await Embedding.create(ctx, { tableDtype: dtype });
  const r = rng(n * 31 + vocab);
  const ids = Uint32Array.from({ length: n }, () => Math.floor(r() * vocab));
  ids[0] = vocab - 1; // the last row is reachable
  let table = randomArray(vocab * dim, vocab + dim);
  let tt;
  if (dtype === 'f16') {
    const h = toF16(table);
    table = h.values as Float32Array<ArrayBuffer>;
    tt = ctx.uploadTensor('table', [vocab, dim], 'f16', h.bits);
  } else {
    tt = ctx.uploadTensor('table', [vocab, dim], 'f32', table);
  }
  const idt = ctx.uploadTensor('ids', [n], 'u32', ids);
  const out = ctx.createTensor('out', [n, dim], 'f32');
  const rec = ctx.recorder('embedding test');
  emb.encode(rec, idt, tt, out);
  rec.submit();
  expectClose(await readTensor(ctx, out), embeddingRef(ids, table, dim), { atol: 0, rtol: 0, label: `embedding ${dtype} (${n}, ${vocab}, ${dim})` });
}

const SHAPES: [number, number, number][] = [
  [1, 7, 5],
  [13, 100, 67],
  [70, 33, 64],
];

describe('embedding', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await testContext();
  });

  it('f32 table matches the CPU reference exactly', async () => {
    for (const [n, vocab, dim] of SHAPES) await check(ctx, 'f32', n, vocab, dim);
  });

  it('f16 table (lavapipe) matches the rounded table exactly', async (t) => {
    const lvp = await lavapipeContext();
    if (!lvp) return t.skip();
    for (const [n, vocab, dim] of SHAPES) await check(lvp, 'f16', n, vocab, dim);
  });
});
