/**
 * Kernel and decode benchmarks on the adapter Dawn finds (SwiftShader by default).
 *
 *   npm run bench:kernels                        # SwiftShader
 *   npm run bench:kernels -- --icd lavapipe      # Mesa lavapipe (after tools/lavapipe.sh)
 *   npm run bench:kernels -- --icd system        # the Vulkan loader's own drivers (a real GPU)
 *   npm run bench:kernels -- --quick             # fewer repetitions, no models
 *
 * Prints a table (GB/s and GFLOP/s per kernel, medians of several runs) and merges the results into
 * bench/kernels.json under the adapter's kind. Each kernel time is the wall-clock time of a batch of
 * dispatches in one submission divided by the batch size (submit and readback overhead amortised), and,
 * when the adapter has `timestamp-query`, also the GPU's own timestamps around the batch.
 * The decode matvec is compared with a plain TypeScript Float32Array loop measured in the same run.
 *
 * What we learnt about SwiftShader (Chromium's CPU fallback, Subzero JIT, 4-wide SIMD, 2 cores here), from
 * variants tried on 2048×2048 f32 matvec (scratch experiments, same process, interleaved with the JS loop):
 * - Every storage-buffer load whose address is not a compile-time constant is emulated lane by lane
 *   (SwiftShader's SIMD::Pointer::Load falls back to a per-lane Gather with a branch per lane), and a vec4
 *   load is four of them. Loads, not arithmetic, dominate: the same loop without loads ran 5x faster.
 * - Hence no formulation got past ~1x plain JS: rows per invocation 1/2/4/8/16 (4-8 best), vec4 vs
 *   scalar, mat4x4 vs separate accumulators, unrolled K, workgroup sizes 4-256, lanes splitting K with
 *   subgroupAdd, atomics (which take SwiftShader's dynamic sequential-load path: slower), textures
 *   (textureLoad of rgba32float: ~20% faster at best). Barriers and workgroup memory cost 10-20x. Dawn's
 *   disable_robustness toggle (not available in browsers) gained ~20%.
 * - Fewer load instructions alone do not get there either (interleaved medians, 2048² matvec, f32 rows ≈ 16 ms,
 *   JS ≈ 6 ms): halves packed in u32 and read 4 per vec2<u32> load were 1.4x slower than f32; 8 per vec4<u32>
 *   load (the `packed-f16` weights kept in src/kernels/matmul-packed.ts) tie with f32; with the conversion
 *   replaced by bare shifts (wrong values, a bound) 8 per load gained only 1.2x, and 16 per load (the bound for
 *   q8 weights) 1.3x; dropping the x loads gained 1.25x; a dispatch alone costs ~0.7 ms. Even a quarter of the W
 *   load instructions leaves the kernel near 0.5x plain JS, so packing (f16 or q8) cannot reach 2x there.
 *   The fixture decodes at the same speed with packed-f16 as with f32 (interleaved rounds, same greedy tokens).
 * - Lavapipe (LLVM, 8-wide, real gathers) runs the same barrier-free kernels at 3-10x plain JS, and there
 *   packed-f16 is the fastest matvec: 1.6x f32 and 1.5x native f16 (vec4<f16>, 4 per load).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GpuContext } from '../src/gpu/context';
import { createNodeGpuContext, lavapipeIcd } from '../src/gpu/node-gpu';
import type { CommandRecorder } from '../src/gpu/recorder';
import type { Tensor } from '../src/gpu/tensor';
import { AddInPlace } from '../src/kernels/add';
import { Argmax } from '../src/kernels/argmax';
import { Attention } from '../src/kernels/attention';
import { Embedding } from '../src/kernels/embedding';
import { Matmul, type MatmulVariant } from '../src/kernels/matmul';
import { packedF16Words, packF16Rows } from '../src/kernels/matmul-packed';
import { toF16Bits } from '../src/gpu/f16';
import { RmsNorm } from '../src/kernels/rmsnorm';
import { Rope, ropeTable } from '../src/kernels/rope';
import { SwiGlu } from '../src/kernels/swiglu';
import { randomArray } from '../src/kernels/testing';
import { loadModelPath } from '../src/model/load-node';
import { Transformer } from '../src/model/transformer';
import type { ModelWeights } from '../src/model/weights';
import { inMemoryWeights, randomModel } from '../test/utils/random-model';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const icdArg = args[args.indexOf('--icd') + 1];
const icd = args.includes('--icd') ? (icdArg === 'lavapipe' ? (lavapipeIcd() ?? 'missing-lavapipe') : icdArg) : undefined;
const RUNS = quick ? 3 : 7;

interface Row {
  kernel: string;
  shape: string;
  variant: string;
  ms: number; // wall clock per dispatch, median
  gpuMs?: number; // timestamp queries per dispatch, median
  gbps: number;
  gflops: number;
  batch: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall-clock (and GPU timestamp) time of one dispatch, from `RUNS` batches of `batch` dispatches per submit. */
