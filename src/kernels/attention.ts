/**
 * Causal attention of new queries over a KV cache, with grouped-query heads.
 *
 *   q (n, heads, dim)             queries of the tokens at positions start .. start+n-1 (RoPE applied)
 *   k, v (maxLen, kvHeads, dim)   the layer's cache, already holding positions 0 .. start+n-1
 *   out (n, heads, dim)
 *
 * Query t sees keys 0 ..= start + t: the causal mask inside the new block. Variants (shaders/attention.wgsl),
 * both with a streaming softmax:
 * - `online`: one invocation per (token, head), barrier-free. SwiftShader.
 * - `split`: one workgroup per (token, head) whose threads share the keys, merged in workgroup memory.
 *   GPUs and lavapipe: decode has only `heads` (token, head) pairs, too few threads for a GPU otherwise.
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
export type AttentionVariant = 'online' | 'split';
/** online: small workgroups spread decode's few invocations over the CPU's threads. */
const ONLINE_WG = 4;
/** split: threads per (token, head). */
const SPLIT_WG = 64;

export class Attention {
  private constructor(
    private readonly ctx: GpuContext,
    readonly variant: AttentionVariant,
    private readonly pipeline: GPUComputePipeline,
  ) {}

  static async create(ctx: GpuContext, opts: { variant?: AttentionVariant } = {}): Promise<Attention> {
    const variant = opts.variant ?? (ctx.profile.kind === 'swiftshader' ? 'online' : 'split');
    const pipeline = await ctx.pipelines.get({
      shader: SHADER,
      entryPoint: `attention_${variant}`,
      constants: { WG: variant === 'online' ? ONLINE_WG : SPLIT_WG },
    });
    return new Attention(ctx, variant, pipeline);
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
    const groups = this.variant === 'online' ? grid(this.ctx, n * heads, ONLINE_WG) : grid(this.ctx, n * heads, 1);
    rec.dispatch(label, this.pipeline, u, [q, k, v, out], groups);
  }
}
