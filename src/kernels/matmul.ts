/**
 * y = x · Wᵀ: the projections, the MLP and the logits. W is in Hugging Face layout (N, K) row-major.
 *
 *   x (M, K) f32, W (N, K) f32 or f16, y (M, N) f32
 *   or W (N, 4·ceil(K/8)) u32 with `packed-f16`: IEEE halves in pairs (src/kernels/matmul-packed.ts)
 *
 * Variants (shaders/matmul_rows.wgsl, shaders/matmul_splitk.wgsl), each with an M = 1 entry point:
 * - `rows`: one invocation per 4 outputs (× 4 tokens), barrier-free. SwiftShader and lavapipe, every M.
 * - `splitk`: one workgroup per 4 outputs (× 4 tokens), threads split K, reduction at the end. GPUs for
 *   M ≤ 16 (decode and speculative verification).
 * - `tiled` (shaders/matmul_tiled.wgsl, no M = 1 entry point): 64×64 blocks through workgroup memory.
 *   GPUs for M > 16 (prefill).
 * Measured choices for SwiftShader and lavapipe (bench/kernels.ts); the GPU choice is the usual one for
 * memory-bound matvec (coalesced loads along K), not yet measured here.
 */
import { GpuError, InvalidArgumentError } from '../errors';
import type { GpuContext } from '../gpu/context';
import type { CommandRecorder } from '../gpu/recorder';
import { shaderSource } from '../gpu/shader';
import { expectTensor, type Tensor } from '../gpu/tensor';
import rowsCode from '../../shaders/matmul_rows.wgsl?raw';
import splitkCode from '../../shaders/matmul_splitk.wgsl?raw';
import tiledCode from '../../shaders/matmul_tiled.wgsl?raw';
import { grid, Uniforms } from './common';
import { packedF16Words } from './matmul-packed';

const ROWS = shaderSource('matmul_rows.wgsl', rowsCode);
const SPLITK = shaderSource('matmul_splitk.wgsl', splitkCode);
const TILED = shaderSource('matmul_tiled.wgsl', tiledCode);

export type MatmulVariant = 'rows' | 'splitk' | 'tiled';
/** Tokens × outputs per workgroup of the tiled variant. */
const TILE = 64;

/** Largest M for which split-K is chosen on GPUs: beyond it W is re-read too often. */
const SPLITK_MAX_M = 16;
/** split-K threads per workgroup. */
const SPLITK_WG = 64;
/**
 * rows: invocations per workgroup. Workgroups are SwiftShader's unit of parallelism across CPU threads, but
 * each has a fixed cost: decoding the fixture was faster with 64 than with 16 (more, smaller workgroups)
 * or 256, on this 2-core machine.
 */
const ROWS_WG = 64;

/**
 * Storage of W: f32; f16 (needs `shader-f16`); packed-f16, halves packed in u32 words and widened with
 * `unpack2x16float` (any adapter, `rows` variant only).
 */
export type MatmulWeightDtype = 'f32' | 'f16' | 'packed-f16';

export interface MatmulOptions {
  weightDtype?: MatmulWeightDtype;
  /** Force one variant for every M (tests, benchmarks); by default chosen per adapter and M. */
  variant?: MatmulVariant;
}

export function chooseMatmulVariant(kind: GpuContext['profile']['kind'], m: number): MatmulVariant {
  if (kind === 'swiftshader' || kind === 'llvmpipe') return 'rows';
  return m <= SPLITK_MAX_M ? 'splitk' : 'tiled';
}

interface Pipelines {
  vec?: GPUComputePipeline; // M == 1 (not for `tiled`)
  mat: GPUComputePipeline; // any M
}

export class Matmul {
  private constructor(
    private readonly ctx: GpuContext,
    readonly weightDtype: MatmulWeightDtype,
    private readonly forced: MatmulVariant | undefined,
    private readonly pipelines: Partial<Record<MatmulVariant, Pipelines>>,
  ) {}