async function time(ctx: GpuContext, batch: number, encode: (rec: CommandRecorder) => void): Promise<{ ms: number; gpuMs?: number }> {
  const ts = ctx.profile.timestampQuery;
  const querySet = ts ? ctx.device.createQuerySet({ label: 'bench timestamps', type: 'timestamp', count: 2 }) : null;
  const resolve = ts ? ctx.device.createBuffer({ label: 'bench resolve', size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }) : null;
  const run = async () => {
    const rec = ctx.recorder('bench');
    if (querySet && resolve) {
      rec.timed(querySet, 0, 1, () => {
        for (let i = 0; i < batch; i++) encode(rec);
      });
      rec.resolveTimestamps(querySet, 2, resolve);
    } else for (let i = 0; i < batch; i++) encode(rec);
    const r = resolve ? rec.readback(resolve, 0, 16) : null;
    rec.submit();
    await rec.done();
    if (!r) return undefined;
    const [t0, t1] = new BigUint64Array(await r.read());
    return Number(t1 - t0) / 1e6;
  };
  await run(); // warm-up: lazy compilation, first-use allocation
  const wall: number[] = [];
  const gpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const g = await run();
    wall.push((performance.now() - t) / batch);
    if (g !== undefined && g > 0) gpu.push(g / batch);
  }
  querySet?.destroy();
  resolve?.destroy();
  return { ms: median(wall), gpuMs: gpu.length ? median(gpu) : undefined };
}

function jsMatvec(w: Float32Array, x: Float32Array, y: Float32Array, n: number, k: number): void {
  for (let r = 0; r < n; r++) {
    let s = 0;
    const o = r * k;
    for (let i = 0; i < k; i++) s += w[o + i] * x[i];
    y[r] = s;
  }
}

