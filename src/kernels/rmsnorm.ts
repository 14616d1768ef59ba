/**
 * RMSNorm over the last dimension: out (rows, dim) = x / sqrt(mean(x²) + eps) · weight (dim).
 * Per-head norm (qwen3's q_norm / k_norm) is the same op on (n · heads, head_dim).
 *
 * Variants (shaders/rmsnorm.wgsl): `row` (one invocation per row, barrier-free: SwiftShader) and
 * `workgroup` (one workgroup per row with a tree reduction: GPUs, lavapipe).
 */
import type { GpuContext } from '../gpu/context';
import type { CommandRecorder } from '../gpu/recorder';
import { shaderSource } from '../gpu/shader';
import { expectTensor, type Tensor } from '../gpu/tensor';
import code from '../../shaders/rmsnorm.wgsl?raw';
import { ELEMENTWISE_WG, grid, Uniforms } from './common';

const SHADER = shaderSource('rmsnorm.wgsl', code);
export type RmsNormVariant = 'row' | 'workgroup';

export class RmsNorm {
  private constructor(
    private readonly ctx: GpuContext,
    readonly variant: RmsNormVariant,
    private readonly pipeline: GPUComputePipeline,
  ) {}

  static async create(ctx: GpuContext, opts: { variant?: RmsNormVariant } = {}): Promise<RmsNorm> {
    const variant = opts.variant ?? (ctx.profile.kind === 'swiftshader' ? 'row' : 'workgroup');
    const pipeline = await ctx.pipelines.get({
      shader: SHADER,
      entryPoint: variant === 'row' ? 'rmsnorm_row' : 'rmsnorm_wg',
      constants: { WG: ELEMENTWISE_WG },
    });
    return new RmsNorm(ctx, variant, pipeline);
  }

  encode(rec: CommandRecorder, x: Tensor, weight: Tensor, out: Tensor, eps: number, label = 'rmsnorm'): void {
    const [rows, dim] = x.shape;
    expectTensor(label, 'x', x, [rows, dim]);
    expectTensor(label, 'weight', weight, [dim]);
    expectTensor(label, 'out', out, [rows, dim]);
    const u = new Uniforms().u32(rows).u32(dim).f32(eps).finish();
    const groups = this.variant === 'row' ? grid(this.ctx, rows, ELEMENTWISE_WG) : grid(this.ctx, rows, 1);
    rec.dispatch(label, this.pipeline, u, [x, weight, out], groups);
  }
}