  static async create(ctx: GpuContext, opts: MatmulOptions = {}): Promise<Matmul> {
    const weightDtype = opts.weightDtype ?? 'f32';
    if (weightDtype === 'f16' && !ctx.profile.f16) {
      throw new GpuError('unsupported-dtype', 'Matmul: f16 weights need an adapter with shader-f16');
    }
    // Packed halves exist in the barrier-free variant only: it serves every M.
    const forced = weightDtype === 'packed-f16' ? 'rows' : opts.variant;
    if (weightDtype === 'packed-f16' && opts.variant && opts.variant !== 'rows') {
      throw new InvalidArgumentError(`Matmul: packed-f16 weights have the rows variant only, not ${opts.variant}`);
    }
    const wanted: MatmulVariant[] = forced
      ? [forced]
      : [...new Set([1, 2, SPLITK_MAX_M + 1].map((m) => chooseMatmulVariant(ctx.profile.kind, m)))];
    const flags = { F16: weightDtype === 'f16', PACKED: weightDtype === 'packed-f16', SUBGROUPS: ctx.profile.subgroups };
    const pipelines: Partial<Record<MatmulVariant, Pipelines>> = {};
    await Promise.all(
      wanted.map(async (v) => {
        const shader = { rows: ROWS, splitk: SPLITK, tiled: TILED }[v];
        const constants = v === 'tiled' ? undefined : { WG: v === 'rows' ? ROWS_WG : SPLITK_WG };
        const get = (entryPoint: string) => ctx.pipelines.get({ shader, entryPoint, flags, constants });
        const [vec, mat] = await Promise.all([v === 'tiled' ? undefined : get(`matvec_${v}`), get(`matmul_${v}`)]);
        pipelines[v] = { vec, mat };
      }),
    );
    return new Matmul(ctx, weightDtype, forced, pipelines);
  }

  variantFor(m: number): MatmulVariant {
    return this.forced ?? chooseMatmulVariant(this.ctx.profile.kind, m);
  }

  /** y = x·Wᵀ, or y += x·Wᵀ with `accumulate` (a residual connection folded into the projection). */
  encode(rec: CommandRecorder, x: Tensor, w: Tensor, y: Tensor, opts: { accumulate?: boolean; label?: string } = {}): void {
    const label = opts.label ?? 'matmul';
    const [m, k] = x.shape;
    const n = w.shape[0];
    expectTensor(label, 'x', x, [undefined, undefined]);
    if (this.weightDtype === 'packed-f16') expectTensor(label, 'W', w, [undefined, packedF16Words(k)], ['u32']);
    else expectTensor(label, 'W', w, [undefined, k], [this.weightDtype]);
    expectTensor(label, 'y', y, [m, n]);
    if (k % 4 !== 0) throw new InvalidArgumentError(`${label}: K = ${k} must be a multiple of 4`);
    if (m === 0 || n === 0) return;
    const variant = this.variantFor(m);
    const p = this.pipelines[variant];
    if (!p) throw new GpuError('internal', `${label}: variant ${variant} was not compiled`);
    const uniforms = new Uniforms().u32(m).u32(n).u32(k).u32(opts.accumulate ? 1 : 0).finish();
    const n4 = Math.ceil(n / 4);
    const m4 = Math.ceil(m / 4);
    const bindings = [x, w, y];
    if (variant === 'tiled') {
      rec.dispatch(label, p.mat, uniforms, bindings, [Math.ceil(n / TILE), Math.ceil(m / TILE)]);
    } else if (variant === 'rows') {
      if (m === 1) rec.dispatch(label, p.vec!, uniforms, bindings, grid(this.ctx, n4, ROWS_WG));
      else rec.dispatch(label, p.mat, uniforms, bindings, [Math.ceil(n4 / ROWS_WG), m4]);
    } else {
      if (m === 1) rec.dispatch(label, p.vec!, uniforms, bindings, grid(this.ctx, n4, 1));
      else rec.dispatch(label, p.mat, uniforms, bindings, [n4, m4]);
    }
  }
}