function timeJs(f: () => void): number {
  f();
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    f();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

async function kernels(ctx: GpuContext, rows: Row[]): Promise<{ jsMs: number; bestMs: number; best: string }> {
  const t = (label: string, shape: number[], data?: Float32Array<ArrayBuffer>): Tensor =>
    data ? ctx.uploadTensor(label, shape, 'f32', data) : ctx.createTensor(label, shape, 'f32');
  const add = (kernel: string, shape: string, variant: string, batch: number, r: { ms: number; gpuMs?: number }, bytes: number, flops: number) =>
    rows.push({ kernel, shape, variant, batch, ms: r.ms, gpuMs: r.gpuMs, gbps: bytes / r.ms / 1e6, gflops: flops / r.ms / 1e6 });

  // Decode matvec 2048×2048 against plain TypeScript.
  const K = 2048;
  const N = 2048;
  const wData = randomArray(N * K, 1);
  const xData = randomArray(K, 2);
  const yJs = new Float32Array(N);
  const jsBefore = timeJs(() => jsMatvec(wData, xData, yJs, N, K));
  const w = t('w', [N, K], wData);
  // Each W storage beside f32: packed halves (any adapter) and native f16 (adapters with shader-f16).
  const w16 = ctx.profile.f16 ? ctx.uploadTensor('w f16', [N, K], 'f16', toF16Bits(wData)) : null;
  const wPacked = ctx.uploadTensor('w packed', [N, packedF16Words(K)], 'u32', packF16Rows(wData, N, K));
  const variants: MatmulVariant[] = ['rows', 'splitk', 'tiled'];
  const mms = Object.fromEntries(await Promise.all(variants.map(async (v) => [v, await Matmul.create(ctx, { variant: v })] as const)));
  const halves: { name: string; mm: Matmul; w: Tensor }[] = [{ name: 'rows packed-f16', mm: await Matmul.create(ctx, { weightDtype: 'packed-f16' }), w: wPacked }];
  if (w16) halves.push({ name: 'rows f16', mm: await Matmul.create(ctx, { variant: 'rows', weightDtype: 'f16' }), w: w16 });
  let bestMs = Infinity;
  let best = '';
  for (const m of [1, 4, 8, 16, quick ? 32 : 64]) {
    const x = t('x', [m, K], randomArray(m * K, 3));
    const y = t('y', [m, N]);
    const batch = m === 1 ? 10 : 2;
    const kernel = m === 1 ? 'matvec' : 'matmul';
    const shape = `${m}×${K}·(${N}×${K})ᵀ`;
    const io = 4 * (m * K + m * N);
    for (const v of variants) {
      if (v === 'tiled' && m < 16) continue; // a many-token kernel
      if (ctx.profile.kind === 'swiftshader' && ((m > 16 && v === 'splitk') || v === 'tiled')) continue; // barriers: slow there
      const r = await time(ctx, batch, (rec) => mms[v].encode(rec, x, w, y));
      add(kernel, shape, v, batch, r, 4 * N * K + io, 2 * m * N * K);
      if (m === 1 && r.ms < bestMs) [bestMs, best] = [r.ms, v];
    }
    for (const h of halves) {
      const r = await time(ctx, batch, (rec) => h.mm.encode(rec, x, h.w, y));
      add(kernel, shape, h.name, batch, r, 2 * N * K + io, 2 * m * N * K);
      if (m === 1 && r.ms < bestMs) [bestMs, best] = [r.ms, h.name];
    }
  }
  const jsMs = median([jsBefore, timeJs(() => jsMatvec(wData, xData, yJs, N, K))]);

  const H = 2048;
  for (const variant of ['row', 'workgroup'] as const) {
    const rms = await RmsNorm.create(ctx, { variant });
    for (const n of [1, 64]) {
      const x = t('x', [n, H], randomArray(n * H, 4));
      const out = t('out', [n, H]);
      const g = t('g', [H], randomArray(H, 5));
      add('rmsnorm', `(${n}, ${H})`, variant, 10, await time(ctx, 10, (rec) => rms.encode(rec, x, g, out, 1e-5)), 4 * (2 * n * H + H), 3 * n * H);
    }
  }
  const [heads, kvHeads, hd, ctxLen] = [32, 8, 64, 256];
  const rope = await Rope.create(ctx);
  const table = ctx.uploadTensor('rope', [ctxLen, hd / 2, 2], 'f32', ropeTable({ headDim: hd, ropeTheta: 10000 }, ctxLen));
  const q = t('q', [1, heads, hd], randomArray(heads * hd, 6));
  add('rope', `(1, ${heads}, ${hd})`, 'inplace', 10, await time(ctx, 10, (rec) => rope.encodeInPlace(rec, q, table, ctxLen - 1)), 4 * 2 * heads * hd, 6 * heads * hd);
  const kc = t('k', [ctxLen, kvHeads, hd], randomArray(ctxLen * kvHeads * hd, 7));
  const vc = t('v', [ctxLen, kvHeads, hd], randomArray(ctxLen * kvHeads * hd, 8));
  const ao = t('attn', [1, heads, hd]);
  for (const variant of ['online', 'split'] as const) {
    if (variant === 'split' && ctx.profile.kind === 'swiftshader') continue; // barriers: slow there
    const att = await Attention.create(ctx, { variant });
    add('attention', `decode at ${ctxLen}, ${heads}/${kvHeads} heads × ${hd}`, variant, 4, await time(ctx, 4, (rec) => att.encode(rec, q, kc, vc, ao, ctxLen - 1)),
      4 * 2 * ctxLen * kvHeads * hd, 4 * ctxLen * heads * hd);
  }
  const F = 5632;
  const sw = await SwiGlu.create(ctx);
  const [gu, act] = [t('gate_up', [1, 2 * F], randomArray(2 * F, 9)), t('act', [1, F])];
  add('swiglu', `(1, 2·${F}) -> (1, ${F})`, '-', 10, await time(ctx, 10, (rec) => sw.encode(rec, gu, act)), 12 * F, 6 * F);
  const res = await AddInPlace.create(ctx);
  const [ra, rb] = [t('a', [1, H], randomArray(H, 11)), t('b', [1, H], randomArray(H, 12))];
  add('add', `(1, ${H})`, '-', 10, await time(ctx, 10, (rec) => res.encode(rec, ra, rb)), 12 * H, H);
  const V = 32000;
  const emb = await Embedding.create(ctx);
  const VE = 8192; // a lookup reads one row: the table's size does not matter, and must fit lavapipe's 128 MiB
  const table2 = t('embed', [VE, H]);
  const ids = ctx.uploadTensor('ids', [1], 'u32', new Uint32Array([123]));
  const eo = t('e', [1, H]);
  add('embedding', `1 of (${VE}, ${H})`, '-', 10, await time(ctx, 10, (rec) => emb.encode(rec, ids, table2, eo)), 8 * H, 0);
  const am = await Argmax.create(ctx);
  const logits = t('logits', [1, V], randomArray(V, 13));
  const amOut = ctx.createTensor('ids out', [1], 'u32');
  const amScratch = ctx.createTensor('argmax scratch', [Argmax.scratchBytes(1, V) / 4], 'u32');
  add('argmax', `(1, ${V})`, '-', 10, await time(ctx, 10, (rec) => am.encode(rec, logits, amOut, amScratch.buffer)), 4 * V, V);
  return { jsMs, bestMs, best };
}

interface ModelRow {
  model: string;
  /** GPU time per decode step by kernel (timestamp queries, one pass per dispatch). */
  decodeProfile?: { kernel: string; msPerToken: number; dispatchesPerToken: number }[];
  params: number;
  weightDtype: string;
  prefillTokens: number;
  prefillMs: number;
  decodeTokensPerSecond: number;
  decodeWithLogitsTokensPerSecond: number;
}

async function model(ctx: GpuContext, name: string, weights: ModelWeights, steps: number): Promise<ModelRow> {
  const c = weights.config;
  const params = [...weights.tensors.values()].reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
  const m = await Transformer.load(ctx, weights, { maxLength: 128 });
  const prompt = Array.from({ length: 16 }, (_, i) => (i * 37 + 3) % c.vocabSize);
  await m.forward(prompt, 0); // warm-up (lazy shader compilation)
  let t = performance.now();
  let [next] = await m.forwardArgmax(prompt, 0);
  const prefillMs = performance.now() - t;
  // Alternate rounds of greedy decoding (argmax on the GPU) and decoding with logits read back, each from
  // the same position, and keep the median of each: the machine's load changes from second to second.
  const greedyRuns: number[] = [];
  const logitRuns: number[] = [];
  for (let round = 0; round < 3; round++) {
    m.truncate(prompt.length);
    t = performance.now();
    for (let i = 0; i < steps; i++) [next] = await m.forwardArgmax([next], prompt.length + i);
    greedyRuns.push((steps / (performance.now() - t)) * 1000);
    m.truncate(prompt.length);
    t = performance.now();
    for (let i = 0; i < steps; i++) await m.forward([(i * 13) % c.vocabSize], prompt.length + i);
    logitRuns.push((steps / (performance.now() - t)) * 1000);
  }
  const greedy = median(greedyRuns);
  const withLogits = median(logitRuns);
  let decodeProfile: ModelRow['decodeProfile'];
  if (ctx.profile.timestampQuery) {
    const profiled = 8;
    m.truncate(prompt.length);
    ctx.startTiming();
    for (let i = 0; i < profiled; i++) [next] = await m.forwardArgmax([next], prompt.length + i);
    const times = await ctx.stopTiming();
    decodeProfile = [...times]
      .map(([kernel, { ms, count }]) => ({ kernel, msPerToken: ms / profiled, dispatchesPerToken: count / profiled }))
      .sort((a, b) => b.msPerToken - a.msPerToken);
  }
  m.dispose();
  return { model: name, params, weightDtype: m.matrixDtype, prefillTokens: prompt.length, prefillMs, decodeTokensPerSecond: greedy, decodeWithLogitsTokensPerSecond: withLogits, decodeProfile };
}

async function main() {
  const ctx = await createNodeGpuContext(icd ? { icd } : {});
  const p = ctx.profile;
  console.log(`adapter: ${p.kind} (${p.vendor} ${p.architecture}, ${p.description}); f16 ${p.f16}, subgroups ${p.subgroups}, timestamps ${p.timestampQuery}`);
  const rows: Row[] = [];
  const mv = await kernels(ctx, rows);
  const ratio = mv.jsMs / mv.bestMs;

  console.log('\n| kernel | shape | variant | ms (wall) | ms (GPU ts) | GB/s | GFLOP/s |\n|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.kernel} | ${r.shape} | ${r.variant} | ${r.ms.toFixed(3)} | ${r.gpuMs?.toFixed(3) ?? '-'} | ${r.gbps.toFixed(2)} | ${r.gflops.toFixed(2)} |`);
  }
  console.log(`\nTypeScript Float32Array matvec 2048×2048: ${mv.jsMs.toFixed(2)} ms; best WGSL (${mv.best}) ${mv.bestMs.toFixed(2)} ms: ${ratio.toFixed(2)}x`);

  const models: ModelRow[] = [];
  if (!quick) {
    const spec = { architecture: 'llama' as const, vocabSize: 8192, hiddenSize: 512, intermediateSize: 1536, numLayers: 8, numHeads: 8, numKvHeads: 4, maxPositionEmbeddings: 512 };
    models.push(await model(ctx, 'random 33M (512 hidden, 8 layers, 8/4 heads, FFN 1536, vocab 8192)', inMemoryWeights(randomModel(spec, 1)), 12));
    const fixture = fileURLToPath(new URL('../public/models/tiny-target', import.meta.url));
    if (existsSync(fixture)) models.push(await model(ctx, 'fixture tiny-target', await loadModelPath(fixture), 24));
    console.log('\n| model | params | weights | prefill 16 tokens (ms) | decode tok/s (greedy, argmax on GPU) | decode tok/s (logits read back) |\n|---|---|---|---|---|---|');
    for (const m of models) {
      console.log(`| ${m.model} | ${(m.params / 1e6).toFixed(1)}M | ${m.weightDtype} | ${m.prefillMs.toFixed(0)} | ${m.decodeTokensPerSecond.toFixed(1)} | ${m.decodeWithLogitsTokensPerSecond.toFixed(1)} |`);
    }
    for (const m of models.filter((x) => x.decodeProfile)) {
      const total = m.decodeProfile!.reduce((a, k) => a + k.msPerToken, 0);
      console.log(`\nGPU time per decode step, ${m.model} (timestamps; ${total.toFixed(2)} ms in kernels):`);
      for (const k of m.decodeProfile!) {
        console.log(`  ${k.kernel.padEnd(28)} ${k.msPerToken.toFixed(3).padStart(8)} ms  ${((100 * k.msPerToken) / total).toFixed(0).padStart(3)}%  ×${k.dispatchesPerToken}`);
      }
    }
  }

  const out = fileURLToPath(new URL('./kernels.json', import.meta.url));
  const all = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
  all[p.kind] = {
    date: new Date().toISOString(),
    adapter: { kind: p.kind, vendor: p.vendor, architecture: p.architecture, description: p.description, f16: p.f16, subgroups: p.subgroups },
    runs: RUNS,
    matvec2048: { typescriptMs: mv.jsMs, wgslMs: mv.bestMs, variant: mv.best, speedup: ratio },
    kernels: rows,
    models,
  };
  writeFileSync(out, JSON.stringify(all, null, 2) + '\n');
  console.log(`\nwrote ${out}`);
  ctx.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
