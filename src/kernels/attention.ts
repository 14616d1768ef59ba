/**
 * Causal attention of new queries over a KV cache, with grouped-query heads.
 *
 *   q (n, heads, dim)             queries of the tokens at positions start .. start+n-1 (RoPE applied)
 *   k, v (maxLen, kvHeads, dim)   the layer's cache, already holding positions 0 .. start+n-1
 *   out (n, heads, dim)
 *
 * Query t sees keys 0 ..= start + t: the causal mask inside the new block. One variant
 * (shaders/attention.wgsl: one invocation per (token, head), streaming softmax, barrier-free).
 */
import { InvalidArgumentError } from '../errors';
import type { GpuContext } from '../gpu/context';
import type { CommandRecorder } from '../gpu/recorder';
import { shaderSource } from '../gpu/shader';
import { expectTensor, type Tensor } from '../gpu/tensor';
import code from '../../shaders/attention.wgsl?raw';
import { grid, Uniforms } from './common';

const SHADER = shaderSource('attention.wgsl', code);
const MAX_HEAD_DIM = 256;
/** Small workgroups: decode has only `heads` invocations, spread them over the CPU's threads / GPU's cores. */
const WG = 4;

export class Attention {
  private constructor(
    private readonly ctx: GpuContext,
    private readonly pipeline: GPUComputePipeline,
  ) {}

  static async create(ctx: GpuContext): Promise<Attention> {
    const pipeline = await ctx.pipelines.get({ shader: SHADER, entryPoint: 'attention_online', constants: { WG } });
    return new Attention(ctx, pipeline);
  }

  encode(rec: CommandRecorder, q: Tensor, k: Tensor, v: Tensor, out: Tensor, start: number, label = 'attention'): void {
    const [n, heads, dim] = q.shape;
    const [maxLen, kvHeads] = k.shape;
    expectTensor(label, 'q', q, [n, heads, dim]);
    expectTensor(label, 'k', k, [maxLen, kvHeads, dim]);
    expectTensor(label, 'v', v, [maxLen, kvHeads, dim]);
    expectTensor(label, 'out', out, [n, heads, dim]);
    if (dim % 4 !== 0 || dim > MAX_HEAD_DIM) {
      throw new InvalidArgumentError(`${label}: head_dim ${dim} must be a multiple of 4 and at most ${MAX_HEAD_DIM}`);
    }
    if (heads % kvHeads !== 0) throw new InvalidArgumentError(`${label}: ${heads} heads not a multiple of ${kvHeads} KV heads`);
    if (start + n > maxLen) throw new InvalidArgumentError(`${label}: positions up to ${start + n - 1} exceed the cache (${maxLen})`);
    const u = new Uniforms()
      .u32(n)
      .u32(heads)
      .u32(kvHeads)
      .u32(dim)
      .u32(start)
      .f32(1 / Math.sqrt(dim))
      .finish();
    rec.dispatch(label, this.pipeline, u, [q, k, v, out], grid(this.ctx, n * heads, WG));
  }
}
