/**
 * From the fused q/k/v projection to attention inputs, in one dispatch:
 *
 *   qkv (n, heads + 2·kvHeads, dim)  ->  q (n, heads, dim)             rotated (RoPE)
 *                                        cache.k rows start..start+n-1  rotated
 *                                        cache.v rows start..start+n-1  copied
 *
 * With `qNorm`/`kNorm` (qwen3), query/key heads are RMS-normalised first. RoPE uses the table from
 * `ropeTable` (src/kernels/rope.ts), so it agrees with the standalone RoPE kernel.
 */
import { InvalidArgumentError } from '../errors';
import type { GpuContext } from '../gpu/context';
import type { CommandRecorder } from '../gpu/recorder';
import { shaderSource } from '../gpu/shader';
import { expectTensor, type Tensor } from '../gpu/tensor';
import code from '../../shaders/qkv.wgsl?raw';
import { grid, Uniforms } from './common';

const SHADER = shaderSource('qkv.wgsl', code);
/** One invocation per head: small workgroups spread decode's few heads over the CPU's threads. */
const WG = 8;

export interface QkvSplitArgs {
  qkv: Tensor; // (n, heads + 2·kvHeads, dim)
  table: Tensor; // (positions, dim/2, 2)
  q: Tensor; // (n, heads, dim)
  kCache: Tensor; // (maxLen, kvHeads, dim)
  vCache: Tensor; // (maxLen, kvHeads, dim)
  start: number;
  /** Per-head RMSNorm weights (dim) and epsilon, for qwen3. */
  norm?: { q: Tensor; k: Tensor; eps: number };
}

export class QkvSplit {
  private constructor(
    private readonly ctx: GpuContext,
    private readonly pipeline: GPUComputePipeline,
  ) {}

  static async create(ctx: GpuContext): Promise<QkvSplit> {
    const pipeline = await ctx.pipelines.get({ shader: SHADER, entryPoint: 'qkv_split', constants: { WG } });
    return new QkvSplit(ctx, pipeline);
  }

  encode(rec: CommandRecorder, a: QkvSplitArgs, label = 'qkv split'): void {
    const [n, heads, dim] = a.q.shape;
    const [maxLen, kvHeads] = a.kCache.shape;
    expectTensor(label, 'q', a.q, [n, heads, dim]);
    expectTensor(label, 'qkv', a.qkv, [n, heads + 2 * kvHeads, dim]);
    expectTensor(label, 'kCache', a.kCache, [maxLen, kvHeads, dim]);
    expectTensor(label, 'vCache', a.vCache, [maxLen, kvHeads, dim]);
    expectTensor(label, 'table', a.table, [undefined, dim / 2, 2]);
    if (dim % 2 !== 0) throw new InvalidArgumentError(`${label}: head_dim ${dim} must be even`);
    if (a.start + n > Math.min(maxLen, a.table.shape[0])) {
      throw new InvalidArgumentError(`${label}: positions up to ${a.start + n - 1} exceed the cache (${maxLen}) or RoPE table (${a.table.shape[0]})`);
    }
    if (a.norm) {
      expectTensor(label, 'qNorm', a.norm.q, [dim]);
      expectTensor(label, 'kNorm', a.norm.k, [dim]);
    }
    const u = new Uniforms()
      .u32(n)
      .u32(heads)
      .u32(kvHeads)
      .u32(dim)
      .u32(a.start)
      .u32(a.norm ? 1 : 0)
      .f32(a.norm?.eps ?? 0)
      .finish();
    // Without norms the shader never reads bindings 3 and 4; any buffer fills them.
    const qNorm = a.norm?.q ?? a.table;
    const kNorm = a.norm?.k ?? a.table;
    const bindings = [a.qkv, a.table, qNorm, kNorm, a.q, a.kCache, a.vCache];
    rec.dispatch(label, this.pipeline, u, bindings, grid(this.ctx, n * (heads + 2 * kvHeads), WG));
  }
}
